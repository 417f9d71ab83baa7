"""Reads of the demand app: forecasts. Scoped to the actor (staff of the forecast's region and
above; industry departments see the lines of their sector)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from jineng.core.errors import NotFound
from jineng.demand.models import (
    DemandForecast,
    ForecastLine,
    ForecastLineReview,
    ForecastStatusChange,
)
from jineng.demand.rules import forecast_lifecycle as lc
from jineng.demand.services.forecasts import forecast_kinds

__all__ = [
    "forecast_actions",
    "forecast_get",
    "forecast_history",
    "forecast_line_get",
    "forecast_lines",
    "forecast_list",
]


def forecast_list(*, actor, region_code: str | None = None, year: int | None = None,
                  quarter: int | None = None, status: str | None = None,
                  ) -> QuerySet[DemandForecast]:
    qs = (DemandForecast.objects.visible_to(actor).select_related("region")
          .annotate(line_count=Count("lines"),
                    urgent_count=Count("lines", filter=Q(lines__urgent=True))))
    if region_code:
        qs = qs.filter(region__code=region_code)
    if year:
        qs = qs.filter(year=year)
    if quarter:
        qs = qs.filter(quarter=quarter)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-year", "-quarter", "region__code", "-id")


def forecast_get(*, actor, pk: int) -> DemandForecast:
    found = DemandForecast.objects.visible_to(actor).select_related("region").filter(
        pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def _sector(actor) -> str:
    scope = getattr(actor, "scope", None)
    if scope is None or getattr(scope, "sees_persons", True):
        return ""
    return scope.sector or ""


def forecast_lines(*, actor, forecast: DemandForecast, urgent_only: bool = False
                   ) -> QuerySet[ForecastLine]:
    """The lines of a visible forecast with their reviews (industry staff: their sector's
    lines and those without a sector)."""
    forecast_get(actor=actor, pk=forecast.pk)
    qs = (ForecastLine.objects.filter(forecast=forecast).select_related("occupation")
          .prefetch_related(Prefetch("reviews", queryset=ForecastLineReview.objects
                                     .order_by("at", "id")))
          .order_by("-urgent", "-gap", "occupation__code", "id"))
    sector = _sector(actor)
    if sector:
        qs = qs.filter(Q(sector=sector) | Q(sector=""))
    if urgent_only:
        qs = qs.filter(urgent=True)
    return qs


def forecast_line_get(*, actor, pk: int) -> ForecastLine:
    line = (ForecastLine.objects.filter(pk=pk, forecast__in=DemandForecast.objects
                                        .visible_to(actor))
            .select_related("occupation", "forecast__region").first())
    if line is None:
        raise NotFound()
    sector = _sector(actor)
    if sector and line.sector and line.sector != sector:
        raise NotFound()
    return line


def forecast_history(*, actor, forecast: DemandForecast) -> list[ForecastStatusChange]:
    forecast_get(actor=actor, pk=forecast.pk)
    return list(ForecastStatusChange.objects.filter(forecast=forecast).order_by("at", "id"))


def forecast_actions(*, actor, forecast: DemandForecast) -> dict:
    """What the forecast page offers: the transitions and whether lines may be reviewed."""
    kinds = forecast_kinds(actor, forecast.region)
    return {"actions": lc.available_actions(forecast.status, kinds),
            "review_lines": lc.may_review_lines(forecast.status, kinds),
            "rebuild": forecast.status in lc.REBUILD_STATES and lc.HRSS in kinds}
