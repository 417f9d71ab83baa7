"""The two catalog questions a declaration asks, through the catalog app's selectors:

- the subsidy standard in force on a day (required hours, minimum attendance share, version);
- whether an institution is listed for an occupation and level at a site on a day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Standard:
    entry_id: int | None
    version_id: int | None
    required_hours: Decimal
    min_attendance_share: Decimal
    amount: Decimal | None = None


def subsidy_standard(occupation, level, region, training_type: str,
                     day: dt.date) -> Standard | None:
    from jineng.catalog import selectors as catalog

    found = catalog.subsidy_standard_as_of(occupation, level, region, training_type, day)
    if not found:
        return None
    if isinstance(found, tuple):
        entry, version_id = found[0], found[1]
    else:
        entry = getattr(found, "entry", found)
        version_id = getattr(found, "version_id", None)
    if version_id is None:
        version_id = getattr(entry, "version_id", None)
    return Standard(entry_id=getattr(entry, "pk", None), version_id=version_id,
                    required_hours=Decimal(entry.required_hours),
                    min_attendance_share=Decimal(entry.min_attendance_share),
                    amount=getattr(entry, "amount", None))


def institution_listed(organization, occupation, level, site, day: dt.date):
    """Truthy when listed; otherwise its `message` says why not (catalog.selectors.Listing)."""
    from jineng.catalog import selectors as catalog

    return catalog.institution_listed_as_of(organization, occupation, level, site, day)
