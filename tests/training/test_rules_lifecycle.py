"""The state machine as data: every action from every state for every kind of actor."""

import pytest

from jineng.training.rules import lifecycle as lc

INST, H, A = lc.INSTITUTION, lc.HRSS, lc.ASSESSMENT
# action → (sources, target, actors, reason required)
EXPECTED = {
    "approve": ({"declared"}, "approved", {H}, False),
    "reject": ({"declared"}, "rejected", {H}, True),
    "return": ({"declared"}, "returned", {H}, True),
    "resubmit": ({"returned"}, "declared", {INST}, False),
    "open": ({"approved"}, "open", {INST, H}, False),
    "finish": ({"open"}, "finished", {INST, H}, False),
    "assess": ({"finished"}, "assessed", {A}, False),  # the assessment app, not by hand
    "settle": ({"assessed"}, "settled", {H}, False),
    "cancel": ({"declared", "returned", "approved", "suspended"}, "cancelled", {INST, H}, True),
    "suspend": ({"approved", "open"}, "suspended", {H}, True),
    "resume": ({"suspended"}, "<previous>", {H}, True),
}
ACTORS = {"institution": {INST}, "hrss": {H}, "assessment": {A}, "nobody": set()}


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("status", lc.STATES)
@pytest.mark.parametrize("who", sorted(ACTORS))
def test_matrix(action, status, who):
    sources, target, actors, reason_required = EXPECTED[action]
    kinds = ACTORS[who]
    allowed_actor = bool(kinds & actors) and (status != "suspended" or H in kinds)
    if not allowed_actor:
        with pytest.raises(lc.TransitionRefused) as refused:
            lc.plan_transition(action, status, kinds, "a reason")
        assert refused.value.code == "not_permitted"
        return
    if status not in sources:
        with pytest.raises(lc.TransitionRefused) as refused:
            lc.plan_transition(action, status, kinds, "a reason")
        assert refused.value.code == "not_allowed_from"
        return
    if reason_required:
        with pytest.raises(lc.TransitionRefused) as refused:
            lc.plan_transition(action, status, kinds, "  ")
        assert refused.value.code == "reason_required"
    expected = "open" if target == "<previous>" else target
    assert lc.plan_transition(action, status, kinds, "a reason", previous="open") == expected
    assert action in lc.available_actions(status, kinds)


def test_resume_returns_to_the_state_before_suspension():
    assert lc.plan_transition("resume", "suspended", {H}, "fixed", previous="approved") \
        == "approved"


def test_unknown_action():
    with pytest.raises(lc.TransitionRefused) as refused:
        lc.plan_transition("teleport", "open", {H}, "")
    assert refused.value.code == "unknown_action"


def test_final_states_have_no_way_out():
    for status in lc.FINAL_STATES:
        assert lc.available_actions(status, {INST, H}) == []


def test_the_matrix_covers_every_action_and_state():
    assert set(EXPECTED) == set(lc.TRANSITIONS)
    assert "returned" in lc.STATES


def test_hours_are_held_by_every_class_that_takes_place():
    assert set(lc.STATES) - {"rejected", "cancelled", "returned"} == lc.HOLDING_STATES
    assert {"finished", "assessed", "settled"} <= lc.HOLDING_STATES


def test_a_returned_declaration_goes_back_to_review_when_resubmitted():
    returned = lc.plan_transition("return", "declared", {H}, "site address missing")
    assert returned == "returned"
    assert lc.available_actions(returned, {INST}) == ["resubmit", "cancel"]
    assert lc.available_actions(returned, {H}) == ["cancel"]
    assert lc.plan_transition("resubmit", returned, {INST}, "") == "declared"
    assert "returned" not in lc.FINAL_STATES and "rejected" in lc.FINAL_STATES
