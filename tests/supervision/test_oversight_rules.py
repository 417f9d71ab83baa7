"""The pure oversight rules: scores, the spot-check sample (size, reproducible stratified
draw), and the inspection and sanction state machines as actor × state matrices."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jineng.supervision.rules import inspections as insp
from jineng.supervision.rules import sampling, scoring
from jineng.supervision.rules import sanctions as sanc


def test_alert_score_is_severity_times_smoothed_precision():
    assert scoring.smoothed_precision(0, 0) == 0.5
    assert scoring.alert_score("high", "open", 0, 0) == 1.5
    assert scoring.alert_score("high", "open", 8, 0) == 2.7     # 3 × 9/10
    assert scoring.alert_score("low", "acknowledged", 0, 8) == 0.1  # 1 × 1/10
    assert scoring.alert_score("medium", "confirmed", 0, 9) == 2.0
    assert scoring.alert_score("high", "dismissed", 9, 0) == 0.0


def test_roll_up_sums_and_orders_with_the_evidence():
    rows = scoring.roll_up([scoring.Scored(1, 1.5, 10), scoring.Scored(2, 3.0, 11),
                            scoring.Scored(3, 2.0, 10), scoring.Scored(4, 0.0, 12),
                            scoring.Scored(5, 1.0, None)])
    assert rows == [(10, 3.5, [3, 1]), (11, 3.0, [2])]


@pytest.mark.parametrize(("population", "confidence", "margin", "expected"), [
    (100, 0.95, 0.05, 80),      # n0 = 384.15, 384.15 / (1 + 383.15/100) = 79.5 → 80
    (1000, 0.95, 0.05, 278),
    (10_000, 0.95, 0.05, 370),
    (1_000_000, 0.95, 0.05, 384),  # 384.146 / 1.000383 = 383.999 → 384
    (500, 0.90, 0.10, 60),
    (3, 0.95, 0.05, 3),
    (0, 0.95, 0.05, 0),
])
def test_sample_size_cochran_with_finite_population_correction(population, confidence,
                                                                margin, expected):
    assert sampling.sample_size(population, confidence, margin) == expected


def test_sample_size_refuses_nonsense():
    for args in ((10, 1.0, 0.05), (10, 0.95, 0.0), (-1, 0.95, 0.05)):
        with pytest.raises(ValueError):
            sampling.sample_size(*args)


FRAME = [(i, (i * 37 % 11) / 2) for i in range(1, 400)]


def test_the_published_seed_redraws_the_same_items():
    first = sampling.draw("a1b2c3", FRAME, 60)
    again = sampling.draw("a1b2c3", list(reversed(FRAME)), 60)  # order of the frame is moot
    assert first == again and len(first) == 60
    assert sampling.draw("other", FRAME, 60) != first


items = st.lists(st.tuples(st.integers(1, 10_000), st.floats(0, 10, allow_nan=False)),
                 unique_by=lambda t: t[0], max_size=300)


@settings(max_examples=150, deadline=None)
@given(items, st.integers(0, 400), st.text(max_size=12))
def test_strata_sizes_are_proportional_and_sum_to_n(frame, n, seed):
    drawn = sampling.draw(seed, frame, n)
    sizes = sampling.strata_sizes(frame)
    total = sum(sizes.values())
    assert len(drawn) == min(n, total)
    assert len({i for i, _s in drawn}) == len(drawn)
    per = {s: sum(1 for _i, t in drawn if t == s) for s in sizes}
    want = min(n, total)
    for s, size in sizes.items():
        assert per[s] <= size
        if want >= sum(1 for v in sizes.values() if v) and size:
            assert per[s] >= 1
        if want and total:
            # within one (plus the guaranteed one) of the proportional share
            assert abs(per[s] - want * size / total) <= 2
    assert sampling.draw(seed, frame, n) == drawn


def test_strata_by_score():
    assert [sampling.stratum_of(x) for x in (0, 0.5, 1.0, 2.9, 3.0, 12)] == [
        "none", "low", "medium", "medium", "high", "high"]
    assert math.isinf(sampling.STRATA[-1][1])


# --- inspections: actor × state ---------------------------------------------------------------
EXPECTED_INSPECTION = {
    # (action, state): actors allowed
    ("record", insp.PLANNED): {insp.INSPECTOR},
    ("close", insp.DONE): {insp.INSPECTOR, insp.HRSS},
    ("cancel", insp.PLANNED): {insp.INSPECTOR, insp.HRSS},
}


@pytest.mark.parametrize("actor", insp.ACTOR_KINDS)
@pytest.mark.parametrize("state", insp.STATES)
@pytest.mark.parametrize("action", list(insp.TRANSITIONS))
def test_inspection_matrix(action, state, actor):
    allowed = actor in EXPECTED_INSPECTION.get((action, state), set())
    if allowed:
        target = insp.plan_transition(action, state, {actor}, "现场核查记录")
        assert target == insp.TRANSITIONS[action].target
        assert action in insp.available_actions(state, {actor})
    else:
        with pytest.raises(insp.TransitionRefused):
            insp.plan_transition(action, state, {actor}, "现场核查记录")
        assert action not in insp.available_actions(state, {actor})


def test_inspection_findings_required():
    with pytest.raises(insp.TransitionRefused) as e:
        insp.plan_transition("record", insp.PLANNED, {insp.INSPECTOR}, " ")
    assert e.value.code == "findings_required"
    with pytest.raises(insp.TransitionRefused) as e:
        insp.plan_transition("reopen", insp.CLOSED, {insp.INSPECTOR})
    assert e.value.code == "unknown_action"


def test_upload_types_by_content():
    assert insp.sniff(b"\xff\xd8\xff\xe0rest") == ("image/jpeg", "photo")
    assert insp.sniff(b"\x89PNG\r\n\x1a\n....") == ("image/png", "photo")
    assert insp.sniff(b"%PDF-1.7") == ("application/pdf", "document")
    assert insp.sniff(b"MZ\x90\x00") is None and insp.sniff(b"") is None


# --- sanctions: actor × kind / state ----------------------------------------------------------
@pytest.mark.parametrize("actor", sanc.ACTOR_KINDS)
@pytest.mark.parametrize("kind", sanc.KINDS)
def test_sanction_impose_matrix(kind, actor):
    if actor in (sanc.HRSS, sanc.PROVINCE):
        sanc.check_impose(kind, {actor}, "虚假培训", 365)
    else:
        with pytest.raises(sanc.Refusal):
            sanc.check_impose(kind, {actor}, "虚假培训", 365)


@pytest.mark.parametrize("actor", sanc.ACTOR_KINDS)
@pytest.mark.parametrize("state", sanc.STATES)
@pytest.mark.parametrize("kind", sanc.KINDS)
def test_sanction_lift_matrix(kind, state, actor):
    ok = actor == sanc.PROVINCE and state == sanc.ACTIVE and kind != sanc.REMOVE
    if ok:
        sanc.check_lift(kind, state, {actor}, "整改到位")
    else:
        with pytest.raises(sanc.Refusal):
            sanc.check_lift(kind, state, {actor}, "整改到位")


def test_bar_needs_a_period():
    for days in (None, 0, sanc.MAX_BAR_DAYS + 1):
        with pytest.raises(sanc.Refusal) as e:
            sanc.check_impose(sanc.BAR, {sanc.HRSS}, "骗补", days)
        assert e.value.code == "period"
