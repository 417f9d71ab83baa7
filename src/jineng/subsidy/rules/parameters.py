"""Subsidy parameter files: YAML read with line numbers, validated strictly, resolved for a
region on a day (county → city → province → national default, each more specific set
overriding single values of the broader one). Pure: no Django.

One file (or one uploaded text) is one version of one region's parameters:

    schema: jineng/subsidy-parameters/1
    version: lianyungang-2025        # unique per region
    region: "320700"                 # GB/T 2260 code; "" = the national default
    title: …
    valid_from: 2025-07-01
    valid_to: 2027-12-31             # optional (open)
    limits: {yearly_limit: 3, …}     # see LIMIT_FIELDS
    kinds: {training: {…}, …}        # see KIND_FIELDS
    sources: {limits.yearly_limit: "clause …", kinds.training: "clause …"}

Every value given must be covered by a `sources` entry (its own path or a prefix of it): the
clause of the policy it rests on, or the statement that it is illustrative.

`check_parameters(text)` returns every issue (code, params, line) and the parsed `RawSet`;
`check_overlaps(sets)` refuses two versions of one region whose periods overlap;
`ParameterIndex(sets).in_force(region, day)` / `parameters_in_force(sets, region, day)` give
the resolved `ParameterSet` (its `version` names the chain used).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from jineng.subsidy.rules.types import (
    AMOUNT_BASES,
    KINDS,
    ONE,
    PAYEE_KINDS,
    YEAR_BASES,
    KindRules,
    Limits,
    MaterialClass,
    ParameterSet,
    Shares,
    frozen_map,
)

SCHEMA = "jineng/subsidy-parameters/1"
PARAMETERS_DIR = Path(__file__).resolve().parent.parent / "parameters"
MAX_CHARS = 200_000

# The 新八级工 ladder codes (registry.SkillLevel.code; a test keeps them in step) and the key
# groups (registry.choices.KeyGroup values).
LEVEL_CODES = ("apprentice", "grade5", "grade4", "grade3", "grade2", "grade1", "principal",
               "chief")
KEY_GROUPS = ("graduate", "migrant_worker", "unemployed", "hard_to_employ", "veteran",
              "disabled", "poverty_monitored", "relocated", "left_behind_woman",
              "enterprise_employee")

TOP_FIELDS = {"schema", "version", "region", "title", "issuer", "document", "valid_from",
              "valid_to", "note", "limits", "kinds", "sources"}
REQUIRED_TOP = ("schema", "version", "region", "title", "valid_from")

# field → type: count (int ≥ 0), positive (int ≥ 1), bool, money (≥ 0, 2 places),
# share (0–1), factor (> 0, ≤ 10), text, enum, enum_list, level_map_factor, level_map_money,
# key_groups, material_classes, shares
LIMIT_FIELDS: dict[str, Any] = {
    "yearly_limit": "positive",
    "year_basis": ("enum", YEAR_BASES),
    "claim_window_months": "positive",
    "same_occupation_level": "bool",
    "lower_after_higher": "bool",
    "same_certificate": "bool",
}
KIND_FIELDS: dict[str, Any] = {
    "granted": "bool",
    "payees": ("enum_list", PAYEE_KINDS),
    "amount_basis": ("enum", AMOUNT_BASES),
    "family": "text",
    "counts_toward_yearly_limit": "bool",
    "needs_certificate": "bool",
    "consumes_certificate": "bool",
    "claim_window": "bool",
    "outside_province": "bool",
    "level_factors": "level_map_factor",
    "level_amounts": "level_map_money",
    "urgent_uplift": "share",
    "key_group_uplift": "share",
    "uplift_key_groups": "key_groups",
    "max_factor": "factor",
    "material_classes": "material_classes",
    "cost_sharing": "shares",
    "insured_months": "count",
    "times_per_year": "count",
    "urgent_times_per_year": "count",
    "key_groups": "key_groups",
    "per_day": "money",
    "max_days": "count",
    "employed_share": "share",
    "employment_months": "positive",
    "uplift_rate": "share",
}
VERSION_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")
REGION_RE = re.compile(r"^(\d{6})?$")
MAX_FACTOR = Decimal("10")
MAX_MONEY = Decimal("100000")


# --- issues ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Issue:
    """One thing wrong with a parameter file, at a line (None when the file has no lines).
    `code` keys jineng.subsidy.messages.ISSUE_MESSAGES; `params` fills it in."""

    line: int | None
    path: str
    code: str
    params: dict = field(default_factory=dict)
    file: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:" if self.file else ""
        where += f"{self.line}: " if self.line else (": " if where else "")
        detail = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{where}{self.code} {self.path} {detail}".rstrip()


# --- YAML with line numbers ------------------------------------------------------------------

Path_ = tuple[Any, ...]


@dataclass
class Located:
    data: Any
    key_lines: dict[Path_, int]
    value_lines: dict[Path_, int]
    issues: list[Issue]

    def line(self, path: Path_) -> int | None:
        while True:
            if path in self.key_lines:
                return self.key_lines[path]
            if path in self.value_lines:
                return self.value_lines[path]
            if not path:
                return None
            path = path[:-1]

    def value_line(self, path: Path_) -> int | None:
        return self.value_lines.get(path) or self.line(path)


def path_text(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_located(text: str) -> Located:
    """Parse YAML (safe tags only), keeping the line of every key and value. A scalar the
    safe loader cannot construct (2025-13-01 looks like a date but is none) stays text."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:
        return Located(None, {}, {}, [Issue(None, "", "yaml_syntax", {"problem": str(exc)})])
    key_lines: dict[Path_, int] = {}
    value_lines: dict[Path_, int] = {}
    issues: list[Issue] = []
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            return Located(None, {}, {}, [Issue(mark.line + 1 if mark else None, "",
                                                "yaml_syntax",
                                                {"problem": exc.problem or exc.context
                                                 or "invalid YAML"})])
        except yaml.YAMLError as exc:
            return Located(None, {}, {}, [Issue(None, "", "yaml_syntax", {"problem": str(exc)})])

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
                    if not isinstance(key, str):
                        key = str(key)
                    if key in out:
                        issues.append(Issue(knode.start_mark.line + 1, path_text((*path, key)),
                                            "duplicate_key", {"key": key}))
                    key_lines[(*path, key)] = knode.start_mark.line + 1
                    out[key] = build(vnode, (*path, key))
                return out
            if isinstance(n, yaml.SequenceNode):
                return [build(item, (*path, i)) for i, item in enumerate(n.value)]
            return scalar(n)

        data = build(node, ()) if node is not None else None
    finally:
        loader.dispose()
    return Located(data, key_lines, value_lines, issues)


