"""The residence-address key (registry.rules.address): what two addresses must share to link
their holders in the ring rule (R08). Table-driven; pure, no database."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jineng.registry.rules.address import MIN_LINKABLE, address_key, normalise_address


@pytest.mark.parametrize(("raw", "normalised"), [
    ("南明区人民路12号3单元401室", "南明区人民路12号3单元401室"),
    # full-width digits, letters and punctuation become half-width, then punctuation goes
    ("南明区人民路１２号３单元４０１室", "南明区人民路12号3单元401室"),
    ("南明区人民路12号，3单元（401室）", "南明区人民路12号3单元401室"),
    ("云岩区中华北路Ａ座１２－３号", "云岩区中华北路a座123号"),
    # whitespace of every kind: ASCII, the ideographic space, tabs and line ends
    ("  南明区 人民路\u300012号\t3单元\n401室 ", "南明区人民路12号3单元401室"),
    ("南明区·人民路#12号-3单元/401室", "南明区人民路12号3单元401室"),
    ("南明区人民路12号3单元401室。", "南明区人民路12号3单元401室"),
    # Latin letters are case-folded
    ("花溪区ABC小区b栋", "花溪区abc小区b栋"),
    # Chinese numerals are not touched (三 is not 3)
    ("南明区人民路十二号三单元", "南明区人民路十二号三单元"),
    ("", ""),
    (None, ""),
    ("，。 、（）", ""),
])
def test_normalise_address(raw, normalised) -> None:
    assert normalise_address(raw) == normalised


@pytest.mark.parametrize(("a", "b", "same"), [
    ("南明区人民路12号3单元401室", "南明区 人民路１２号 ３单元 ４０１室", True),
    ("南明区人民路12号3单元401室", "南明区人民路12号3单元402室", False),
    ("南明区人民路十二号", "南明区人民路12号", False),  # numerals kept apart
    ("云岩区中华北路A座", "云岩区中华北路ａ座", True),
])
def test_two_addresses_share_a_key_only_when_they_normalise_alike(a, b, same) -> None:
    assert address_key(a) and address_key(b)
    assert (address_key(a) == address_key(b)) is same


@pytest.mark.parametrize(("raw", "key"), [
    ("", ""),
    ("   ", ""),
    ("贵阳", ""),
    ("南明区1号", ""),  # five characters: too generic
    ("南明区 1 号。", ""),  # five after normalising, whatever the raw length
    ("南明区12号", "南明区12号"),  # six: linked
    ("贵阳市南明区", "贵阳市南明区"),
])
def test_short_addresses_are_not_linked(raw, key) -> None:
    assert address_key(raw) == key
    assert MIN_LINKABLE == 6


def _by_the_definition(address: str) -> str:
    """The module's docstring, character by character: NFKC, case-folded, without whitespace
    or characters of the categories P*, S*, Z* and C*."""
    text = unicodedata.normalize("NFKC", address).casefold()
    return "".join(ch for ch in text if not ch.isspace()
                   and unicodedata.category(ch)[0] not in ("P", "S", "Z", "C"))


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_normalising_equals_the_definition_for_any_text(address) -> None:
    # the translation table is filled as characters come: a wrongly cached character would
    # show here, on the second address that has it
    assert normalise_address(address) == _by_the_definition(address)
    assert normalise_address(address + address) == _by_the_definition(address + address)
