"""Reading parameter files: one text checked strictly (`check_parameters`), the versions of
one region checked together (`check_overlaps`), a directory and the shipped files, and the
stored JSON form read back (`raw_from_json`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jineng.core.located_yaml import Located, load_located
from jineng.subsidy.rules.parameters.fields import (
    REGION_RE,
    REQUIRED_TOP,
    SCHEMA,
    TOP_FIELDS,
    VERSION_RE,
    _check_values,
    _Checker,
    _leaf_paths,
)
from jineng.subsidy.rules.parameters.model import CheckResult, Issue, RawSet

# jineng/subsidy/parameters (this module is jineng/subsidy/rules/parameters/loading.py)
PARAMETERS_DIR = Path(__file__).resolve().parents[2] / "parameters"
MAX_CHARS = 200_000


def raw_from_json(data: Mapping[str, Any], *, file: str = "") -> RawSet:
    """The RawSet stored by `to_json` (re-checked through the same field types)."""
    issues: list[Issue] = []
    located = Located(dict(data.get("values") or {}), {}, {}, [])
    values = _check_values(located, issues)
    if issues:
        raise ValueError("; ".join(str(i) for i in issues))
    return RawSet(version=data["version"], region_code=data["region"], title=data["title"],
                  valid_from=dt.date.fromisoformat(data["valid_from"]),
                  valid_to=(dt.date.fromisoformat(data["valid_to"]) if data.get("valid_to")
                            else None),
                  values=values, sources=dict(data.get("sources") or {}),
                  issuer=data.get("issuer", ""), document=data.get("document", ""),
                  note=data.get("note", ""), file=file)


def _date(c: _Checker, key: str, value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        c.add((key,), "bad_date", field=key, value=value)
        return None


def check_parameters(text: str, *, name: str = "") -> CheckResult:
    """Every issue of one parameter file (with line numbers), and the parsed set when none."""
    if len(text) > MAX_CHARS:
        return CheckResult([Issue(None, "", "too_long", {"max": MAX_CHARS}, name)], None)
    located = load_located(text, issue=Issue)
    issues = list(located.issues)
    if located.data is None and not issues:
        issues.append(Issue(None, "", "not_a_mapping", {}))
    if issues:
        return CheckResult([_named(i, name) for i in issues], None)
    data = located.data
    c = _Checker(located, issues)
    if not isinstance(data, dict):
        c.add((), "not_a_mapping")
        return CheckResult([_named(i, name) for i in issues], None)
    for key in data:
        if key not in TOP_FIELDS:
            c.add((key,), "unknown_key", value_line=False, key=key)
    for key in REQUIRED_TOP:
        if key not in data:
            issues.append(Issue(1, key, "missing_key", {"key": key}))
    if "schema" in data and data["schema"] != SCHEMA:
        c.add(("schema",), "bad_schema", expected=SCHEMA, value=data["schema"])
    for key in ("title", "issuer", "document", "note"):
        if key in data and not isinstance(data[key], str):
            c.add((key,), "wrong_type", field=key, expected="text", value=data[key])
    version = data.get("version")
    if version is not None and (not isinstance(version, str) or not VERSION_RE.match(version)):
        c.add(("version",), "bad_version", value=version)
    region = data.get("region")
    if region is not None:
        if isinstance(region, int) and not isinstance(region, bool):
            region = str(region)
        if not isinstance(region, str) or not REGION_RE.match(region):
            c.add(("region",), "bad_region", value=data.get("region"))
    start = _date(c, "valid_from", data["valid_from"]) if "valid_from" in data else None
    end = None
    if data.get("valid_to") is not None:
        end = _date(c, "valid_to", data["valid_to"])
        if start and end and end < start:
            c.add(("valid_to",), "period_order", start=start.isoformat(), end=end.isoformat())
    values = _check_values(located, issues)
    sources = data.get("sources") or {}
    if not isinstance(sources, dict):
        c.add(("sources",), "wrong_type", field="sources", expected="a mapping", value=sources)
        sources = {}
    for key, v in sources.items():
        if not isinstance(v, str) or not v.strip():
            c.add(("sources", key), "empty_source", path=key)
        parts = tuple(str(key).split("."))
        if not any(leaf[:len(parts)] == parts for leaf in _leaf_paths(values)):
            c.add(("sources", key), "source_unused", value_line=False, path=key)
    for leaf in _leaf_paths(values):
        if not any(".".join(leaf[:n]) in sources for n in range(1, len(leaf) + 1)):
            c.add(leaf, "source_missing", value_line=False, path=".".join(leaf))
    if issues:
        return CheckResult(sorted((_named(i, name) for i in issues),
                                  key=lambda i: (i.line or 0, i.path, i.code)), None)
    raw = RawSet(version=version, region_code=str(region), title=data["title"],
                 valid_from=start, valid_to=end, values=values,
                 sources={str(k): _tidy(v) for k, v in sources.items()},
                 issuer=data.get("issuer", ""), document=data.get("document", ""),
                 note=data.get("note", ""), file=name,
                 valid_from_line=located.value_line(("valid_from",)))
    return CheckResult([], raw)


_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")


def _tidy(text: str) -> str:
    """A folded YAML line break between two Chinese characters is no space."""
    return _CJK_GAP.sub("", text.strip())


def _named(issue: Issue, name: str) -> Issue:
    if not name or issue.file:
        return issue
    return Issue(issue.line, issue.path, issue.code, issue.params, name)


def check_overlaps(sets: Iterable[RawSet]) -> list[Issue]:
    """Two versions of one region whose periods overlap, or one version name used twice."""
    by_region: dict[str, list[RawSet]] = {}
    for s in sets:
        by_region.setdefault(s.region_code, []).append(s)
    issues = []
    far = dt.date.max
    for region, group in by_region.items():
        group.sort(key=lambda s: (s.valid_from, s.version))
        seen: dict[str, RawSet] = {}
        for s in group:
            if s.version in seen:
                issues.append(Issue(s.valid_from_line, "version", "duplicate_version",
                                    {"version": s.version, "other": seen[s.version].file},
                                    s.file))
            seen[s.version] = s
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if b.valid_from <= (a.valid_to or far):
                    issues.append(Issue(b.valid_from_line, "valid_from", "overlap",
                                        {"version": b.version, "other": a.version,
                                         "other_file": a.file, "region": region or "national",
                                         "start": b.valid_from.isoformat(),
                                         "other_end": (a.valid_to.isoformat() if a.valid_to
                                                       else "open")}, b.file))
    return issues


def load_directory(path: Path = PARAMETERS_DIR) -> tuple[list[RawSet], list[Issue]]:
    """Every *.yaml file of a directory, checked one by one and together."""
    sets, issues = [], []
    for f in sorted(path.glob("*.yaml")):
        result = check_parameters(f.read_text(encoding="utf-8"), name=f.name)
        issues.extend(result.issues)
        if result.raw is not None:
            sets.append(result.raw)
    issues.extend(check_overlaps(sets))
    return sets, issues


@cache
def shipped_sets() -> tuple[RawSet, ...]:
    """The parameter files shipped in jineng/subsidy/parameters (they must be clean)."""
    sets, issues = load_directory()
    if issues:
        raise ValueError("subsidy parameter files: " + "; ".join(str(i) for i in issues))
    return tuple(sets)
