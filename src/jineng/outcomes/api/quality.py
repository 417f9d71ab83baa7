"""Outcomes API: quality. Indicator cells of the latest run (public: a cell below the province's
smallest public cell has `suppressed: true` and null figures), an institution's scorecard
(public for listed training institutions), the staff ranking of institutions, and the dated
indicator settings (read by staff; set by province HRSS staff)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status

from jineng.core.api import KIB, PUBLIC_SECURITY, body_limit, error_responses, public_auth
from jineng.outcomes.choices import Dimension, Indicator
from jineng.outcomes.selectors import quality as selectors
from jineng.outcomes.selectors import ranking as ranking_selectors
from jineng.outcomes.selectors import scorecards as scorecard_selectors
from jineng.outcomes.services import settings as services

router = Router()
E = error_responses
PUBLIC = {"auth": public_auth(), "openapi_extra": {"security": PUBLIC_SECURITY}}


class OutcomeRunStamp(Schema):
    run_id: int | None
    computed_at: dt.datetime | None = Field(description="when the run finished")
    data_through: dt.date | None = Field(description="records complete through this month")


def _stamp(run) -> dict:
    return {"run_id": run.pk if run else None, "computed_at": run.finished_at if run else None,
            "data_through": run.data_through if run else None}


class OutcomeIndicatorFilter(Schema):
    dimension: str = Field(Dimension.INSTITUTION.value, max_length=12,
                           description="all | institution | program | occupation | level | "
                                       "region")
    period: str = Field("all", max_length=8, description="all, a year (2025) or a quarter "
                                                          "(2025Q3) of exit")
    indicator: str = Field("", max_length=16, description="one indicator; empty: all")
    key: str = Field("", max_length=40, description="one key of the dimension (an institution "
                                                    "id, an occupation code, a city code …)")


class OutcomeCellOut(Schema):
    indicator: str
    indicator_label: str
    dimension: str
    key: str
    label: str
    period: str
    numerator: float | None
    denominator: float | None
    value: float | None
    trainees: int | None = Field(description="cell size; null when suppressed")
    suppressed: bool = Field(description="fewer than min_cell trainees: no figures shown")
    min_cell: int


class OutcomeCellsOut(OutcomeRunStamp):
    cells: list[OutcomeCellOut]


@router.get("/indicators", response={200: OutcomeCellsOut, **E(400, 422)},
            operation_id="outcomes_indicator_list", **PUBLIC)
def indicator_list(request, filters: Query[OutcomeIndicatorFilter]):
    """The latest run's indicator cells of one dimension and period. Public readers get small
    cells suppressed (null figures, `suppressed: true`) and institution cells of listed
    institutions only; government staff see every value."""
    run, cells = selectors.indicator_cells(
        actor=request.auth, dimension=filters.dimension, period=filters.period,
        indicator=filters.indicator or None, key=filters.key or None)
    return {**_stamp(run), "cells": [c.__dict__ for c in cells]}


class OutcomeFigureOut(Schema):
    code: str
    label: str
    kind: str = Field(description="count | rate | yuan | growth | score")
    value: float | None
    numerator: float | None
    denominator: float | None
    cell_size: int | None
    period: str
    suppressed: bool
    computed: bool
    definition: str


class OutcomePeerOut(Schema):
    indicator: str
    peers: int
    median: float | None
    rank: int | None


class OutcomeScorecardOut(OutcomeRunStamp):
    organization_id: int
    name: str
    region_code: str
    region_name: str
    period: str
    periods: list[str]
    min_cell: int
    occupations: list[list[str]]
    figures: list[OutcomeFigureOut]
    peers: list[OutcomePeerOut]


def scorecard_body(card) -> dict:
    return {**_stamp(card.run), "organization_id": card.organization.pk,
            "name": card.organization.name, "region_code": card.organization.region.code,
            "region_name": card.organization.region.name, "period": card.period,
            "periods": card.periods, "min_cell": card.min_cell,
            "occupations": [list(o) for o in card.occupations],
            "figures": [f.__dict__ for f in card.figures],
            "peers": [p.__dict__ for p in card.peers.values()]}


@router.get("/scorecards/{org_id}", response={200: OutcomeScorecardOut, **E(400, 404, 422)},
            operation_id="outcomes_scorecard_get", **PUBLIC)
def scorecard_get(request, org_id: int, period: str = "all"):
    """One training institution's results (public for listed institutions; small cells
    suppressed for the public) with the peer median and rank per indicator."""
    card = scorecard_selectors.institution_scorecard(actor=request.auth,
                                                     organization_id=org_id, period=period[:8])
    return scorecard_body(card)


class OutcomeRankingFilter(Schema):
    indicator: str = Field(Indicator.COMPOSITE.value, max_length=16)
    period: str = Field("all", max_length=8)
    occupation: str = Field("", max_length=50, description="occupation code")
    region: str = Field("", max_length=12, description="city or county code")


class OutcomeRankRowOut(Schema):
    rank: int | None
    organization_id: int
    name: str
    region_code: str
    region_name: str
    value: float | None
    numerator: float | None
    denominator: float | None
    trainees: int
    composite: float | None
    values: dict[str, float | None]


class OutcomeRankingOut(OutcomeRunStamp):
    indicator: str
    period: str
    periods: list[str]
    rows: list[OutcomeRankRowOut]


@router.get("/ranking", response={200: OutcomeRankingOut, **E(400, 403, 422)},
            operation_id="outcomes_ranking")
def ranking(request, filters: Query[OutcomeRankingFilter]):
    """Institutions ranked by an indicator (HRSS staff; province-wide)."""
    result = ranking_selectors.institution_ranking(
        actor=request.auth, indicator=filters.indicator, period=filters.period,
        occupation_code=filters.occupation, region_code=filters.region)
    return {**_stamp(result.run), "indicator": result.indicator, "period": result.period,
            "periods": result.periods, "rows": [r.__dict__ for r in result.rows]}


class OutcomeSettingsOut(Schema):
    id: int
    region_code: str
    valid_from: dt.date
    weight_demand_match: Decimal
    weight_pass_rate: Decimal
    weight_level_up: Decimal
    weight_employment: Decimal
    weight_wage_growth: Decimal
    min_cell: int
    link_auto_probability: float
    link_review_probability: float
    reason: str
    set_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code

    @staticmethod
    def resolve_set_by(obj) -> str:
        return obj.set_by.username if obj.set_by_id else ""


class OutcomeSettingsListOut(Schema):
    in_force: dict
    history: list[OutcomeSettingsOut]


@router.get("/settings", response={200: OutcomeSettingsListOut, **E(403, 404)},
            operation_id="outcomes_settings_list")
def settings_list(request, region: str = ""):
    """The province's settings in force today and every recorded row (staff of the
    province)."""
    history = list(selectors.indicator_settings_history(actor=request.auth,
                                                        region_code=region[:12] or None))
    code = history[0].region.code if history else (
        getattr(getattr(request.auth, "region", None), "code", "") or
        selectors.home_province_code())
    force = selectors.indicator_settings_in_force(region_code=code)
    return {"in_force": {**force.__dict__, "valid_from": force.valid_from.isoformat()
                         if force.valid_from else None}, "history": history}


class OutcomeSettingsIn(Schema):
    valid_from: dt.date
    weight_demand_match: Decimal = Field(max_digits=5, decimal_places=3)
    weight_pass_rate: Decimal = Field(max_digits=5, decimal_places=3)
    weight_level_up: Decimal = Field(max_digits=5, decimal_places=3)
    weight_employment: Decimal = Field(max_digits=5, decimal_places=3)
    weight_wage_growth: Decimal = Field(max_digits=5, decimal_places=3)
    min_cell: int = Field(ge=1, le=1000)
    link_auto_probability: float = Field(ge=0, le=1)
    link_review_probability: float = Field(ge=0, le=1)
    reason: str = Field(min_length=1, max_length=2000)
    region_code: str = Field("", max_length=12,
                             description="the province (administrators; staff: their own)")


@router.post("/settings", response={201: OutcomeSettingsOut, **E(400, 403, 404, 409, 422)},
             operation_id="outcomes_settings_set")
@body_limit(8 * KIB)
def settings_set(request, payload: OutcomeSettingsIn):
    """Record the province's parameters from a day on (today or later); past rows never
    change. Province HRSS staff only."""
    row = services.indicator_settings_set(actor=request.auth, **payload.dict())
    return Status(201, row)
