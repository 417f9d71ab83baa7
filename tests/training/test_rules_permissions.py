"""The permission vocabulary (pure): what the pages offer is what the services accept."""

import pytest

from jineng.training.rules import lifecycle as lc
from jineng.training.rules import permissions as p

INST, H = frozenset({lc.INSTITUTION}), frozenset({lc.HRSS})
NOBODY: frozenset[str] = frozenset()


def test_declaring_and_teachers_are_for_an_institutions_operators():
    assert p.may_declare(is_operator=True, has_organization=True)
    assert not p.may_declare(is_operator=True, has_organization=False)
    assert not p.may_declare(is_operator=False, has_organization=True)
    assert p.may_manage_teachers(is_operator=True, has_organization=True)
    assert p.may_review(is_hrss_staff=True) and not p.may_review(is_hrss_staff=False)


@pytest.mark.parametrize("status", lc.STATES)
def test_enrolling_revising_and_withdrawing_by_state(status):
    assert p.may_enroll(status, INST) == (status in {"declared", "approved", "open"})
    assert not p.may_enroll(status, H)
    assert p.enrolls_late(status) == (status == "open")
    assert p.may_revise(status, INST) == (status == "returned")
    assert not p.may_revise(status, H) and not p.may_revise(status, NOBODY)
    for kinds in (INST, H):
        assert p.may_withdraw(status, kinds) == (status in {"declared", "approved", "open"})
    assert not p.may_withdraw(status, NOBODY)


@pytest.mark.parametrize("status", lc.STATES)
@pytest.mark.parametrize("kinds", [INST, H, INST | H, NOBODY])
def test_buttons_are_the_lifecycle_actions_but_resubmit(status, kinds):
    shown = p.actions(status, kinds)
    assert "resubmit" not in shown
    assert set(shown) == set(lc.available_actions(status, kinds)) - {"resubmit"}
    for action in lc.TRANSITIONS:
        assert p.may_act(action, status, kinds) == (action in lc.available_actions(status,
                                                                                    kinds))
