"""Pure rules about identities (no Django): which region an ID number points to, and the
18-character form of an old 15-digit number."""

from __future__ import annotations

import unicodedata
from collections.abc import Container


def id_region_candidates(region_code6: str) -> list[str]:
    """Most specific first: county, city, province codes an ID prefix may belong to."""
    return [region_code6, region_code6[:4] + "00", region_code6[:2] + "0000"]


def known_id_region(region_code6: str, known_codes: Container[str]) -> str | None:
    """The most specific known region for an ID number's prefix, or None if even its province
    is unknown. Old ID numbers keep codes of counties since merged, so the county may be gone
    while the province is not."""
    for code in id_region_candidates(region_code6):
        if code in known_codes:
            return code
    return None


# GB 11643-1999 check character (ISO 7064 MOD 11-2). core.validators has the same table; the
# rule is repeated here so rules/ stays free of Django, and a property test keeps them equal.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_character(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_number_18(raw: str | None) -> str:
    """The 18-character form of a resident ID number. A first-generation 15-digit number
    (GB 11643-1989: 6-digit region, YYMMDD, 3-digit sequence, no check character) gets "19"
    before its year and the computed check character: the conversion GB 11643-1999 defines,
    and the one public-security systems used when the 18-character numbers were issued (every
    15-digit holder was born in the 1900s). Anything else is returned trimmed, full-width
    characters folded and upper-cased, for the 18-character checks to judge."""
    value = unicodedata.normalize("NFKC", raw or "").strip().upper()
    if len(value) == 15 and value.isascii() and value.isdigit():
        first17 = value[:6] + "19" + value[6:]
        return first17 + check_character(first17)
    return value
