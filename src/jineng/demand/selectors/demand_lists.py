"""Reads of the demand app: demand_lists. Scoped to the actor."""

from __future__ import annotations

__all__: list[str] = []
