"""Pure checks of one imported row's values (social-insurance records and business
registrations). No Django: each check answers a parsed value or raises `Bad` with a stable
code; the services turn the code into a translated message naming the field.

They run once per row of files with millions of rows, so they are plain string work with no
regular expressions or object construction on the hot path; the callers cache the per-person
and per-employer work (ID number checks, keyed hashes) by the text as given."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal, InvalidOperation

EARLIEST_MONTH = (1990, 1)  # contribution records before 1990 are not imported
# A monthly contribution wage base above this is a typing error (the highest provincial caps
# are about 3× the average wage, some 40,000 yuan a month in 2025).
MAX_WAGE_BASE = Decimal("100000")

TRUE_WORDS = frozenset({"1", "Y", "YES", "T", "TRUE", "是", "有", "参保", "√", "✓", "✔"})
FALSE_WORDS = frozenset({"", "0", "N", "NO", "F", "FALSE", "否", "无", "未参保", "×", "✗"})


class Bad(ValueError):
    """A value that fails its check; `code` is stable (the services map it to a message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalize(raw: str) -> str:
    """Trim and fold full-width characters (`１２Ｘ` → `12X`) only when needed: most cells are
    ASCII already."""
    value = raw.strip()
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value).strip()
    return value.upper()


def month_index(year: int, month: int) -> int:
    return year * 12 + (month - 1)


def parse_month(raw: str, *, latest: tuple[int, int]) -> dt.date:
    """`2025-03`, `2025/3`, `202503` or a date `2025-03-01` → the first day of the month;
    from EARLIEST_MONTH to `latest` (the current month) inclusive."""
    value = raw.strip()
    if len(value) == 6 and value.isdigit():
        year, month = int(value[:4]), int(value[4:])
    else:
        parts = value.replace("/", "-").replace(".", "-").split("-")
        if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
            raise Bad("month_format")
        year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12:
        raise Bad("month_format")
    if (year, month) < EARLIEST_MONTH:
        raise Bad("month_too_early")
    if (year, month) > latest:
        raise Bad("month_future")
    return dt.date(year, month, 1)


def parse_date(raw: str) -> dt.date:
    """`2025-03-07`, `2025/3/7` or `20250307`."""
    value = raw.strip()[:10]
    try:
        if len(value) == 8 and value.isdigit():
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        parts = value.replace("/", "-").replace(".", "-").split("-")
        if len(parts) != 3:
            raise Bad("date_format")
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise Bad("date_format") from None


def parse_wage(raw: str) -> Decimal:
    """Yuan with at most two decimals (thousands separators allowed), 0 < base ≤ MAX_WAGE_BASE."""
    value = raw.strip().replace(",", "").replace("，", "")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise Bad("wage_format") from None
    if not amount.is_finite():
        raise Bad("wage_format")
    if amount <= 0:
        raise Bad("wage_not_positive")
    if amount > MAX_WAGE_BASE:
        raise Bad("wage_too_high")
    if amount != amount.quantize(Decimal("0.01")):
        raise Bad("wage_format")
    return amount.quantize(Decimal("0.01"))


def parse_flag(raw: str) -> bool:
    value = raw.strip().upper()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    value = normalize(raw)
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise Bad("flag_format")


def upgrade_id15(value: str, check_character) -> str:
    """An old 15-digit ID number (GB 11643-1989: 6-digit region, 6-digit birth date without
    the century, 3-digit sequence) as its 18-digit form: the century "19" inserted and the
    check character (`check_character(first17)`, core.validators) appended."""
    first17 = value[:6] + "19" + value[6:]
    return first17 + check_character(first17)


def id_shape(value: str) -> str:
    """"empty", "id15" (15 digits), "id18" (17 digits and a digit or X) or "other"."""
    if not value:
        return "empty"
    if len(value) == 15 and value.isdigit():
        return "id15"
    if len(value) == 18 and value[:17].isdigit() and (value[17].isdigit() or value[17] == "X"):
        return "id18"
    return "other"


def birth_date_in_id(value: str) -> dt.date | None:
    """The birth date carried by digits 7–14 of a (possibly broken) 18-digit ID number, when
    they make a real date between 1900 and today."""
    digits = value[6:14]
    if len(value) != 18 or not digits.isdigit():
        return None
    try:
        born = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
    return born if dt.date(1900, 1, 1) <= born <= dt.date.today() else None


def region_importable(code: str, level: str, importer_prefix: str) -> str | None:
    """Why a region cannot be a record's employer region, or None: it must be a county (or a
    town or village below one) inside the importer's own region."""
    if level not in ("county", "town", "village"):
        return "region_not_county"
    if not code.startswith(importer_prefix):
        return "region_outside"
    return None
