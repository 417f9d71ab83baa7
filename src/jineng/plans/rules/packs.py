"""Reading and checking a policy pack: YAML with line numbers, the published JSON Schema, and
the arithmetic the schema cannot express (parts adding up to their whole).

Pure: no Django. `check_pack(text)` returns every issue found, each with the line it is on, and
the parsed `Pack` when there are none. Messages are English templates with named parameters
(`MESSAGES`); the web layer translates the template and fills it in.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from jineng.plans.rules import vocabulary as v
from jineng.plans.rules.numbers import FIGURE_DIGITS, FIGURE_PLACES, number_problem

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "packs" / "schema.json"
PACKS_DIR = SCHEMA_PATH.parent
SCHEMA_VERSION = "jineng/policy-pack/1"
# The longest pack accepted (the shipped ones are under 40,000 characters).
PACK_MAX_CHARS = 1_000_000

def _(message: str) -> str:
    """Marks a message template for translation (makemessages extracts `_("…")`); the rules
    stay free of Django, and the web layer translates the template before filling it in."""
    return message


MESSAGES: dict[str, str] = {
    "yaml_syntax": _("YAML syntax error: {problem}"),
    "not_a_mapping": _("A pack is a YAML mapping of keys to values"),
    "duplicate_key": _("Duplicate key `{key}`"),
    "unknown_key": _("Unknown key `{key}`"),
    "missing_key": _("Missing required key `{key}`"),
    "wrong_type": _("`{field}` must be {expected}, not `{value}`"),
    "bad_number": _("`{field}` must be a number of zero or more, not `{value}`"),
    "not_integer": _("`{field}` of a count must be a whole number, not `{value}`"),
    "rate_range": _("`{field}` of a rate is a percentage between 0 and 100, not `{value}`"),
    "unknown_value": _("Unknown {kind} `{value}`"),
    "bad_form": _("`{field}` has the wrong form: `{value}`"),
    "empty": _("`{field}` must not be empty"),
    "bad_schema_version": _("`schema` must be `{expected}`"),
    "bad_date": _("`{field}` is not a date: `{value}`"),
    "period_order": _("The period ends ({end}) before it starts ({start})"),
    "period_out_of_range": _("The target's period {start}–{end} lies outside the plan's period "
                            "{plan_start}–{plan_end}"),
    "open_period_target": _("The plan has no end date, so the target must state its own period"),
    "region_out_of_range": _("Region {region} is outside the plan's region {plan_region}"),
    "duplicate_id": _("Duplicate id `{id}`"),
    "unknown_reference": _("`{field}` refers to `{ref}`, which is not a target of this pack"),
    "self_reference": _("`{field}` refers to the target itself"),
    "reference_cycle": _("`part_of` / `of_which` go round in a circle through `{id}`"),
    "unknown_program": _("Unknown program `{value}` (declare it under `programs`)"),
    "carrier_needed": _("A carriers_built target must say which `carrier`"),
    "carrier_misplaced": _("`carrier` applies only to carriers_built targets"),
    "whole_without_parts": _("`{whole}` has parts but does not say whether they are "
                            "`exhaustive` or `partial` (key `parts`)"),
    "parts_without_any": _("`{whole}` declares `parts` but no target is `part_of` it"),
    "metric_mismatch": _("`{id}` counts {metric} but its whole `{whole}` counts {whole_metric}"),
    "parts_mismatch": _("The parts of `{whole}` add up to {total}, not {expected} "
                       "(difference {difference}); parts on lines {lines}"),
    "parts_exceed": _("The parts of `{whole}` add up to {total}, more than {expected} "
                     "(excess {difference}); parts on lines {lines}"),
    "subset_exceeds": _("`{id}` ({value}) is larger than `{whole}` ({expected}), which it is "
                       "part of (其中)"),
    "quote_number": _("The quote does not state the number {value} (looked for {forms})"),
    "number_range": _("`{field}` must be below {limit} with at most {places} decimal places, "
                      "not `{value}`"),
    "schema": _("{message}"),
}


@dataclass(frozen=True)
class PackIssue:
    """One thing wrong with a pack, at a line of the file (None when the file has no lines)."""

    line: int | None
    path: str
    code: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return MESSAGES[self.code].format(**self.params)

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.message}"


@dataclass(frozen=True)
class Program:
    key: str
    name: str
    parent: str
    clause: str


@dataclass(frozen=True)
class TargetSpec:
    """One numeric target as the pack states it."""

    key: str
    title: str
    metric: str
    value: Decimal
    comparator: str
    period_start: dt.date
    period_end: dt.date
    clause: str
    quote: str
    line: int | None = None
    region: str = ""
    each: str = ""
    sector: str = ""
    key_group: str = ""
    training_type: str = ""
    program: str = ""
    carrier: str = ""
    part_of: str = ""
    of_which: str = ""
    parts: str = ""
    departments: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    note: str = ""

    @property
    def kind(self) -> str:
        return v.METRICS[self.metric].kind


@dataclass(frozen=True)
class ChecklistSpec:
    key: str
    title: str
    clause: str
    quote: str
    line: int | None = None
    value: Decimal | None = None
    unit: str = ""
    departments: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Pack:
    key: str
    title: str
    short_title: str
    issuer: str
    region: str
    period_start: dt.date
    period_end: dt.date | None
    period_clause: str
    period_quote: str
    targets: tuple[TargetSpec, ...]
    checklist: tuple[ChecklistSpec, ...] = ()
    programs: tuple[Program, ...] = ()
    document_number: str = ""
    issued_on: dt.date | None = None
    source: str = ""
    status_note: str = ""
    reporting_frequency: str = ""
    reporting_clause: str = ""
    decomposition_note: str = ""

    def target(self, key: str) -> TargetSpec:
        for t in self.targets:
            if t.key == key:
                return t
        raise KeyError(key)

    def parts_of(self, key: str) -> list[TargetSpec]:
        return [t for t in self.targets if t.part_of == key]

    @property
    def program_names(self) -> dict[str, str]:
        return {p.key: p.name for p in self.programs}


@dataclass
class CheckResult:
    issues: list[PackIssue]
    pack: Pack | None
    data: Any = None

    @property
    def ok(self) -> bool:
        return not self.issues


# --- YAML with line numbers ------------------------------------------------------------------

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


# --- schema -----------------------------------------------------------------------------------

@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


ENUM_KINDS = {"metric": "metric", "sector": "sector", "key_group": "key group",
              "training_type": "training type", "carrier": "carrier", "comparator": "comparator",
              "parts": "kind of parts", "each": "region level", "frequency": "frequency"}
TYPE_NAMES = {"string": "text", "number": "a number", "integer": "a whole number",
              "array": "a list", "object": "a mapping", "boolean": "true or false"}


def _schema_issues(located: Located) -> list[PackIssue]:
    validator = jsonschema.Draft202012Validator(schema())
    issues: list[PackIssue] = []
    for error in validator.iter_errors(located.data):
        path = tuple(error.absolute_path)
        name = str(path[-1]) if path and not isinstance(path[-1], int) else path_text(path)
        instance = error.instance
        kind = error.validator
        if kind == "additionalProperties" and isinstance(instance, dict):
            allowed = set(error.schema.get("properties", {}))
            for key in instance:
                if key not in allowed:
                    issues.append(PackIssue(located.line((*path, key)),
                                            path_text((*path, key)), "unknown_key",
                                            {"key": key}))
        elif kind == "required" and isinstance(instance, dict):
            for key in error.validator_value:
                if key not in instance:
                    issues.append(PackIssue(located.object_line(path), path_text(path),
                                            "missing_key", {"key": key}))
        elif kind == "type" or (kind == "minimum" and name in {"value"}):
            expected = error.validator_value
            if name == "value" or expected == "number":
                issues.append(PackIssue(located.line(path), path_text(path), "bad_number",
                                        {"field": name, "value": instance}))
            else:
                names = expected if isinstance(expected, list) else [expected]
                issues.append(PackIssue(located.line(path), path_text(path), "wrong_type",
                                        {"field": name, "value": instance,
                                         "expected": " or ".join(TYPE_NAMES.get(t, t)
                                                                 for t in names)}))
        elif kind == "minimum":
            issues.append(PackIssue(located.line(path), path_text(path), "bad_number",
                                    {"field": name, "value": instance}))
        elif kind == "enum":
            issues.append(PackIssue(located.line(path), path_text(path), "unknown_value",
                                    {"kind": ENUM_KINDS.get(name, name), "value": instance}))
        elif kind == "const":
            issues.append(PackIssue(located.line(path), path_text(path), "bad_schema_version",
                                    {"expected": error.validator_value}))
        elif kind == "minLength":
            issues.append(PackIssue(located.line(path), path_text(path), "empty",
                                    {"field": name}))
        elif kind in {"pattern", "maxLength"}:
            issues.append(PackIssue(located.line(path), path_text(path), "bad_form",
                                    {"field": name, "value": instance}))
        else:
            issues.append(PackIssue(located.line(path), path_text(path), "schema",
                                    {"message": error.message}))
    return issues


# --- semantic checks --------------------------------------------------------------------------

def region_prefix(code: str) -> str:
    """The code prefix of a region's subtree: 520000 → 52, 520100 → 5201, 520102 → 520102."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def format_number(value: Decimal | int) -> str:
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def number_forms(value: Decimal, kind: str) -> list[str]:
    """How a policy text may write this number: 1000000 → 1000000, 100万; 45 (rate) → 45%."""
    if kind == v.RATE:
        text = format(value.normalize(), "f")
        return [f"{text}%"]
    forms = [str(int(value))]
    if value >= 1000:
        wan = (value / 10000).normalize()
        forms.append(f"{format(wan, 'f')}万")
    return forms


