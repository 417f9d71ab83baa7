"""Bad input to plans: numbers a column cannot hold, and query parameters out of range or
malformed. Each answers a clear error naming the field (in Chinese for Chinese readers),
stores nothing, and leaves every page, API answer and export of the record readable."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.utils import translation
from openpyxl import load_workbook

from jineng.core.errors import DomainError
from jineng.core.models import AuditEvent
from jineng.plans import services
from jineng.plans.models import ActualFact, QuarterlyReportLine, TargetAllocation
from jineng.plans.rules import numbers
from jineng.plans.rules.packs import check_pack, read_shipped
from jineng.registry.models import Region
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.plans.conftest import add, fact

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@pytest.fixture
def city_staff(db):
    return f.staff("city_staff", f.CITY)


@pytest.fixture
def report(guizhou_plan, city_staff):
    add(fact(day=dt.date(2025, 8, 1), region="520102", value=120))
    return services.report_prepare(actor=city_staff, plan=guizhou_plan,
                                   region=Region.objects.get(code=f.CITY), year=2025,
                                   quarter=3)


def _urls(report):
    base = f"/plans/{report.plan.key}/reports/{report.pk}/"
    return [base, base + "export.xlsx", base + "export.pdf"]


def _all_readable(client, report):
    for url in _urls(report):
        assert client.get(url).status_code == 200, url
    api = OpenApiClient(client).call("jineng_plans_api_report_detail",
                                     path={"key": report.plan.key, "report_id": report.pk})
    assert api.status == 200
    return api


# --- numbers -------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "code"), [
    (HUGE, "too_large"), ("1e400", "too_large"), ("NaN", "not_finite"),
    ("Infinity", "not_finite"), ("12.345", "too_precise"), ("-1", "negative"),
    ("1000000000000", "too_large"),
])
def test_a_report_figure_the_column_cannot_hold_is_refused_and_nothing_changes(
        client, report, city_staff, raw, code):
    total = report.lines.get(target__key="total")
    before = (total.reported_quarter, total.reported_cumulative, total.comment)
    client.force_login(city_staff)
    events = AuditEvent.objects.count()
    response = client.post(_urls(report)[0], {f"q-{total.pk}": raw, f"c-{total.pk}": "5",
                                              f"comment-{total.pk}": "x"})
    assert response.status_code == 400
    message = str(next(iter(response.context["messages"])))
    assert total.target.title in message  # names the field
    total.refresh_from_db()
    assert (total.reported_quarter, total.reported_cumulative, total.comment) == before
    assert AuditEvent.objects.count() == events
    with pytest.raises(DomainError) as refused:  # the service is the last line
        services.report_update(actor=city_staff, report=report, lines={
            total.pk: services.LineInput(D(raw), None)})
    assert refused.value.code == code
    assert refused.value.field == f"line-{total.pk}-reported_quarter"
    _all_readable(client, report)


def _chinese() -> dict[str, str]:
    """msgid → zh-Hans of every fragment in i18n/ (the lead compiles them into the catalog;
    tests/test_i18n.py checks the compiled one)."""
    import importlib.util
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("i18n_script", root / "scripts" / "i18n.py")
    script = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("i18n_script", script)  # its dataclasses look their module up
    spec.loader.exec_module(script)
    return {e.msgid: e.msgstr[0] for path in sorted((root / "i18n").glob("*.po"))
            for e in script.parse_po(path.read_text(encoding="utf-8")) if e.msgstr}


def test_the_messages_are_chinese_for_a_chinese_reader(report, city_staff):
    from jineng.plans import params
    from jineng.plans.rules import permissions

    zh = _chinese()
    from jineng.plans.rules.packs import MESSAGES as PACK_MESSAGES

    templates = [*numbers.MESSAGES.values(), *permissions.MESSAGES.values(),
                 PACK_MESSAGES["number_range"],
                 *(str(field.error_messages["invalid"])
                   for field in params.PlanQueryForm.base_fields.values())]
    missing = [t for t in templates if not zh.get(t)]
    assert not missing
    filled = zh[numbers.MESSAGES["too_large"]] % {"field": "各类职业技能培训", "whole": 12,
                                                   "places": 2}
    assert "各类职业技能培训" in filled and "12" in filled
    total = report.lines.get(target__key="total")
    with pytest.raises(DomainError) as refused:
        services.report_update(actor=city_staff, report=report, lines={
            total.pk: services.LineInput(D(HUGE), None)})
    assert total.target.title in refused.value.message


def test_the_largest_figure_the_column_holds_is_kept_and_every_view_reads_it(
        client, report, city_staff):
    total = report.lines.get(target__key="total")
    top = D("999999999999.99")
    services.report_update(actor=city_staff, report=report, lines={
        total.pk: services.LineInput(top, top, "=SUM(A1)")})
    client.force_login(city_staff)
    api = _all_readable(client, report)
    line = next(x for x in api.body["lines"] if x["target"] == "total")
    assert D(str(line["reported_quarter"])) == top
    sheet = load_workbook(io.BytesIO(client.get(_urls(report)[1]).content)).active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "=SUM(A1)" in cells or "'=SUM(A1)" in cells  # text stays text


def test_the_database_refuses_a_figure_out_of_range_and_the_migration_repairs_old_ones(
        report):
    """SQLite kept a figure numeric(14, 2) cannot hold and failed on every read after it. Now
    a check constraint refuses it; migration 0002 empties those stored before (keeping the
    figure in the comment)."""
    import importlib

    from django.apps import apps
    from django.db import DataError, IntegrityError, connection, transaction

    total = report.lines.get(target__key="total")
    table = QuarterlyReportLine._meta.db_table
    # SQLite: the check constraint; PostgreSQL: numeric(14, 2) itself overflows.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        QuarterlyReportLine.objects.filter(pk=total.pk).update(reported_quarter=D(10) ** 12)
    if connection.vendor != "sqlite":
        return  # numeric(14, 2) never held such a figure elsewhere
    with connection.cursor() as cursor:  # as the probe left it, before the constraint
        cursor.execute("PRAGMA ignore_check_constraints = ON")
        cursor.execute(f"UPDATE {table} SET reported_quarter = {HUGE} WHERE id = %s",
                       [total.pk])
        cursor.execute("PRAGMA ignore_check_constraints = OFF")
    with pytest.raises(Exception):  # noqa: B017 - the unreadable record
        list(QuarterlyReportLine.objects.filter(pk=total.pk))
    importlib.import_module("jineng.plans.migrations.0002_report_figures_in_range"
                            ).repair_out_of_range(apps, None)
    total = QuarterlyReportLine.objects.get(pk=total.pk)
    assert total.reported_quarter is None
    assert "超出范围" in total.comment


def test_split_shares_and_weights_out_of_range_are_refused(client, guizhou_plan,
                                                           province_staff):
    client.force_login(province_staff)
    url = f"/plans/{guizhou_plan.key}/targets/total/split/?region={f.PROVINCE}"
    cities = services.child_regions(Region.objects.get(code=f.PROVINCE))
    posted = {"method": "manual", **{f"share-{c.code}": "1" for c in cities}}
    posted[f"share-{f.CITY}"] = HUGE
    response = client.post(url, posted)
    assert response.status_code == 400
    assert "贵阳市" in response.context["error"]
    posted = {"method": "proportional", "base": "custom",
              **{f"weight-{c.code}": "1" for c in cities}}
    posted[f"weight-{f.CITY}"] = "NaN"
    assert client.post(url, posted).status_code == 400
    assert not TargetAllocation.objects.exists()


def test_facts_outside_the_calendar_or_the_column_are_refused():
    for bad in (fact(day=dt.date(1900, 1, 1)), fact(value=2 ** 63), fact(value=10 ** 12),
                fact(value=-(10 ** 12))):
        with pytest.raises(DomainError) as refused:
            add(bad)
        assert refused.value.field in {"day", "value"}
    assert not ActualFact.objects.exists()


def test_a_pack_target_value_the_column_cannot_hold_is_a_pack_issue():
    text = read_shipped("guizhou-2025-2027")
    first_value = text.index("value: ")
    end = text.index("\n", first_value)
    bad = text[:first_value] + f"value: {HUGE}" + text[end:]
    result = check_pack(bad)
    assert not result.ok
    issue = next(i for i in result.issues if i.code == "number_range")
    assert issue.line == bad[:first_value].count("\n") + 1


def test_the_rule_limits_equal_the_columns():
    for model, column in ((QuarterlyReportLine, "reported_quarter"),
                          (TargetAllocation, "value")):
        spec = model._meta.get_field(column)
        assert (spec.max_digits, spec.decimal_places) == (numbers.FIGURE_DIGITS,
                                                          numbers.FIGURE_PLACES)


# --- query parameters ----------------------------------------------------------------------

@pytest.mark.parametrize(("query", "field"), [
    ("as_of=9999-12-31", "as_of"), ("as_of=abc", "as_of"), ("as_of=0001-01-01", "as_of"),
    ("org=abc", "org"), ("org=99999999999", "org"), ("region=abc", "region"),
])
def test_dashboard_query_parameters_are_checked(client, guizhou_plan, province_staff, query,
                                                field):
    client.force_login(province_staff)
    response = client.get(f"/plans/{guizhou_plan.key}/?{query}")
    assert response.status_code == 400
    assert field in response.context["errors"]


@pytest.mark.parametrize("path", ["reports/summary/", "reports/summary.xlsx",
                                  "reports/preview.pdf"])
@pytest.mark.parametrize(("query", "field"), [
    ("year=99999&quarter=1", "year"), ("year=-5&quarter=1", "year"),
    ("year=2025&quarter=5", "quarter"), ("year=2025&quarter=x", "quarter"),
    ("year=2025", "quarter"),
])
def test_report_query_parameters_are_checked(client, guizhou_plan, province_staff, path,
                                             query, field):
    client.force_login(province_staff)
    response = client.get(f"/plans/{guizhou_plan.key}/{path}?region={f.PROVINCE}&{query}")
    assert response.status_code == 400
    assert field in response.context["errors"]
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_400_page_names_the_parameter_in_chinese(client, guizhou_plan, province_staff):
    client.force_login(province_staff)
    response = client.get(f"/plans/{guizhou_plan.key}/?as_of=9999-12-31",
                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    with translation.override("zh-hans"):
        response = client.get(f"/plans/{guizhou_plan.key}/?as_of=9999-12-31")
    text = response.content.decode()
    assert "as_of" in text and "2099-12-31" in text


def test_valid_parameters_still_answer(client, guizhou_plan, province_staff):
    client.force_login(province_staff)
    for path in ("?as_of=2099-12-31", "?as_of=2000-01-01",
                 f"reports/summary/?region={f.PROVINCE}&year=2099&quarter=4",
                 f"reports/preview.xlsx?region={f.PROVINCE}&year=2000&quarter=1"):
        assert client.get(f"/plans/{guizhou_plan.key}/{path}").status_code == 200, path


@pytest.mark.parametrize(("year", "quarter", "field"), [
    ("99999", "1", "year"), ("-5", "1", "year"), ("2025", "5", "quarter"), ("x", "1", "year"),
])
def test_preparing_a_report_for_an_impossible_quarter_says_which_field(
        client, guizhou_plan, city_staff, year, quarter, field):
    client.force_login(city_staff)
    response = client.post(f"/plans/{guizhou_plan.key}/reports/?region={f.CITY}",
                           {"year": year, "quarter": quarter})
    assert response.status_code == 400
    assert any(field in str(m) for m in response.context["messages"])
    assert not guizhou_plan.reports.exists()
    with pytest.raises(DomainError) as refused:
        services.report_prepare(actor=city_staff, plan=guizhou_plan,
                                region=Region.objects.get(code=f.CITY), year=99999,
                                quarter=1)
    assert refused.value.field == "year"


@pytest.mark.parametrize(("operation", "query", "field"), [
    ("jineng_plans_api_plan_progress", {"as_of": "9999-12-31"}, "as_of"),
    ("jineng_plans_api_plan_progress", {"as_of": "abc"}, "as_of"),
    ("jineng_plans_api_plan_progress", {"region": "abc"}, "region"),
    ("jineng_plans_api_report_list", {"year": "99999"}, "year"),
    ("jineng_plans_api_report_list", {"year": "-5"}, "year"),
    ("jineng_plans_api_report_list", {"quarter": "5"}, "quarter"),
])
def test_api_query_parameters_answer_422_naming_the_field(client, guizhou_plan,
                                                          province_staff, operation, query,
                                                          field):
    api = OpenApiClient(client).login(province_staff)
    result = api.call(operation, path={"key": guizhou_plan.key}, query=query)
    assert result.status == 422  # the API's answer to a request its schema refuses
    assert field in result.error_fields()
