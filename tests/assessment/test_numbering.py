"""rules/numbering.py: skill-level numbers (人社鉴发〔2019〕2号) built and parsed back, every
character that breaks the layout refused, legacy 职业资格证书 numbers, per-province patterns."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jineng.assessment.rules import numbering as n

PROVINCES = sorted(n.PROVINCE_CODES)
LEVELS = [*n.LEVEL_DIGITS.values(), n.TOP_LEVEL_CODE]

categories = st.sampled_from(n.CATEGORY_LETTERS)
evaluator_codes = st.one_of(st.none(), st.integers(1, 9999).map(lambda i: f"{i:04d}"))
provinces = st.sampled_from(PROVINCES)
sites = st.integers(0, 999_999).map(lambda i: f"{i:06d}")
years = st.integers(2019, 2099)
levels = st.sampled_from(LEVELS)
seqs = st.integers(1, n.MAX_SEQUENCE)


def example(level_code: str = "grade5", seq: int = 1) -> str:
    prefix = n.skill_level_prefix(category="Y", evaluator_code="0001", province="23",
                                  site_code="123456", year=2019, level_code=level_code)
    return n.skill_level_number(prefix, seq)


def test_the_rules_example():
    # Y 0001 23 XXXXXX 19 5 000001 (the rule's example, with a site code for XXXXXX)
    number = example()
    assert number == "Y000123123456195000001"
    parts = n.parse_skill_level_number(number)
    assert parts == n.SkillLevelNumber(
        category="Y", evaluator_code="0001", province="23", site_code="123456", year=2019,
        level_code="grade5", sequence=1, top_level=False)
    assert not parts.filed_with_province
    assert parts.prefix == number[:16]


def test_province_filed_evaluator_takes_the_fixed_code():
    prefix = n.skill_level_prefix(category="S", evaluator_code=None, province="52",
                                  site_code="000123", year=2026, level_code="grade3")
    assert prefix == f"S{n.PROVINCE_FILED_EVALUATOR_CODE}52000123263"
    parts = n.parse_skill_level_number(n.skill_level_number(prefix, 42))
    assert parts.filed_with_province
    assert parts.level_code == "grade3"


def test_top_level_layout_has_two_letters_and_twenty_digits():
    number = example("principal", 7)
    assert sum(ch.isalpha() for ch in number) == 2
    assert sum(ch.isdigit() for ch in number) == 20
    parts = n.parse_skill_level_number(number)
    assert parts.top_level and parts.level_code == "principal"


def test_level_digits_are_a_table_of_registry_codes():
    from jineng.registry.data.skill_levels import SKILL_LEVELS
    by_code = {code: (name, grade) for code, name, grade, *_ in SKILL_LEVELS}
    expected = {"1": "一级", "2": "二级", "3": "三级", "4": "四级", "5": "五级"}
    for digit, code in n.LEVEL_DIGITS.items():
        assert by_code[code][1] == expected[digit]
    assert by_code[n.TOP_LEVEL_CODE][0] == "特级技师"


@given(categories, evaluator_codes, provinces, sites, years, levels, seqs)
def test_build_parse_round_trip(category, evaluator, province, site, year, level, seq):
    prefix = n.skill_level_prefix(category=category, evaluator_code=evaluator,
                                  province=province, site_code=site, year=year,
                                  level_code=level)
    assert len(prefix) == n.PREFIX_LENGTH
    number = n.skill_level_number(prefix, seq)
    assert len(number) == n.LENGTH
    parts = n.parse_skill_level_number(number)
    assert isinstance(parts, n.SkillLevelNumber)
    assert (parts.category, parts.province, parts.site_code, parts.year, parts.level_code,
            parts.sequence) == (category, province, site, year, level, seq)
    assert parts.evaluator_code == (evaluator or n.PROVINCE_FILED_EVALUATOR_CODE)
    assert parts.prefix == prefix
    assert n.validate_number("skill_level", number) is None


def _breaking_characters(position: int, number: str) -> list[str]:
    """Characters that break the layout at `position` of a valid number."""
    letters = list(string.ascii_uppercase)
    others = ["-", " ", "a", "０", "/"]
    if position == 0:
        return [c for c in letters if c not in n.CATEGORY_LETTERS] + list(string.digits) + others
    if position == 15:
        return [c for c in letters if c != n.TOP_LEVEL_LETTER] + ["0", "6", "7", "8", "9"] \
            + others
    breaking = letters + others
    if position in (5, 6):  # the province: also digits that make no GB/T 2260 province
        for d in string.digits:
            candidate = number[:position] + d + number[position + 1:]
            if candidate[5:7] not in n.PROVINCE_CODES:
                breaking.append(d)
    if position == 13:  # the year's tens: before 2019
        breaking += ["0"]
    return breaking


@given(categories, evaluator_codes, provinces, sites, years, levels, seqs, st.data())
def test_every_breaking_single_character_change_is_refused(
        category, evaluator, province, site, year, level, seq, data):
    number = n.skill_level_number(
        n.skill_level_prefix(category=category, evaluator_code=evaluator, province=province,
                             site_code=site, year=year, level_code=level), seq)
    position = data.draw(st.integers(0, n.LENGTH - 1))
    char = data.draw(st.sampled_from(_breaking_characters(position, number)))
    changed = number[:position] + char + number[position + 1:]
    if changed == number:
        return
    problem = n.validate_number("skill_level", changed)
    assert isinstance(problem, n.NumberProblem), (number, changed)


@given(categories, provinces, sites, years, levels, seqs, st.data())
def test_a_dropped_or_added_character_is_refused(category, province, site, year, level, seq,
                                                  data):
    number = n.skill_level_number(
        n.skill_level_prefix(category=category, evaluator_code="0042", province=province,
                             site_code=site, year=year, level_code=level), seq)
    position = data.draw(st.integers(0, n.LENGTH - 1))
    dropped = number[:position] + number[position + 1:]
    added = number[:position] + data.draw(st.sampled_from("0123456789YST")) + number[position:]
    for changed in (dropped, added):
        assert n.validate_number("skill_level", changed) is not None
        assert n.validate_number("skill_level", changed, legacy_ok=True) is not None


def test_sequence_zero_refused_and_the_last_sequence_is_999999():
    assert n.parse_skill_level_number(example()[:16] + "000000") == n.NumberProblem(
        n.BAD_SEQUENCE, n.SEQUENCE)
    assert example(seq=999_999).endswith("999999")
    for seq in (0, -1, 1_000_000, True):
        with pytest.raises(n.NumberingError) as caught:
            example(seq=seq)
        assert caught.value.problem.part == n.SEQUENCE


@pytest.mark.parametrize(("values", "part"), [
    ({"category": "X"}, n.CATEGORY),
    ({"evaluator_code": "12"}, n.EVALUATOR),
    ({"evaluator_code": "12a4"}, n.EVALUATOR),
    ({"province": "99"}, n.PROVINCE),
    ({"province": "5"}, n.PROVINCE),
    ({"site_code": "12345"}, n.SITE),
    ({"year": 2018}, n.YEAR),
    ({"year": 2100}, n.YEAR),
    ({"year": "2020"}, n.YEAR),
    ({"level_code": "apprentice"}, n.LEVEL),
    ({"level_code": "chief"}, n.LEVEL),
])
def test_prefix_refuses_bad_parts(values, part):
    good = {"category": "Y", "evaluator_code": "0001", "province": "52",
            "site_code": "000001", "year": 2026, "level_code": "grade4"}
    with pytest.raises(n.NumberingError) as caught:
        n.skill_level_prefix(**{**good, **values})
    assert caught.value.problem.part == part


@pytest.mark.parametrize(("number", "code"), [
    ("", n.EMPTY),
    ("Y00012312345619500000", n.BAD_LENGTH),
    ("y000123123456195000001", n.BAD_CATEGORY),  # not normalized
    ("Y000199123456195000001", n.BAD_PROVINCE),
    ("Y000123123456185000001", n.BAD_YEAR),
    ("Y000123123456196000001", n.BAD_LEVEL),
    ("Y000123123456190000001", n.BAD_LEVEL),
    ("Y00O123123456195000001", n.BAD_CHARACTERS),
])
def test_parse_names_the_problem(number, code):
    assert n.parse_skill_level_number(number).code == code


def test_normalize_folds_blanks_case_and_full_width():
    assert n.normalize("  y000123123456195000001 ") == "Y000123123456195000001"
    assert n.normalize("Ｙ０００１２３１２３４５６１９５０００００１") == "Y000123123456195000001"


# ---- legacy numbers -------------------------------------------------------------------------

@pytest.mark.parametrize(("number", "level"), [
    ("0852010210300001", "grade3"),  # 2008, 贵州 52, city 01, 鉴定站 kind 0, 210, 三级, 00001
    ("1531014001500123", "grade5"),
    ("1234567890123", None),  # a 13-digit number: accepted, parts unknown
])
def test_legacy_numbers_accepted_when_recorded(number, level):
    parsed = n.parse_legacy_number(number)
    assert parsed.level_code == level
    assert n.validate_number("skill_level", number, legacy_ok=True) is None
    assert n.validate_number("qualification", number) is None
    assert n.validate_number("skill_level", number).code == n.LEGACY_NOT_ALLOWED


@pytest.mark.parametrize("number", [
    "085201021030000",  # 15 digits
    "08520102103000011",  # 17
    "0852015210300001",  # institution kind 5
    "0852010210600001",  # level 6
    "0852010210000001",  # level 0
    "08520102103000O1",  # a letter
])
def test_bad_legacy_numbers_refused(number):
    assert n.validate_number("qualification", number) is not None
    assert n.validate_number("skill_level", number, legacy_ok=True) is not None


# ---- patterns -------------------------------------------------------------------------------

def test_default_patterns_build_and_validate():
    for kind in n.PATTERN_KINDS:
        pattern = n.pattern_for(kind, "52")
        number = pattern.build({"region": "520102", "year": 2026}, 15)
        assert number.endswith("260000015")
        assert n.validate_number(kind, number, pattern=pattern) is None
        assert pattern.sequence_key({"region": "520102", "year": 2026}).endswith("26{seq}")


def test_a_province_configures_its_own_pattern():
    configured = {"43": {"special_ability": "ZX-{province}{year4}{site:4}{seq:5}"}}
    pattern = n.pattern_for("special_ability", "43", configured)
    number = pattern.build({"province": "43", "year4": 2026, "site": 12}, 3)
    assert number == "ZX-432026001200003"
    assert pattern.values_of(number) == {"province": "43", "year4": "2026", "site": "0012",
                                         "seq": "00003"}
    assert n.validate_number("special_ability", number, pattern=pattern) is None
    # another province keeps the default
    assert n.pattern_for("special_ability", "52", configured).source == \
        n.DEFAULT_PATTERNS["special_ability"]


@given(st.sampled_from(PROVINCES), st.integers(2000, 2099), st.integers(0, 9999),
       st.integers(1, 99_999), st.data())
def test_pattern_round_trip_and_breaking_changes(province, year, site, seq, data):
    pattern = n.compile_pattern("PX{province}{year}{site:4}{seq:5}")
    values = {"province": province, "year": year, "site": site}
    number = pattern.build(values, seq)
    got = pattern.values_of(number)
    assert got == {"province": province, "year": f"{year % 100:02d}", "site": f"{site:04d}",
                   "seq": f"{seq:05d}"}
    position = data.draw(st.integers(0, len(number) - 1))
    char = data.draw(st.sampled_from("QZ-a/ "))  # never a layout character at any position
    if position < 2:
        char = data.draw(st.sampled_from("0Q-"))
    changed = number[:position] + char + number[position + 1:]
    assert n.validate_number("training", changed, pattern=pattern) is not None


@pytest.mark.parametrize("source", [
    "", "Z{seq}", "Z{region}{year}", "Z{seq:6}{seq:6}", "Z{unknown}{seq:6}",
    "z{seq:6}", "Z {seq:6}", "Z{year:4}{seq:6}", "Z{site}{seq:6}",
    "Z" * 40 + "{seq:6}", "{region}{region}{seq:4}",
])
def test_malformed_patterns_refused(source):
    assert isinstance(n.compile_pattern(source), n.NumberProblem)


def test_building_a_pattern_needs_every_value():
    pattern = n.pattern_for("training", "52")
    with pytest.raises(n.NumberingError) as caught:
        pattern.build({"year": 2026}, 1)
    assert caught.value.problem == n.NumberProblem(n.MISSING_VALUE, "region")
    with pytest.raises(n.NumberingError):
        pattern.build({"region": "52010", "year": 2026}, 1)
    with pytest.raises(n.NumberingError):
        pattern.build({"region": "520102", "year": 2026}, 10 ** 7)


@pytest.mark.parametrize(("kind", "number", "ok"), [
    ("special_operation", "T520102199001011234", True),
    ("special_operation", "T5201 02", False),
    ("special_ability", "ZX20260001", True),  # recorded without a known pattern: free form
    ("special_ability", "ZX", False),
    ("training", "证书123456", False),
    ("unknown", "ZX20260001", False),
])
def test_free_form_numbers(kind, number, ok):
    assert (n.validate_number(kind, number) is None) is ok
