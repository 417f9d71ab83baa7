"""What a pack is once read: the shipped packs' place, the message templates (`MESSAGES`), an
issue found (`PackIssue`), the parsed `Pack` with its programs, targets and checklists, and
the result of checking (`CheckResult`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from jineng.plans.rules import vocabulary as v

SCHEMA_PATH = Path(__file__).resolve().parent.parent.parent / "packs" / "schema.json"
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
