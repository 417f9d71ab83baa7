"""Effective periods and the timeline of a catalog's versions.

A period is a closed range of dates [start, end]; `end=None` means open-ended. Versions of one
catalog never overlap: when a version is published, the one in force before it is cut to end
the day before the newcomer begins (its end *as published* is kept too), so "which version was
in force on day D" has exactly one answer — and "which version did we believe was in force on
day D, as known at moment T" also has one (see `VersionFacts.period`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from jineng.catalog.rules.problems import Problem

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date | None = None  # inclusive; None: open-ended

    def contains(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def overlaps(self, other: Period) -> bool:
        return ((other.end is None or self.start <= other.end)
                and (self.end is None or other.start <= self.end))

    def intersect(self, other: Period) -> Period | None:
        start = max(self.start, other.start)
        ends = [e for e in (self.end, other.end) if e is not None]
        end = min(ends) if ends else None
        if end is not None and end < start:
            return None
        return Period(start, end)


def period_problems(start: dt.date | None, end: dt.date | None, *, start_field: str,
                    end_field: str) -> list[Problem]:
    """End dates before start dates are refused, naming the end field."""
    if start is not None and end is not None and end < start:
        return [Problem(end_field, "end_before_start", {"start": start, "end": end})]
    return []


@dataclass(frozen=True)
class VersionFacts:
    """What the timeline needs to know about one published (or superseded) version."""

    id: int
    effective_from: dt.date
    declared_to: dt.date | None  # the end as published
    effective_to: dt.date | None  # the end now: cut when a successor took effect
    published_at: dt.datetime
    superseded_at: dt.datetime | None = None

    def period(self, known_at: dt.datetime | None = None) -> Period:
        """The version's period, now or as it stood at `known_at` (before a later cut)."""
        if known_at is not None and (self.superseded_at is None or self.superseded_at > known_at):
            return Period(self.effective_from, self.declared_to)
        return Period(self.effective_from, self.effective_to)


def version_in_force(versions: Iterable[VersionFacts], day: dt.date,
                     known_at: dt.datetime | None = None) -> VersionFacts | None:
    """The version in force on `day` (as known at `known_at`, if given; else as known now)."""
    candidates = [v for v in versions
                  if (known_at is None or v.published_at <= known_at)
                  and v.period(known_at).contains(day)]
    # Publication keeps periods disjoint; should two ever match, the latest publication wins.
    return max(candidates, key=lambda v: (v.published_at, v.id), default=None)


def successor_problems(previous_from: dt.date | None, new_from: dt.date) -> list[Problem]:
    """A new version must take effect after the version it replaces began."""
    if previous_from is not None and new_from <= previous_from:
        return [Problem("effective_from", "not_after_previous", {"previous": previous_from})]
    return []


def cut_end(previous_to: dt.date | None, new_from: dt.date) -> dt.date | None:
    """The end the previous version keeps once a successor takes effect on `new_from`."""
    end = new_from - ONE_DAY
    if previous_to is None or previous_to > end:
        return end
    return previous_to