def _date(located: Located, path: Path_, value: Any, issues: list[PackIssue]) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        issues.append(PackIssue(located.line(path), path_text(path), "bad_date",
                                {"field": str(path[-1]), "value": value}))
        return None


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:  # pragma: no cover - the schema admits numbers only
        return Decimal(0)


def _semantic_issues(located: Located) -> tuple[list[PackIssue], Pack | None]:
    data = located.data
    issues: list[PackIssue] = []

    def at(path: Path_) -> int | None:
        return located.line(path)

    def add(path: Path_, code: str, **params: Any) -> None:
        issues.append(PackIssue(at(path), path_text(path), code, params))

    period = data["period"]
    start = _date(located, ("period", "start"), period.get("start"), issues)
    end = _date(located, ("period", "end"), period.get("end"), issues)
    if start and end and end < start:
        add(("period", "end"), "period_order", start=start, end=end)
    issued_on = _date(located, ("issued_on",), data.get("issued_on"), issues)
    plan_region = data["region"]
    plan_prefix = region_prefix(plan_region)

    programs: dict[str, Program] = {}
    for i, p in enumerate(data.get("programs", [])):
        if p["id"] in programs:
            add(("programs", i, "id"), "duplicate_id", id=p["id"])
        programs[p["id"]] = Program(p["id"], p["name"], p.get("parent", ""), p["clause"])
    for i, p in enumerate(data.get("programs", [])):
        if p.get("parent") and p["parent"] not in programs:
            add(("programs", i, "parent"), "unknown_program", value=p["parent"])

    raw_targets: list[dict] = data.get("targets", [])
    index: dict[str, int] = {}
    for i, t in enumerate(raw_targets):
        if t["id"] in index:
            add(("targets", i, "id"), "duplicate_id", id=t["id"])
        else:
            index[t["id"]] = i

    specs: list[TargetSpec] = []
    for i, t in enumerate(raw_targets):
        base: Path_ = ("targets", i)
        metric = v.METRICS[t["metric"]]
        value = _decimal(t["value"])
        if number_problem(value) is not None:
            add((*base, "value"), "number_range", field="value", value=t["value"],
                limit=f"{10 ** (FIGURE_DIGITS - FIGURE_PLACES):,}", places=FIGURE_PLACES)
            value = Decimal(0)
        if metric.kind == v.COUNT and value != value.to_integral_value():
            add((*base, "value"), "not_integer", field="value", value=t["value"])
        if metric.kind == v.RATE and value > 100:
            add((*base, "value"), "rate_range", field="value", value=t["value"])
        t_start, t_end = start, end
        if "period" in t:
            t_start = _date(located, (*base, "period", "start"), t["period"]["start"], issues)
            t_end = _date(located, (*base, "period", "end"), t["period"]["end"], issues)
            if t_start and t_end and t_end < t_start:
                add((*base, "period", "end"), "period_order", start=t_start, end=t_end)
            elif t_start and t_end and start and (
                    t_start < start or (end is not None and t_end > end)):
                add((*base, "period"), "period_out_of_range", start=t_start, end=t_end,
                    plan_start=start, plan_end=end or "…")
        elif end is None:
            add(base, "open_period_target")
        region = t.get("region", "")
        if region and not region.startswith(plan_prefix):
            add((*base, "region"), "region_out_of_range", region=region,
                plan_region=plan_region)
        if t.get("program") and t["program"] not in programs:
            add((*base, "program"), "unknown_program", value=t["program"])
        if t["metric"] == "carriers_built" and not t.get("carrier"):
            add(base, "carrier_needed")
        if t.get("carrier") and t["metric"] != "carriers_built":
            add((*base, "carrier"), "carrier_misplaced")
        for ref_field in ("part_of", "of_which"):
            ref = t.get(ref_field)
            if ref and ref == t["id"]:
                add((*base, ref_field), "self_reference", field=ref_field)
            elif ref and ref not in index:
                add((*base, ref_field), "unknown_reference", field=ref_field, ref=ref)
        forms = number_forms(value, metric.kind)
        if not any(form in t["quote"] for form in forms):
            add((*base, "quote"), "quote_number", value=format_number(value),
                forms=", ".join(forms))
        specs.append(TargetSpec(
            key=t["id"], title=t["title"], metric=t["metric"], value=value,
            comparator=t.get("comparator", "at_least"),
            period_start=t_start or start or dt.date.min,
            period_end=t_end or end or dt.date.max,
            clause=t["clause"], quote=t["quote"], line=located.object_line(base),
            region=region, each=t.get("each", ""), sector=t.get("sector", ""),
            key_group=t.get("key_group", ""), training_type=t.get("training_type", ""),
            program=t.get("program", ""), carrier=t.get("carrier", ""),
            part_of=t.get("part_of", ""), of_which=t.get("of_which", ""),
            parts=t.get("parts", ""), departments=tuple(t.get("departments", [])),
            brands=tuple(t.get("brands", [])), note=t.get("note", ""),
        ))

    issues.extend(_arithmetic_issues(specs, located))

    checklist: list[ChecklistSpec] = []
    seen: set[str] = set()
    for i, c in enumerate(data.get("checklist", [])):
        if c["id"] in seen:
            add(("checklist", i, "id"), "duplicate_id", id=c["id"])
        seen.add(c["id"])
        if "value" in c and number_problem(_decimal(c["value"])) is not None:
            add(("checklist", i, "value"), "number_range", field="value", value=c["value"],
                limit=f"{10 ** (FIGURE_DIGITS - FIGURE_PLACES):,}", places=FIGURE_PLACES)
            continue
        checklist.append(ChecklistSpec(
            key=c["id"], title=c["title"], clause=c["clause"], quote=c["quote"],
            line=located.object_line(("checklist", i)),
            value=_decimal(c["value"]) if "value" in c else None, unit=c.get("unit", ""),
            departments=tuple(c.get("departments", [])), brands=tuple(c.get("brands", [])),
            note=c.get("note", ""),
        ))

    if issues or start is None:
        return issues, None
    reporting = data.get("reporting", {})
    pack = Pack(
        key=data["id"], title=data["title"], short_title=data.get("short_title", data["title"]),
        issuer=data["issuer"], region=plan_region, period_start=start, period_end=end,
        period_clause=period["clause"], period_quote=period["quote"], targets=tuple(specs),
        checklist=tuple(checklist), programs=tuple(programs.values()),
        document_number=data.get("document_number", ""), issued_on=issued_on,
        source=data.get("source", ""), status_note=data.get("status_note", ""),
        reporting_frequency=reporting.get("frequency", ""),
        reporting_clause=reporting.get("clause", ""),
        decomposition_note=data.get("decomposition", {}).get("note", ""),
    )
    return issues, pack


