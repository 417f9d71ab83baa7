"""Old 15-digit ID numbers become their 18-character form (GB 11643-1999): table-tested and
property-tested against core.validators, whose check character and parsing must agree."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jineng.core.validators import id_check_character, make_resident_id, parse_resident_id
from jineng.registry.rules.identity import check_character, id_number_18


@pytest.mark.parametrize(("old", "new"), [
    # The example often quoted for the conversion: 340524800101001 → 34052419800101001X.
    ("340524800101001", "34052419800101001X"),
    ("110105801026001", "110105198010260017"),
    ("520102900517123", "520102199005171230"),
    ("５２０１０２９００５１７１２３", "520102199005171230"),  # full-width digits
    (" 520102900517123 ", "520102199005171230"),
])
def test_fifteen_digits_become_eighteen(old, new):
    assert id_number_18(old) == new
    assert parse_resident_id(new).birth_date.year >= 1900


@pytest.mark.parametrize("raw", [
    "520102199005171239", "52010219900517123x", "52010290051712", "5201029005171234",
    "52010290051712A", "", "abc",
])
def test_anything_else_is_left_for_the_18_character_checks(raw):
    assert id_number_18(raw) == raw.strip().upper()


def test_none_is_empty():
    assert id_number_18(None) == ""


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_the_check_character_agrees_with_core_validators(first17):
    assert check_character(first17) == id_check_character(first17)


@given(region=st.sampled_from(["520102", "110105", "440301", "650102"]),
       birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)),
       sequence=st.integers(min_value=0, max_value=999))
def test_an_old_number_converts_to_the_new_number_of_the_same_person(region, birth, sequence):
    new = make_resident_id(region, birth, sequence)
    old = new[:6] + new[8:17]  # drop "19" and the check character
    assert len(old) == 15
    assert id_number_18(old) == new
    parsed = parse_resident_id(id_number_18(old))
    assert parsed.birth_date == birth and parsed.region_code == region
    assert id_number_18(new) == new  # converting twice changes nothing
