"""The quality API through its OpenAPI document: public indicator cells with suppression,
scorecards, the staff ranking and the dated settings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from jineng.accounts.models import Role
from jineng.outcomes.models import IndicatorSettings
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.outcomes import factories as of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    run = of.run()
    big, small = f.OrganizationFactory(name="大校"), f.OrganizationFactory(name="小校")
    of.measure(run, of.training_class(big))
    of.measure(run, of.training_class(small))
    of.cell(run, "employment", key=big.pk, value=0.75, numerator=30, denominator=40,
            trainees=45)
    of.cell(run, "employment", key=small.pk, value=0.5, numerator=4, denominator=8,
            trainees=9)
    of.cell(run, "composite", key=big.pk, value=0.6, trainees=45)
    of.cell(run, "composite", key=small.pk, value=0.7, trainees=9)
    return run, big, small


def test_public_cells_are_suppressed_as_null_with_a_flag(client, world):
    run, big, small = world
    api = OpenApiClient(client)
    result = api.call("outcomes_indicator_list", query={"dimension": "institution",
                                                        "indicator": "employment"})
    assert result.status == 200 and result.body["run_id"] == run.pk
    cells = {c["key"]: c for c in result.body["cells"]}
    assert cells[str(big.pk)]["value"] == 0.75 and not cells[str(big.pk)]["suppressed"]
    hidden = cells[str(small.pk)]
    assert hidden["suppressed"] and hidden["value"] is None and hidden["trainees"] is None
    assert hidden["numerator"] is None and hidden["min_cell"] == 10
    staff = OpenApiClient(client).login(f.staff())
    cells = {c["key"]: c for c in staff.call("outcomes_indicator_list", query={
        "indicator": "employment"}).body["cells"]}
    assert cells[str(small.pk)]["value"] == 0.5 and not cells[str(small.pk)]["suppressed"]
    bad = api.call("outcomes_indicator_list", query={"period": "2025Q9"})
    assert bad.status == 400 and "period" in bad.error_fields()


def test_scorecard_public_and_missing(client, world):
    _run, big, _small = world
    api = OpenApiClient(client)
    body = api.call("outcomes_scorecard_get", path={"org_id": big.pk}).body
    figures = {x["code"]: x for x in body["figures"]}
    assert figures["employment"]["value"] == 0.75 and figures["employment"]["cell_size"] == 40
    peers = {p["indicator"]: p for p in body["peers"]}
    # The small school's employment cell is suppressed for the public: not a peer value.
    assert peers["employment"] == {"indicator": "employment", "peers": 1, "median": 0.75,
                                   "rank": 1}
    assert peers["composite"]["peers"] == 1
    assert api.call("outcomes_scorecard_get", path={"org_id": 10**8}).status == 404


def test_ranking_is_for_staff(client, world):
    _run, big, _small = world
    assert OpenApiClient(client).call("outcomes_ranking").status in (401, 403)
    operator = OpenApiClient(client).login(f.operator(big))
    refused = operator.call("outcomes_ranking")
    assert refused.status == 200 and refused.body["rows"] == []
    staff = OpenApiClient(client).login(f.staff(Role.CITY_STAFF, f.CITY))
    body = staff.call("outcomes_ranking").body
    assert [r["name"] for r in body["rows"]] == ["小校", "大校"]
    body = staff.call("outcomes_ranking", query={"indicator": "employment"}).body
    assert [(r["name"], r["rank"]) for r in body["rows"]] == [("大校", 1), ("小校", 2)]


def test_settings_set_and_list(client):
    today = timezone.localdate()
    payload = {"valid_from": (today + dt.timedelta(days=1)).isoformat(),
               "weight_demand_match": "0.1", "weight_pass_rate": "0.2",
               "weight_level_up": "0.1", "weight_employment": "0.4",
               "weight_wage_growth": "0.2", "min_cell": 20, "link_auto_probability": 0.97,
               "link_review_probability": 0.6, "reason": "质量评价"}
    province = OpenApiClient(client).login(f.staff())
    created = province.call("outcomes_settings_set", json_body=payload)
    assert created.status == 201 and created.body["min_cell"] == 20
    assert created.body["region_code"] == f.PROVINCE
    again = province.call("outcomes_settings_set", json_body=payload)
    assert again.status == 409 and IndicatorSettings.objects.count() == 1
    bad = province.call("outcomes_settings_set", json_body={**payload,
                                                            "weight_employment": "0.5"})
    assert bad.status == 400 and "weight_wage_growth" in bad.error_fields()
    city = OpenApiClient(client).login(f.staff(Role.CITY_STAFF, f.CITY))
    assert city.call("outcomes_settings_set", json_body=payload).status == 403
    listed = city.call("outcomes_settings_list")
    assert listed.status == 200 and len(listed.body["history"]) == 1
    assert listed.body["in_force"]["min_cell"] == 10  # the new row starts tomorrow
    assert OpenApiClient(Client()).call("outcomes_settings_list").status in (401, 403)