def _arithmetic_issues(specs: list[TargetSpec], located: Located) -> list[PackIssue]:
    """Parts against their whole; subsets (其中) against theirs; no circles."""
    issues: list[PackIssue] = []
    by_key = {s.key: s for s in specs}

    # Circles through part_of / of_which.
    for s in specs:
        seen = {s.key}
        ref = s.part_of or s.of_which
        while ref and ref in by_key:
            if ref in seen:
                issues.append(PackIssue(s.line, s.key, "reference_cycle", {"id": s.key}))
                return issues
            seen.add(ref)
            nxt = by_key[ref]
            ref = nxt.part_of or nxt.of_which

    for whole in specs:
        parts = [s for s in specs if s.part_of == whole.key]
        if not parts:
            if whole.parts:
                issues.append(PackIssue(whole.line, whole.key, "parts_without_any",
                                        {"whole": whole.key}))
            continue
        if not whole.parts:
            issues.append(PackIssue(whole.line, whole.key, "whole_without_parts",
                                    {"whole": whole.key}))
            continue
        bad_metric = [p for p in parts if p.metric != whole.metric]
        for p in bad_metric:
            issues.append(PackIssue(p.line, p.key, "metric_mismatch",
                                    {"id": p.key, "metric": p.metric, "whole": whole.key,
                                     "whole_metric": whole.metric}))
        if bad_metric:
            continue
        total = sum((p.value for p in parts), Decimal(0))
        lines = ", ".join(str(p.line) for p in parts if p.line)
        params = {"whole": whole.key, "total": format_number(total),
                  "expected": format_number(whole.value),
                  "difference": _signed(total - whole.value), "lines": lines or "—"}
        if whole.parts == "exhaustive" and total != whole.value:
            issues.append(PackIssue(whole.line, whole.key, "parts_mismatch", params))
        elif whole.parts == "partial" and total > whole.value:
            issues.append(PackIssue(whole.line, whole.key, "parts_exceed", params))

    for s in specs:
        if s.of_which and s.of_which in by_key:
            whole = by_key[s.of_which]
            if v.METRICS[s.metric].kind == v.COUNT and s.value > whole.value:
                issues.append(PackIssue(s.line, s.key, "subset_exceeds",
                                        {"id": s.key, "value": format_number(s.value),
                                         "whole": whole.key,
                                         "expected": format_number(whole.value)}))
    return issues


def _signed(value: Decimal) -> str:
    text = format_number(abs(value))
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else "0")


# --- entry points -----------------------------------------------------------------------------

def check_pack(text: str) -> CheckResult:
    """Every issue of a pack's text, sorted by line, and the Pack when there are none."""
    located = load_located(text)
    if located.issues and located.data is None:
        return CheckResult(located.issues, None)
    issues = list(located.issues)
    if not isinstance(located.data, dict):
        return CheckResult([*issues, PackIssue(1, "", "not_a_mapping")], None)
    schema_issues = _schema_issues(located)
    issues.extend(schema_issues)
    pack = None
    if not schema_issues:
        semantic, pack = _semantic_issues(located)
        issues.extend(semantic)
    issues.sort(key=lambda i: (i.line or 0, i.path))
    return CheckResult(issues, pack if not issues else None, located.data)


def shipped_pack_paths() -> list[Path]:
    """The packs that ship with jineng (one per seed policy)."""
    return sorted(PACKS_DIR.glob("*.yaml"))


def read_shipped(key: str) -> str:
    path = PACKS_DIR / f"{key}.yaml"
    if not path.is_file():
        raise KeyError(key)
    return path.read_text(encoding="utf-8")
