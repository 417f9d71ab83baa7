"""Every write of the demand app, one module per sub-domain: wishes (posters, the public wish
form), demand_lists (enterprises' quarterly lists and their review), forecasts (the quarterly
demand forecast and its publication to the catalog), matching (wishes → classes, demands →
order classes, trainees → jobs), wages (wage guidance). One transaction each, audited. The names
re-exported here are the public surface."""

from __future__ import annotations

from jineng.demand.services.demand_lists import *  # noqa: F403
from jineng.demand.services.forecasts import *  # noqa: F403
from jineng.demand.services.matching import *  # noqa: F403
from jineng.demand.services.wages import *  # noqa: F403
from jineng.demand.services.wishes import *  # noqa: F403
