"""The demand app's part of the demo province: posters and wishes, demand lists from the demo
enterprises (the enterprise login has lists to file and an order class to follow), one forecast
cycle, matches and referrals, wage guidance. Called by jineng.demo.generator."""

from __future__ import annotations

import datetime as dt
import random

from jineng.demand.demo import demand_lists, forecasts, matching, wages, wishes

# Order matters: matching reads the wishes and lists; forecasts read both.
AREAS = (wishes, demand_lists, forecasts, matching, wages)


def _high(model) -> int:
    from django.db.models import Max

    return model.objects.aggregate(hi=Max("pk"))["hi"] or 0


def _made_by(area, before: dict) -> list[tuple[str, int, int]]:
    """Blocks of the rows an area made through services (forecasts, wage cells): every row
    above the mark taken before it ran, in creation order (a reset deletes them in reverse)."""
    blocks = []
    for model, first in before.items():
        last = _high(model)
        if last > first:
            blocks.append((model._meta.label_lower, first + 1, last))
    return blocks


def build_demo_demand(*, scale: str, seed: int, today: dt.date, anchors: dict) -> dict:
    from jineng.demand.models import (
        DemandForecast,
        ForecastLine,
        ForecastLineReview,
        ForecastStatusChange,
        WageGuidance,
    )

    # Areas that write through services report no blocks of their own: marked here.
    marked = {forecasts: (DemandForecast, ForecastLine, ForecastLineReview,
                          ForecastStatusChange),
              wages: (WageGuidance,)}
    counts: dict = {"blocks": []}
    for area in AREAS:
        before = {model: _high(model) for model in marked.get(area, ())}
        result = area.build(rng=random.Random(f"{seed}:{area.__name__}"), today=today,
                            anchors=anchors, scale=scale)
        counts["blocks"].extend(result.pop("blocks", []))
        counts["blocks"].extend(_made_by(area, before))
        counts.update(result)
    return counts
