"""Validators for national identifiers. Pure functions; each error names what is wrong.

- Resident ID number, GB 11643-1999: 17 digits + check character (ISO 7064 MOD 11-2).
- Unified social credit code, GB 32100-2015: 18 characters + check character (MOD 31).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")

# GB 32100-2015 character set: digits and upper-case letters except I, O, Z, S, V.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# First character: registration authority; second: organization category (GB 32100 table 1).
CREDIT_AUTHORITY_CATEGORIES = {
    "1": "1239",  # 机构编制
    "2": "19",  # 外交
    "3": "12345679",  # 司法行政 etc.
    "4": "19",  # 文化
    "5": "1239",  # 民政
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "129",  # 工会
    "9": "123",  # 工商 (enterprises, individual businesses, farmer cooperatives)
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业
    "Y": "1",  # 其他
}


class InvalidIdentifier(ValueError):
    """A malformed identifier; `field` says which input, `code` is a stable machine reason."""

    def __init__(self, message: str, code: str, field: str = "id_number") -> None:
        super().__init__(message)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: dt.date
    gender: str  # "M" or "F": odd 17th digit is male (GB 11643)


def id_check_character(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def normalize_identifier(raw: str | None) -> str:
    """Strip, fold full-width characters typed with a Chinese input method (`１２Ｘ` → `12X`)
    and upper-case. Only ASCII survives the later shape checks."""
    return unicodedata.normalize("NFKC", raw or "").strip().upper()


def parse_resident_id(raw: str, *, today: dt.date | None = None) -> ResidentId:
    """Validate a GB 11643 ID number and derive birth date and gender from it."""
    value = normalize_identifier(raw)
    if len(value) != 18:
        raise InvalidIdentifier(_("ID number must have 18 characters."), "length")
    if not _ID_SHAPE.fullmatch(value):
        raise InvalidIdentifier(
            _("ID number must be 17 digits followed by a digit or X."), "characters"
        )
    if id_check_character(value[:17]) != value[17]:
        raise InvalidIdentifier(_("ID number check digit does not match."), "check_digit")
    # Messages never repeat the digits: they may end up in import reports and logs.
    digits = value[6:14]
    try:
        birth = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise InvalidIdentifier(
            _("The birth date in the ID number is not a real calendar date."), "birth_date"
        ) from None
    today = today or dt.date.today()
    if birth > today:
        raise InvalidIdentifier(_("The birth date in the ID number is in the future."),
                                "birth_date")
    if birth.year < 1900:
        raise InvalidIdentifier(_("The birth date in the ID number is before 1900."),
                                "birth_date")
    gender = "M" if int(value[16]) % 2 == 1 else "F"
    return ResidentId(number=value, region_code=value[:6], birth_date=birth, gender=gender)


def is_resident_id(raw: str) -> bool:
    """Whether a text is a whole, valid resident ID number (e.g. a search box's content)."""
    try:
        parse_resident_id(raw)
    except InvalidIdentifier:
        return False
    return True


def make_resident_id(region_code: str, birth: dt.date, sequence: int) -> str:
    """Build a valid ID number (for demo data and tests): sequence 0–999, odd is male."""
    if len(region_code) != 6 or not region_code.isascii() or not region_code.isdigit():
        raise ValueError(f"Region code must be 6 digits, not {region_code!r}.")
    if not 0 <= sequence <= 999:
        raise ValueError(f"Sequence must be 0–999, not {sequence}.")
    first17 = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


def credit_check_character(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


@dataclass(frozen=True)
class CreditCode:
    code: str
    check_ok: bool
    region_code: str


def parse_credit_code(raw: str) -> CreditCode:
    """Validate structure of a unified social credit code; a wrong check character is reported
    as `check_ok=False` (staff may accept it with a reason: some early pilot codes fail it)."""
    value = normalize_identifier(raw)
    if len(value) != 18:
        raise InvalidIdentifier(
            _("Unified social credit code must have 18 characters."), "length", "credit_code"
        )
    bad = [c for c in value if c not in CREDIT_ALPHABET]
    if bad:
        raise InvalidIdentifier(
            _("Unified social credit code contains invalid characters: %(chars)s")
            % {"chars": "".join(sorted(set(bad)))},
            "characters",
            "credit_code",
        )
    categories = CREDIT_AUTHORITY_CATEGORIES.get(value[0])
    if categories is None or value[1] not in categories:
        raise InvalidIdentifier(
            _("Unified social credit code has an unknown registration authority or category."),
            "authority",
            "credit_code",
        )
    if not value[2:8].isdigit():
        raise InvalidIdentifier(
            _("Unified social credit code must carry a 6-digit region code."),
            "region",
            "credit_code",
        )
    return CreditCode(
        code=value, check_ok=credit_check_character(value[:17]) == value[17],
        region_code=value[2:8],
    )


def make_credit_code(authority_category: str, region_code: str, org_code8: str) -> str:
    """Build a valid credit code: 2 chars + 6-digit region + 9-char organization code body."""
    body = f"{authority_category}{region_code}{org_code8}"
    if len(body) != 16 or any(c not in CREDIT_ALPHABET for c in body):
        raise ValueError(f"Cannot build a credit code from {body!r}.")
    # The organization code (GB 11714) has its own check character at position 17.
    body17 = body + _gb11714_check(org_code8)
    return body17 + credit_check_character(body17)


def _gb11714_check(code8: str) -> str:
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(code8, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))
