"""YAML with line numbers: the parsed data with the line of every key and value, so that each
issue can name the line it is on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import yaml

from jineng.plans.rules.packs.model import PackIssue

Path_ = tuple[Any, ...]


@dataclass
class Located:
    """The parsed YAML plus where each key and each value starts (1-based lines)."""

    data: Any
    key_lines: dict[Path_, int]
    value_lines: dict[Path_, int]
    issues: list[PackIssue]

    def line(self, path: Path_) -> int | None:
        while True:
            if path in self.key_lines:
                return self.key_lines[path]
            if path in self.value_lines:
                return self.value_lines[path]
            if not path:
                return None
            path = path[:-1]

    def object_line(self, path: Path_) -> int | None:
        """The line where a mapping begins (for a list item: its `- ` line)."""
        if path in self.value_lines:
            return self.value_lines[path]
        return self.line(path)


def path_text(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_located(text: str) -> Located:
    """Parse YAML (safe tags only), keeping the line of every key and value."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:  # a control character: the reader refuses it at once
        return Located(None, {}, {}, [PackIssue(None, "", "yaml_syntax", {"problem": str(exc)})])
    key_lines: dict[Path_, int] = {}
    value_lines: dict[Path_, int] = {}
    issues: list[PackIssue] = []
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            problem = exc.problem or exc.context or "invalid YAML"
            return Located(None, {}, {}, [PackIssue(line, "", "yaml_syntax",
                                                     {"problem": problem})])
        except yaml.YAMLError as exc:
            return Located(None, {}, {}, [PackIssue(None, "", "yaml_syntax",
                                                     {"problem": str(exc)})])

        def build(n: yaml.Node, path: Path_) -> Any:
            value_lines[path] = n.start_mark.line + 1
            if isinstance(n, yaml.MappingNode):
                out: dict[Any, Any] = {}
                for knode, vnode in n.value:
                    key = loader.construct_object(knode, deep=True)
                    if not isinstance(key, str | int):
                        key = str(key)
                    if key in out:
                        issues.append(PackIssue(knode.start_mark.line + 1,
                                                path_text((*path, key)), "duplicate_key",
                                                {"key": key}))
                    key_lines[(*path, key)] = knode.start_mark.line + 1
                    out[key] = build(vnode, (*path, key))
                return out
            if isinstance(n, yaml.SequenceNode):
                return [build(item, (*path, i)) for i, item in enumerate(n.value)]
            value = loader.construct_object(n, deep=True)
            if isinstance(value, dt.datetime):
                return value.isoformat()
            if isinstance(value, dt.date):
                return value.isoformat()
            return value

        data = build(node, ()) if node is not None else None
    finally:
        loader.dispose()
    return Located(data, key_lines, value_lines, issues)
