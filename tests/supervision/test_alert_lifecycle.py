"""The alert state machine as a table: every action × state × actor kind, with and without a
reason (supervision.rules.alerts)."""

from __future__ import annotations

import pytest

from jineng.supervision.rules import alerts as L

OPEN, ACK, CONF, DISM = L.OPEN, L.ACKNOWLEDGED, L.CONFIRMED, L.DISMISSED
INSP, HRSS, INST = L.INSPECTOR, L.HRSS, L.INSTITUTION

# (action, state) → target for inspectors and HRSS staff; absent: not allowed from there.
ALLOWED = {
    ("acknowledge", OPEN): ACK,
    ("confirm", OPEN): CONF, ("confirm", ACK): CONF,
    ("dismiss", OPEN): DISM, ("dismiss", ACK): DISM,
}
NEEDS_REASON = {"confirm", "dismiss"}


@pytest.mark.parametrize("actor", L.ACTOR_KINDS)
@pytest.mark.parametrize("state", L.STATES)
@pytest.mark.parametrize("action", sorted(L.TRANSITIONS))
def test_matrix(action, state, actor) -> None:
    reason = "现场核查：签到记录由同一设备代签"
    if actor == INST:
        with pytest.raises(L.TransitionRefused) as e:
            L.plan_transition(action, state, {actor}, reason)
        assert e.value.code == "not_permitted"
        return
    if (action, state) not in ALLOWED:
        with pytest.raises(L.TransitionRefused) as e:
            L.plan_transition(action, state, {actor}, reason)
        assert e.value.code == "not_allowed_from"
        return
    assert L.plan_transition(action, state, {actor}, reason) == ALLOWED[(action, state)]
    if action in NEEDS_REASON:
        with pytest.raises(L.TransitionRefused) as e:
            L.plan_transition(action, state, {actor}, "  ")
        assert e.value.code == "reason_required"
    else:
        assert L.plan_transition(action, state, {actor}, "") == ALLOWED[(action, state)]


def test_final_states_offer_nothing() -> None:
    for state in L.FINAL_STATES:
        assert L.available_actions(state, {INSP, HRSS}) == []
    assert L.available_actions(OPEN, {INST}) == []
    assert L.available_actions(OPEN, {INSP}) == ["acknowledge", "confirm", "dismiss"]


def test_unknown_action() -> None:
    with pytest.raises(L.TransitionRefused) as e:
        L.plan_transition("escalate", OPEN, {HRSS}, "x")
    assert e.value.code == "unknown_action"
