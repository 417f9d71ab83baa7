"""Property-based and worked-example tests of the identifier validators (GB 11643, GB 32100)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from jineng.core.validators import (
    CREDIT_ALPHABET,
    CREDIT_AUTHORITY_CATEGORIES,
    InvalidIdentifier,
    credit_check_character,
    id_check_character,
    make_credit_code,
    make_resident_id,
    parse_credit_code,
    parse_resident_id,
)

thorough = settings(deadline=None, max_examples=200)


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English (the default language is Chinese)."""
    with translation.override("en"):
        yield

TODAY = dt.date(2025, 6, 30)

region_codes = st.from_regex(r"[1-9][0-9]{5}", fullmatch=True)
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)
resident_ids = st.builds(make_resident_id, region_codes, births, sequences)

authority_categories = st.sampled_from(
    [a + c for a, cats in CREDIT_AUTHORITY_CATEGORIES.items() for c in cats])
org_codes = st.text(alphabet=CREDIT_ALPHABET, min_size=8, max_size=8)
credit_codes = st.builds(make_credit_code, authority_categories, region_codes, org_codes)


# --- resident ID numbers (GB 11643-1999) ---------------------------------------------------

@thorough
@given(region_codes, births, sequences)
def test_made_ids_parse_and_round_trip(region, birth, sequence):
    number = make_resident_id(region, birth, sequence)
    parsed = parse_resident_id(number, today=TODAY)
    assert parsed.number == number
    assert parsed.region_code == region
    assert parsed.birth_date == birth
    assert parsed.gender == ("M" if sequence % 2 else "F")


