"""The 30-minute circle through its pages and its API (the OpenAPI document's client): imports
with row reports, runs and proposals as background jobs run by the real worker, the run page
with its map data, the export, the public summary (anonymous, rate-limited), and scope."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from jineng.core.models import AuditEvent
from jineng.portal.models import CoverageRun, PlacementProposal
from tests import factories as f
from tests.jobs.worker import run_worker
from tests.openapi import OpenApiClient
from tests.portal import coverage_support as cs

pytestmark = pytest.mark.django_db


def test_api_import_run_and_placement_through_jobs():
    w = cs.world(population=False)
    api = OpenApiClient().login(w.city_staff)
    bad = api.call("portal_population_import", files={"file": cs.upload(cs.population_csv(
        extra="520102009,坏镇,,,106.7,26.5,hill,,2025,-1,synthetic,x,"))})
    assert bad.status == 200 and not bad.body["written"]
    assert bad.body["errors"] == [{"row": 6, "field": "population",
                                   "message": bad.body["errors"][0]["message"]}]
    ok = api.call("portal_population_import", files={"file": cs.upload(cs.population_csv())})
    assert ok.body["created"] == 4 and ok.body["written"]
    again = api.call("portal_population_import", files={"file": cs.upload(cs.population_csv())})
    assert again.body["created"] == 0 and again.body["unchanged"] == 4

    started = api.call("portal_coverage_run_start", json_body={"region": f.CITY})
    assert started.status == 202
    twice = api.call("portal_coverage_run_start", json_body={"region": f.CITY})
    assert twice.body["job_id"] == started.body["job_id"]  # one job while pending
    run_worker()
    run = CoverageRun.objects.get()
    assert run.job_id == started.body["job_id"]
    listed = api.call("portal_coverage_run_list", query={"region": f.CITY})
    assert [r["id"] for r in listed.body] == [run.pk]
    detail = api.call("portal_coverage_run_get", path={"run_id": run.pk})
    assert detail.body["gap_count"] == 2 and detail.body["synthetic"]
    assert {c["code"]: c["share"] for c in detail.body["counties"]}[f.OTHER_COUNTY] == 0.0

    placed = api.call("portal_placement_start", path={"run_id": run.pk},
                      json_body={"k": 1, "candidates": [
                          {"name": "乙", "longitude": 106.88, "latitude": 26.52}]})
    assert placed.status == 202
    run_worker()
    proposal = PlacementProposal.objects.get()
    got = api.call("portal_placement_get", path={"proposal_id": proposal.pk})
    assert got.body["newly_covered"] == 5000 and got.body["choices"][0]["gain"] == 5000
    export = api.call("portal_placement_export", path={"proposal_id": proposal.pk})
    assert export.status == 200
    assert cs.xlsx_rows(export.response.content)[1][1] == "乙"


def test_api_refusals_and_scope():
    w = cs.world()
    run = cs.run(w)
    other = OpenApiClient().login(w.other_city_staff)
    assert other.call("portal_coverage_run_get", path={"run_id": run.pk}).status == 404
    assert other.call("portal_placement_start", path={"run_id": run.pk},
                      json_body={"k": 1}).status == 404
    assert other.call("portal_coverage_run_list").body == []
    assert other.call("portal_coverage_run_start",
                      json_body={"region": f.CITY}).status == 404
    staff = OpenApiClient().login(w.city_staff)
    unknown = staff.call("portal_placement_start", path={"run_id": run.pk}, json_body={
        "k": 1, "candidates": [{"area_code": "520102999"}]})
    assert unknown.status == 400 and unknown.error_fields() == ["candidates[0].area_code"]
    absurd = staff.call("portal_coverage_run_start",
                        json_body={"region": f.CITY, "threshold_minutes": 9999})
    assert absurd.status == 422
    operator = OpenApiClient().login(w.operator)
    assert operator.call("portal_population_import", files={
        "file": cs.upload(cs.population_csv())}).status == 403
    assert OpenApiClient().call("portal_coverage_run_list").status == 401


def test_public_summary_api_and_page():
    anonymous = OpenApiClient()
    assert anonymous.call("portal_coverage_summary").body == {
        **anonymous.call("portal_coverage_summary").body, "computed": False, "counties": []}
    w = cs.world()
    cs.run(w)
    summary = anonymous.call("portal_coverage_summary")
    assert summary.status == 200 and summary.body["synthetic"] and summary.body["computed"]
    assert summary.body["population"] == 28000 and summary.body["covered"] == 20000
    assert "gaps" not in summary.body  # nothing per area in public
    page = Client().get(reverse("portal:coverage_public"))
    assert page.status_code == 200
    assert b'data-testid="synthetic-label"' in page.content
    assert f'data-county="{f.COUNTY}"'.encode() in page.content


def test_public_summary_is_rate_limited(settings):
    from jineng.portal.api import coverage as api_module
    from jineng.portal.views import coverage as views_module
    limit = 3
    api_module.PUBLIC_LIMIT = views_module.PUBLIC_LIMIT = limit
    try:
        client = Client()
        codes = [client.get(reverse("portal:coverage_public")).status_code
                 for _ in range(limit + 1)]
        assert codes == [200] * limit + [429]
        api = OpenApiClient()
        answers = [api.call("portal_coverage_summary").status for _ in range(limit + 1)]
        assert answers[-1] == 429
        assert AuditEvent.objects.filter(action="throttled").count() == 2
    finally:
        api_module.PUBLIC_LIMIT = views_module.PUBLIC_LIMIT = 120


def test_staff_pages_render_and_start_jobs():
    w = cs.world()
    client = Client()
    client.force_login(w.city_staff)
    home = client.get(reverse("portal:coverage_home"))
    assert home.status_code == 200 and b'id="run-form"' in home.content
    started = client.post(reverse("portal:coverage_home"), {
        "region": f.CITY, "threshold_minutes": 30, "mode": "drive"})
    assert started.status_code == 302 and "/jobs/" in started["Location"]
    run_worker()
    run = CoverageRun.objects.get()
    page = client.get(reverse("portal:coverage_run", args=[run.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-area="520102003"' in html and 'data-designation="key_village"' in html
    data = json.loads(html.split('id="coverage-map-data" type="application/json">')[1]
                      .split("</script>")[0])
    assert len(data["gaps"]) == 2 and data["geojson"].endswith("gui_zhou_geo.json")
    proposed = client.post(reverse("portal:coverage_run", args=[run.pk]),
                           {"k": 1, "candidates": "乙, 106.88, 26.52\n520102002"})
    assert proposed.status_code == 302
    run_worker()
    proposal = PlacementProposal.objects.get()
    detail = client.get(reverse("portal:placement_detail", args=[proposal.pk]))
    assert b'data-gain="5000"' in detail.content
    bad = client.post(reverse("portal:coverage_run", args=[run.pk]),
                      {"k": 1, "candidates": "乙, east, 26.52"})
    assert bad.status_code == 400
    imported = client.post(reverse("portal:coverage_import"), {
        "kind": "population", "file": cs.upload(cs.population_csv(
            [(*cs.ROWS[0][:6], 1)]))})
    assert imported.status_code == 400 and b'data-row="2"' in imported.content


def test_pages_refuse_others():
    w = cs.world()
    run = cs.run(w)
    other = Client()
    other.force_login(w.other_city_staff)
    assert other.get(reverse("portal:coverage_run", args=[run.pk])).status_code == 404
    operator = Client()
    operator.force_login(w.operator)
    assert operator.get(reverse("portal:coverage_home")).status_code == 403
    assert Client().get(reverse("portal:coverage_home")).status_code == 302  # to login
