"""The demo's wage guidance comes from the outcomes demo's social-insurance records when they
give a cell that is not suppressed (wage_guidance_from_records); without records, from
synthetic months as before."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from jineng.demand.demo import wages as demo_wages
from jineng.demand.models import WageGuidance
from jineng.demand.services import wages as ws
from jineng.outcomes.choices import ImportKind, ImportSource
from jineng.outcomes.models import InsuranceImport, InsuranceRecord
from tests import factories as f
from tests.assessment.records_support import certificate
from tests.demand import forecast_support as fx

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 5)  # last year: 2025


def _records(people: int, year: int = 2025) -> None:
    source = InsuranceImport.objects.create(
        kind=ImportKind.RECORDS, source=ImportSource.FILE, filename="演示.csv",
        content_sha256="d" * 64, region=f.region(f.PROVINCE))
    care, county = fx.care(), f.region(f.COUNTY)
    rows = []
    for i in range(people):
        person = f.PersonFactory()
        certificate(person, occupation=care, level="grade4", issued_on=dt.date(2024, 6, 1))
        rows += [InsuranceRecord(id_hash=person.id_hash, person=person, employer_code="E1",
                                 employer_region=county, month=dt.date(year, m, 1),
                                 pension=True, unemployment=True, injury=True,
                                 wage_base=Decimal(4000 + 100 * i), source_import=source)
                 for m in range(1, 7)]
    InsuranceRecord.objects.bulk_create(rows)


def test_demo_wage_guidance_from_records_when_present():
    f.staff("province_staff", f.PROVINCE, username="province")
    _records(12)
    counts = demo_wages.build(rng=random.Random(7), today=TODAY, anchors={}, scale="XS")
    assert counts["wage_cells_from_records"] == counts["wage_cells"] == 2  # level, all levels
    cells = WageGuidance.objects.filter(year=2025)
    assert {c.source for c in cells} == {ws.RECORDS_SOURCE}
    assert all(c.published_at is not None and c.people == 12 for c in cells)
    assert {c.p50 for c in cells} == {4500}
    assert counts["wage_cells_this_year_from_records"] == 0  # no records of 2026


def test_demo_computes_this_years_cells_from_records_unpublished():
    f.staff("province_staff", f.PROVINCE, username="province")
    _records(12, year=2026)
    counts = demo_wages.build(rng=random.Random(7), today=TODAY, anchors={}, scale="XS")
    assert counts["wage_cells_from_records"] == 0  # last year: synthetic, published
    assert WageGuidance.objects.filter(year=2025, published_at__isnull=False).exists()
    assert counts["wage_cells_this_year_from_records"] == 2
    this_year = WageGuidance.objects.filter(year=2026)
    assert {c.source for c in this_year} == {ws.RECORDS_SOURCE}
    assert all(c.published_at is None for c in this_year)


def test_demo_wage_guidance_synthetic_without_usable_records():
    f.staff("province_staff", f.PROVINCE, username="province")
    _records(3)  # every cell below 10 people: suppressed, so synthetic months are used
    counts = demo_wages.build(rng=random.Random(7), today=TODAY, anchors={}, scale="XS")
    assert counts["wage_cells_from_records"] == 0 and counts["wage_cells"] > 0
    assert WageGuidance.objects.filter(year=2025, source="演示数据（合成）").exists()
