"""Certificate numbers: building, parsing and validating them. Pure (no Django).

Vocational skill-level certificates (职业技能等级证书) follow 《职业技能等级证书编码规则(试行)》
(人社鉴发〔2019〕2号): one capital letter and 21 digits, in seven parts —

    pos  1      evaluator category: Y an employer (用人单位), S a social evaluation body
                 (社会培训评价组织)
    pos  2–5    evaluator code: 0001–9999 for an evaluator filed with the Ministry; the fixed
                 value PROVINCE_FILED_EVALUATOR_CODE for one filed with a province (the evaluator
                 is then told apart by the 6-digit code below)
    pos  6–7    province of the evaluator (site), GB/T 2260 (first two digits)
    pos  8–13   evaluator (site) sequence code assigned by the province
    pos 14–15   year of issue, last two digits
    pos 16      skill level: 1 高级技师 … 5 初级工 (LEVEL_DIGITS)
    pos 17–22   certificate sequence, 000001–999999 (per prefix: positions 1–16)

Example from the rule: Y000123XXXXXX195000001 — an employer filed with the Ministry as 0001, in
Heilongjiang (23), site XXXXXX, issued in 2019, 初级工, certificate 000001.

特级技师 certificates use two capital letters and 20 digits, in the same seven parts in the same
order (特级技师证书编码规则). The published summary we could find names the parts and the counts but
not which letters; our assumption (UNCONFIRMED, kept in named constants): the category letter
stays first and the level part (position 16) is the letter TOP_LEVEL_LETTER instead of a digit,
so the number keeps the 22 characters and the 6-digit sequence of the ordinary layout.

Legacy vocational qualification certificates (职业资格证书, before the 2019 reform) carry 16 digits:
year (2), province or ministry (2), city (2), institution kind 0–4 (1), institution sequence (3),
level 1–5 (1), sequence (5); some provinces printed 13 digits (Shanghai: pad with 000 to 16).
They are accepted for certificates recorded from elsewhere, never issued here.

Special-ability (专项职业能力证书), training (培训合格证书) and entrepreneurship-training
certificates follow a per-province pattern (NumberPattern): literal capitals, digits and '-' with
placeholders {province} (2 digits), {region} (6), {year} (2), {year4} (4), {site:N} (N digits)
and exactly one {seq:N}. DEFAULT_PATTERNS holds jineng's own default per kind; a province's
configuration replaces it (see the services).

The functions answer with codes (NumberProblem: code and the part it concerns); the services turn
them into messages in the reader's language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# Kinds (the values of choices.CertificateKind; repeated here: rules import no Django).
SKILL_LEVEL = "skill_level"
SPECIAL_ABILITY = "special_ability"
TRAINING = "training"
ENTREPRENEURSHIP = "entrepreneurship"
SPECIAL_OPERATION = "special_operation"
QUALIFICATION = "qualification"
PATTERN_KINDS = (SPECIAL_ABILITY, TRAINING, ENTREPRENEURSHIP)

EMPLOYER = "Y"
SOCIAL_BODY = "S"
CATEGORY_LETTERS = (EMPLOYER, SOCIAL_BODY)

# The evaluator code of an evaluator filed with a province. The rule's text (third-party copies
# of 人社鉴发〔2019〕2号, table 3) reads "评价机构先向省级人力资源社会保障部门备案的，固定取值为
# 0000"; the copy we found is garbled at that spot, so the value is kept here, in one place.
PROVINCE_FILED_EVALUATOR_CODE = "0000"

# 特级技师 layout: the level part is this letter (ASSUMPTION, see the module's docstring).
TOP_LEVEL_LETTER = "T"

# Level digit (position 16) -> registry SkillLevel code (registry/data/skill_levels.py).
LEVEL_DIGITS: dict[str, str] = {
    "1": "grade1",  # 一级/高级技师
    "2": "grade2",  # 二级/技师
    "3": "grade3",  # 三级/高级工
    "4": "grade4",  # 四级/中级工
    "5": "grade5",  # 五级/初级工
}
# The SkillLevel code of a 特级技师 certificate (the two-letter layout).
TOP_LEVEL_CODE = "principal"
# 首席技师 (人社部发〔2022〕14号, the top of the 新八级工 ladder) is an appointment
# (评聘: Zhejiang (七) "做好特级技师和首席技师评聘工作"; Lianyungang (三)2
# "实施特级技师、首席技师评聘"), and the coding rules number certificates up to 特级技师
# only: jineng records the appointment and issues no numbered certificate for it
# (services/issuance.py).
UNNUMBERED_LEVEL_CODES = frozenset({"chief"})
DIGIT_OF_LEVEL: dict[str, str] = {code: digit for digit, code in LEVEL_DIGITS.items()}

# GB/T 2260 province-level codes (first two digits), 港澳台 included.
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15",
    "21", "22", "23",
    "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46",
    "50", "51", "52", "53", "54",
    "61", "62", "63", "64", "65",
    "71", "81", "82",
})

# The coding rule took effect in 2019: a skill-level number's year is 19 or later.
FIRST_YEAR = 19

LENGTH = 22
PREFIX_LENGTH = 16
SEQUENCE_DIGITS = 6
MAX_SEQUENCE = 10 ** SEQUENCE_DIGITS - 1

LEGACY_LENGTHS = (16, 13)

# Parts (NumberProblem.part).
WHOLE = "number"
CATEGORY = "category"
EVALUATOR = "evaluator_code"
PROVINCE = "province"
SITE = "site_code"
YEAR = "year"
LEVEL = "level"
SEQUENCE = "sequence"
PATTERN = "pattern"

# Codes (NumberProblem.code).
EMPTY = "empty"
BAD_LENGTH = "bad_length"
BAD_CHARACTERS = "bad_characters"  # a character outside the layout (e.g. a letter in digits)
BAD_CATEGORY = "bad_category"
BAD_PROVINCE = "bad_province"
BAD_YEAR = "bad_year"
BAD_LEVEL = "bad_level"
BAD_SEQUENCE = "bad_sequence"  # 000000, or beyond the digits
BAD_CODE = "bad_code"  # an evaluator or site code of the wrong shape
LEGACY_NOT_ALLOWED = "legacy_not_allowed"  # a legacy number where a current one is required
BAD_PATTERN = "bad_pattern"  # the pattern itself is malformed
NO_MATCH = "no_match"  # the number does not follow the pattern
MISSING_VALUE = "missing_value"  # a placeholder without a value when building
UNKNOWN_KIND = "unknown_kind"


@dataclass(frozen=True)
class NumberProblem:
    code: str
    part: str = WHOLE


class NumberingError(ValueError):
    """A number cannot be built from these values (the builders raise it)."""

    def __init__(self, problem: NumberProblem) -> None:
        super().__init__(f"{problem.part}: {problem.code}")
        self.problem = problem


@dataclass(frozen=True)
class SkillLevelNumber:
    """The parts of a skill-level certificate number."""

    category: str  # Y or S
    evaluator_code: str  # 4 digits; PROVINCE_FILED_EVALUATOR_CODE for a province-filed one
    province: str  # 2 digits
    site_code: str  # 6 digits
    year: int  # 4 digits (2019…)
    level_code: str  # registry SkillLevel code
    sequence: int
    top_level: bool  # the two-letter 特级技师 layout

    @property
    def filed_with_province(self) -> bool:
        return self.evaluator_code == PROVINCE_FILED_EVALUATOR_CODE

    @property
    def prefix(self) -> str:
        return skill_level_prefix(
            category=self.category, evaluator_code=self.evaluator_code,
            province=self.province, site_code=self.site_code, year=self.year,
            level_code=self.level_code)


@dataclass(frozen=True)
class LegacyNumber:
    """A 职业资格证书 number (16 digits; or 13, whose parts are not known)."""

    number: str
    level_code: str | None  # from the 11th digit of a 16-digit number


def normalize(number: str) -> str:
    """The number as stored: surrounding blanks dropped, letters in capitals, full-width
    characters (as typed with a Chinese input method) folded to ASCII."""
    folded = "".join(
        chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch for ch in (number or ""))
    return folded.strip().upper()


def _digits(value: str, count: int) -> bool:
    return len(value) == count and value.isascii() and value.isdigit()


# ---- skill-level numbers -------------------------------------------------------------------

def _fail(code: str, part: str) -> NumberingError:
    return NumberingError(NumberProblem(code, part))


def skill_level_prefix(*, category: str, evaluator_code: str | None, province: str,
                       site_code: str, year: int, level_code: str) -> str:
    """Positions 1–16 of a skill-level number (the key of its sequence). `evaluator_code`
    empty or None: an evaluator filed with a province. `year`: 4 digits (or 2).
    `level_code`: a registry SkillLevel code (grade5…grade1, or principal for 特级技师)."""
    if category not in CATEGORY_LETTERS:
        raise _fail(BAD_CATEGORY, CATEGORY)
    code = evaluator_code or PROVINCE_FILED_EVALUATOR_CODE
    if not _digits(code, 4):
        raise _fail(BAD_CODE, EVALUATOR)
    if province not in PROVINCE_CODES:
        raise _fail(BAD_PROVINCE, PROVINCE)
    if not _digits(site_code, 6):
        raise _fail(BAD_CODE, SITE)
    if not isinstance(year, int) or isinstance(year, bool):
        raise _fail(BAD_YEAR, YEAR)
    yy = year % 100 if year >= 100 else year
    if year >= 100 and not 2000 + FIRST_YEAR <= year <= 2099:
        raise _fail(BAD_YEAR, YEAR)
    if not FIRST_YEAR <= yy <= 99:
        raise _fail(BAD_YEAR, YEAR)
    if level_code == TOP_LEVEL_CODE:
        level = TOP_LEVEL_LETTER
    elif level_code in DIGIT_OF_LEVEL:
        level = DIGIT_OF_LEVEL[level_code]
    else:
        raise _fail(BAD_LEVEL, LEVEL)
    return f"{category}{code}{province}{site_code}{yy:02d}{level}"


def skill_level_number(prefix: str, seq: int) -> str:
    """The whole number: the prefix and the sequence in 6 digits (1…999999)."""
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq <= MAX_SEQUENCE:
        raise _fail(BAD_SEQUENCE, SEQUENCE)
    number = f"{prefix}{seq:0{SEQUENCE_DIGITS}d}"
    parsed = parse_skill_level_number(number)
    if isinstance(parsed, NumberProblem):
        raise NumberingError(parsed)
    return number


def parse_skill_level_number(s: str) -> SkillLevelNumber | NumberProblem:
    """The parts of a skill-level number, or the first problem found (normalize() first if the
    number was typed)."""
    if not s:
        return NumberProblem(EMPTY)
    if len(s) != LENGTH:
        return NumberProblem(BAD_LENGTH)
    category = s[0]
    if category not in CATEGORY_LETTERS:
        return NumberProblem(BAD_CATEGORY, CATEGORY)
    evaluator, province, site = s[1:5], s[5:7], s[7:13]
    year, level, seq = s[13:15], s[15], s[16:22]
    if not _digits(evaluator, 4):
        return NumberProblem(BAD_CHARACTERS, EVALUATOR)
    if not _digits(province, 2):
        return NumberProblem(BAD_CHARACTERS, PROVINCE)
    if province not in PROVINCE_CODES:
        return NumberProblem(BAD_PROVINCE, PROVINCE)
    if not _digits(site, 6):
        return NumberProblem(BAD_CHARACTERS, SITE)
    if not _digits(year, 2):
        return NumberProblem(BAD_CHARACTERS, YEAR)
    if int(year) < FIRST_YEAR:
        return NumberProblem(BAD_YEAR, YEAR)
    if level == TOP_LEVEL_LETTER:
        level_code, top = TOP_LEVEL_CODE, True
    elif level in LEVEL_DIGITS:
        level_code, top = LEVEL_DIGITS[level], False
    else:
        return NumberProblem(BAD_LEVEL, LEVEL)
    if not _digits(seq, SEQUENCE_DIGITS):
        return NumberProblem(BAD_CHARACTERS, SEQUENCE)
    if int(seq) == 0:
        return NumberProblem(BAD_SEQUENCE, SEQUENCE)
    return SkillLevelNumber(
        category=category, evaluator_code=evaluator, province=province, site_code=site,
        year=2000 + int(year), level_code=level_code, sequence=int(seq), top_level=top)


# ---- legacy 职业资格证书 numbers --------------------------------------------------------------

LEGACY_INSTITUTION_KINDS = "01234"


def parse_legacy_number(s: str) -> LegacyNumber | NumberProblem:
    if not s:
        return NumberProblem(EMPTY)
    if len(s) not in LEGACY_LENGTHS:
        return NumberProblem(BAD_LENGTH)
    if not (s.isascii() and s.isdigit()):
        return NumberProblem(BAD_CHARACTERS)
    if len(s) == 13:
        return LegacyNumber(number=s, level_code=None)
    if s[6] not in LEGACY_INSTITUTION_KINDS:
        return NumberProblem(BAD_CODE, EVALUATOR)
    if s[10] not in LEVEL_DIGITS:
        return NumberProblem(BAD_LEVEL, LEVEL)
    return LegacyNumber(number=s, level_code=LEVEL_DIGITS[s[10]])


def is_legacy_shape(s: str) -> bool:
    return len(s) in LEGACY_LENGTHS and s.isascii() and s.isdigit()


# ---- patterns (special-ability, training, entrepreneurship) ---------------------------------

_PLACEHOLDER = re.compile(r"\{([a-z0-9]+)(?::(\d{1,2}))?\}")
_LITERAL = re.compile(r"[A-Z0-9-]*")
# placeholder -> fixed width (None: the width is given in the pattern, {name:N})
PLACEHOLDERS: dict[str, int | None] = {
    "province": 2, "region": 6, "year": 2, "year4": 4, "site": None, "seq": None,
}
MAX_PATTERN_LENGTH = 40  # Certificate.number's max_length

DEFAULT_PATTERNS: dict[str, str] = {
    # jineng's defaults where a province configured none: a kind letter, the issuing region,
    # the year and a 7-digit sequence per region and year.
    SPECIAL_ABILITY: "Z{region}{year}{seq:7}",
    TRAINING: "P{region}{year}{seq:7}",
    ENTREPRENEURSHIP: "C{region}{year}{seq:7}",
}

# Numbers recorded from elsewhere whose layout we do not know (a special-ability certificate
# of another province, a special-operation certificate of 应急管理部门 — the holder's ID number
# with a T or a letter — …): capitals, digits and '-', 6 to 40 characters.
_FREE_FORM = re.compile(r"[A-Z0-9][A-Z0-9-]{4,38}[A-Z0-9]")


@dataclass(frozen=True)
class NumberPattern:
    """A compiled per-province pattern."""

    source: str
    parts: tuple[tuple[str, str | int], ...]  # ("lit", text) | (name, width)

    @property
    def length(self) -> int:
        return sum(len(v) if k == "lit" else v for k, v in self.parts)  # type: ignore[arg-type]

    @property
    def regex(self) -> re.Pattern[str]:
        out = []
        for kind, value in self.parts:
            if kind == "lit":
                out.append(re.escape(str(value)))
            else:
                out.append(f"(?P<{kind}>\\d{{{value}}})")
        return re.compile("".join(out))

    def values_of(self, number: str) -> dict[str, str] | None:
        """The placeholders' values in a number that follows the pattern, else None."""
        match = self.regex.fullmatch(number)
        if match is None:
            return None
        values = match.groupdict()
        if int(values["seq"]) == 0:
            return None
        if "province" in values and values["province"] not in PROVINCE_CODES:
            return None
        if "region" in values and values["region"][:2] not in PROVINCE_CODES:
            return None
        return values

    def sequence_key(self, values: Mapping[str, str | int]) -> str:
        """The pattern rendered with every value but the sequence: the key of the numbers'
        sequence (CertificateSequence.prefix)."""
        return "".join(
            "{seq}" if kind == "seq" else (str(value) if kind == "lit"
                                           else _render(kind, value, values))  # type: ignore[arg-type]
            for kind, value in self.parts)

    def build(self, values: Mapping[str, str | int], seq: int) -> str:
        width = {k: v for k, v in self.parts if k == "seq"}["seq"]
        if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq < 10 ** int(width):
            raise _fail(BAD_SEQUENCE, SEQUENCE)
        number = self.sequence_key(values).replace("{seq}", f"{seq:0{width}d}")
        if self.values_of(number) is None:
            raise _fail(NO_MATCH, PATTERN)
        return number