@thorough
@given(resident_ids, st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_any_single_character_change_is_caught_by_the_check_digit(number, position, new):
    """MOD 11-2 has weights 2^k mod 11, all non-zero and 11 is prime: every one-character
    substitution changes the weighted sum mod 11, so the check digit must disagree."""
    assume(number[position] != new)
    assume(position == 17 or new != "X")  # X only exists as a check character
    changed = number[:position] + new + number[position + 1:]
    with pytest.raises(InvalidIdentifier) as bad:
        parse_resident_id(changed, today=TODAY)
    assert bad.value.code == "check_digit"
    assert bad.value.field == "id_number"


@thorough
@given(resident_ids, st.integers(min_value=0, max_value=15))
def test_swapping_adjacent_digits_is_caught(number, position):
    a, b = number[position], number[position + 1]
    assume(a != b)
    swapped = number[:position] + b + a + number[position + 2:]
    with pytest.raises(InvalidIdentifier) as bad:
        parse_resident_id(swapped, today=TODAY)
    assert bad.value.code == "check_digit"


@thorough
@given(st.text(max_size=25))
def test_arbitrary_text_is_refused_cleanly_never_with_a_crash(text):
    try:
        parsed = parse_resident_id(text, today=TODAY)
    except InvalidIdentifier as bad:
        assert bad.field == "id_number" and str(bad)
    else:
        assert parsed.number.isascii() and len(parsed.number) == 18


def test_gb11643_worked_examples():
    # GB 11643-1999 appendix A gives two example numbers, 11010519491231002X (北京市朝阳区) and
    # 440524188001010014 (广东省汕头市); quoted e.g. at
    # https://download.csdn.net/download/kudy21/2033732 and
    # https://blog.csdn.net/chenlu5201314/article/details/90484093 (the standard's text).
    assert id_check_character("11010519491231002") == "X"
    assert id_check_character("44052418800101001") == "4"
    parsed = parse_resident_id("11010519491231002x")  # lower-case x is accepted
    assert parsed.number == "11010519491231002X"
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.gender == "F"  # sequence 002 is even
    assert parsed.region_code == "110105"
    # The second example is valid by the standard but born 1880: not a living trainee.
    with pytest.raises(InvalidIdentifier, match="before 1900") as bad:
        parse_resident_id("440524188001010014")
    assert bad.value.code == "birth_date"


def test_full_width_input_is_folded_and_other_digits_refused():
    assert parse_resident_id("１１０１０５１９４９１２３１００２Ｘ").number == "11010519491231002X"
    # Arabic-Indic three is a Unicode digit that NFKC keeps: refused, not fed to int().
    with pytest.raises(InvalidIdentifier) as bad:
        parse_resident_id("11010\u066319491231002X")
    assert bad.value.code == "characters"


@pytest.mark.parametrize(("birth_digits", "message"), [
    ("19900230", "not a real calendar date"),  # 30 February
    ("19901301", "not a real calendar date"),  # month 13
    ("20000000", "not a real calendar date"),
    ("20250701", "in the future"),  # the day after TODAY
    ("18991231", "before 1900"),
])
def test_impossible_birth_dates_are_refused_with_a_clear_message(birth_digits, message):
    first17 = "520102" + birth_digits + "123"
    number = first17 + id_check_character(first17)  # a correct check digit
    with pytest.raises(InvalidIdentifier, match=message) as bad:
        parse_resident_id(number, today=TODAY)
    assert bad.value.code == "birth_date"
    assert bad.value.field == "id_number"
    assert birth_digits not in str(bad.value)  # the message does not repeat the ID's digits


@pytest.mark.parametrize(("raw", "code"), [
    ("", "length"), ("5201021990051712", "length"), ("52010219900517123X1", "length"),
    ("52010219900517A23X", "characters"), ("X20102199005171234", "characters"),
])
def test_malformed_ids_name_the_problem(raw, code):
    with pytest.raises(InvalidIdentifier) as bad:
        parse_resident_id(raw)
    assert bad.value.code == code


def test_make_resident_id_refuses_what_it_cannot_build():
    with pytest.raises(ValueError):
        make_resident_id("52010", dt.date(1990, 1, 1), 1)
    with pytest.raises(ValueError):
        make_resident_id("520102", dt.date(1990, 1, 1), 1000)


# --- unified social credit codes (GB 32100-2015) ----------------------------------------------

@thorough
@given(authority_categories, region_codes, org_codes)
def test_made_credit_codes_pass_the_check(prefix, region, org):
    code = make_credit_code(prefix, region, org)
    parsed = parse_credit_code(code)
    assert parsed.check_ok
    assert parsed.code == code
    assert parsed.region_code == region


@thorough
@given(credit_codes, st.integers(min_value=0, max_value=17),
       st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
def test_any_single_character_change_is_detected_or_refused(code, position, new):
    """MOD 31 with weights 3^k mod 31 (all non-zero, 31 prime): a one-character change is either
    refused outright (bad character, authority, region) or fails the check character."""
    assume(code[position] != new)
    changed = code[:position] + new + code[position + 1:]
    try:
        parsed = parse_credit_code(changed)
    except InvalidIdentifier as bad:
        assert bad.field == "credit_code"
    else:
        assert not parsed.check_ok


@thorough
@given(st.text(max_size=25))
def test_arbitrary_text_never_crashes_the_credit_code_parser(text):
    try:
        parse_credit_code(text)
    except InvalidIdentifier as bad:
        assert bad.field == "credit_code"


def test_a_published_real_credit_code_validates():
    # 深圳市腾讯计算机系统有限公司, unified social credit code 91440300708461136T as printed in
    # its business-licence record, e.g. https://check-china.com/example_report/en/8
    parsed = parse_credit_code("91440300708461136T")
    assert parsed.check_ok
    assert parsed.region_code == "440300"
    assert credit_check_character("91440300708461136") == "T"
    assert not parse_credit_code("91440300708461136U").check_ok


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_letters_outside_the_gb32100_alphabet_are_refused(letter):
    code = "91440300708461136T"
    with pytest.raises(InvalidIdentifier) as bad:
        parse_credit_code(code[:10] + letter + code[11:])
    assert bad.value.field == "credit_code"
    assert bad.value.code == "characters"
    assert letter in str(bad.value)


@pytest.mark.parametrize(("raw", "code"), [
    ("9144030070846113", "length"),
    ("B1440300708461136T", "authority"),  # no authority B
    ("94440300708461136T", "authority"),  # 工商 has no category 4
    ("91A40300708461136T", "region"),
])
def test_structurally_wrong_credit_codes_name_the_problem(raw, code):
    with pytest.raises(InvalidIdentifier) as bad:
        parse_credit_code(raw)
    assert (bad.value.code, bad.value.field) == (code, "credit_code")


def test_credit_code_input_is_normalized():
    assert parse_credit_code(" 91440300708461136t ").code == "91440300708461136T"
    assert parse_credit_code("９１４４０３００７０８４６１１３６Ｔ").check_ok


def test_make_credit_code_refuses_characters_outside_the_alphabet():
    with pytest.raises(ValueError):
        make_credit_code("91", "520102", "0000000I")
