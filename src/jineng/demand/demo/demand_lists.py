"""Demo data of the demand app: demand_lists."""

from __future__ import annotations


def build(*, rng, today, anchors, scale: str) -> dict:
    """Build this area's demo rows; returns counts (and optional "blocks")."""
    return {}
