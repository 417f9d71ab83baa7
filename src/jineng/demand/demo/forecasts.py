"""Demo data of the demand app: forecasts. One forecast cycle for the demo province: the
province's forecast of the next quarter, built by the demo `province` login from the demo's
demand lists plus SYNTHETIC past quarters (the demo province has no three years of real lists:
eight quarters per demo occupation are generated here, seasonal with a trend, and passed to the
rule as `history`, exactly as a province's pre-jineng figures would be), then sent to the
industry departments for review, so the `industry` login has lines to review. The current
quarter's forecast is built, approved and published to the urgently-needed catalog (skipped,
and said so in the counts, if the catalog has a version in preparation)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from jineng.core.errors import DomainError
from jineng.demand.services import forecasts as services
from jineng.registry.models import Occupation, Region

PROVINCE = "520000"
DEMO_OCCUPATIONS = ("4-10-01-05", "6-31-01-03", "4-03-02-01", "4-10-01-06", "4-10-01-03",
                    "4-01-06-01", "5-05-01-02", "6-18-02-04")
SEASON = (1.0, 1.3, 0.9, 0.8)  # after the Spring Festival, hiring peaks in Q2


def _quarter_of(day) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def synthetic_history(rng, occupation_ids, year: int, quarter: int) -> dict:
    """Eight past quarters per occupation: a level, a trend and the season, with noise."""
    out = {}
    for oid in occupation_ids:
        level, trend = rng.randint(20, 120), rng.uniform(-0.03, 0.08)
        series = {}
        for k in range(12, 0, -1):
            y, q = services._shift(year, quarter, -k)
            value = level * (1 + trend) ** (12 - k) * SEASON[q - 1] * rng.uniform(0.85, 1.15)
            series[(y, q)] = max(0, round(value))
        out[oid] = series
    return out


def build(*, rng, today, anchors, scale: str) -> dict:
    """Build this area's demo rows; returns counts (and optional "blocks")."""
    actor = get_user_model().objects.filter(username="province", is_active=True).first()
    region = Region.objects.filter(code=PROVINCE).first()
    if actor is None or region is None:
        return {"forecasts": 0}
    ids = list(Occupation.objects.filter(code__in=DEMO_OCCUPATIONS).values_list("pk", flat=True))
    year, quarter = _quarter_of(today)
    counts = {"forecasts": 0, "forecast_published": 0}
    try:
        current = services.forecast_build(actor=actor, region=region, year=year,
                                          quarter=quarter,
                                          history=synthetic_history(rng, ids, year, quarter))
        counts["forecasts"] += 1
        for action in ("submit", "approve", "publish"):
            current = services.forecast_transition(actor=actor, forecast=current,
                                                   action=action)
        counts["forecast_published"] = 1
    except DomainError as error:  # e.g. the catalog has a version in preparation
        counts["forecast_publish_skipped"] = error.message
    ny, nq = services._shift(year, quarter, 1)
    upcoming = services.forecast_build(actor=actor, region=region, year=ny, quarter=nq,
                                       history=synthetic_history(rng, ids, ny, nq))
    services.forecast_transition(actor=actor, forecast=upcoming, action="submit")
    counts["forecasts"] += 1
    return counts
