"""The demand app's part of the demo province: posters and wishes, demand lists from the demo
enterprises (the enterprise login has lists to file and an order class to follow), one forecast
cycle, matches and referrals, wage guidance. Called by jineng.demo.generator."""

from __future__ import annotations

import datetime as dt
import random

from jineng.demand.demo import demand_lists, forecasts, matching, wages, wishes

# Order matters: matching reads the wishes and lists; forecasts read both.
AREAS = (wishes, demand_lists, forecasts, matching, wages)


def build_demo_demand(*, scale: str, seed: int, today: dt.date, anchors: dict) -> dict:
    counts: dict = {"blocks": []}
    for area in AREAS:
        result = area.build(rng=random.Random(f"{seed}:{area.__name__}"), today=today,
                            anchors=anchors, scale=scale)
        counts["blocks"].extend(result.pop("blocks", []))
        counts.update(result)
    return counts
