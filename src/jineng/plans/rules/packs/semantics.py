"""The checks the schema cannot express: dates and periods, regions inside the plan's region,
ids and references, and the arithmetic (parts adding up to their whole)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from jineng.core.located_yaml import Located, Path_, path_text
from jineng.plans.rules import vocabulary as v
from jineng.plans.rules.numbers import FIGURE_DIGITS, FIGURE_PLACES, number_problem
from jineng.plans.rules.packs.model import ChecklistSpec, Pack, PackIssue, Program, TargetSpec


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
            clause=t["clause"], quote=t["quote"], line=located.value_line(base),
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
            line=located.value_line(("checklist", i)),
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
