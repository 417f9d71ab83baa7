"""The forecast rules on known series (values computed by hand in the comments) and their
properties (Hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jineng.demand.rules import forecast as fr
from jineng.demand.rules import forecast_lifecycle as lc

D = Decimal


@pytest.mark.parametrize(("series", "expected", "method"), [
    ([], D("0"), "none"),
    ([7], D("7"), "average"),
    ([3, 4], D("3.5"), "average"),  # (3 + 4) / 2
    ([1, 2, 2], D("1.7"), "average"),  # 5 / 3 = 1.666… → 1.7 (half up)
    ([10, 20, 30, 40], D("10"), "seasonal_naive"),  # y[T-4]
    ([10, 20, 30, 40, 14, 24, 34], D("40"), "seasonal_naive"),  # y[T-4] = 40
    # y[T-4] = 14; last year's mean 29, the year before 25: 14 + (29 - 25) = 18
    ([10, 20, 30, 40, 14, 24, 34, 44], D("18"), "seasonal_naive_drift"),
    # 9 quarters: y[T-4] = 24; means (24+34+44+18)/4 = 30 and (20+30+40+14)/4 = 26: 24 + 4 = 28
    ([10, 20, 30, 40, 14, 24, 34, 44, 18], D("28"), "seasonal_naive_drift"),
    # a falling series is not forecast below zero: 0 + (0 - 25) → 0
    ([10, 20, 30, 40, 0, 0, 0, 0], D("0"), "seasonal_naive_drift"),
])
def test_forecast_on_known_series(series, expected, method):
    assert fr.forecast_next(series) == expected
    assert fr.method_of(len(series)) == method


def test_backtest_on_known_series():
    # Quarters 5..8 are forecast by the seasonal naive branch (4–7 quarters before them):
    # 10→14, 20→24, 30→34, 40→44: every error is 4. MAE = 4.
    # MAPE = (4/14 + 4/24 + 4/34 + 4/44) / 4 × 100 = (28.571 + 16.667 + 11.765 + 9.091) / 4
    #      = 16.52 → 16.5
    bt = fr.backtest([10, 20, 30, 40, 14, 24, 34, 44])
    assert (bt.points, bt.mae, bt.mape, bt.mape_points) == (4, D("4.0"), D("16.5"), 4)
    assert bt.as_dict() == {"points": 4, "mae": "4.0", "mape": "16.5", "mape_points": 4}


def test_backtest_skips_zero_actuals_in_mape_and_short_series():
    assert fr.backtest([5, 5, 5]).points == 0
    assert fr.backtest([5, 5, 5]).mae is None
    bt = fr.backtest([5, 5, 5, 5, 0])  # forecast 5, actual 0: error 5, no percentage
    assert (bt.points, bt.mae, bt.mape, bt.mape_points) == (1, D("5.0"), None, 0)


def test_pooled_error_pools_quarters_not_means():
    a = fr.backtest([10, 20, 30, 40, 14, 24, 34, 44])  # 4 errors of 4
    b = fr.backtest([1, 1, 1, 1, 9])  # 1 error of 8 (800 %)
    overall = fr.pooled([a, b])
    assert overall.points == 5
    assert overall.mae == D("4.8")  # (16 + 8) / 5
    # (28.571 + 16.667 + 11.765 + 9.091 + 88.889) / 5 = 30.997 → 31.0
    assert overall.mape == D("31.0")


def test_observed_demand_keeps_the_larger_lower_bound():
    assert fr.observed_demand(12, 0) == 12
    assert fr.observed_demand(12, 30) == 30
    with pytest.raises(ValueError):
        fr.observed_demand(-1)


P = fr.UrgencyParameters()  # min gap 10, short 20 %, critical 50 %, take-up 80 %


@pytest.mark.parametrize(("forecast", "vacancies", "trainees", "urgency", "gap", "code"), [
    # demand 100 + 0, supply 60 × 0.8 = 48, gap 52 = 52 % ≥ 50 %: critical
    (D("100"), 0, 60, fr.CRITICAL, D("52.0"), "gap_critical"),
    # demand 80 + 20 = 100, supply 90 × 0.8 = 72, gap 28 = 28 %: short
    (D("80"), 20, 90, fr.SHORT, D("28.0"), "gap_short"),
    # demand 100, supply 100 × 0.8 = 80, gap 20 = 20 % exactly: short (at the threshold)
    (D("100"), 0, 100, fr.SHORT, D("20.0"), "gap_short"),
    # demand 100, supply 110 × 0.8 = 88, gap 12 = 12 %: below the share
    (D("100"), 0, 110, fr.NONE, D("12.0"), "gap_share_small"),
    # demand 9, no supply: gap 9 < 10 people
    (D("9"), 0, 0, fr.NONE, D("9.0"), "gap_below_minimum"),
    # supply above demand: gap 0
    (D("5"), 0, 50, fr.NONE, D("0.0"), "gap_below_minimum"),
])
def test_urgency_table(forecast, vacancies, trainees, urgency, gap, code):
    answer = fr.urgency_of(forecast=forecast, vacancies=vacancies, trainees_finishing=trainees,
                           params=P)
    assert answer.urgency == urgency
    assert answer.gap == gap
    assert answer.reasons[-1].code == code
    assert [r.code for r in answer.reasons[:2]] == ["demand", "supply"]


def test_wishes_are_a_reason_not_a_decision():
    plain = fr.urgency_of(forecast=D("100"), vacancies=0, trainees_finishing=60, params=P)
    wished = fr.urgency_of(forecast=D("100"), vacancies=0, trainees_finishing=60, wishes=7,
                           params=P)
    assert wished.urgency == plain.urgency and wished.gap == plain.gap
    assert wished.reasons[-1].as_dict() == {"code": "wishes", "wishes": 7}


def test_parameter_problems():
    assert P.problems() == []
    bad = fr.UrgencyParameters(min_gap=-1, short_share=D("0"), critical_share=D("2"),
                               take_up_share=D("1.5"))
    assert bad.problems() == ["min_gap", "short_share", "critical_share", "take_up_share"]


counts = st.integers(min_value=0, max_value=5000)


@given(st.lists(counts, max_size=20))
def test_forecast_is_never_negative_and_one_place(series):
    value = fr.forecast_next(series)
    assert value >= 0
    assert value == value.quantize(D("0.1"))


@given(st.lists(counts, min_size=1, max_size=20), st.integers(min_value=0, max_value=1000))
def test_a_constant_shift_of_a_long_series_shifts_the_forecast(series, k):
    """Seasonal naive + drift is translation-equivariant (above zero)."""
    base = fr.forecast_next(series)
    shifted = fr.forecast_next([v + k for v in series])
    if base > 0 or len(series) < 2 * fr.SEASON:
        assert shifted == base + k


@given(st.integers(min_value=0, max_value=5000), st.integers(min_value=1, max_value=6))
def test_a_flat_series_is_forecast_exactly(level, years):
    series = [level] * (fr.SEASON * years)
    assert fr.forecast_next(series) == level
    bt = fr.backtest(series)
    assert bt.mae in (None, D("0.0"))


@given(st.lists(st.integers(min_value=0, max_value=500), min_size=4, max_size=4),
       st.integers(min_value=2, max_value=5))
def test_a_repeated_season_is_forecast_exactly(season, years):
    series = season * years
    assert fr.forecast_next(series) == season[len(series) % 4]
    assert fr.backtest(series).mae == D("0.0")


@given(st.decimals(min_value=0, max_value=10000, places=1), counts, counts, counts)
def test_urgency_properties(forecast, vacancies, trainees, wishes):
    a = fr.urgency_of(forecast=forecast, vacancies=vacancies, trainees_finishing=trainees,
                      wishes=wishes, params=P)
    assert a.gap >= 0
    assert a.gap <= a.demand
    if a.urgent:
        assert a.gap >= P.min_gap
    more_supply = fr.urgency_of(forecast=forecast, vacancies=vacancies,
                                trainees_finishing=trainees + 50, params=P)
    assert more_supply.gap <= a.gap  # more trainees never widen the gap
    rank = {fr.NONE: 0, fr.SHORT: 1, fr.CRITICAL: 2}
    more_demand = fr.urgency_of(forecast=forecast + 50, vacancies=vacancies,
                                trainees_finishing=trainees, params=P)
    assert more_demand.gap >= a.gap
    assert rank[more_supply.urgency] <= rank[a.urgency] or a.gap < P.min_gap


# --- the state machine: every action × every state × every actor ---------------------------

EXPECTED = {  # (action, state) → (who may, target)
    ("submit", lc.DRAFT): ({lc.HRSS}, lc.IN_REVIEW),
    ("return", lc.IN_REVIEW): ({lc.HRSS}, lc.DRAFT),
    ("return", lc.APPROVED): ({lc.HRSS}, lc.DRAFT),
    ("approve", lc.IN_REVIEW): ({lc.APPROVER}, lc.APPROVED),
    ("publish", lc.APPROVED): ({lc.KEEPER}, lc.PUBLISHED),
    ("reject", lc.DRAFT): ({lc.HRSS}, lc.REJECTED),
    ("reject", lc.IN_REVIEW): ({lc.HRSS}, lc.REJECTED),
    ("reject", lc.APPROVED): ({lc.HRSS}, lc.REJECTED),
}


@pytest.mark.parametrize("action", sorted(lc.TRANSITIONS))
@pytest.mark.parametrize("state", lc.STATES)
@pytest.mark.parametrize("actor", lc.ACTORS)
def test_actor_state_matrix(action, state, actor):
    allowed = EXPECTED.get((action, state))
    reason = "理由"
    if allowed is None:
        with pytest.raises(lc.TransitionRefused) as refused:
            lc.plan_transition(action, state, {actor}, reason)
        assert refused.value.code in ("not_allowed_from", "not_permitted")
        assert action not in lc.available_actions(state, {actor})
        return
    who, target = allowed
    if actor in who:
        assert lc.plan_transition(action, state, {actor}, reason) == target
        assert action in lc.available_actions(state, {actor})
    else:
        with pytest.raises(lc.TransitionRefused) as refused:
            lc.plan_transition(action, state, {actor}, reason)
        assert refused.value.code == "not_permitted"


def test_reasons_and_unknown_actions():
    with pytest.raises(lc.TransitionRefused) as refused:
        lc.plan_transition("return", lc.IN_REVIEW, {lc.HRSS}, " ")
    assert refused.value.code == "reason_required"
    with pytest.raises(lc.TransitionRefused) as refused:
        lc.plan_transition("teleport", lc.DRAFT, {lc.HRSS})
    assert refused.value.code == "unknown_action"
    assert lc.may_review_lines(lc.IN_REVIEW, {lc.INDUSTRY})
    assert not lc.may_review_lines(lc.APPROVED, {lc.INDUSTRY})
    assert not lc.may_review_lines(lc.IN_REVIEW, {lc.HRSS})
    assert set(lc.FINAL_STATES) == {s for s in lc.STATES if not lc.available_actions(
        s, set(lc.ACTORS))}
