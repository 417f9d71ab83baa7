"""Supervision through its API (called through the OpenAPI document) and its pages: an
inspector lists the alerts of the region, opens one with its evidence and confirms it; an
institution and an inspector of another county see none; scans and rules."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jineng.accounts.models import Role
from jineng.supervision.models import RiskAlert, RiskRun
from tests import factories as f
from tests.openapi import OpenApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert():
    run = RiskRun.objects.create(status="succeeded", counts={"events": 9},
                                 rule_versions={"R06": {"valid_from": "2020-01-01",
                                                        "parameters": {"min_people": 8}}},
                                 timings={"snapshot": 0.1, "rules": 0.2, "store": 0.1,
                                          "per_rule": {"R06": 0.01}})
    return RiskAlert.objects.create(
        rule_code="R06", severity="high", subject_kind="class", subject_ref="7",
        region=f.region(f.COUNTY), evidence={"rule": "R06", "session": 41, "people": 9},
        measure=9, dedup_key="R06:class:7:41:1", first_run=run, last_run=run)


def test_api_alerts_scoped_and_confirmed(client, alert):
    inspector = f.staff(Role.INSPECTOR, f.COUNTY)
    api = OpenApiClient(client).login(inspector)
    listed = api.call("supervision_alert_list", query={"rule": "R06"})
    assert listed.status == 200
    assert [(a["id"], a["rule_code"], a["subject_kind"], a["subject_ref"], a["region_code"])
            for a in listed.body] == [(alert.pk, "R06", "class", "7", f.COUNTY)]
    one = api.call("supervision_alert_get", path={"alert_id": alert.pk})
    assert one.status == 200 and one.body["evidence"]["people"] == 9
    no_reason = api.call("supervision_alert_transition", path={"alert_id": alert.pk},
                         json_body={"action": "confirm"})
    assert no_reason.status == 400
    done = api.call("supervision_alert_transition", path={"alert_id": alert.pk},
                    json_body={"action": "confirm", "reason": "核实为代签"})
    assert done.status == 200 and done.body["status"] == "confirmed"
    rules = api.call("supervision_rule_list")
    assert rules.status == 200
    r06 = next(r for r in rules.body if r["code"] == "R06")
    assert r06["confirmed"] == 1 and r06["precision"] == 1.0


@pytest.mark.parametrize("who", ["institution", "other_county"])
def test_api_alerts_hidden_outside_scope(client, alert, who):
    actor = (f.operator(f.OrganizationFactory()) if who == "institution"
             else f.staff(Role.INSPECTOR, f.OTHER_COUNTY))
    api = OpenApiClient(client).login(actor)
    assert api.call("supervision_alert_list").body == []
    assert api.call("supervision_alert_get", path={"alert_id": alert.pk}).status == 404


def test_api_runs(client, alert):
    api = OpenApiClient(client).login(f.staff())
    runs = api.call("supervision_run_list")
    assert runs.status == 200 and runs.body[0]["rule_versions"]["R06"]["parameters"] == {
        "min_people": 8}
    assert api.call("supervision_run_get", path={"run_id": alert.first_run_id}).status == 200
    refused = OpenApiClient(client).login(f.staff(Role.COUNTY_STAFF, f.COUNTY)).call(
        "supervision_run_start", json_body={"mode": "full"})
    assert refused.status == 403


def test_pages(client, alert):
    client.force_login(f.staff(Role.INSPECTOR, f.COUNTY))
    page = client.get(reverse("supervision:alert_list"))
    assert page.status_code == 200 and 'data-rule="R06"' in page.content.decode()
    detail = client.get(reverse("supervision:alert_detail", args=[alert.pk]))
    body = detail.content.decode()
    assert detail.status_code == 200 and "people" in body and 'value="confirm"' in body
    post = client.post(reverse("supervision:alert_transition", args=[alert.pk]),
                       {"action": "dismiss", "reason": "系统批量补传，非代签"})
    assert post.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "dismissed"
    assert client.get(reverse("supervision:rule_list")).status_code == 200
    assert client.get(reverse("supervision:run_list")).status_code == 200
    assert client.get(reverse("supervision:run_detail",
                              args=[alert.first_run_id])).status_code == 200
    client.force_login(f.staff(Role.INSPECTOR, f.OTHER_COUNTY))
    assert client.get(reverse("supervision:alert_detail", args=[alert.pk])).status_code == 404
