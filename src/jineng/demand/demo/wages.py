"""Demo data of the demand app: wages. Wage guidance of last year in the demo province's
cities, computed by the demo `province` login and published:

- from the outcomes demo's social-insurance contribution records (`wage_guidance_from_records`:
  persons whose occupation and level a skill-level certificate names) when they give at least
  one cell that is not suppressed;
- else (no records, or every cell too small) from SYNTHETIC contribution months for the demo
  occupations (log-normal-like wages by level; some small cells, which are suppressed) through
  `wage_guidance_compute`, the service the records feed too.

The demo's certificates are mostly of this year, so last year's records rarely make a cell;
this year's months so far are computed from the records too, left unpublished for the
`province` login to see (and publish once the year is complete)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.contrib.auth import get_user_model

from jineng.core.errors import DomainError
from jineng.demand.demo.forecasts import DEMO_OCCUPATIONS
from jineng.demand.services import wages as services
from jineng.registry.choices import RegionLevel
from jineng.registry.models import Occupation, Region, SkillLevel

LEVEL_BASE = {"grade5": 3600, "grade4": 4300, "grade3": 5200, "grade2": 6500}


def build(*, rng, today, anchors, scale: str) -> dict:
    """Build this area's demo rows; returns counts (and optional "blocks")."""
    actor = get_user_model().objects.filter(username="province", is_active=True).first()
    if actor is None:
        return {"wage_cells": 0}
    year = today.year - 1
    summary = _from_records(actor, year)
    if summary is not None and summary["cells"] > summary["suppressed"]:
        services.wage_guidance_publish(actor=actor, year=year)
        counts = {"wage_cells": summary["cells"], "wage_cells_suppressed": summary["suppressed"],
                  "wage_cells_from_records": summary["cells"]}
    else:
        counts = _synthetic(rng=rng, actor=actor, year=year)
    # This year so far, from the records (the demo's certificates are mostly of this year):
    # computed for HRSS staff to see, not published (a year is published once complete).
    current = _from_records(actor, today.year) if today.month > 1 else None
    counts["wage_cells_this_year_from_records"] = current["cells"] if current else 0
    return counts


def _from_records(actor, year: int) -> dict | None:
    try:
        return services.wage_guidance_from_records(actor=actor, year=year)
    except DomainError:  # no records of the year (the outcomes demo did not run)
        return None


def _synthetic(*, rng, actor, year: int) -> dict:
    """Cells from synthetic contribution months (they replace the records' cells of the same
    cities)."""
    cities = list(Region.objects.filter(level=RegionLevel.CITY, code__startswith="52")
                  .order_by("code")[:4])
    occupations = list(Occupation.objects.filter(code__in=DEMO_OCCUPATIONS))
    levels = {lv.code: lv.pk for lv in SkillLevel.objects.filter(code__in=LEVEL_BASE)}
    rows = []
    for city in cities:
        for occ in occupations:
            for code, base in LEVEL_BASE.items():
                if code not in levels:
                    continue
                people = rng.choice((4, 8, 15, 25, 40))
                for p in range(people):
                    wage = base * math.exp(rng.gauss(0, 0.25))
                    for month in rng.sample(range(1, 13), rng.randint(3, 12)):
                        rows.append(services.WageRow(
                            person=f"demo-{city.code}-{occ.pk}-{code}-{p}",
                            occupation_id=occ.pk, level_id=levels[code], city_id=city.pk,
                            month=dt.date(year, month, 1),
                            wage=Decimal(round(wage * rng.uniform(0.95, 1.05)))))
    if not rows:
        return {"wage_cells": 0}
    summary = services.wage_guidance_compute(actor=actor, year=year, rows=rows,
                                             source="演示数据（合成）")
    services.wage_guidance_publish(actor=actor, year=year)
    return {"wage_cells": summary["cells"], "wage_cells_suppressed": summary["suppressed"],
            "wage_cells_from_records": 0}
