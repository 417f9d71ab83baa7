"""The claim state machine, as a table: for every state and every actor, the actions they may
take (with and without a city review), and the errors of the rest."""

from __future__ import annotations

import pytest

from jineng.subsidy.choices import ClaimStatus
from jineng.subsidy.rules import lifecycle as lc

C, CO, CI, B = lc.CLAIMANT, lc.COUNTY, lc.CITY, lc.BANK

# state → actor → actions available (the same with or without a city review, except where the
# second table says otherwise).
MATRIX = {
    lc.DRAFT: {C: {"submit", "withdraw"}, CO: set(), CI: set(), B: set()},
    lc.SUBMITTED: {C: {"withdraw"}, CO: {"approve", "return", "refuse"},
                   CI: {"approve", "return", "refuse"}, B: set()},
    lc.CITY_REVIEW: {C: set(), CO: set(), CI: {"approve", "return", "refuse"}, B: set()},
    lc.RETURNED: {C: {"submit", "withdraw"}, CO: set(), CI: set(), B: set()},
    lc.APPROVED: {C: set(), CO: set(), CI: {"pay"}, B: set()},
    lc.IN_PAYMENT: {C: set(), CO: set(), CI: set(), B: {"mark_paid", "mark_failed"}},
    lc.PAID: {C: set(), CO: set(), CI: {"recover"}, B: set()},
    lc.PAYMENT_FAILED: {C: {"withdraw", "reapply"}, CO: set(), CI: {"withdraw", "reapply"},
                        B: set()},
    lc.WITHDRAWN: {C: set(), CO: set(), CI: set(), B: set()},
    lc.REFUSED: {C: set(), CO: set(), CI: set(), B: set()},
    lc.RECOVERED: {C: set(), CO: set(), CI: set(), B: set()},
}

# Where the county's approval leads.
APPROVAL = {True: lc.CITY_REVIEW, False: lc.APPROVED}


def test_the_states_are_the_claim_choices():
    assert set(lc.STATES) == set(ClaimStatus.values) == set(MATRIX)


@pytest.mark.parametrize("city_review", [True, False])
@pytest.mark.parametrize("state", lc.STATES)
@pytest.mark.parametrize("actor", [C, CO, CI, B])
def test_matrix(state, actor, city_review):
    assert set(lc.available_actions(state, {actor}, city_review=city_review)) == \
        MATRIX[state][actor]
    for action in lc.ACTIONS:
        allowed = action in MATRIX[state][actor]
        if allowed:
            target = lc.plan_transition(action, state, {actor}, "理由", city_review=city_review)
            assert target in lc.STATES
        else:
            with pytest.raises(lc.TransitionRefused) as refused:
                lc.plan_transition(action, state, {actor}, "理由", city_review=city_review)
            assert refused.value.code in ("not_allowed_from", "not_permitted")


@pytest.mark.parametrize("city_review", [True, False])
def test_the_county_approval_goes_to_the_city_where_set(city_review):
    assert lc.plan_transition("approve", lc.SUBMITTED, {CO}, city_review=city_review) == \
        APPROVAL[city_review]
    assert lc.plan_transition("approve", lc.CITY_REVIEW, {CI}, city_review=city_review) == \
        lc.APPROVED


@pytest.mark.parametrize("action,state,actor", [
    ("return", lc.SUBMITTED, CO), ("refuse", lc.CITY_REVIEW, CI),
    ("recover", lc.PAID, CI), ("mark_failed", lc.IN_PAYMENT, B),
    ("withdraw", lc.PAYMENT_FAILED, CI)])
def test_reasons_where_required(action, state, actor):
    with pytest.raises(lc.TransitionRefused) as refused:
        lc.plan_transition(action, state, {actor}, "  ")
    assert refused.value.code == "reason_required"


def test_unknown_action():
    with pytest.raises(lc.TransitionRefused) as refused:
        lc.plan_transition("settle", lc.APPROVED, {CI})
    assert refused.value.code == "unknown_action"


def test_final_states_have_no_way_out():
    for state in lc.FINAL_STATES:
        assert lc.available_actions(state, {C, CO, CI, B}) == []