# --- the parsed file -------------------------------------------------------------------------

@dataclass(frozen=True)
class RawSet:
    """One version of one region's parameters as the file gives them (validated; values
    typed: Decimal, int, bool, str, tuples, dicts). `values` holds `limits` and `kinds`."""

    version: str
    region_code: str
    title: str
    valid_from: dt.date
    valid_to: dt.date | None
    values: Mapping[str, Any]
    sources: Mapping[str, str]
    issuer: str = ""
    document: str = ""
    note: str = ""
    file: str = ""
    valid_from_line: int | None = None

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def to_json(self) -> dict:
        """JSON-safe form (Decimals as text) for storing beside the YAML (`raw_from_json`)."""
        return {"version": self.version, "region": self.region_code, "title": self.title,
                "valid_from": self.valid_from.isoformat(),
                "valid_to": self.valid_to.isoformat() if self.valid_to else None,
                "values": _jsonable(self.values), "sources": dict(self.sources),
                "issuer": self.issuer, "document": self.document, "note": self.note}


def _jsonable(v: Any) -> Any:
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return _jsonable(dataclasses.asdict(v))
    if isinstance(v, Mapping):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple | frozenset | set):
        items = [_jsonable(x) for x in v]
        return sorted(items) if isinstance(v, frozenset | set) else items
    if isinstance(v, Decimal):
        return str(v)
    return v


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


@dataclass
class CheckResult:
    issues: list[Issue]
    raw: RawSet | None

    @property
    def ok(self) -> bool:
        return not self.issues


