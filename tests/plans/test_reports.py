"""Quarterly reports: pre-filled drafts, submission, review by the level above, exports."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.models import AuditEvent
from jineng.plans import actuals, selectors, services
from jineng.plans.models import QuarterlyReport
from jineng.registry.models import Region
from tests import factories as f
from tests.plans.conftest import add, fact

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_staff(db):
    return f.staff("city_staff", f.CITY)


@pytest.fixture
def report(guizhou_plan, city_staff):
    add(fact(day=dt.date(2025, 8, 1), region="520102", value=120, sector="rural"),
        fact(day=dt.date(2025, 2, 1), region="520103", value=30, sector="rural"),
        fact(day=dt.date(2025, 8, 1), region="520302", value=999))  # another city
    return services.report_prepare(actor=city_staff, plan=guizhou_plan,
                                   region=Region.objects.get(code=f.CITY), year=2025,
                                   quarter=3)


def line(report, key):
    return report.lines.get(target__key=key)


def test_a_draft_is_pre_filled_from_jineng(report, guizhou_plan, city_staff):
    total = line(report, "total")
    assert (total.prefilled_quarter, total.prefilled_cumulative) == (D(120), D(150))
    assert total.reported_quarter == D(120)  # starts as jineng's figure
    assert line(report, "sector.rural").prefilled_quarter == D(120)
    assert report.lines.count() == 13
    again = services.report_prepare(actor=city_staff, plan=guizhou_plan, region=report.region,
                                    year=2025, quarter=3)
    assert again.pk == report.pk  # asked twice, prepared once


def test_workflow_submit_return_resubmit_review(report, city_staff, province_staff):
    total = line(report, "total")
    services.report_update(actor=city_staff, report=report, summary="三季度进展",
                           lines={total.pk: services.LineInput(D(125), D(155), "含线下补录5人")})
    report = services.report_submit(actor=city_staff, report=report)
    assert report.status == "submitted" and report.submitted_by == city_staff
    with pytest.raises(Conflict):  # submitted: no more changes
        services.report_update(actor=city_staff, report=report, lines={})
    with pytest.raises(DomainError):  # returning needs a reason
        services.report_review(actor=province_staff, report=report, approve=False)
    report = services.report_review(actor=province_staff, report=report, approve=False,
                                    comment="请核对")
    assert report.status == "returned"
    services.report_submit(actor=city_staff, report=report)
    report = services.report_review(actor=province_staff, report=QuarterlyReport.objects.get(
        pk=report.pk), approve=True, comment="")
    assert report.status == "reviewed" and report.reviewed_by == province_staff
    transitions = AuditEvent.objects.filter(entity_type="plans.quarterlyreport",
                                            action="transition").count()
    assert transitions == 4


@pytest.mark.parametrize("who", ["other_city", "county", "province", "industry", "operator"])
def test_only_the_citys_staff_change_its_report(report, who):
    actor = {"other_city": lambda: f.staff("city_staff", f.OTHER_CITY),
             "county": lambda: f.staff("county_staff", f.COUNTY),
             "province": lambda: f.staff(),
             "industry": lambda: f.staff("industry_staff", f.PROVINCE),
             "operator": lambda: f.operator(f.OrganizationFactory())}[who]()
    before = (report.status, line(report, "total").reported_quarter)
    with pytest.raises(Forbidden):
        services.report_update(actor=actor, report=report, lines={
            line(report, "total").pk: services.LineInput(D(1), D(1))})
    with pytest.raises(Forbidden):
        services.report_submit(actor=actor, report=report)
    report.refresh_from_db()
    assert (report.status, line(report, "total").reported_quarter) == before


def test_the_city_does_not_review_its_own_report(report, city_staff):
    report = services.report_submit(actor=city_staff, report=report)
    for actor in (city_staff, f.staff("city_staff", f.OTHER_CITY),
                  f.staff("county_staff", f.COUNTY)):
        with pytest.raises(Forbidden):
            services.report_review(actor=actor, report=report, approve=True)
    report.refresh_from_db()
    assert report.status == "submitted"


def test_negative_figures_and_unexplained_gaps_are_refused(report, city_staff):
    total = line(report, "total")
    with pytest.raises(DomainError) as exc:
        services.report_update(actor=city_staff, report=report,
                               lines={total.pk: services.LineInput(D(-1), None)})
    assert exc.value.field == f"line-{total.pk}-reported_quarter"
    services.report_update(actor=city_staff, report=report,
                           lines={total.pk: services.LineInput(None, None, "")})
    with pytest.raises(DomainError) as exc:
        services.report_submit(actor=city_staff, report=report)
    assert exc.value.field == "lines"
    assert QuarterlyReport.objects.get(pk=report.pk).status == "draft"


def test_reported_metrics_come_from_reviewed_reports(db, city_staff):
    from jineng.plans.rules.packs import read_shipped

    lyg = f.staff("city_staff", "320700")
    plan = services.plan_load_pack(actor=lyg, text=read_shipped("lianyungang-2025-2027"))
    county = Region.objects.get(code="320703")
    county_staff = f.staff("county_staff", "320703")
    report = services.report_prepare(actor=county_staff, plan=plan, region=county, year=2025,
                                     quarter=4)
    carriers = report.lines.get(target__key="carriers.bases")
    assert carriers.prefilled_quarter is None  # not something jineng counts
    services.report_update(actor=county_staff, report=report, lines={
        line.pk: services.LineInput(D(2) if line.pk == carriers.pk else D(0), None)
        for line in report.lines.all()})
    services.report_submit(actor=county_staff, report=report)
    query = actuals.ActualQuery(metric="carriers_built", region_code="320700",
                                start=plan.period_start, end=dt.date(2026, 1, 31),
                                carrier="high_skilled_base")
    assert actuals.actual(query).value is None  # submitted is not yet reviewed
    services.report_review(actor=lyg, report=report, approve=True)
    assert actuals.actual(query).value == D(2)


def test_summary_adds_up_the_cities_reports(report, city_staff, province_staff, guizhou_plan):
    services.report_submit(actor=city_staff, report=report)
    zunyi = f.staff("city_staff", f.OTHER_CITY)
    other = services.report_prepare(actor=zunyi, plan=guizhou_plan,
                                     region=Region.objects.get(code=f.OTHER_CITY), year=2025,
                                     quarter=3)
    assert line(other, "total").prefilled_quarter == D(999)
    rows, reports = selectors.report_summary(actor=province_staff, plan=guizhou_plan,
                                             region=Region.objects.get(code=f.PROVINCE),
                                             year=2025, quarter=3)
    assert len(reports) == 2
    total = next(r for r in rows if r.target.key == "total")
    assert total.reported_quarter == D(120) and total.reports == 1  # the draft is not counted
    services.report_submit(actor=zunyi, report=other)
    rows, _reports = selectors.report_summary(actor=province_staff, plan=guizhou_plan,
                                              region=Region.objects.get(code=f.PROVINCE),
                                              year=2025, quarter=3)
    total = next(r for r in rows if r.target.key == "total")
    assert total.reported_quarter == D(1119) and total.reports == 2


def test_excel_and_pdf_exports(client, report, city_staff):
    client.force_login(city_staff)
    url = f"/plans/{report.plan.key}/reports/{report.pk}/export.xlsx"
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert "贵州省大规模职业技能提升培训行动" in values[0][0]
    first = next(row for row in values if row[1] == "各类职业技能培训")
    assert first[0] == 1 and first[2] == "一、工作目标"
    assert first[4] is None  # the province has not split its target among the cities yet
    assert first[5] == 120 and first[7] == 150  # jineng: quarter, cumulative
    pdf = client.get(f"/plans/{report.plan.key}/reports/{report.pk}/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="export").count() == 2
    assert client.get(f"/plans/{report.plan.key}/reports/{report.pk}/export.doc"
                      ).status_code == 404
    # Another city's staff: 404, like a missing report.
    client.force_login(f.staff("city_staff", f.OTHER_CITY))
    assert client.get(url).status_code == 404


def test_a_department_files_its_own_lines_and_the_province_reviews(guizhou_plan,
                                                                   province_staff):
    industry = f.staff("industry_staff", f.PROVINCE)
    report = services.report_prepare(actor=industry, plan=guizhou_plan,
                                     region=Region.objects.get(code=f.PROVINCE), year=2025,
                                     quarter=2, department="省大数据局")
    assert [line.target.key for line in report.lines.all()] == ["sector.digital_economy"]
    with pytest.raises(DomainError):
        services.report_prepare(actor=industry, plan=guizhou_plan,
                                region=Region.objects.get(code=f.PROVINCE), year=2025,
                                quarter=2, department="不存在的厅")
    report = services.report_submit(actor=industry, report=report)
    report = services.report_review(actor=province_staff, report=report, approve=True)
    assert report.status == "reviewed"