def _render(name: str, width: int, values: Mapping[str, str | int]) -> str:
    if name not in values or values[name] in (None, ""):
        raise _fail(MISSING_VALUE, name)
    value = values[name]
    if name in ("year", "year4"):
        if not isinstance(value, int):
            raise _fail(BAD_YEAR, YEAR)
        value = value % 100 if name == "year" else value
    text = f"{value:0{width}d}" if isinstance(value, int) else str(value)
    if not _digits(text, width):
        raise _fail(BAD_CODE, name)
    return text


def compile_pattern(source: str) -> NumberPattern | NumberProblem:
    """Compile a pattern such as "ZX{province}{year}{seq:6}"; a problem if malformed:
    unknown placeholder, a {site}/{seq} without width, other than one {seq}, literal
    characters other than capitals, digits and '-', longer than a number may be."""
    if not source:
        return NumberProblem(EMPTY, PATTERN)
    parts: list[tuple[str, str | int]] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(source):
        literal = source[pos:match.start()]
        if literal:
            if not _LITERAL.fullmatch(literal):
                return NumberProblem(BAD_PATTERN, PATTERN)
            parts.append(("lit", literal))
        name, width = match.group(1), match.group(2)
        if name not in PLACEHOLDERS:
            return NumberProblem(BAD_PATTERN, PATTERN)
        fixed = PLACEHOLDERS[name]
        if fixed is None:
            if width is None or not 1 <= int(width) <= 12:
                return NumberProblem(BAD_PATTERN, PATTERN)
            parts.append((name, int(width)))
        else:
            if width is not None and int(width) != fixed:
                return NumberProblem(BAD_PATTERN, PATTERN)
            parts.append((name, fixed))
        pos = match.end()
    tail = source[pos:]
    if tail:
        if not _LITERAL.fullmatch(tail):
            return NumberProblem(BAD_PATTERN, PATTERN)
        parts.append(("lit", tail))
    names = [k for k, _ in parts if k != "lit"]
    if names.count("seq") != 1 or len(names) != len(set(names)):
        return NumberProblem(BAD_PATTERN, PATTERN)
    pattern = NumberPattern(source=source, parts=tuple(parts))
    if pattern.length > MAX_PATTERN_LENGTH:
        return NumberProblem(BAD_PATTERN, PATTERN)
    return pattern


