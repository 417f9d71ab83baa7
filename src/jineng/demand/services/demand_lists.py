"""Writes of the demand app: demand_lists. One transaction each, audited."""

from __future__ import annotations

__all__: list[str] = []
