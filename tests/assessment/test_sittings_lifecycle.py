"""The sitting state machine as data: every action from every state for every kind of actor;
and the permission predicates built on it."""

import pytest

from jineng.assessment.rules import permissions as perms
from jineng.assessment.rules import sitting_lifecycle as lc

E, H, S = lc.EVALUATOR, lc.HRSS, lc.SYSTEM
# action → (sources, target, actors, reason required, manual)
EXPECTED = {
    "approve": ({"declared"}, "approved", {H}, False, True),
    "return": ({"declared"}, "returned", {H}, True, True),
    "resubmit": ({"returned"}, "declared", {E}, False, True),
    "cancel": ({"declared", "returned", "approved"}, "cancelled", {E, H}, True, True),
    "cancel_results": ({"results"}, "cancelled", {H}, True, True),
    "record_results": ({"approved"}, "results", {S, E}, False, False),
    "close": ({"results"}, "closed", {S, E}, False, False),
}
ACTORS = {"evaluator": {E}, "hrss": {H}, "system": {S}, "nobody": set()}


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("status", lc.STATES)
@pytest.mark.parametrize("who", sorted(ACTORS))
def test_matrix(action, status, who):
    sources, target, actors, reason_required, manual = EXPECTED[action]
    kinds = ACTORS[who]
    if not kinds & actors:
        with pytest.raises(lc.TransitionRefused) as refused:
            lc.plan_transition(action, status, kinds, "a reason")
        assert refused.value.code == "not_permitted"
        assert action not in lc.available_actions(status, kinds)
        return
    if status not in sources:
        with pytest.raises(lc.TransitionRefused) as refused:
            lc.plan_transition(action, status, kinds, "a reason")
        assert refused.value.code == "not_allowed_from"
        assert action not in lc.available_actions(status, kinds)
        return
    if reason_required:
        with pytest.raises(lc.TransitionRefused) as refused:
            lc.plan_transition(action, status, kinds, "  ")
        assert refused.value.code == "reason_required"
    assert lc.plan_transition(action, status, kinds, "a reason") == target
    assert action in lc.available_actions(status, kinds)
    assert (action in lc.available_actions(status, kinds, manual_only=True)) is manual
    assert perms.may_act(action, status, kinds) is manual


def test_the_matrix_covers_every_action():
    assert set(EXPECTED) == set(lc.TRANSITIONS)
    assert {a for a, row in EXPECTED.items() if row[4]} == lc.MANUAL_ACTIONS


def test_unknown_action():
    with pytest.raises(lc.TransitionRefused) as refused:
        lc.plan_transition("teleport", "declared", {H})
    assert refused.value.code == "unknown_action"


def test_only_hrss_leaves_results_otherwise_than_by_closing():
    assert perms.actions("results", {H}) == ["cancel_results"]
    assert perms.actions("results", {E}) == []
    assert lc.available_actions("results", {E, S}) == ["close"]


def test_final_states_have_no_way_out():
    for status in lc.FINAL_STATES:
        assert lc.available_actions(status, {E, H, S}) == []


def test_a_returned_sitting_goes_back_to_review_when_resubmitted():
    returned = lc.plan_transition("return", "declared", {H}, "place missing")
    assert perms.actions(returned, {E}) == ["resubmit", "cancel"]
    assert lc.plan_transition("resubmit", returned, {E}) == "declared"


# --- permissions ----------------------------------------------------------------------------

EVAL = perms.ActorFacts(role="evaluation_operator", organization_id=7)
ENTERPRISE = perms.ActorFacts(role="enterprise", organization_id=8)
TRAINER = perms.ActorFacts(role="training_operator", organization_id=7)
CITY = perms.ActorFacts(role="city_staff", is_hrss_staff=True, region_prefix="5201",
                        sees_persons=True)
INDUSTRY = perms.ActorFacts(role="industry_staff", region_prefix="52")
ADMIN = perms.ActorFacts(role="system_admin", everything=True, sees_persons=True)


@pytest.mark.parametrize(("facts", "region", "evaluator", "expected"), [
    (EVAL, "520102", 7, {E}),
    (EVAL, "520102", 9, set()),  # another evaluator's sitting
    (ENTERPRISE, "520102", 8, {E}),  # a self-evaluating enterprise
    (TRAINER, "520102", 7, {E}),  # a school listed as evaluator
    (TRAINER, "520102", 9, set()),
    (CITY, "520102", 7, {H}),
    (CITY, "520302", 7, set()),  # another city's sitting
    (INDUSTRY, "520102", 7, set()),  # not HRSS
    (ADMIN, "330102", 7, {H}),
])
def test_kinds_for(facts, region, evaluator, expected):
    assert perms.kinds_for(facts, region_code=region, evaluator_id=evaluator) == expected


def test_declare_and_review():
    assert perms.may_declare(EVAL) and perms.may_declare(ENTERPRISE)
    assert perms.may_declare(TRAINER)  # the catalog decides whether it is listed
    assert not perms.may_declare(CITY) and not perms.may_declare(INDUSTRY)
    assert not perms.may_declare(perms.ActorFacts(role="evaluation_operator"))
    assert perms.may_review(CITY) and perms.may_review(ADMIN) and not perms.may_review(EVAL)
    with pytest.raises(perms.Refused) as refused:
        perms.ensure_declare(CITY)
    assert refused.value.code == "not_assessor" and refused.value.forbidden


@pytest.mark.parametrize("status", lc.STATES)
def test_roster_results_and_issuing_follow_the_states(status):
    assert perms.may_manage_roster(status, {E}) is (status in {"declared", "returned",
                                                               "approved"})
    assert not perms.may_manage_roster(status, {H})
    assert perms.may_approve_direct_recognition(status, {H}) is (
        status in {"declared", "returned", "approved", "results"})
    assert not perms.may_approve_direct_recognition(status, {E})
    assert perms.may_enter_results(status, {E}) is (status in {"approved", "results"})
    assert not perms.may_enter_results(status, {H})
    assert perms.may_issue(status, {S}) is (status == "results")
    assert not perms.may_issue(status, {H})


def test_ensure_roster_tells_forbidden_from_closed():
    with pytest.raises(perms.Refused) as refused:
        perms.ensure_roster("declared", {H})
    assert refused.value.forbidden
    with pytest.raises(perms.Refused) as refused:
        perms.ensure_roster("results", {E})
    assert (refused.value.code, refused.value.forbidden) == ("roster_closed", False)
    perms.ensure_roster("approved", {E})


def test_revoke_record_outside_and_records():
    assert perms.may_revoke({H}) and perms.may_revoke({E}) and not perms.may_revoke(set())
    assert perms.may_record_outside(CITY) and perms.may_record_outside(EVAL)
    assert not perms.may_record_outside(TRAINER) and not perms.may_record_outside(INDUSTRY)
    assert perms.may_see_records(CITY) and perms.may_see_records(ADMIN)
    assert not perms.may_see_records(EVAL) and not perms.may_see_records(INDUSTRY)
