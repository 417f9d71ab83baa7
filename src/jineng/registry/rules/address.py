"""Pure rule (no Django): a residence address reduced to the key that links people living at
the same address (the supervision ring rule, R08, compares keyed hashes of these keys).

The key is the address in Unicode NFKC form (full-width letters, digits and punctuation become
half-width, the ideographic space a space), Latin letters case-folded, with every whitespace,
punctuation and symbol character removed. Chinese numerals are kept as they are: "三单元" and
"3单元" are different keys (guessing that they mean the same would link strangers). A key
shorter than MIN_LINKABLE characters ("贵阳", "南明区1号") is too generic to link anyone and
is answered as "" (not linked)."""

from __future__ import annotations

import unicodedata

MIN_LINKABLE = 6

# Unicode general categories dropped from the key: punctuation (P*), symbols (S*), separators
# (Z*: spaces) and control / format characters (C*).
_DROPPED = ("P", "S", "Z", "C")


class _Kept(dict):
    """A `str.translate` table filled as characters are first seen: a dropped character maps
    to None, a kept one to itself. A million addresses are normalised by the ring rule's scan;
    the character-by-character loop this replaces took four times as long."""

    def __missing__(self, code: int) -> int | None:
        ch = chr(code)
        kept = None if ch.isspace() or unicodedata.category(ch)[0] in _DROPPED else code
        self[code] = kept
        return kept


_KEPT = _Kept()


def normalise_address(address: str | None) -> str:
    """The address as compared: NFKC, case-folded, without whitespace, punctuation or
    symbols."""
    return unicodedata.normalize("NFKC", address or "").casefold().translate(_KEPT)


def address_key(address: str | None) -> str:
    """The key two people sharing an address share; "" for an address too short (after
    normalising) to be linked."""
    key = normalise_address(address)
    return key if len(key) >= MIN_LINKABLE else ""
