"""Wage guidance on hand-built data: cells from an iterable source and from a survey file (with
its per-row report), suppression, publication per year, the public API shows no figure of a
suppressed cell."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jineng.accounts.models import Role
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.models import AuditEvent
from jineng.core.tabular import write_csv
from jineng.demand import selectors
from jineng.demand.models import WageGuidance
from jineng.demand.services import wages as ws
from jineng.registry.models import SkillLevel
from tests import factories as f
from tests.demand import forecast_support as fx

pytestmark = pytest.mark.django_db
YEAR = 2025


def _rows(n_people: int, *, city=f.CITY, level="grade5", base=3000, months=(1, 2, 3)):
    occ = fx.care()
    lv = SkillLevel.objects.get(code=level)
    city_id = f.region(city).pk
    # person i earns base + 100 i in every month (so the per-person mean is exact)
    return [ws.WageRow(person=f"p{level}{i}", occupation_id=occ.pk, level_id=lv.pk,
                       city_id=city_id, month=dt.date(YEAR, m, 1),
                       wage=Decimal(base + 100 * i)) for i in range(n_people) for m in months]


def test_cells_from_an_iterable_source():
    staff = f.staff(Role.PROVINCE_STAFF, f.PROVINCE)
    rows = _rows(10) + _rows(4, level="grade4", base=5000)
    rows += rows[:3]  # the same person-months again count once
    summary = ws.wage_guidance_compute(actor=staff, year=YEAR, rows=iter(rows),
                                       source="测试数据")
    assert summary["cells"] == 3 and summary["suppressed"] == 1
    cells = {c.level.code if c.level else "all": c for c in WageGuidance.objects.all()}
    # 10 people 3000…3900: nearest rank P10 = x1, P50 = x5, P90 = x9
    g5 = cells["grade5"]
    assert (g5.people, g5.p10, g5.p50, g5.p90, g5.suppressed) == (10, 3000, 3400, 3800, False)
    g4 = cells["grade4"]  # 4 people < 10: the count only
    assert (g4.people, g4.suppressed, g4.p10, g4.p50, g4.p90) == (4, True, None, None, None)
    # all levels: 14 people 3000…3900, 5000…5300: k = ceil(1.4) = 2, ceil(7) = 7, ceil(12.6) = 13
    every = cells["all"]
    assert (every.people, every.p10, every.p50, every.p90) == (14, 3100, 3600, 5200)
    # unpublished: staff see them, the public does not
    assert selectors.wage_guidance_list(actor=staff).count() == 3
    assert selectors.wage_guidance_list(actor=None).count() == 0
    assert ws.wage_guidance_publish(actor=staff, year=YEAR) == 3
    assert selectors.wage_guidance_list(actor=None).count() == 3
    with pytest.raises(Conflict):  # published: not recomputed
        ws.wage_guidance_compute(actor=staff, year=YEAR, rows=_rows(12), source="再算")


def test_refusals_change_nothing():
    staff = f.staff(Role.CITY_STAFF, f.CITY)
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError):  # a month of another year
        ws.wage_guidance_compute(actor=staff, year=2024, rows=_rows(10), source="x")
    with pytest.raises(DomainError):  # another city
        ws.wage_guidance_compute(actor=staff, year=YEAR, rows=_rows(10, city=f.OTHER_CITY),
                                 source="x")
    bad = _rows(10)
    bad.append(ws.WageRow(**{**bad[0].__dict__, "wage": Decimal("9999")}))
    with pytest.raises(Conflict):
        ws.wage_guidance_compute(actor=staff, year=YEAR, rows=bad, source="x")
    with pytest.raises(DomainError):
        ws.wage_guidance_compute(actor=staff, year=YEAR, rows=_rows(10), source="x",
                                 min_people=1)
    with pytest.raises(Forbidden):
        ws.wage_guidance_compute(actor=f.staff(Role.INDUSTRY_STAFF, f.PROVINCE), year=YEAR,
                                 rows=_rows(10), source="x")
    with pytest.raises(DomainError):
        ws.wage_guidance_publish(actor=staff, year=YEAR)
    assert not WageGuidance.objects.exists()
    assert AuditEvent.objects.count() == events


def _file(rows):
    return write_csv([c.label for c in ws.WAGE_COLUMNS], rows)


def test_survey_file_import_reports_each_bad_row():
    staff = f.staff(Role.PROVINCE_STAFF, f.PROVINCE)
    good = [[f"r{i}", "4-10-01-05", "grade5", f.CITY, f"{YEAR}-03", str(4000 + 10 * i)]
            for i in range(12)]
    bad = [
        ["r90", "9-99-99-99", "", f.CITY, f"{YEAR}-03", "4000"],  # unknown occupation
        ["r91", "4-10-01-05", "", f.COUNTY, f"{YEAR}-03", "4000"],  # a county, not a city
        ["r92", "4-10-01-05", "", f.CITY, "2025/13", "4000"],  # month
        ["r93", "4-10-01-05", "", f.CITY, f"{YEAR}-03", "-5"],  # wage
        [f.id_number_for(), "4-10-01-05", "", f.CITY, f"{YEAR}-03", "4000"],  # an ID number
        ["r0", "4-10-01-05", "grade5", f.CITY, f"{YEAR}-03", "4999"],  # r0 again, other wage
    ]
    data = _file([*good, good[0], *bad])
    report, result = ws.wage_rows_import(actor=staff, year=YEAR, data=data,
                                         filename="wages.csv", source="2025年工资调查")
    assert not report.written and result is None
    assert [(e.row, e.field) for e in report.errors] == [
        (15, "occupation_code"), (16, "city_code"), (17, "month"), (18, "wage"),
        (19, "person"), (20, "wage")]
    assert not WageGuidance.objects.exists()
    report, result = ws.wage_rows_import(actor=staff, year=YEAR, data=data,
                                         filename="wages.csv", source="2025年工资调查",
                                         skip_bad_rows=True)
    assert report.written and report.skipped == 6
    assert report.created == 12 and report.unchanged == 1  # the identical repeat counts once
    cell = WageGuidance.objects.get(level__code="grade5")
    assert (cell.people, cell.p10, cell.p50, cell.p90) == (12, 4010, 4050, 4100)
