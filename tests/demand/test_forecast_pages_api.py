"""Forecast and wage-guidance pages (real templates) and API (through the OpenAPI document):
the workflow by buttons and by API, industry reviews, the public wage page without figures of a
suppressed cell."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jineng.core.tabular import write_csv
from jineng.demand.models import DemandForecast, ForecastLineReview, WageGuidance
from jineng.demand.services import wages as ws
from tests import factories as f
from tests.demand import forecast_support as fx
from tests.openapi import OpenApiClient

pytestmark = pytest.mark.django_db


def test_forecast_pages_by_buttons(client):
    w = fx.world()
    forecast = fx.build(w)
    client.force_login(w.province_staff)
    page = client.get(reverse("demand:forecast_list"))
    assert page.status_code == 200
    assert f'data-pk="{forecast.pk}"' in page.content.decode()
    detail = client.get(reverse("demand:forecast_detail", args=[forecast.pk])).content.decode()
    assert 'data-status="draft"' in detail and "MAE 12.4" in detail
    assert f"{fx.PREVIOUS_LABEL}: 44" in detail  # the line's past quarters
    client.post(reverse("demand:forecast_transition", args=[forecast.pk]), {"action": "submit"})
    forecast.refresh_from_db()
    assert forecast.status == "in_review"
    # the industry department reviews its sector's line on the page
    client.force_login(w.industry)
    detail = client.get(reverse("demand:forecast_detail", args=[forecast.pk])).content.decode()
    care = forecast.lines.get(occupation=fx.care())
    electric = forecast.lines.get(occupation=fx.electrician())
    assert f'data-pk="{care.pk}"' in detail and f'data-pk="{electric.pk}"' not in detail
    client.post(reverse("demand:forecast_line_review", args=[care.pk]),
                {"verdict": "disagree", "note": "偏低", "proposed": "40"})
    assert ForecastLineReview.objects.get(line=care).proposed == 40
    assert client.post(reverse("demand:forecast_line_review", args=[electric.pk]),
                       {"verdict": "agree"}).status_code == 404
    # out of scope: 404 like missing
    client.force_login(w.other_city_staff)
    assert client.get(reverse("demand:forecast_detail",
                              args=[forecast.pk])).status_code == 404


def test_forecast_api_workflow():
    w = fx.world()
    forecast = fx.build(w)
    api = OpenApiClient().login(w.province_staff)
    listed = api.call("demand_forecast_list")
    assert listed.status == 200 and [r["id"] for r in listed.body["items"]] == [forecast.pk]
    got = api.call("demand_forecast_get", path={"forecast_id": forecast.pk})
    assert got.status == 200 and got.body["actions"] == ["submit", "reject"]
    care = next(line for line in got.body["lines"] if line["occupation_code"] == "4-10-01-05")
    assert care["urgent"] and care["gap"] in ("24.0", 24.0)
    for action in ("submit", "approve", "publish"):
        step = api.call("demand_forecast_transition", path={"forecast_id": forecast.pk},
                        json_body={"action": action})
        assert step.status == 200, step.body
    assert step.body["status"] == "published" and step.body["catalog_version_id"]
    refused = api.call("demand_forecast_transition", path={"forecast_id": forecast.pk},
                       json_body={"action": "submit"})
    assert refused.status == 400
    other = OpenApiClient().login(w.other_city_staff)
    assert other.call("demand_forecast_get", path={"forecast_id": forecast.pk}).status == 404
    assert other.call("demand_forecast_list").body["items"] == []


def test_forecast_api_build_queues_a_job():
    w = fx.world()
    api = OpenApiClient().login(w.province_staff)
    answer = api.call("demand_forecast_build", json_body={"region_code": f.PROVINCE,
                                                          "year": fx.YEAR,
                                                          "quarter": fx.QUARTER})
    assert answer.status == 202 and answer.body["job_id"]
    from tests.jobs.worker import run_worker

    run_worker()
    assert DemandForecast.objects.get().lines.count() == 2
    ind = OpenApiClient().login(w.industry)
    assert ind.call("demand_forecast_build", json_body={"region_code": f.PROVINCE,
                                                        "year": fx.YEAR,
                                                        "quarter": fx.QUARTER}).status == 403


def _cells(staff):
    from tests.demand.test_wages_services import _rows

    ws.wage_guidance_compute(actor=staff, year=2025,
                             rows=_rows(10) + _rows(4, level="grade4", base=5000), source="t")


def test_public_wage_page_and_api_hide_suppressed_figures(client):
    staff = f.staff("province_staff", f.PROVINCE)
    _cells(staff)
    page = client.get(reverse("demand:wage_guidance")).content.decode()
    assert "data-suppressed" not in page  # nothing published yet
    ws.wage_guidance_publish(actor=staff, year=2025)
    page = client.get(reverse("demand:wage_guidance"), {"year": "2025"}).content.decode()
    assert page.count('data-suppressed="1"') == 1 and page.count('data-suppressed="0"') == 2
    assert "5000" not in page and "5300" not in page  # the small cell's wages are not shown
    assert "3400" in page
    public = OpenApiClient().call("demand_wage_guidance_list", query={"year": 2025})
    assert public.status == 200
    small = [c for c in public.body["items"] if c["suppressed"]]
    assert len(small) == 1 and small[0]["p50"] is None and small[0]["people"] == 4


def test_wage_import_page_reports_rows(client):
    staff = f.staff("province_staff", f.PROVINCE)
    client.force_login(staff)
    rows = [[f"r{i}", "4-10-01-05", "grade5", f.CITY, "2025-03", str(4000 + i)]
            for i in range(10)] + [["bad", "4-10-01-05", "", f.CITY, "2025-03", "x"]]
    data = write_csv([c.label for c in ws.WAGE_COLUMNS], rows)
    answer = client.post(reverse("demand:wage_guidance_import"), {
        "year": "2025", "source": "调查", "file": SimpleUploadedFile("w.csv", data)},
        follow=True)
    text = answer.content.decode()
    assert "12" in text and not WageGuidance.objects.exists()
    client.post(reverse("demand:wage_guidance_import"), {
        "year": "2025", "source": "调查", "skip_bad_rows": "1",
        "file": SimpleUploadedFile("w.csv", data)})
    assert WageGuidance.objects.count() == 2  # grade5 and all levels
    api = OpenApiClient(client)
    result = api.call("demand_wage_guidance_publish", json_body={"year": 2025})
    assert result.status == 200 and result.body["published"] == 2
