"""Record linkage through the API (called through its OpenAPI document) and the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from jineng.accounts.models import Role
from jineng.outcomes.choices import LinkStatus
from jineng.outcomes.models import InsuranceRecord
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.outcomes import link_support as s

pytestmark = pytest.mark.django_db
B1 = dt.date(1990, 5, 17)


@pytest.fixture
def world():
    p1 = s.person("张伟", B1, f.COUNTY, 11)
    p2 = s.person("张伟", B1, f.OTHER_COUNTY, 23)
    p3 = s.person("李明", dt.date(1988, 3, 4), f.COUNTY, 59)
    imp = s.an_import()
    review = s.link(imp, name="张伟", birth=B1)
    auto = s.link(imp, name="李明", birth=dt.date(1988, 3, 4), id_given=s.wrong_check(
        p3.plain_id))
    return {"p1": p1, "p2": p2, "p3": p3, "imp": imp, "review": review, "auto": auto}


def test_api_run_list_confirm_reject(client, world):
    staff = f.staff()
    api = OpenApiClient(client).login(staff)
    run = api.call("outcomes_link_run", json_body={"import_id": world["imp"].pk})
    assert run.status == 200
    assert (run.body["linked"], run.body["pending"], run.body["job_id"]) == (1, 1, None)
    listed = api.call("outcomes_link_list", query={"status": "pending"})
    assert listed.status == 200 and [x["id"] for x in listed.body["items"]] == [
        world["review"].pk]
    row = listed.body["items"][0]
    assert row["candidate_id"] == world["p1"].pk and row["candidate_id_masked"].startswith(
        f.COUNTY)
    assert row["comparison"]["name"] == "exact" and 0.5 <= row["match_probability"] < 0.99
    detail = api.call("outcomes_link_get", path={"link_id": world["auto"].pk})
    assert detail.status == 200 and detail.body["status"] == LinkStatus.LINKED
    assert detail.body["payload"]["employer_region"] == f.CITY
    bad = api.call("outcomes_link_confirm", path={"link_id": world["review"].pk},
                   json_body={"reason": ""})
    assert bad.status == 400
    ok = api.call("outcomes_link_confirm", path={"link_id": world["review"].pk},
                  json_body={"reason": "电话核实", "id_number": world["p2"].plain_id})
    assert ok.status == 200 and ok.body["candidate_id"] == world["p2"].pk
    assert InsuranceRecord.objects.filter(link=world["review"], person=world["p2"]).exists()
    again = api.call("outcomes_link_reject", path={"link_id": world["review"].pk},
                     json_body={"reason": "x"})
    assert again.status == 409
    reopened = api.call("outcomes_link_reopen", path={"link_id": world["review"].pk},
                        json_body={"reason": "核实有误"})
    assert reopened.status == 200 and reopened.body["status"] == LinkStatus.PENDING


def test_api_scope(client, world):
    api = OpenApiClient(client).login(f.staff(Role.CITY_STAFF, f.OTHER_CITY))
    assert api.call("outcomes_link_list").body["items"] == []
    assert api.call("outcomes_link_get", path={"link_id": world["review"].pk}).status == 404
    assert api.call("outcomes_link_reject", path={"link_id": world["review"].pk},
                    json_body={"reason": "x"}).status == 404
    county = OpenApiClient(client).login(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    assert county.call("outcomes_link_reject", path={"link_id": world["review"].pk},
                       json_body={"reason": "x"}).status == 403
    org = OpenApiClient(client).login(f.operator(f.OrganizationFactory()))
    assert org.call("outcomes_link_run", json_body={}).status == 403


def test_pages_queue_detail_confirm(client, world):
    staff = f.staff(Role.CITY_STAFF, f.CITY)
    client.force_login(staff)
    resp = client.post("/outcomes/links/run/")
    assert resp.status_code == 302
    page = client.get("/outcomes/links/", {"status": "pending"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-link="{world["review"].pk}"' in html
    assert f'data-link="{world["auto"].pk}"' not in html
    assert world["p1"].id_masked in html and 'data-field="exact"' in html
    missing = client.post(f"/outcomes/links/{world['review'].pk}/",
                          {"action": "confirm", "reason": ""})
    assert missing.status_code == 400
    done = client.post(f"/outcomes/links/{world['review'].pk}/",
                       {"action": "confirm", "reason": "电话核实",
                        "next": "/outcomes/links/?status=pending"})
    assert done.status_code == 302 and done["Location"] == "/outcomes/links/?status=pending"
    world["review"].refresh_from_db()
    assert world["review"].status == LinkStatus.CONFIRMED
    detail = client.get(f"/outcomes/links/{world['review'].pk}/")
    assert detail.status_code == 200 and 'id="link-reopen"' in detail.content.decode()
    client.force_login(f.staff(Role.CITY_STAFF, f.OTHER_CITY))
    assert client.get(f"/outcomes/links/{world['review'].pk}/").status_code == 404
    client.force_login(f.operator(f.OrganizationFactory()))
    assert client.get("/outcomes/links/").status_code == 404
