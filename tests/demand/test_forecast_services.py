"""The forecast services on the real database: building from demand lists (a known series),
the workflow with industry line reviews, publication into the urgently-needed catalog (answered
by catalog.selectors.urgent_occupation_as_of), and refusals that change nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jineng.catalog import selectors as catalog_selectors
from jineng.catalog.choices import VersionStatus
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditEvent
from jineng.demand import selectors
from jineng.demand.models import DemandForecast, ForecastLineReview, ForecastStatusChange
from jineng.demand.services import forecasts as fs
from tests import factories as f
from tests.demand import forecast_support as fx

pytestmark = pytest.mark.django_db
D = Decimal


def test_build_on_a_known_series():
    w = fx.world()
    forecast = fx.build(w)
    lines = {line.occupation.code: line for line in forecast.lines.select_related("occupation")}
    assert set(lines) == {"4-10-01-05", "6-31-01-03"}  # the draft list's 999 never counts
    care = lines["4-10-01-05"]
    # 12 past quarters: four empty ones, then 10 20 30 40 14 24 34 44.
    assert [h["demand"] for h in care.history] == [0, 0, 0, 0, *fx.CARE_SERIES]
    assert care.history[-1]["quarter"] == fx.PREVIOUS_LABEL
    # 14 + (29 − 25) = 18 (rules test); vacancies 44 − 30 = 14 still needed in the quarter;
    # supply: the class of 10 planned ends in it, × 0.8 = 8; gap 18 + 14 − 8 = 24 = 75 %.
    assert care.predicted == D("18.0")
    assert (care.vacancies, care.trainees, care.supply, care.gap) == (14, 10, D("8.0"),
                                                                      D("24.0"))
    assert care.urgent and care.urgency == "critical"
    assert care.sector == fx.CARE
    assert [r["code"] for r in care.reasons] == ["method", "demand", "supply", "gap_critical"]
    # Backtest, hand-computed (12 quarters, forecasts of quarters 5–12):
    # errors 10 20 30 40 21 19.5 15.5 9 → MAE 165 / 8 = 20.625 → 20.6;
    # APE % 100 100 100 100 150 81.25 45.59 20.45 → 697.29 / 8 = 87.2
    assert care.backtest == {"points": 8, "mae": "20.6", "mape": "87.2", "mape_points": 8}
    electric = lines["6-31-01-03"]
    assert electric.predicted == D("5.0") and not electric.urgent
    assert electric.reasons[-1]["code"] == "gap_below_minimum"
    # Pooled with electric (0 0 0 0 5 5 5 5 5 5 5 5): forecasts 0 0 0 0, then 5 + (5 − 0) = 10,
    # 5 + (5 − 1.25) = 8.75 → 8.8, 7.5, 6.25 → 6.3: errors 5 5 5 5 5 3.8 2.5 1.3 = 32.6,
    # APE % 100 ×5, 76, 50, 26 = 652. MAE (165 + 32.6) / 16 = 12.35 → 12.4;
    # MAPE (697.29 + 652) / 16 = 84.33 → 84.3
    assert forecast.backtest["overall"] == {"points": 16, "mae": "12.4", "mape": "84.3",
                                            "mape_points": 16}
    assert forecast.status == "draft" and forecast.method == "seasonal_naive_drift"
    assert AuditEvent.objects.filter(entity_type="demand.demandforecast",
                                     entity_id=str(forecast.pk)).count() == 1


def test_rebuild_replaces_a_draft_and_hires_plug_in():
    w = fx.world()
    first = fx.build(w)
    # outcomes' hiring records (until that app exists, passed in): 60 hired in the last
    # quarter raise that quarter's observed demand from 44 to 60.
    again = fx.build(w, hires={(fx.care().pk, *fx.PREVIOUS): 60})
    assert again.pk == first.pk
    care = again.lines.get(occupation=fx.care())
    assert care.history[-1]["demand"] == 60
    assert DemandForecast.objects.count() == 1


def test_workflow_reviews_and_publication_to_the_catalog():
    w = fx.world()
    forecast = fx.in_review(w)
    care = forecast.lines.get(occupation=fx.care())
    electric = forecast.lines.get(occupation=fx.electrician())
    fs.forecast_line_review(actor=w.industry, line=care, verdict="agree")
    fs.forecast_line_review(actor=w.industry, line=care, verdict="comment",
                            note="春节后返岗高峰", proposed=30)
    with pytest.raises(Forbidden):  # another sector's line
        fs.forecast_line_review(actor=w.industry, line=electric, verdict="agree")
    with pytest.raises(Forbidden):  # HRSS staff do not review lines
        fs.forecast_line_review(actor=w.province_staff, line=care, verdict="agree")
    assert ForecastLineReview.objects.filter(line=care).count() == 2
    # industry staff see their sector's lines only
    seen = selectors.forecast_lines(actor=w.industry, forecast=forecast)
    assert [line.occupation.code for line in seen] == ["4-10-01-05"]
    with pytest.raises(NotFound):
        selectors.forecast_line_get(actor=w.industry, pk=electric.pk)
    with pytest.raises(NotFound):  # county staff do not see the province's forecast
        fs.forecast_transition(actor=w.county_staff, forecast=forecast, action="approve")
    with pytest.raises(Forbidden):  # industry departments review; they do not approve
        fs.forecast_transition(actor=w.industry, forecast=forecast, action="approve")
    fs.forecast_transition(actor=w.province_staff, forecast=forecast, action="approve")
    with pytest.raises(Forbidden):  # only the province's own office keeps its catalog
        fs.forecast_transition(actor=w.industry, forecast=forecast, action="publish")
    published = fs.forecast_transition(actor=w.province_staff, forecast=forecast,
                                       action="publish")
    assert published.status == "published" and published.catalog_version_id
    answer = catalog_selectors.urgent_occupation_as_of(fx.care(), f.COUNTY, fx.MID)
    assert answer is not None and answer.version_id == published.catalog_version_id
    assert answer.entry.urgency == "critical"
    assert answer.entry.forecast_demand == 32 and answer.entry.forecast_shortfall == 24
    # not urgent, not listed; outside the quarter, not listed
    assert catalog_selectors.urgent_occupation_as_of(fx.electrician(), f.COUNTY,
                                                     fx.MID) is None
    assert catalog_selectors.urgent_occupation_as_of(fx.care(), f.COUNTY,
                                                     fx.AFTER) is None
    steps = [(h.action, h.to_status) for h in ForecastStatusChange.objects.filter(
        forecast=forecast)]
    assert steps == [("build", "draft"), ("submit", "in_review"), ("approve", "approved"),
                     ("publish", "published")]
    with pytest.raises(Conflict):  # the quarter's forecast is published: no rebuild
        fx.build(w)


def test_a_city_forecast_is_filed_as_a_supplement_for_the_province():
    w = fx.world()
    province = fs.forecast_transition(actor=w.province_staff, forecast=fx.approved(w),
                                      action="publish")
    city = fs.forecast_build(actor=w.city_staff, region=f.region(f.CITY), year=fx.YEAR,
                             quarter=fx.QUARTER)
    for action in ("submit", "approve", "publish"):
        city = fs.forecast_transition(actor=w.city_staff, forecast=city, action=action)
    assert city.status == "published"
    version = catalog_selectors.version_get(actor=w.city_staff, pk=city.catalog_version_id)
    assert version.status == VersionStatus.REVIEW  # the province approves the filing
    assert version.catalog.base_id is not None
    assert province.catalog_version_id != city.catalog_version_id


def test_refused_calls_change_nothing():
    w = fx.world()
    forecast = fx.build(w)
    events = AuditEvent.objects.count()
    with pytest.raises(NotFound):  # out of scope is missing
        fs.forecast_transition(actor=w.other_city_staff, forecast=forecast, action="submit")
    with pytest.raises(Forbidden):
        fs.forecast_transition(actor=w.industry, forecast=forecast, action="submit")
    with pytest.raises(DomainError):
        fs.forecast_transition(actor=w.province_staff, forecast=forecast, action="reject")
    with pytest.raises(DomainError):
        fs.forecast_transition(actor=w.province_staff, forecast=forecast, action="publish")
    with pytest.raises(DomainError):
        fs.forecast_build(actor=w.province_staff, region=f.region(f.PROVINCE), year=1999,
                          quarter=1)
    with pytest.raises(DomainError):
        fx.build(w, parameters={"short_share": "2"})
    with pytest.raises(DomainError):
        fx.build(w, parameters={"bogus": 1})
    with pytest.raises(NotFound):
        fs.forecast_build(actor=w.enterprise_user, region=f.region(f.PROVINCE), year=2026,
                          quarter=2)
    with pytest.raises(Forbidden):
        fs.forecast_build(actor=w.industry, region=f.region(f.PROVINCE), year=2026, quarter=2)
    forecast.refresh_from_db()
    assert forecast.status == "draft"
    assert AuditEvent.objects.count() == events


def test_publishing_with_nothing_urgent_is_refused_and_changes_nothing():
    w = fx.world(care_trainees=50)  # supply 40 covers the demand of 32: nothing urgent
    forecast = fx.approved(w)
    assert not forecast.lines.filter(urgent=True).exists()
    with pytest.raises(DomainError):
        fs.forecast_transition(actor=w.province_staff, forecast=forecast, action="publish")
    forecast.refresh_from_db()
    assert forecast.status == "approved"
    assert not catalog_selectors.catalog_list(actor=w.province_staff,
                                              kind="urgent_occupation").exists()


def test_the_background_job_builds_with_progress():
    from jineng.jobs.models import Job

    w = fx.world()
    job = fs.forecast_start(actor=w.province_staff, region=f.region(f.PROVINCE),
                            year=fx.YEAR, quarter=fx.QUARTER)
    from tests.jobs.worker import run_worker

    run_worker()
    job = Job.objects.get(pk=job.pk)
    assert job.status == "succeeded", job.error
    assert (job.done, job.total) == (2, 2)
    assert DemandForecast.objects.get(year=fx.YEAR, quarter=fx.QUARTER).lines.count() == 2


def test_the_command_builds_as_the_system():
    import io

    from django.core.management import call_command

    fx.world()
    out = io.StringIO()
    call_command("demand-forecast", "--region", f.PROVINCE, "--year", str(fx.YEAR),
                 "--quarter", str(fx.QUARTER), stdout=out, stderr=io.StringIO())
    assert "2 occupations, 1 urgently needed" in out.getvalue()
    assert "MAE 12.4 MAPE 84.3%" in out.getvalue()
    event = AuditEvent.objects.get(entity_type="demand.demandforecast")
    assert event.actor_username == "system"
