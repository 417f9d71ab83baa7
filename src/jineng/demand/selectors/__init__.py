"""Every read of the demand app, one module per sub-domain: wishes (posters, the public wish
form), demand_lists (enterprises' quarterly lists and their review), forecasts (the quarterly
demand forecast and its publication to the catalog), matching (wishes → classes, demands →
order classes, trainees → jobs), wages (wage guidance). Scoped to the actor. The names
re-exported here are the public surface."""

from __future__ import annotations

from jineng.demand.selectors.demand_lists import *  # noqa: F403
from jineng.demand.selectors.forecasts import *  # noqa: F403
from jineng.demand.selectors.matching import *  # noqa: F403
from jineng.demand.selectors.wages import *  # noqa: F403
from jineng.demand.selectors.wishes import *  # noqa: F403
