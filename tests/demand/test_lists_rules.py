"""The demand list's state machine as data (every action × state × actor), quarters and the
checks of one line, table-driven."""

import datetime as dt

import pytest

from jineng.demand.rules import demand_lists as r

F, H = r.FILER, r.HRSS
# action → (sources, target, actors, reason required)
EXPECTED = {
    "submit": ({"draft", "returned"}, "submitted", {F}, False),
    "return": ({"submitted"}, "returned", {H}, True),
    "accept": ({"submitted"}, "accepted", {H}, False),
}
ACTORS = {"filer": {F}, "hrss": {H}, "both": {F, H}, "nobody": set()}


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("status", r.STATES)
@pytest.mark.parametrize("who", sorted(ACTORS))
def test_matrix(action, status, who):
    sources, target, actors, reason_required = EXPECTED[action]
    kinds = ACTORS[who]
    if not kinds & actors:
        with pytest.raises(r.TransitionRefused) as refused:
            r.plan_transition(action, status, kinds, "a reason")
        assert refused.value.code == "not_permitted"
        assert action not in r.available_actions(status, kinds)
        return
    if status not in sources:
        with pytest.raises(r.TransitionRefused) as refused:
            r.plan_transition(action, status, kinds, "a reason")
        assert refused.value.code == "not_allowed_from"
        assert action not in r.available_actions(status, kinds)
        return
    if reason_required:
        with pytest.raises(r.TransitionRefused) as refused:
            r.plan_transition(action, status, kinds, "  ")
        assert refused.value.code == "reason_required"
    assert r.plan_transition(action, status, kinds, "a reason") == target
    assert action in r.available_actions(status, kinds)


def test_the_matrix_covers_every_action_and_state():
    assert set(EXPECTED) == set(r.TRANSITIONS)
    assert set(r.STATES) == {"draft", "submitted", "returned", "accepted"}


def test_unknown_action():
    with pytest.raises(r.TransitionRefused) as refused:
        r.plan_transition("teleport", "draft", {F, H})
    assert refused.value.code == "unknown_action"


def test_accepted_is_final_and_returned_goes_back_to_review():
    assert r.available_actions("accepted", {F, H}) == []
    returned = r.plan_transition("return", "submitted", {H}, "人数不实")
    assert r.available_actions(returned, {F}) == ["submit"]
    assert r.plan_transition("submit", returned, {F}) == "submitted"
    assert {"draft", "returned"} == r.EDITABLE_STATES


@pytest.mark.parametrize("year,quarter,first,last", [
    (2026, 1, dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    (2026, 2, dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
    (2024, 3, dt.date(2024, 7, 1), dt.date(2024, 9, 30)),
    (2026, 4, dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
])
def test_quarter_bounds(year, quarter, first, last):
    assert r.quarter_bounds(year, quarter) == (first, last)
    assert r.quarter_of(first) == r.quarter_of(last) == (year, quarter)


TODAY = dt.date(2026, 12, 5)


@pytest.mark.parametrize("year,quarter,code", [
    (2026, 4, ""), (2027, 1, ""), (2027, 4, ""), (2028, 1, "quarter_too_far"),
    (2026, 3, "quarter_past"), (2026, 5, "quarter_invalid"), (2026, 0, "quarter_invalid"),
    (1999, 1, "quarter_invalid"),
])
def test_fileable_quarter(year, quarter, code):
    assert r.fileable_quarter(year, quarter, TODAY) == code
    assert ((year, quarter) in r.fileable_quarters(TODAY)) == (code == "")


D = dt.date


@pytest.mark.parametrize("line,problems", [
    (r.LineFacts(10, D(2026, 12, 20), 4000, 6000), []),
    (r.LineFacts(1, D(2026, 12, 5)), []),  # today is not the past
    (r.LineFacts(100_000, D(2026, 12, 31), 5000, 5000), []),
    (r.LineFacts(0, D(2026, 12, 20)), [("headcount", "headcount_out_of_range")]),
    (r.LineFacts(100_001, D(2026, 12, 20)), [("headcount", "headcount_out_of_range")]),
    (r.LineFacts(None, None), [("headcount", "required"), ("needed_by", "required")]),
    (r.LineFacts(5, D(2027, 1, 1)), [("needed_by", "date_outside_quarter")]),
    (r.LineFacts(5, D(2026, 9, 30)), [("needed_by", "date_outside_quarter")]),
    (r.LineFacts(5, D(2026, 12, 4)), [("needed_by", "date_past")]),
    (r.LineFacts(5, D(2026, 12, 20), 7000, 6000), [("wage_min", "wage_min_above_max")]),
    (r.LineFacts(5, D(2026, 12, 20), 0, 6000), [("wage_min", "wage_out_of_range")]),
    (r.LineFacts(5, D(2026, 12, 20), 3000, 300_000), [("wage_max", "wage_out_of_range")]),
])
def test_line_problems(line, problems):
    assert r.line_problems(line, year=2026, quarter=4, today=TODAY) == problems
