"""The demand API: forecasts (需求预测目录). Staff read the forecasts of their region (industry
departments: the lines of their sector), HRSS staff build one (a background job: 202 with the
job), take its workflow steps, and industry departments review lines while it is in review.
Out of scope answers 404 like missing."""

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from jineng.core.api import KIB, Pagination, body_limit, error_responses
from jineng.core.errors import NotFound
from jineng.demand import selectors, services
from jineng.demand.choices import ForecastStatus
from jineng.registry.models import Region

router = Router(tags=["demand"])
E = error_responses


class ForecastOut(Schema):
    id: int
    region_code: str = Field(alias="region.code")
    region: str = Field(alias="region.name")
    year: int
    quarter: int
    status: str = Field(description=", ".join(ForecastStatus.values))
    method: str
    parameters: dict[str, Any]
    backtest: dict[str, Any] = Field(description="overall and per-occupation error on past "
                                                 "quarters: points, mae, mape (%), mape_points")
    catalog_version_id: int | None
    built_at: dt.datetime
    built_by: str


class ReviewOut(Schema):
    verdict: str
    note: str
    proposed: int | None
    sector: str
    by: str = Field(alias="actor_username")
    at: dt.datetime


class LineOut(Schema):
    id: int
    occupation_code: str = Field(alias="occupation.code")
    occupation: str = Field(alias="occupation.name")
    sector: str
    history: list[dict[str, Any]]
    method: str
    backtest: dict[str, Any]
    filed: int
    vacancies: int
    trainees: int
    wishes: int
    predicted: Decimal
    supply: Decimal
    gap: Decimal
    urgent: bool
    urgency: str
    reasons: list[dict[str, Any]]
    reviews: list[ReviewOut]

    @staticmethod
    def resolve_reviews(obj) -> list:
        return list(obj.reviews.all())


class StepOut(Schema):
    action: str
    from_status: str
    to_status: str
    reason: str
    by: str = Field(alias="actor_username")
    at: dt.datetime


class ForecastDetailOut(ForecastOut):
    lines: list[LineOut] = Field(alias="detail_lines")
    history: list[StepOut]
    actions: list[str]
    review_lines: bool


def _detail(actor, pk: int):
    forecast = selectors.forecast_get(actor=actor, pk=pk)
    offered = selectors.forecast_actions(actor=actor, forecast=forecast)
    forecast.detail_lines = list(selectors.forecast_lines(actor=actor, forecast=forecast))
    forecast.history = selectors.forecast_history(actor=actor, forecast=forecast)
    forecast.actions = offered["actions"]
    forecast.review_lines = offered["review_lines"]
    return forecast


@router.get("/forecasts", response=list[ForecastOut], operation_id="demand_forecast_list")
@paginate(Pagination)
def forecast_list(request, region_code: str | None = None, year: int | None = None,
                  quarter: int | None = None, status: str | None = None):
    """Forecasts of the caller's region, newest quarter first."""
    return selectors.forecast_list(actor=request.auth, region_code=(region_code or "")[:12],
                                   year=year, quarter=quarter, status=(status or "")[:12])


@router.get("/forecasts/{forecast_id}", response={200: ForecastDetailOut, **E(404)},
            operation_id="demand_forecast_get")
def forecast_get(request, forecast_id: int):
    """One forecast: its lines (history, forecast, supply, gap, reasons, industry reviews), its
    status history and the steps the caller may take."""
    return _detail(request.auth, forecast_id)


class BuildIn(Schema):
    region_code: str = Field(max_length=12)
    year: int = Field(ge=2000, le=2100)
    quarter: int = Field(ge=1, le=4)
    parameters: dict[str, Decimal | int] = Field(
        default_factory=dict, description="min_gap, short_share, critical_share, "
                                          "take_up_share (defaults 10, 0.2, 0.5, 0.8)")


class ForecastJobOut(Schema):
    job_id: int
    status: str
    status_url: str


@router.post("/forecasts", response={202: ForecastJobOut, **E(400, 403, 404, 409, 422)},
             operation_id="demand_forecast_build")
@body_limit(4 * KIB)
def forecast_build(request, payload: BuildIn):
    """Build (or rebuild a draft of) a region's forecast of a quarter as a background job."""
    region = Region.objects.filter(code=payload.region_code).first()
    if region is None:
        raise NotFound()
    job = services.forecast_start(actor=request.auth, region=region, year=payload.year,
                                  quarter=payload.quarter, parameters=payload.parameters)
    return Status(202, {"job_id": job.pk, "status": job.status,
                        "status_url": f"/api/jobs/{job.pk}"})


class ForecastTransitionIn(Schema):
    action: str = Field(max_length=20, description="submit, return, approve, publish, reject")
    reason: str = Field("", max_length=2000)


@router.post("/forecasts/{forecast_id}/actions",
             response={200: ForecastDetailOut, **E(400, 403, 404, 409, 422)},
             operation_id="demand_forecast_transition")
@body_limit(8 * KIB)
def forecast_transition(request, forecast_id: int, payload: ForecastTransitionIn):
    """A workflow step. Publishing drafts a new version of the urgently-needed catalog (the
    province's: published; a city's or county's supplement: filed for the province)."""
    actor = request.auth
    forecast = selectors.forecast_get(actor=actor, pk=forecast_id)
    services.forecast_transition(actor=actor, forecast=forecast, action=payload.action,
                                 reason=payload.reason)
    return _detail(actor, forecast_id)


class ReviewIn(Schema):
    verdict: str = Field(max_length=10, description="agree, comment, disagree")
    note: str = Field("", max_length=2000)
    proposed: int | None = Field(None, ge=0, le=1_000_000)


@router.post("/forecast-lines/{line_id}/reviews",
             response={201: ReviewOut, **E(400, 403, 404, 422)},
             operation_id="demand_forecast_line_review")
@body_limit(8 * KIB)
def forecast_line_review(request, line_id: int, payload: ReviewIn):
    """An industry department's word on a line of its sector (while the forecast is in
    review)."""
    line = selectors.forecast_line_get(actor=request.auth, pk=line_id)
    review = services.forecast_line_review(actor=request.auth, line=line,
                                           verdict=payload.verdict, note=payload.note,
                                           proposed=payload.proposed)
    return Status(201, review)
