"""Rules over sets of catalog entries: no two entries for the same key overlap in time, and a
supplement (补充目录) may differ from the base catalog only where it says so.

An entry is described by `EntryFacts`: its key (what it is about, without the region), the
region it applies to (a subtree, given by code and prefix; empty for kinds without region),
the values a reader would compare, and its effective period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from jineng.catalog.rules.periods import Period
from jineng.catalog.rules.problems import Problem


@dataclass(frozen=True)
class EntryFacts:
    ref: Any  # the row number in a file, or the entry's id
    key: tuple
    period: Period
    region_code: str = ""
    region_prefix: str = ""
    values: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    overrides_base: bool = False
    override_reason: str = ""
    label: str = ""


class OverlapIndex:
    """Entries seen so far, by key and region; `add` answers the first earlier entry whose
    period overlaps the newcomer's (or None), then remembers the newcomer."""

    def __init__(self, existing: Iterable[EntryFacts] = ()) -> None:
        self.slots: dict[tuple, list[EntryFacts]] = defaultdict(list)
        self.existing_ids: set[int] = set()
        for entry in existing:
            self.slots[(entry.key, entry.region_code)].append(entry)
            self.existing_ids.add(id(entry))

    def add(self, entry: EntryFacts) -> EntryFacts | None:
        slot = self.slots[(entry.key, entry.region_code)]
        clash = next((other for other in slot if entry.period.overlaps(other.period)), None)
        slot.append(entry)
        return clash

    def problem(self, entry: EntryFacts) -> Problem | None:
        other = self.add(entry)
        if other is None:
            return None
        code = "overlaps_existing" if id(other) in self.existing_ids else "overlaps_row"
        return Problem("valid_from", code, {
            "other": other.ref, "label": entry.label,
            "start": max(entry.period.start, other.period.start)})


def overlap_problems(entries: Sequence[EntryFacts], existing: Sequence[EntryFacts] = ()
                     ) -> dict[Any, list[Problem]]:
    """Problems keyed by entry ref: overlaps with earlier entries or with `existing` ones."""
    index = OverlapIndex(existing)
    problems: dict[Any, list[Problem]] = defaultdict(list)
    for entry in entries:
        problem = index.problem(entry)
        if problem is not None:
            problems[entry.ref].append(problem)
    return dict(problems)


def differing_fields(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return [k for k in dict.fromkeys([*a, *b]) if a.get(k) != b.get(k)]


def covers(base: EntryFacts, entry: EntryFacts) -> bool:
    """The base entry applies where the supplement entry does (same key, region inside)."""
    if base.key != entry.key:
        return False
    if entry.region_code and base.region_prefix:
        return entry.region_code.startswith(base.region_prefix)
    return True


def supplement_problems(entry: EntryFacts, base: Sequence[EntryFacts]) -> list[Problem]:
    """A supplement entry that differs from a base entry in force at the same time for the same
    key and region is refused unless it is marked as overriding the base, with a reason; an
    override with nothing to override is refused as well (it would mislead readers)."""
    matches = [b for b in base if covers(b, entry) and b.period.overlaps(entry.period)]
    differing = [(b, differing_fields(b.values, entry.values)) for b in matches]
    differing = [(b, fields) for b, fields in differing if fields]
    if entry.overrides_base:
        if not matches:
            return [Problem("overrides_base", "override_nothing", {})]
        if not entry.override_reason.strip():
            return [Problem("override_reason", "override_without_reason", {})]
        return []
    if differing:
        b, fields = differing[0]
        return [Problem(fields[0], "contradicts_base", {
            "base": b.label, "fields": fields, "base_values": {f: b.values.get(f) for f in fields},
        })]
    return []


def within_version_problems(entry: EntryFacts, version: Period) -> list[Problem]:
    """An entry's own period must lie inside its version's period."""
    if entry.period.start < version.start:
        return [Problem("valid_from", "before_version", {"start": version.start})]
    if version.end is not None and (entry.period.end is None or entry.period.end > version.end):
        return [Problem("valid_to", "after_version", {"end": version.end})]
    return []
