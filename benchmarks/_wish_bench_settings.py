"""Settings of benchmarks/demand_wish_form.py: the project's settings, and the wish form's
address limit and challenge lifted (all the benchmark's load comes from 127.0.0.1)."""

from jineng.config.settings import *  # noqa: F403
from jineng.demand.rules import wishes as _rules

_rules.ADDRESS_LIMIT = _rules.Limit(10**9, _rules.ADDRESS_LIMIT.window)
_rules.ADDRESS_CHALLENGE_AFTER = 10**9
