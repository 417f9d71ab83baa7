"""Pure rules about identities (no Django): which region an ID number points to."""

from __future__ import annotations

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
