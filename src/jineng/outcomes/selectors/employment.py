"""Reads of the social-insurance records for other apps: who contributed with which employer,
from when (the demand app confirms reported hires with it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from jineng.outcomes.models import InsuranceRecord


@dataclass(frozen=True)
class Contribution:
    month: dt.date  # first day of the first month found
    source_import_id: int


def first_contributions(
    pairs: Iterable[tuple[int, str, dt.date]],
) -> dict[tuple[int, str], Contribution]:
    """For each (person id, employer credit code, from day): the first month, not before the
    month of `from_day`, in which the person's records show a contribution with that employer.
    Pairs without one are absent from the answer. A system read (the callers decide who asks)."""
    wanted: dict[tuple[int, str], dt.date] = {}
    for person_id, code, from_day in pairs:
        start = from_day.replace(day=1)
        key = (person_id, code)
        wanted[key] = min(start, wanted.get(key, start))
    if not wanted:
        return {}
    found: dict[tuple[int, str], Contribution] = {}
    persons = sorted({p for p, _ in wanted})
    codes = sorted({c for _, c in wanted})
    for i in range(0, len(persons), 500):
        rows = (InsuranceRecord.objects
                .filter(person_id__in=persons[i:i + 500], employer_code__in=codes,
                        month__gte=min(wanted.values()))
                .order_by("month").values_list("person_id", "employer_code", "month",
                                               "source_import_id"))
        for person_id, code, month, import_id in rows:
            key = (person_id, code)
            if key in wanted and key not in found and month >= wanted[key]:
                found[key] = Contribution(month, import_id)
    return found