# --- field checks ----------------------------------------------------------------------------

def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | str):
        try:
            d = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            return None
        return d if d.is_finite() else None
    return None


def _places(d: Decimal) -> int:
    exp = d.normalize().as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


class _Checker:
    def __init__(self, located: Located, issues: list[Issue]) -> None:
        self.located = located
        self.issues = issues

    def add(self, where: Path_, code: str, *, value_line: bool = True, **params: Any) -> None:
        line = self.located.value_line(where) if value_line else self.located.line(where)
        self.issues.append(Issue(line, path_text(where), code, params))

    def value(self, path: Path_, kind: Any, value: Any) -> Any:
        name = path_text(path)
        if kind == "bool":
            if not isinstance(value, bool):
                return self.add(path, "wrong_type", field=name, expected="true/false",
                                value=value)
            return value
        if kind in ("count", "positive"):
            if isinstance(value, bool) or not isinstance(value, int):
                return self.add(path, "wrong_type", field=name, expected="a whole number",
                                value=value)
            if value < (1 if kind == "positive" else 0):
                return self.add(path, "out_of_range", field=name, value=value,
                                low=1 if kind == "positive" else 0, high="")
            return value
        if kind == "text":
            if not isinstance(value, str):
                return self.add(path, "wrong_type", field=name, expected="text", value=value)
            return value
        if isinstance(kind, tuple) and kind[0] == "enum":
            if value not in kind[1]:
                return self.add(path, "unknown_value", field=name, value=value,
                                allowed=", ".join(kind[1]))
            return value
        if isinstance(kind, tuple) and kind[0] == "enum_list":
            if not isinstance(value, list) or not value:
                return self.add(path, "wrong_type", field=name, expected="a non-empty list",
                                value=value)
            out = []
            for i, item in enumerate(value):
                if item not in kind[1]:
                    self.add((*path, i), "unknown_value", field=name, value=item,
                             allowed=", ".join(kind[1]))
                else:
                    out.append(item)
            return frozenset(out)
        if kind == "key_groups":
            if not isinstance(value, list):
                return self.add(path, "wrong_type", field=name, expected="a list", value=value)
            out = []
            for i, item in enumerate(value):
                if item not in KEY_GROUPS:
                    self.add((*path, i), "unknown_value", field=name, value=item,
                             allowed=", ".join(KEY_GROUPS))
                else:
                    out.append(item)
            return frozenset(out)
        if kind in ("money", "share", "factor"):
            d = _number(value)
            if d is None:
                return self.add(path, "wrong_type", field=name, expected="a number",
                                value=value)
            low, high, places = {"money": (Decimal(0), MAX_MONEY, 2),
                                 "share": (Decimal(0), ONE, 4),
                                 "factor": (Decimal(0), MAX_FACTOR, 4)}[kind]
            if d < low or d > high or (kind == "factor" and d == 0):
                return self.add(path, "out_of_range", field=name, value=value, low=str(low),
                                high=str(high))
            if _places(d) > places:
                return self.add(path, "too_many_places", field=name, value=value,
                                places=places)
            return d
        if kind in ("level_map_factor", "level_map_money"):
            if not isinstance(value, dict):
                return self.add(path, "wrong_type", field=name, expected="a mapping of levels",
                                value=value)
            out = {}
            for level, v in value.items():
                if level not in LEVEL_CODES:
                    self.add((*path, level), "unknown_value", value_line=False, field=name,
                             value=level, allowed=", ".join(LEVEL_CODES))
                    continue
                d = self.value((*path, level), "factor" if kind.endswith("factor") else "money",
                               v)
                if d is not None:
                    out[level] = d
            return frozen_map(out)
        if kind == "shares":
            if not isinstance(value, dict):
                return self.add(path, "wrong_type", field=name, expected="a mapping",
                                value=value)
            parts = {}
            for key, v in value.items():
                if key not in ("government", "enterprise", "individual"):
                    self.add((*path, key), "unknown_key", value_line=False, key=key)
                    continue
                d = self.value((*path, key), "share", v)
                if d is not None:
                    parts[key] = d
            if len(parts) != len(value):
                return None
            shares = Shares(parts.get("government", Decimal(0)),
                            parts.get("enterprise", Decimal(0)),
                            parts.get("individual", Decimal(0)))
            total = shares.government + shares.enterprise + shares.individual
            if total != ONE:
                return self.add(path, "shares_sum", total=str(total))
            return shares
        if kind == "material_classes":
            if not isinstance(value, list):
                return self.add(path, "wrong_type", field=name, expected="a list", value=value)
            out_classes = []
            seen = set()
            for i, item in enumerate(value):
                p = (*path, i)
                if not isinstance(item, dict):
                    self.add(p, "wrong_type", field=path_text(p), expected="a mapping",
                             value=item)
                    continue
                for key in item:
                    if key not in ("code", "min_share", "factor"):
                        self.add((*p, key), "unknown_key", value_line=False, key=key)
                if any(k not in item for k in ("code", "min_share", "factor")):
                    missing = [k for k in ("code", "min_share", "factor") if k not in item]
                    self.add(p, "missing_key", key=", ".join(missing))
                    continue
                code = self.value((*p, "code"), "text", item["code"])
                share = self.value((*p, "min_share"), "share", item["min_share"])
                factor = self.value((*p, "factor"), "factor", item["factor"])
                if code in seen:
                    self.add((*p, "code"), "duplicate_value", field=path_text((*p, "code")),
                             value=code)
                    continue
                seen.add(code)
                if code is not None and share is not None and factor is not None:
                    out_classes.append(MaterialClass(code, share, factor))
            return tuple(out_classes)
        raise AssertionError(kind)  # pragma: no cover - the field tables name known kinds


