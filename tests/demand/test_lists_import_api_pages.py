"""Demand lists: the Excel import of lines (a per-row report), the API through its OpenAPI
document, the pages, and Guizhou's four lists (page, API, xlsx export)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from jineng.demand import selectors, services
from jineng.demand.models import DemandLine, Referral
from jineng.demand.rules import demand_lists as rules
from tests import factories as f
from tests.demand import lists_support as s
from tests.openapi import OpenApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return s.world()


GOOD = ["养老护理员", "初级工", "20", "2026-12-20", "是", "3500", "5000"]


def test_import_reports_every_bad_row_and_writes_nothing(w):
    dl = s.open_list(w)
    rows = [GOOD,
            ["不存在的职业", "", "5", "2026-12-20", "否", "", ""],
            ["电工", "", "0", "2026-12-20", "否", "", ""],
            ["电工", "中级工", "100001", "2026-12-20", "否", "", ""],
            ["育婴员", "", "3", "2027-02-01", "否", "", ""],
            ["育婴员", "初级工", "3", "2026-11-30", "否", "", ""],
            ["家政服务员", "", "3", "2026-12-20", "否", "6000", "5000"],
            ["养老护理员", "初级工", "25", "2026-12-20", "是", "3500", "5000"],
            ["家政服务员", "初级工", "abc", "2026-12-20", "也许", "", ""],
            GOOD]
    report = services.demand_lines_import(actor=w.user, demand_list=dl, file=s.xlsx(rows),
                                          today=s.TODAY)
    assert not report.written and not DemandLine.objects.exists()
    found = {(e.row, e.field) for e in report.errors}
    assert found == {(3, "occupation"), (4, "headcount"), (5, "headcount"), (6, "needed_by"),
                     (7, "needed_by"), (8, "wage_min"), (9, "occupation"), (10, "headcount"),
                     (10, "order_class_wanted")}
    # skipping bad rows: the good row once (row 11 repeats row 2 with the same content)
    report = services.demand_lines_import(actor=w.user, demand_list=dl, file=s.xlsx(rows),
                                          skip_bad_rows=True, today=s.TODAY)
    assert report.written and report.created == 1 and report.unchanged == 1
    again = services.demand_lines_import(actor=w.user, demand_list=dl, file=s.xlsx([GOOD]),
                                         today=s.TODAY)
    assert again.written and again.created == 0 and again.unchanged == 1
    clash = services.demand_lines_import(
        actor=w.user, demand_list=dl, file=s.xlsx([[*GOOD[:2], "99", *GOOD[3:]]]),
        today=s.TODAY)
    assert not clash.written and clash.errors[0].field == "occupation"
    assert DemandLine.objects.count() == 1


def test_import_refuses_unknown_columns_and_other_enterprises(w):
    dl = s.open_list(w)
    from jineng.core.errors import DomainError, Forbidden, NotFound
    with pytest.raises(DomainError) as error:
        services.demand_lines_import(actor=w.user, demand_list=dl,
                                     file=s.xlsx([GOOD[:1]], header=["职业（工种）", "备注栏"]),
                                     today=s.TODAY)
    assert error.value.field == "file"
    with pytest.raises(NotFound):
        services.demand_lines_import(actor=w.other_user, demand_list=dl, file=s.xlsx([GOOD]),
                                     today=s.TODAY)
    with pytest.raises(Forbidden):
        services.demand_lines_import(actor=w.county_staff, demand_list=dl, file=s.xlsx([GOOD]),
                                     today=s.TODAY)


def _this_quarter_day() -> dt.date:
    today = timezone.localdate()
    return rules.quarter_bounds(*rules.quarter_of(today))[1]


def test_the_api_files_a_list_and_hrss_accepts_it(client, w):
    year, quarter = rules.quarter_of(timezone.localdate())
    api = OpenApiClient(client).login(w.user)
    body = {"year": year, "quarter": quarter, "sector": "elderly_child_care"}
    first = api.call("demand_list_create", json_body=body)
    assert first.status == 201, first.body
    again = api.call("demand_list_create", json_body=body)
    assert again.status == 200 and again.body["id"] == first.body["id"]
    list_id = first.body["id"]
    bad = api.call("demand_line_add", path={"list_id": list_id}, json_body={
        "occupation_id": s.occupation().pk, "headcount": 0,
        "needed_by": _this_quarter_day().isoformat()})
    assert bad.status == 422
    line = api.call("demand_line_add", path={"list_id": list_id}, json_body={
        "occupation_id": s.occupation().pk, "level": "grade5", "headcount": 8,
        "needed_by": _this_quarter_day().isoformat(), "order_class_wanted": True,
        "wage_min": 4000, "wage_max": 3000})
    assert line.status == 400 and line.body["detail"][0]["field"] == "wage_min"
    line = api.call("demand_line_add", path={"list_id": list_id}, json_body={
        "occupation_id": s.occupation().pk, "level": "grade5", "headcount": 8,
        "needed_by": _this_quarter_day().isoformat(), "order_class_wanted": True})
    assert line.status == 201
    done = api.call("demand_list_transition", path={"list_id": list_id},
                    json_body={"action": "submit"})
    assert done.status == 200 and done.body["status"] == "submitted"
    staff = OpenApiClient(client).login(w.county_staff)
    queue = staff.call("demand_list_review_queue")
    assert [r["id"] for r in queue.body["items"]] == [list_id]
    assert staff.call("demand_list_transition", path={"list_id": list_id},
                      json_body={"action": "accept"}).body["status"] == "accepted"
    outsider = OpenApiClient(client).login(w.other_city_staff)
    assert outsider.call("demand_list_get", path={"list_id": list_id}).status == 404


def test_the_pages_an_enterprise_files_and_staff_review(client, w):
    client.force_login(w.user)
    year, quarter = rules.quarter_of(timezone.localdate())
    response = client.post(reverse("demand:lists_new"), {"quarter_key": f"{year}-{quarter}",
                                                         "sector": "elderly_child_care"})
    assert response.status_code == 302
    dl = selectors.demand_list_list(actor=w.user).get()
    response = client.post(reverse("demand:lists_line_add", args=[dl.pk]), {
        "occupation": "养老护理员", "level": "grade5", "headcount": "0",
        "needed_by": _this_quarter_day().isoformat()})
    assert response.status_code == 400 and not DemandLine.objects.exists()
    response = client.post(reverse("demand:lists_line_add", args=[dl.pk]), {
        "occupation": "养老护理员", "level": "grade5", "headcount": "6",
        "needed_by": _this_quarter_day().isoformat(), "order_class_wanted": "on"})
    assert response.status_code == 302 and DemandLine.objects.count() == 1
    page = client.get(reverse("demand:lists_detail", args=[dl.pk]))
    assert b'data-action="submit"' in page.content and "养老护理员" in page.text
    client.post(reverse("demand:lists_transition", args=[dl.pk]), {"action": "submit"})
    assert selectors.demand_list_get(actor=w.user, pk=dl.pk).status == "submitted"
    upload = client.post(reverse("demand:lists_import", args=[dl.pk]),
                         {"file": s.xlsx([GOOD])})
    assert upload.status_code == 400  # submitted: no import
    client.force_login(w.county_staff)
    assert str(dl.pk).encode() in client.get(reverse("demand:lists_review")).content
    client.post(reverse("demand:lists_transition", args=[dl.pk]),
                {"action": "return", "reason": "请补充工资"})
    client.force_login(w.user)
    page = client.get(reverse("demand:lists_detail", args=[dl.pk]))
    assert "请补充工资" in page.text
    client.force_login(w.other_city_staff)
    assert client.get(reverse("demand:lists_detail", args=[dl.pk])).status_code == 404
    template = client.get(reverse("demand:lists_template", args=[dl.pk]))
    assert template.status_code == 404


def test_the_four_lists(client, w):
    from jineng.core.validators import make_resident_id  # noqa: F401

    dl = s.submitted(w)
    draft = services.demand_list_create(actor=w.other_user, data=s.list_input(sector=""),
                                        today=s.TODAY)[0]
    services.demand_line_add(actor=w.other_user, demand_list=draft,
                             data=s.line_input(headcount=99), today=s.TODAY)
    line = dl.lines.get()
    person = f.PersonFactory()
    Referral.objects.create(person=person, demand_line=line, consent_at=timezone.now(),
                            status="hired")
    lists = selectors.four_lists(actor=w.city_staff, region_code="520100", year=2026, quarter=4)
    assert [(r["occupation__name"], r["people"], r["order_people"], r["enterprises"])
            for r in lists.demand] == [("养老护理员", 20, 20, 1)]  # the draft is not filed
    assert lists.employment == [{"occupation": "养老护理员", "referred": 1, "hired": 1,
                                 "confirmed": 0}]
    province = selectors.four_lists(actor=w.industry, region_code="520000", year=2026,
                                    quarter=4)
    assert [r["people"] for r in province.demand] == [20]
    assert province.employment == []  # industry departments read no persons' referrals
    from jineng.core.errors import NotFound
    with pytest.raises(NotFound):
        selectors.four_lists(actor=w.other_city_staff, region_code="520100", year=2026,
                             quarter=4)
    own = selectors.four_lists(actor=w.user, region_code="520000", year=2026, quarter=4)
    assert [r["people"] for r in own.demand] == [20]  # an enterprise: its own lines
    assert selectors.four_lists(actor=w.other_user, region_code="520000", year=2026,
                                quarter=4).demand == []  # its list is a draft
    client.force_login(w.city_staff)
    page = client.get(reverse("demand:four_lists"), {"region": "520100", "year": 2026,
                                                     "quarter": 4})
    assert page.status_code == 200 and "养老护理员" in page.text
    export = client.get(reverse("demand:four_lists_export"), {"region": "520100",
                                                              "year": 2026, "quarter": 4})
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert len(book.sheetnames) == 4
    sheet = book.worksheets[0]
    assert sheet.cell(row=2, column=2).value == "养老护理员"
    assert sheet.cell(row=2, column=1).data_type == "s"
    assert client.get(reverse("demand:four_lists"), {"region": "520300"}).status_code == 404
    api = OpenApiClient(client).login(w.city_staff)
    answer = api.call("demand_four_lists", query={"region_code": "520100", "year": 2026,
                                                  "quarter": 4})
    assert answer.status == 200 and answer.body["demand"][0]["people"] == 20
