"""Scope of the oversight pages and API: inspectors and HRSS staff of the region subtree; an
inspector of another county and an institution get 404 (like missing) or an empty list; the
public is sent to log in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jineng.accounts.models import Role
from jineng.supervision.services import oversight as services
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.supervision import oversight_helpers as oh

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64


@pytest.fixture
def world():
    alert = oh.alert(training_class_id=5, subject_ref="5", institution_id=9)
    inspector = f.staff(Role.INSPECTOR, f.COUNTY)
    inspection = services.inspection_plan(actor=inspector, mode="onsite",
                                          planned_for=dt.date(2026, 7, 1), alert=alert)
    file = services.inspection_attach(actor=inspector, inspection=inspection, name="a.jpg",
                                      data=JPEG)
    sanction = services.sanction_impose(actor=f.staff(Role.COUNTY_STAFF, f.COUNTY), kind="bar",
                                        person_id=f.PersonFactory().pk, days=30, reason="骗补")
    from jineng.supervision.models import SpotCheck

    spot = SpotCheck.objects.create(population="class", region=f.region(f.COUNTY), seed="s",
                                    confidence=0.95, margin=0.05, population_size=1,
                                    sample_size=1, items=[{"id": 5, "stratum": "high",
                                                           "score": 3.0}],
                                    parameters={"frame": [[5, 3.0]]}, created_by="x")
    return {"alert": alert, "inspection": inspection, "file": file, "sanction": sanction,
            "spot": spot}


def pages(w):
    return [("risk_overview", []), ("class_risk", [5]), ("institution_risk", [9]),
            ("alert_recovery", [w["alert"].pk]), ("sanction_list", []),
            ("sanction_detail", [w["sanction"].pk]), ("spot_check_list", []),
            ("spot_check_detail", [w["spot"].pk]), ("inspection_list", []),
            ("inspection_detail", [w["inspection"].pk]),
            ("inspection_file", [w["inspection"].pk, w["file"].pk])]


DETAIL_PAGES = {"class_risk", "institution_risk", "alert_recovery", "sanction_detail",
                "spot_check_detail", "inspection_detail", "inspection_file"}


@pytest.mark.parametrize("who", ["inspector", "county_staff", "province"])
def test_pages_in_scope(client, world, who):
    user = {"inspector": f.staff(Role.INSPECTOR, f.COUNTY),
            "county_staff": f.staff(Role.COUNTY_STAFF, f.COUNTY),
            "province": f.staff()}[who]
    client.force_login(user)
    for name, args in pages(world):
        assert client.get(reverse(f"supervision:{name}", args=args)).status_code == 200, name


@pytest.mark.parametrize("who", ["other_county", "institution", "industry"])
def test_pages_out_of_scope_are_404(client, world, who):
    user = {"other_county": f.staff(Role.INSPECTOR, f.OTHER_COUNTY),
            "institution": f.operator(f.OrganizationFactory()),
            "industry": f.staff(Role.INDUSTRY_STAFF, f.COUNTY)}[who]
    client.force_login(user)
    for name, args in pages(world):
        r = client.get(reverse(f"supervision:{name}", args=args))
        if name in DETAIL_PAGES:
            assert r.status_code == 404, name
        else:
            assert r.status_code == 200, name
            body = r.content.decode()
            hidden = {"risk_overview": 'data-class="5"', "sanction_list": 'data-status="active"',
                      "inspection_list": 'data-status="planned"',
                      "spot_check_list": f'/spot-checks/{world["spot"].pk}/'}[name]
            assert hidden not in body, name


def test_pages_need_login(client, world):
    for name, args in pages(world):
        r = client.get(reverse(f"supervision:{name}", args=args))
        assert r.status_code == 302 and "login" in r["Location"], name


def test_api_out_of_scope(client, world):
    api = OpenApiClient(client).login(f.staff(Role.INSPECTOR, f.OTHER_COUNTY))
    assert api.call("supervision_class_risk_list").body == []
    assert api.call("supervision_institution_risk_list").body == []
    assert api.call("supervision_sanction_list").body == []
    assert api.call("supervision_spot_check_list").body == []
    assert api.call("supervision_inspection_list").body == []
    for op, path in (("supervision_class_risk_get", {"class_id": 5}),
                     ("supervision_institution_risk_get", {"institution_id": 9}),
                     ("supervision_sanction_get", {"sanction_id": world["sanction"].pk}),
                     ("supervision_spot_check_get", {"spot_check_id": world["spot"].pk}),
                     ("supervision_spot_check_frame", {"spot_check_id": world["spot"].pk}),
                     ("supervision_inspection_get",
                      {"inspection_id": world["inspection"].pk}),
                     ("supervision_inspection_file_get",
                      {"inspection_id": world["inspection"].pk,
                       "file_id": world["file"].pk})):
        assert api.call(op, path=path).status == 404, op
    assert api.call("supervision_inspection_transition",
                    path={"inspection_id": world["inspection"].pk},
                    json_body={"action": "cancel", "findings": "x"}).status == 404
    assert api.call("supervision_alert_recovery_start", path={"alert_id": world["alert"].pk},
                    json_body={}).status == 404


def test_api_in_scope(client, world):
    api = OpenApiClient(client).login(f.staff(Role.INSPECTOR, f.COUNTY))
    assert [r["id"] for r in api.call("supervision_class_risk_list").body] == [5]
    assert api.call("supervision_inspection_get",
                    path={"inspection_id": world["inspection"].pk}).status == 200
    assert api.call("supervision_spot_check_frame",
                    path={"spot_check_id": world["spot"].pk}).body == [[5, 3.0]]