def _check_values(located: Located, issues: list[Issue]) -> dict:
    """Check `limits` and `kinds` of the located data; return the typed values."""
    c = _Checker(located, issues)
    data = located.data
    out: dict[str, Any] = {}
    limits = data.get("limits")
    if limits is not None:
        if not isinstance(limits, dict):
            c.add(("limits",), "wrong_type", field="limits", expected="a mapping", value=limits)
        else:
            typed = {}
            for key, v in limits.items():
                if key not in LIMIT_FIELDS:
                    c.add(("limits", key), "unknown_key", value_line=False, key=key)
                    continue
                t = c.value(("limits", key), LIMIT_FIELDS[key], v)
                if t is not None:
                    typed[key] = t
            out["limits"] = typed
    kinds = data.get("kinds")
    if kinds is not None:
        if not isinstance(kinds, dict):
            c.add(("kinds",), "wrong_type", field="kinds", expected="a mapping", value=kinds)
        else:
            typed_kinds = {}
            for kind, fields in kinds.items():
                if kind not in KINDS:
                    c.add(("kinds", kind), "unknown_value", value_line=False, field="kinds",
                          value=kind, allowed=", ".join(KINDS))
                    continue
                if not isinstance(fields, dict):
                    c.add(("kinds", kind), "wrong_type", field=f"kinds.{kind}",
                          expected="a mapping", value=fields)
                    continue
                typed = {}
                for key, v in fields.items():
                    if key not in KIND_FIELDS:
                        c.add(("kinds", kind, key), "unknown_key", value_line=False, key=key)
                        continue
                    t = c.value(("kinds", kind, key), KIND_FIELDS[key], v)
                    if t is not None:
                        typed[key] = t
                tt = typed.get("times_per_year")
                ut = typed.get("urgent_times_per_year")
                if tt is not None and ut is not None and 0 < ut < tt:
                    c.add(("kinds", kind, "urgent_times_per_year"), "urgent_times_below",
                          urgent=ut, normal=tt)
                typed_kinds[kind] = typed
            out["kinds"] = typed_kinds
    return out


def _leaf_paths(values: Mapping[str, Any]) -> list[tuple[str, ...]]:
    out = []
    for kind, fields in (values.get("kinds") or {}).items():
        out.extend(("kinds", kind, key) for key in fields)
    out.extend(("limits", key) for key in (values.get("limits") or {}))
    return out


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
    located = load_located(text)
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