def pattern_for(kind: str, province: str | None = None,
                configured: Mapping[str, Mapping[str, str]] | None = None) -> NumberPattern:
    """The pattern of `kind` in `province`: the province's configured one (configured:
    {province code: {kind: pattern}}), else DEFAULT_PATTERNS. A malformed configured pattern
    raises (a configuration error, not bad input)."""
    if kind not in PATTERN_KINDS:
        raise _fail(UNKNOWN_KIND, WHOLE)
    source = ((configured or {}).get(province or "", {}) or {}).get(kind) \
        or DEFAULT_PATTERNS[kind]
    compiled = compile_pattern(source)
    if isinstance(compiled, NumberProblem):
        raise NumberingError(compiled)
    return compiled


# ---- validation -----------------------------------------------------------------------------

def validate_number(kind: str, number: str, *, legacy_ok: bool = False,
                    pattern: NumberPattern | None = None) -> NumberProblem | None:
    """None if `number` (normalized) is a well-formed number of `kind`, else the problem.

    skill_level: the 22-character layout (either form); with legacy_ok (certificates recorded
    from elsewhere) a legacy 16- or 13-digit number too. qualification: a legacy number (always
    recorded). special_ability / training / entrepreneurship: the given pattern (numbers issued
    here, or a known province's); without one, the free form of a recorded number.
    special_operation: the free form."""
    if not number:
        return NumberProblem(EMPTY)
    if kind == SKILL_LEVEL:
        if is_legacy_shape(number):
            if not legacy_ok:
                return NumberProblem(LEGACY_NOT_ALLOWED)
            parsed_legacy = parse_legacy_number(number)
            return parsed_legacy if isinstance(parsed_legacy, NumberProblem) else None
        parsed = parse_skill_level_number(number)
        return parsed if isinstance(parsed, NumberProblem) else None
    if kind == QUALIFICATION:
        parsed_legacy = parse_legacy_number(number)
        return parsed_legacy if isinstance(parsed_legacy, NumberProblem) else None
    if kind in PATTERN_KINDS:
        if pattern is not None:
            return None if pattern.values_of(number) is not None \
                else NumberProblem(NO_MATCH, PATTERN)
        return None if _FREE_FORM.fullmatch(number) else NumberProblem(BAD_CHARACTERS)
    if kind == SPECIAL_OPERATION:
        return None if _FREE_FORM.fullmatch(number) else NumberProblem(BAD_CHARACTERS)
    return NumberProblem(UNKNOWN_KIND)


__all__ = [
    "CATEGORY_LETTERS", "DEFAULT_PATTERNS", "LEVEL_DIGITS", "PROVINCE_CODES",
    "PROVINCE_FILED_EVALUATOR_CODE", "TOP_LEVEL_CODE", "TOP_LEVEL_LETTER",
    "LegacyNumber", "NumberPattern", "NumberProblem", "NumberingError", "SkillLevelNumber",
    "compile_pattern", "normalize", "parse_legacy_number", "parse_skill_level_number",
    "pattern_for", "skill_level_number", "skill_level_prefix", "validate_number",
]
