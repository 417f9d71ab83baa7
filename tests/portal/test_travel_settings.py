"""The travel model's dated, region-scoped parameters: ranges, which set is in force where and
when, coverage runs reading and recording the set of their day, the page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jineng.accounts.models import Role
from jineng.core.errors import DomainError
from jineng.core.models import AuditEvent
from jineng.portal.models import TravelSettings
from jineng.portal.rules import travel
from jineng.portal.selectors import travel as selectors
from jineng.portal.services import coverage_runs as runs
from jineng.portal.services import travel_settings as services
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.portal import coverage_support as cs

pytestmark = pytest.mark.django_db


def speeds(**change) -> dict:
    out = {m: dict(v) for m, v in travel.SPEED_KMH.items()}
    for key, value in change.items():
        mode, terrain = key.split("__")
        out[mode][terrain] = value
    return out


def record(code: str, day: dt.date, *, detour=None, speed=None) -> TravelSettings:
    return TravelSettings.objects.create(region=f.region(code), valid_from=day,
                                         detour=detour or dict(travel.DETOUR),
                                         speed_kmh=speed or speeds(), reason="test")


# --- rules -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("mode", "bad"), [("ebike", 26), ("walk", 9), ("drive", 9),
                                           ("bus", 101)])
def test_speeds_are_checked_per_mode(mode, bad):
    params = travel.TravelParameters(speed_kmh=speeds(**{f"{mode}__hill": bad}))
    with pytest.raises(travel.InvalidTravelInput) as refused:
        params.check()
    assert refused.value.field == f"speed.{mode}.hill"


def test_parameters_round_trip_through_what_a_run_stores():
    params = travel.TravelParameters(version="x", detour={"plain": 1.1, "hill": 1.3,
                                                          "mountain": 1.5})
    assert travel.TravelParameters.from_dict(params.as_dict()) == params


# --- which set is in force -------------------------------------------------------------------

def test_most_specific_region_and_latest_day_win():
    today = timezone.localdate()
    assert selectors.in_force(f.COUNTY, today).row is None  # the built-in defaults
    province = record(f.PROVINCE, today - dt.timedelta(days=10))
    assert selectors.in_force(f.COUNTY, today).row == province
    city = record(f.CITY, today - dt.timedelta(days=5))
    county = record(f.COUNTY, today - dt.timedelta(days=20))
    newer_province = record(f.PROVINCE, today - dt.timedelta(days=1))
    record(f.COUNTY, today + dt.timedelta(days=1))  # not yet
    found = selectors.in_force_for([f.COUNTY, f.OTHER_COUNTY, f.OTHER_CITY_COUNTY, f.PROVINCE],
                                   today)
    assert found[f.COUNTY].row == county  # its own set, though older than the province's
    assert found[f.OTHER_COUNTY].row == city
    assert found[f.OTHER_CITY_COUNTY].row == newer_province
    assert found[f.PROVINCE].row == newer_province
    # On an earlier day, the sets of that day.
    before = selectors.in_force_for([f.OTHER_COUNTY], today - dt.timedelta(days=7))
    assert before[f.OTHER_COUNTY].row == province


# --- coverage runs read the set of their day -------------------------------------------------

def test_run_uses_and_records_the_sets_in_force():
    w = cs.world()
    plain = runs.coverage_run(actor=w.city_staff, region_code=f.CITY)
    assert plain.travel_settings_id is None
    assert plain.parameters["version"] == travel.PARAMETERS_VERSION
    assert plain.parameters["by_county"] == {}
    assert plain.covered == 20000  # 云岩一镇 (20 km on the plain) is a gap by default
    today = timezone.localdate()
    # The province's set: the same figures as the defaults; 云岩区 faster roads: 1.2 and 60 km/h.
    province = services.travel_settings_set(
        actor=w.province_staff, region_code=f.PROVINCE, valid_from=today,
        detour=dict(travel.DETOUR), speed_kmh=speeds(), reason="省级参数")
    county = services.travel_settings_set(
        actor=w.province_staff, region_code=f.OTHER_COUNTY, valid_from=today,
        detour={"plain": 1.2, "hill": 1.4, "mountain": 1.6}, speed_kmh=speeds(drive__plain=60),
        reason="云岩区路网")
    run = runs.coverage_run(actor=w.city_staff, region_code=f.CITY)
    assert run.travel_settings_id == province.pk
    assert run.parameters["settings_id"] == province.pk
    assert run.parameters["as_of"] == today.isoformat()
    assert run.parameters["by_county"][f.OTHER_COUNTY]["settings_id"] == county.pk
    assert f.COUNTY not in run.parameters["by_county"]
    # Hand-checked: 0.2° of longitude at 26.5° N = 19.90 km; × 1.2 ÷ 60 × 60 = 23.9 min ≤ 30.
    km = travel.haversine_km(106.9, 26.5, 106.7, 26.5)
    assert km == pytest.approx(19.90, abs=0.01)
    assert run.covered == 25000
    assert {a["code"]: a["covered"] for a in run.axis}["520103001"] is True
    # The run's own audit names the sets.
    event = AuditEvent.objects.filter(entity_type="portal.coveragerun").latest("pk")
    assert event.after["travel_settings"] == province.pk
    # A placement over the run's gaps uses the same per-county sets.
    proposal = runs.placement_propose(actor=w.city_staff, run=run, k=1)
    assert proposal.newly_covered == 3000


def test_a_set_from_tomorrow_does_not_apply_today():
    w = cs.world()
    services.travel_settings_set(
        actor=w.province_staff, region_code=f.OTHER_COUNTY,
        valid_from=timezone.localdate() + dt.timedelta(days=1),
        detour={"plain": 1.0, "hill": 1.4, "mountain": 1.6}, speed_kmh=speeds(drive__plain=100),
        reason="明日起")
    run = runs.coverage_run(actor=w.city_staff, region_code=f.CITY)
    assert run.travel_settings_id is None and run.covered == 20000


# --- the service's messages ------------------------------------------------------------------

def test_errors_name_the_parameter_and_its_range():
    staff = f.staff()
    with pytest.raises(DomainError) as refused:
        services.travel_settings_set(
            actor=staff, region_code=f.COUNTY, valid_from=timezone.localdate(),
            detour=dict(travel.DETOUR), speed_kmh=speeds(ebike__mountain=30), reason="x")
    assert refused.value.field == "speed_kmh.ebike.mountain"
    assert "25" in refused.value.message and "Electric bicycle" in refused.value.message
    assert TravelSettings.objects.count() == 0


# --- API ---------------------------------------------------------------------------------------

def test_api_sets_and_lists(client):
    staff = f.staff()
    api = OpenApiClient(client).login(staff)
    body = {"region_code": f.COUNTY, "valid_from": timezone.localdate().isoformat(),
            "detour": {"plain": 1.3, "hill": 1.5, "mountain": 1.7}, "speed_kmh": speeds(),
            "reason": "测试", "source": "县交通局"}
    made = api.call("portal_travel_settings_set", json_body=body)
    assert made.status == 201, made.body
    assert made.body["region_code"] == f.COUNTY and made.body["detour"]["hill"] == 1.5
    listed = api.call("portal_travel_settings_list", query={"region": f.COUNTY})
    assert listed.status == 200
    assert listed.body["in_force"]["settings_id"] == made.body["id"]
    assert listed.body["in_force"]["from_region_code"] == f.COUNTY
    assert [h["id"] for h in listed.body["history"]] == [made.body["id"]]
    other = api.call("portal_travel_settings_list", query={"region": f.OTHER_COUNTY})
    assert other.body["in_force"]["settings_id"] is None
    assert other.body["in_force"]["version"] == travel.PARAMETERS_VERSION
    bad = api.call("portal_travel_settings_set", json_body={
        **body, "valid_from": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
        "detour": {"plain": 9, "hill": 1.5, "mountain": 1.7}})
    assert bad.status == 400
    assert "detour.plain" in str(bad.body)
    again = api.call("portal_travel_settings_set", json_body=body)
    assert again.status == 409


def test_api_refuses_city_staff_and_operators(client):
    body = {"region_code": f.CITY, "valid_from": timezone.localdate().isoformat(),
            "detour": dict(travel.DETOUR), "speed_kmh": speeds(), "reason": "x"}
    city = OpenApiClient(client).login(f.staff(Role.CITY_STAFF, f.CITY))
    assert city.call("portal_travel_settings_set", json_body=body).status == 403
    assert city.call("portal_travel_settings_list").status == 200  # staff read them
    operator = OpenApiClient(client).login(f.operator(f.OrganizationFactory()))
    assert operator.call("portal_travel_settings_list").body["history"] == []
    assert operator.call("portal_travel_settings_set", json_body=body).status == 403


# --- the page ----------------------------------------------------------------------------------

def _post(today, **change) -> dict:
    data = {"region_code": f.OTHER_COUNTY, "valid_from": today.isoformat(),
            "reason": "路网更新", "source": "区交通局"}
    for t, v in travel.DETOUR.items():
        data[f"detour.{t}"] = v
    for m, row in travel.SPEED_KMH.items():
        for t, v in row.items():
            data[f"speed_kmh.{m}.{t}"] = v
    data.update(change)
    return data


def test_page_records_a_set_and_shows_errors_beside_the_field(client):
    staff = f.staff()
    client.force_login(staff)
    today = timezone.localdate()
    page = client.get("/coverage/travel-settings/")
    assert page.status_code == 200 and 'id="travel-settings-form"' in page.content.decode()
    bad = client.post("/coverage/travel-settings/", _post(today, **{"speed_kmh.walk.hill": 12}))
    assert bad.status_code == 400 and TravelSettings.objects.count() == 0
    assert 'data-field="speed_kmh.walk.hill"' in bad.content.decode()
    done = client.post("/coverage/travel-settings/", _post(today, **{"detour.plain": 1.1}))
    assert done.status_code == 302
    row = TravelSettings.objects.get()
    assert row.region.code == f.OTHER_COUNTY and row.detour["plain"] == 1.1
    assert row.set_by == staff and row.source == "区交通局"
    shown = client.get(done["Location"]).content.decode()
    assert "路网更新" in shown and 'data-testid="travel-in-force"' in shown


def test_page_for_city_staff_has_no_form_and_operators_are_refused(client):
    client.force_login(f.staff(Role.CITY_STAFF, f.CITY))
    page = client.get("/coverage/travel-settings/")
    assert page.status_code == 200 and "travel-settings-form" not in page.content.decode()
    client.force_login(f.operator(f.OrganizationFactory()))
    assert client.get("/coverage/travel-settings/").status_code == 403