# --- resolution ------------------------------------------------------------------------------

def ancestors(region_code: str) -> list[str]:
    """The region and the regions above it, most specific first, ending with "" (national):
    320703 → 320703, 320700, 320000, "". Longer statistical codes use their county."""
    code = region_code[:6]
    out = []
    if len(code) == 6:
        if not code.endswith("00"):
            out.append(code)
        if not code.endswith("0000"):
            out.append(code[:4] + "00")
        out.append(code[:2] + "0000")
    out.append("")
    return out


def _merge(base: dict, over: Mapping) -> dict:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping) and k not in (
                "level_factors", "level_amounts"):
            out[k] = _merge(dict(out[k]), v)
        elif isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = {**out[k], **v}   # level maps: levels override one by one
        else:
            out[k] = v
    return out


def build(chain: Sequence[RawSet]) -> ParameterSet:
    """The resolved set of a chain (most specific first)."""
    merged: dict = {}
    sources: dict[str, str] = {}
    for raw in reversed(chain):
        merged = _merge(merged, raw.values)
        # a more specific set's citation replaces the broader one for the paths it gives
        for leaf in _leaf_paths(raw.values):
            key = ".".join(leaf)
            for n in range(len(leaf), 0, -1):
                cited = raw.sources.get(".".join(leaf[:n]))
                if cited:
                    sources[key] = f"{cited} [{raw.version}]"
                    break
    limits = Limits(**(merged.get("limits") or {}))
    kinds = {}
    for kind, fields in (merged.get("kinds") or {}).items():
        f = dict(fields)
        for key in ("level_factors", "level_amounts"):
            if key in f:
                f[key] = frozen_map(f[key])
        kinds[kind] = KindRules(**f)
    top = chain[0]
    valid_from = max(r.valid_from for r in chain)
    ends = [r.valid_to for r in chain if r.valid_to is not None]
    return ParameterSet(version=" < ".join(r.version for r in chain), region_code=top.region_code,
                        valid_from=valid_from, valid_to=min(ends) if ends else None,
                        limits=limits, kinds=frozen_map(kinds), sources=frozen_map(sources),
                        chain=tuple(r.version for r in chain))


class ParameterIndex:
    """The published sets, for resolving many claims fast (chains are built once each)."""

    def __init__(self, sets: Iterable[RawSet]) -> None:
        self.by_region: dict[str, list[RawSet]] = {}
        for s in sets:
            self.by_region.setdefault(s.region_code, []).append(s)
        for group in self.by_region.values():
            group.sort(key=lambda s: s.valid_from)
        self._built: dict[tuple[str, ...], ParameterSet] = {}
        self._memo: dict[tuple[str, dt.date], ParameterSet | None] = {}

    def chain(self, region_code: str, day: dt.date) -> list[RawSet]:
        out = []
        for code in ancestors(region_code):
            for s in self.by_region.get(code, ()):
                if s.covers(day):
                    out.append(s)
                    break
        return out

    def in_force(self, region_code: str, day: dt.date) -> ParameterSet | None:
        memo = self._memo.get((region_code, day), self)
        if memo is not self:
            return memo
        if len(self._memo) > 100_000:
            self._memo.clear()
        found = self._memo[(region_code, day)] = self._in_force(region_code, day)
        return found

    def _in_force(self, region_code: str, day: dt.date) -> ParameterSet | None:
        chain = self.chain(region_code, day)
        if not chain:
            return None
        key = tuple(r.version + "@" + r.region_code for r in chain)
        built = self._built.get(key)
        if built is None:
            built = self._built[key] = build(chain)
        return built

    def for_claim(self, facts) -> ParameterSet | None:
        """The set for a claim: its region on its claim date."""
        return self.in_force(facts.region_code, facts.claim_date)


def parameters_in_force(sets: Iterable[RawSet], region_code: str, day: dt.date
                        ) -> ParameterSet | None:
    """The resolved parameters for a region on a day (None when no set is in force at any
    level). `.version` names the chain used, most specific first."""
    return ParameterIndex(sets).in_force(region_code, day)
