"""Progress rules against hand-computed figures (pure functions, no database)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from jineng.plans.rules import progress as p

START, END = dt.date(2025, 1, 1), dt.date(2027, 12, 31)  # 1,095 days


@pytest.mark.parametrize(("as_of", "share"), [
    (dt.date(2024, 12, 31), D("0")),          # before the start
    (dt.date(2025, 1, 1), D("0.0009")),       # 1 / 1095 = 0.000913…
    (dt.date(2025, 12, 31), D("0.3333")),     # 365 / 1095
    (dt.date(2026, 11, 21), D("0.6301")),     # 690 / 1095 = 0.630137
    (dt.date(2027, 12, 31), D("1")),
    (dt.date(2030, 1, 1), D("1")),
])
def test_elapsed_share_counts_days_with_both_ends(as_of, share):
    assert p.elapsed_share(START, END, as_of) == share


def test_projection_is_linear_at_the_pace_so_far():
    # 549,190 by 2026-11-21 after 690 of 1095 days → 549190 × 1095 / 690 = 871,540.65…
    assert p.project(D(549190), START, END, dt.date(2026, 11, 21)) == D(871541)
    assert p.project(D(10), START, END, dt.date(2024, 1, 1)) is None
    assert p.project(D(10), START, END, dt.date(2028, 1, 1)) == D(10)


def test_projected_year_end_adds_this_years_pace_to_what_came_before():
    # 2026: 256,801 in 325 days (Jan 1 – Nov 21) → 256801 × 365 / 325 = 288,407.3…
    # plus 549,190 − 256,801 = 292,389 from 2025 → 580,796
    assert p.project_year_end(D(549190), D(256801), START, END,
                              dt.date(2026, 11, 21)) == D(580796)
    # a one-year plan ending in June: this year's window stops at the period's end
    assert p.project_year_end(D(50), D(50), dt.date(2025, 1, 1), dt.date(2025, 6, 30),
                              dt.date(2025, 3, 31)) == D(50 * 181 / 90).quantize(D(1))


@pytest.mark.parametrize(("actual", "elapsed", "status"), [
    (D(100), D("0.5"), "done"),           # reached, whatever the date
    (D(50), D("0.5"), "ahead"),           # pace 1.0
    (D(45), D("0.5"), "on_track"),        # pace 0.9
    (D(44), D("0.5"), "behind"),          # pace 0.88
    (D(35), D("0.5"), "behind"),          # pace 0.7
    (D(34), D("0.5"), "far_behind"),      # pace 0.68
    (D(0), D("0"), "not_started"),
    (None, D("0.5"), "no_data"),
])
def test_count_status_by_pace(actual, elapsed, status):
    assert p.count_status(actual, D(100), elapsed) == status


def test_rate_status():
    assert p.rate_status(D("45.00"), D(45)) == "met"
    assert p.rate_status(D("44.99"), D(45)) == "below"
    assert p.rate_status(D("34.2"), D(35), "about") == "met"       # within 1 point
    assert p.rate_status(D("33.9"), D(35), "about") == "below"
    assert p.rate_status(None, D(45)) == "no_data"
    assert p.rate(D(9), D(20)) == D("45.00")
    assert p.rate(D(1), D(0)) is None


def test_evaluate_count_hand_computed():
    # Target 1,000,000 over 2025–2027; 549,190 done by 2026-11-21, 256,801 of them in 2026.
    got = p.evaluate_count(target=D(1000000), actual=D(549190), actual_this_year=D(256801),
                           period_start=START, period_end=END, as_of=dt.date(2026, 11, 21))
    assert got.share == D("0.5492")
    assert got.elapsed == D("0.6301")
    assert got.expected == D(630100)
    assert got.gap == D(549190 - 630100)
    assert got.projected_end == D(871541)
    assert got.projected_year_end == D(580796)
    assert got.status == "behind"  # pace 0.5492 / 0.6301 = 0.8716
    assert got.behind


def test_evaluate_without_target_or_data():
    got = p.evaluate_count(target=None, actual=D(5), actual_this_year=None,
                           period_start=START, period_end=END, as_of=dt.date(2026, 1, 1))
    assert got.status == "no_target" and not got.behind
    got = p.evaluate_rate(target=D(45), actual=None, period_start=START, period_end=END,
                          as_of=dt.date(2026, 1, 1))
    assert got.status == "no_data"
