"""Writes of the demand app: wage guidance (工资指导价位). One transaction each, audited.

Cells (occupation × level × city × year, plus an all-levels cell per occupation × city) are
computed from rows (person, occupation, level, city, month, monthly wage base) by the pure
rules of `rules.wages` (nearest-rank P10/P50/P90, one value per person, suppression below
`min_people`). The rows come from an iterable source:

- the outcomes app's social-insurance contribution months, once that app exists (its selector
  yields `WageRow`s; `wage_guidance_compute` takes any iterable);
- in the meantime, a CSV or Excel file of published wage-survey rows (`wage_rows_import`),
  checked row by row with a per-row report.

Computed cells are unpublished (staff of the region see them); `wage_guidance_publish` publishes
a year's cells of the actor's region, after which they are read by everyone and not recomputed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.importing import Column, ImportReport, RowInvalid, run_import
from jineng.core.models import AuditAction
from jineng.core.tabular import Row
from jineng.demand.models import WageGuidance
from jineng.demand.rules import wages as rules
from jineng.outcomes.selectors import labour_market
from jineng.registry.choices import RegionLevel
from jineng.registry.models import Occupation, Region, SkillLevel

__all__ = [
    "WAGE_COLUMNS",
    "WageRow",
    "wage_guidance_compute",
    "wage_guidance_from_records",
    "wage_guidance_publish",
    "wage_rows_import",
]

WAGE_MIN, WAGE_MAX = Decimal("1"), Decimal("1000000")
SOURCE_MAX = 200
MONTH = re.compile(r"^(\d{4})-?(\d{1,2})$")


@dataclass(frozen=True)
class WageRow:
    """One person's contribution month: `person` is any stable pseudonymous key of the source
    (never an ID number in the clear); `month` is its first day."""

    person: str
    occupation_id: int
    level_id: int | None
    city_id: int
    month: dt.date
    wage: Decimal


def _check_staff(actor) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise NotFound()
    if not (actor.is_hrss_staff or actor.scope.everything):
        raise Forbidden(_("Only HRSS staff compute and publish wage guidance."))


def _check_year(year) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise DomainError(_("The year must be between 2000 and 2100."), field="year")
    return year


def _check_min_people(min_people) -> int:
    if not isinstance(min_people, int) or isinstance(min_people, bool) or not (
            3 <= min_people <= 1000):
        raise DomainError(_("The suppression threshold must be 3 to 1,000 people."),
                          field="min_people")
    return min_people


def wage_guidance_compute(*, actor, year: int, rows: Iterable[WageRow], source: str,
                          min_people: int = rules.DEFAULT_MIN_PEOPLE) -> dict[str, int]:
    """Compute the year's cells from `rows` and store them unpublished, replacing unpublished
    cells of the same cities. Months outside the year are refused; the same person-month of a
    cell counts once, and with a different wage it is a conflict."""
    _check_staff(actor)
    year = _check_year(year)
    min_people = _check_min_people(min_people)
    source = (source or "").strip()
    if not source or len(source) > SOURCE_MAX:
        raise DomainError(_("Name the source (at most %(n)s characters).") % {"n": SOURCE_MAX},
                          field="source")
    prefix = actor.scope.region_prefix if not actor.scope.everything else ""
    months: dict[tuple, dict[str, dict[dt.date, Decimal]]] = defaultdict(
        lambda: defaultdict(dict))
    cities: set[int] = set()
    city_codes: dict[int, str] = {}
    for n, row in enumerate(rows, start=1):
        if row.month.year != year:
            raise DomainError(_("Row %(n)s: the month %(month)s is not in %(year)s.")
                              % {"n": n, "month": row.month.strftime("%Y-%m"), "year": year},
                              field="month")
        if not WAGE_MIN <= row.wage <= WAGE_MAX:
            raise DomainError(_("Row %(n)s: the wage must be 1 to 1,000,000 yuan.") % {"n": n},
                              field="wage")
        if row.city_id not in city_codes:
            code = Region.objects.filter(pk=row.city_id).values_list("code", flat=True).first()
            if code is None or (prefix and not code.startswith(prefix)):
                raise DomainError(_("Row %(n)s: the city is outside your region.") % {"n": n},
                                  field="city")
            city_codes[row.city_id] = code
        cities.add(row.city_id)
        for level_id in {row.level_id, None}:
            cell = months[(row.occupation_id, level_id, row.city_id)][row.person]
            seen = cell.get(row.month)
            if seen is not None and seen != row.wage:
                raise Conflict(_("Row %(n)s: the same person and month with another wage.")
                               % {"n": n}, field="wage", code="conflict")
            cell[row.month] = row.wage
    cells = rules.cells_of({key: {p: list(m.values()) for p, m in people.items()}
                            for key, people in months.items()}, min_people)
    with transaction.atomic():
        existing = WageGuidance.objects.select_for_update().filter(year=year, city_id__in=cities)
        if existing.filter(published_at__isnull=False).exists():
            raise Conflict(_("The wage guidance of %(year)s is already published for one of "
                             "these cities.") % {"year": year}, field="year", code="published")
        replaced = existing.count()
        existing.delete()
        WageGuidance.objects.bulk_create([
            WageGuidance(year=year, occupation_id=oid, level_id=lid, city_id=cid,
                         people=c.people, suppressed=c.suppressed, p10=c.p10, p50=c.p50,
                         p90=c.p90, source=source, min_people=min_people)
            for (oid, lid, cid), c in cells.items()], batch_size=500)
        summary = {"year": year, "cells": len(cells), "replaced": replaced,
                   "suppressed": sum(1 for c in cells.values() if c.suppressed),
                   "min_people": min_people, "source": source}
        audit.record(actor=actor, action=AuditAction.CREATE, entity_type="demand.wageguidance",
                     label=f"wage guidance {year}", region_code=prefix, after=summary)
    return summary


def wage_guidance_publish(*, actor, year: int) -> int:
    """Publish the year's computed cells of the actor's region; returns how many."""
    _check_staff(actor)
    year = _check_year(year)
    with transaction.atomic():
        qs = WageGuidance.objects.select_for_update().filter(year=year,
                                                             published_at__isnull=True)
        if not actor.scope.everything:
            qs = qs.filter(city__code__startswith=actor.scope.region_prefix)
        ids = list(qs.values_list("pk", flat=True))
        if not ids:
            raise DomainError(_("There is no computed wage guidance of %(year)s to publish.")
                              % {"year": year}, field="year", code="nothing_to_publish")
        WageGuidance.objects.filter(pk__in=ids).update(published_at=timezone.now())
        audit.record(actor=actor, action=AuditAction.TRANSITION,
                     entity_type="demand.wageguidance", label=f"wage guidance {year}",
                     region_code=getattr(actor.scope, "region_prefix", "") or "",
                     after={"year": year, "published": len(ids)})
    return len(ids)


RECORDS_SOURCE = "社会保险参保缴费记录（按职业技能等级证书确定职业和等级）"


def wage_guidance_from_records(*, actor, year: int,
                               min_people: int = rules.DEFAULT_MIN_PEOPLE) -> dict[str, int]:
    """Compute the year's cells of the actor's region from the social-insurance contribution
    months of persons whose occupation and level are known from a skill-level certificate
    (`outcomes.selectors.labour_market.record_wages`), through `wage_guidance_compute`."""
    _check_staff(actor)
    year = _check_year(year)
    prefix = "" if actor.scope.everything else actor.scope.region_prefix
    rows = [WageRow(person=r.person, occupation_id=r.occupation_id, level_id=r.level_id,
                    city_id=r.city_id, month=r.month, wage=r.wage)
            for r in labour_market.record_wages(year=year, region_prefix=prefix)]
    if not rows:
        raise DomainError(_("No contribution records of %(year)s of persons with a skill-level "
                            "certificate in your region.") % {"year": year}, field="year",
                          code="no_records")
    return wage_guidance_compute(actor=actor, year=year, rows=rows, source=RECORDS_SOURCE,
                                 min_people=min_people)


# --- the interim source: a file of published wage-survey rows ---------------------------------

WAGE_COLUMNS = [
    Column("person", "人员编号", required=True, max_length=64,
           help=str(_("A pseudonymous respondent key; never an ID number."))),
    Column("occupation_code", "职业编码", required=True, max_length=20),
    Column("level", "技能等级", max_length=20),
    Column("city_code", "城市代码", required=True, max_length=12),
    Column("month", "月份", required=True, max_length=10, help="YYYY-MM"),
    Column("wage", "月缴费工资（元）", required=True, max_length=12),
]
ID_LIKE = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")


def _parse_row(year: int, prefix: str):
    occupations = {o.code: o.pk for o in Occupation.objects.exclude(code="")}
    levels: dict[str, int] = {}
    for lv in SkillLevel.objects.all():
        levels[lv.code] = lv.pk
        levels[lv.name] = lv.pk
    cities = {r.code: r for r in Region.objects.filter(level=RegionLevel.CITY)}

    def parse(row: Row, seen: dict) -> WageRow | None:
        v = row.values
        problems = []
        person = v.get("person", "")
        if ID_LIKE.match(person):
            problems.append(("person", _("Use a pseudonymous key, not an ID number.")))
        occupation = occupations.get(v.get("occupation_code", ""))
        if occupation is None:
            problems.append(("occupation_code", _("Unknown occupation code %(code)s.")
                             % {"code": v.get("occupation_code", "")}))
        level = None
        if v.get("level"):
            level = levels.get(v["level"])
            if level is None:
                problems.append(("level", _("Unknown skill level %(level)s.")
                                 % {"level": v["level"]}))
        city = cities.get(v.get("city_code", ""))
        if city is None:
            problems.append(("city_code", _("%(code)s is not a city code.")
                             % {"code": v.get("city_code", "")}))
        elif prefix and not city.code.startswith(prefix):
            problems.append(("city_code", _("The city is outside your region.")))
        month = None
        m = MONTH.match(v.get("month", ""))
        if m is None or not 1 <= int(m.group(2)) <= 12:
            problems.append(("month", _("Write the month as YYYY-MM.")))
        else:
            month = dt.date(int(m.group(1)), int(m.group(2)), 1)
            if month.year != year:
                problems.append(("month", _("The month is not in %(year)s.") % {"year": year}))
        try:
            wage = Decimal(v.get("wage", "").replace(",", ""))
            if not wage.is_finite() or not WAGE_MIN <= wage <= WAGE_MAX:
                raise InvalidOperation
        except InvalidOperation:
            wage = None
            problems.append(("wage", _("The wage must be a number from 1 to 1,000,000 "
                                       "yuan.")))
        if problems:
            raise RowInvalid(*problems)
        key = (person, occupation, level, city.pk, month)
        if key in seen:
            if seen[key] != wage:
                raise RowInvalid(("wage", _("Row %(row)s has the same person and month with "
                                            "another wage.") % {"row": seen[(*key, "row")]}))
            return None  # an identical repeat counts once
        seen[key], seen[(*key, "row")] = wage, row.number
        return WageRow(person=person, occupation_id=occupation, level_id=level,
                       city_id=city.pk, month=month, wage=wage)

    return parse


def wage_rows_import(*, actor, year: int, data: bytes, filename: str, source: str,
                     min_people: int = rules.DEFAULT_MIN_PEOPLE,
                     skip_bad_rows: bool = False) -> tuple[ImportReport, dict | None]:
    """Compute the year's cells from a wage-survey file (.csv or .xlsx). With errors nothing is
    written unless `skip_bad_rows`; the report names each bad row and field."""
    _check_staff(actor)
    year = _check_year(year)
    min_people = _check_min_people(min_people)
    prefix = "" if actor.scope.everything else actor.scope.region_prefix
    result: dict = {}

    def save(parsed: list[WageRow | None]) -> tuple[int, int, int]:
        rows = [r for r in parsed if r is not None]
        if not rows:
            raise DomainError(_("The file has no usable rows."), field="file")
        result.update(wage_guidance_compute(actor=actor, year=year, rows=rows,
                                            source=source, min_people=min_people))
        return len(rows), 0, len(parsed) - len(rows)

    report = run_import(data=data, filename=filename, columns=WAGE_COLUMNS,
                        parse_row=_parse_row(year, prefix), save=save,
                        skip_bad_rows=skip_bad_rows)
    return report, (result or None)
