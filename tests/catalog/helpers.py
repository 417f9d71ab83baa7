"""Helpers for catalog tests: occupations, Excel files in the circulated layout, and catalogs
taken through the real workflow services."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl

from jineng.catalog import services
from jineng.catalog.choices import CatalogKind
from jineng.catalog.kinds import spec_for
from jineng.catalog.models import Catalog, CatalogVersion
from jineng.registry.models import Occupation, SkillLevel
from tests import factories as f

D = dt.date


def occupation(name: str = "养老护理员") -> Occupation:
    """The registry's occupation of that name (loaded by migration), or a flagged new one."""
    found = Occupation.objects.filter(name=name).order_by("pk").first()
    return found or Occupation.objects.create(name=name, needs_code=True)


def level(code: str = "grade5") -> SkillLevel:
    return SkillLevel.objects.get(code=code)


def xlsx(rows: list[dict[str, Any]], kind: str = CatalogKind.SUBSIDY_STANDARD,
         title_row: str | None = None) -> bytes:
    """A workbook in the catalog layout: Chinese column titles, one row per entry."""
    spec = spec_for(kind)
    names = [c.name for c in spec.columns]
    book = openpyxl.Workbook()
    sheet = book.active
    if title_row:
        sheet.append([title_row])
    sheet.append([c.label for c in spec.columns])
    for row in rows:
        unknown = set(row) - set(names)
        assert not unknown, unknown
        sheet.append([row.get(n, "") for n in names])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def subsidy_row(**values: Any) -> dict[str, Any]:
    row = {"occupation": "养老护理员", "skill_level": "初级工", "training_type": "就业技能培训",
           "amount": "1500", "required_hours": "120", "min_attendance_share": "80%"}
    row.update(values)
    return {k: v for k, v in row.items() if v is not None}


def base_catalog(kind: str = CatalogKind.SUBSIDY_STANDARD, code: str = f.PROVINCE) -> Catalog:
    return services.catalog_create(actor=services.SYSTEM, kind=kind, region=f.region(code))


def supplement(base: Catalog, code: str = f.CITY) -> Catalog:
    return services.catalog_create(actor=services.SYSTEM, kind=base.kind, region=f.region(code),
                                   base=base)


def publish_rows(catalog: Catalog, rows: list[dict[str, Any]], start: dt.date,
                 end: dt.date | None = None, *, actor=None, approver=None,
                 now: dt.datetime | None = None, mode: str = "replace") -> CatalogVersion:
    """Draft (copying the previous version), import `rows`, submit, publish."""
    actor = actor or services.SYSTEM
    version = services.version_create_draft(actor=actor, catalog=catalog, effective_from=start,
                                             effective_to=end)
    if rows:
        report = services.entries_import(actor=actor, version=version,
                                         data=xlsx(rows, catalog.kind), filename="x.xlsx",
                                         mode=mode)
        assert report.ok, report.as_dict()
    version = services.version_submit(actor=actor, version=version)
    return services.version_publish(actor=approver or actor, version=version, now=now)
