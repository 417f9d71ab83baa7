"""Progress against a target: share of target, share of time, projections, falling-behind flags.

Pure functions over numbers and dates (no Django). Time is counted in whole days, both ends
included: on the first day of a 365-day period one day of 365 has elapsed.

Status of a count target (actual A, target T, elapsed share of time e, pace = (A/T) / e):
    done        A ≥ T
    ahead       pace ≥ 1
    on_track    pace ≥ ON_TRACK (0.9)
    behind      pace ≥ FAR_BEHIND (0.7)
    far_behind  below that
    not_started the period has not begun (e = 0)
    no_data     no source for the actual yet
A rate target (e.g. employment rate ≥ 45%) is `met` or `below` (for "about": within
ABOUT_TOLERANCE points), or `no_data` when nothing has been counted yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ON_TRACK = Decimal("0.9")
FAR_BEHIND = Decimal("0.7")
ABOUT_TOLERANCE = Decimal("1")  # percentage points
BEHIND_STATUSES = frozenset({"behind", "far_behind", "below"})

FOUR = Decimal("0.0001")


def days_inclusive(start: dt.date, end: dt.date) -> int:
    return (end - start).days + 1


def elapsed_share(start: dt.date, end: dt.date, as_of: dt.date) -> Decimal:
    """Share of the period [start, end] elapsed by the end of day `as_of`, 0 to 1."""
    if as_of < start:
        return Decimal(0)
    if as_of >= end:
        return Decimal(1)
    return (Decimal(days_inclusive(start, as_of)) / Decimal(days_inclusive(start, end))
            ).quantize(FOUR, ROUND_HALF_UP)


def share_of_target(actual: Decimal, target: Decimal) -> Decimal | None:
    if target <= 0:
        return None
    return (actual / target).quantize(FOUR, ROUND_HALF_UP)


def project(actual: Decimal, start: dt.date, end: dt.date, as_of: dt.date) -> Decimal | None:
    """Linear projection of a cumulative count to the end of [start, end] at the pace so far."""
    if as_of < start:
        return None
    if as_of >= end:
        return actual
    elapsed = Decimal(days_inclusive(start, as_of))
    return (actual * Decimal(days_inclusive(start, end)) / elapsed).quantize(
        Decimal(1), ROUND_HALF_UP)


def project_year_end(actual_total: Decimal, actual_this_year: Decimal, period_start: dt.date,
                     period_end: dt.date, as_of: dt.date) -> Decimal | None:
    """Cumulative actual projected to 31 December of `as_of`'s year (or the period's end, if
    sooner): what came before this year, plus this year's figure at this year's pace."""
    year_start = max(dt.date(as_of.year, 1, 1), period_start)
    year_end = min(dt.date(as_of.year, 12, 31), period_end)
    if as_of < year_start:
        return None
    before = actual_total - actual_this_year
    this_year = project(actual_this_year, year_start, year_end, as_of)
    return None if this_year is None else before + this_year


def pace(share: Decimal | None, elapsed: Decimal) -> Decimal | None:
    """Share of target over share of time: 1 means exactly on the straight line."""
    if share is None or elapsed <= 0:
        return None
    return (share / elapsed).quantize(FOUR, ROUND_HALF_UP)


def count_status(actual: Decimal | None, target: Decimal, elapsed: Decimal,
                 comparator: str = "at_least") -> str:
    if actual is None:
        return "no_data"
    if comparator == "at_most":
        return "exceeded" if actual > target else "on_track"
    if target > 0 and actual >= target:
        return "done"
    if elapsed <= 0:
        return "not_started"
    p = pace(share_of_target(actual, target), elapsed)
    if p is None:
        return "no_data"
    if p >= 1:
        return "ahead"
    if p >= ON_TRACK:
        return "on_track"
    if p >= FAR_BEHIND:
        return "behind"
    return "far_behind"


def rate_status(actual: Decimal | None, target: Decimal, comparator: str = "at_least") -> str:
    if actual is None:
        return "no_data"
    if comparator == "about":
        return "met" if actual >= target - ABOUT_TOLERANCE else "below"
    if comparator == "at_most":
        return "met" if actual <= target else "below"
    return "met" if actual >= target else "below"


def rate(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """A percentage with two decimals, or None when nothing has been counted."""
    if denominator <= 0:
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Progress:
    """Where one target stands on one day."""

    target: Decimal | None
    actual: Decimal | None
    share: Decimal | None  # actual / target
    elapsed: Decimal  # share of the period elapsed
    expected: Decimal | None  # target × elapsed: where the straight line is today
    gap: Decimal | None  # actual − expected
    projected_end: Decimal | None  # at the period's end, at the pace so far
    projected_year_end: Decimal | None
    status: str

    @property
    def behind(self) -> bool:
        return self.status in BEHIND_STATUSES


def evaluate_count(*, target: Decimal | None, actual: Decimal | None,
                   actual_this_year: Decimal | None, period_start: dt.date,
                   period_end: dt.date, as_of: dt.date, comparator: str = "at_least") -> Progress:
    elapsed = elapsed_share(period_start, period_end, as_of)
    if target is None:
        return Progress(None, actual, None, elapsed, None, None,
                        None if actual is None else project(actual, period_start, period_end,
                                                            as_of),
                        None, "no_target")
    if actual is None:
        return Progress(target, None, None, elapsed, (target * elapsed).quantize(Decimal(1)),
                        None, None, None, "no_data")
    expected = (target * elapsed).quantize(Decimal(1), ROUND_HALF_UP)
    return Progress(
        target=target, actual=actual, share=share_of_target(actual, target), elapsed=elapsed,
        expected=expected, gap=actual - expected,
        projected_end=project(actual, period_start, period_end, as_of),
        projected_year_end=(project_year_end(actual, actual_this_year, period_start,
                                             period_end, as_of)
                            if actual_this_year is not None else None),
        status=count_status(actual, target, elapsed, comparator),
    )


def evaluate_rate(*, target: Decimal | None, actual: Decimal | None, period_start: dt.date,
                  period_end: dt.date, as_of: dt.date, comparator: str = "at_least") -> Progress:
    elapsed = elapsed_share(period_start, period_end, as_of)
    status = "no_target" if target is None else rate_status(actual, target, comparator)
    share = None if (actual is None or target is None) else share_of_target(actual, target)
    return Progress(target, actual, share, elapsed, None, None, None, None, status)
