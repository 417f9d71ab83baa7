"""rules.records: a person's level over time in each occupation, and the identity check's
small rules (codes, names, masks)."""

import datetime as dt

import pytest

from jineng.assessment.rules import records as rules

D = dt.date


def H(occ, rank, on, number="n", name=None):
    return rules.Holding(occupation_key=occ, occupation_name=occ, rank=rank,
                         level_name=name or f"L{rank}", on=on, number=number)


@pytest.mark.parametrize(("holdings", "expected"), [
    ([], []),
    # one certificate: one step
    ([H("care", 1, D(2020, 1, 1))], [("care", [(D(2020, 1, 1), 1)])]),
    # rises in order; a later lower certificate is no rise; the same level again is no rise
    ([H("care", 2, D(2022, 1, 1)), H("care", 1, D(2020, 1, 1)), H("care", 1, D(2023, 1, 1)),
      H("care", 2, D(2024, 1, 1)), H("care", 3, D(2025, 1, 1))],
     [("care", [(D(2020, 1, 1), 1), (D(2022, 1, 1), 2), (D(2025, 1, 1), 3)])]),
    # a higher level first (direct recognition), a lower one later: stays high
    ([H("care", 4, D(2021, 1, 1)), H("care", 2, D(2023, 1, 1))],
     [("care", [(D(2021, 1, 1), 4)])]),
    # two certificates on one day: the higher one is the level
    ([H("care", 3, D(2021, 1, 1)), H("care", 1, D(2021, 1, 1))],
     [("care", [(D(2021, 1, 1), 3)])]),
    # occupations apart; highest level first, then the one reached earlier
    ([H("weld", 2, D(2019, 1, 1)), H("care", 3, D(2022, 1, 1)), H("elec", 3, D(2020, 1, 1))],
     [("elec", [(D(2020, 1, 1), 3)]), ("care", [(D(2022, 1, 1), 3)]),
      ("weld", [(D(2019, 1, 1), 2)])]),
])
def test_level_history(holdings, expected):
    got = rules.level_history(holdings)
    assert [(o.occupation_name, [(s.on, s.rank) for s in o.steps]) for o in got] == expected
    for o in got:
        assert o.highest == o.steps[-1]


def test_codes_are_six_digits_and_vary():
    codes = {rules.new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes) and len(codes) > 150
    assert rules.looks_like_code(" 012345 ")
    for bad in ("12345", "1234567", "12a456", "１２３４５６", "", None):
        assert not rules.looks_like_code(bad)


@pytest.mark.parametrize(("registered", "entered", "match"), [
    ("王小燕", "王小燕", True), ("王小燕", " 王 小燕 ", True), ("王小燕", "王小雁", False),
    ("王小燕", "", False), ("王小燕", "   ", False), ("阿依古丽·买买提", "阿依古丽·买买提", True),
])
def test_names_match(registered, entered, match):
    assert rules.names_match(registered, entered) is match


def test_masks():
    assert rules.mask_name("王小燕") == "王**" and rules.mask_name("") == ""
    assert rules.mask_phone("13900001111") == "139****1111"
    assert rules.mask_phone("123") == "***"
