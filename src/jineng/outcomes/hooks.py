"""Hooks of the outcomes app (the pattern of core/hooks.py): what a higher app knows that the
outcomes job needs, without outcomes importing it.

`demand_matched_classes`: the demand app (a higher app) answers which classes train for an
occupation on an enterprise demand list in force at the class start. A provider takes a list of
(class_id, occupation_id, region_code, start_date) and returns the set of matched class ids.
With no provider registered only the urgently-needed catalog and order classes count."""

from __future__ import annotations

from collections.abc import Callable

from jineng.core.hooks import Providers

demand_matched_classes = Providers[Callable[[list], set]]("outcomes.demand_matched_classes")
