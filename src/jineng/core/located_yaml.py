"""YAML read with line numbers: the parsed data plus the line of every key and value, so that
each issue found in an uploaded file (a policy pack, a subsidy parameter file) can name the
line it is on. Pure: no Django.

`load_located(text, issue=…)` never raises on bad input: a syntax error or a duplicate key
becomes an issue built by the caller's `issue(line, path, code, params)` factory (codes
`yaml_syntax` and `duplicate_key`; each app keeps its own message for them). Only the safe
tags are read; a scalar the safe loader cannot construct (2025-13-01 looks like a date but is
none, an unknown tag) stays its text, so that the caller's checks report it on its line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[Any, ...]


@dataclass(frozen=True)
class YamlIssue:
    """The default issue: what the caller's factory receives, kept as is."""

    line: int | None
    path: str
    code: str
    params: dict = field(default_factory=dict)


IssueFactory = Callable[[int | None, str, str, dict], Any]


@dataclass
class Located:
    """The parsed YAML plus where each key and each value starts (1-based lines)."""

    data: Any
    key_lines: dict[Path_, int]
    value_lines: dict[Path_, int]
    issues: list[Any]

    def line(self, path: Path_) -> int | None:
        """The line of a key (or of the value at the root of a list item), else of the nearest
        enclosing path that has one."""
        while True:
            if path in self.key_lines:
                return self.key_lines[path]
            if path in self.value_lines:
                return self.value_lines[path]
            if not path:
                return None
            path = path[:-1]

    def value_line(self, path: Path_) -> int | None:
        """The line where a value begins (a mapping in a list: its `- ` line); a value
        written on the line after its key is reported there, not at the key."""
        return self.value_lines.get(path) or self.line(path)


def path_text(path: Path_) -> str:
    """`kinds.training.level_factors`, `targets[3].id`: a path as a reader writes it."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_located(text: str, *, issue: IssueFactory = YamlIssue, int_keys: bool = False,
                 dates_as_text: bool = False) -> Located:
    """Parse YAML (safe tags only), keeping the line of every key and value.

    `int_keys`: keep whole-number (and true/false) keys as read, instead of turning every key
    into text. `dates_as_text`: give dates and timestamps in ISO form (a JSON Schema checks
    the data) instead of as `date` / `datetime` objects."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:  # a control character: the reader refuses it at once
        return Located(None, {}, {}, [issue(None, "", "yaml_syntax", {"problem": str(exc)})])
    key_lines: dict[Path_, int] = {}
    value_lines: dict[Path_, int] = {}
    issues: list[Any] = []
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            problem = exc.problem or exc.context or "invalid YAML"
            return Located(None, {}, {}, [issue(line, "", "yaml_syntax", {"problem": problem})])
        except yaml.YAMLError as exc:
            return Located(None, {}, {}, [issue(None, "", "yaml_syntax", {"problem": str(exc)})])

        def scalar(n: yaml.Node) -> Any:
            try:
                return loader.construct_object(n, deep=True)
            except (ValueError, TypeError, yaml.YAMLError):
                return n.value if isinstance(n, yaml.ScalarNode) else None

        def build(n: yaml.Node, path: Path_) -> Any:
            value_lines[path] = n.start_mark.line + 1
            if isinstance(n, yaml.MappingNode):
                out: dict[Any, Any] = {}
                for knode, vnode in n.value:
                    key = scalar(knode)
                    if not isinstance(key, (str | int) if int_keys else str):
                        key = str(key)
                    if key in out:
                        issues.append(issue(knode.start_mark.line + 1, path_text((*path, key)),
                                            "duplicate_key", {"key": key}))
                    key_lines[(*path, key)] = knode.start_mark.line + 1
                    out[key] = build(vnode, (*path, key))
                return out
            if isinstance(n, yaml.SequenceNode):
                return [build(item, (*path, i)) for i, item in enumerate(n.value)]
            value = scalar(n)
            if dates_as_text and isinstance(value, dt.date):  # datetime is a date too
                return value.isoformat()
            return value

        data = build(node, ()) if node is not None else None
    finally:
        loader.dispose()
    return Located(data, key_lines, value_lines, issues)
