"""Demo data of the demand app: wages."""

from __future__ import annotations


def build(*, rng, today, anchors, scale: str) -> dict:
    """Build this area's demo rows; returns counts (and optional "blocks")."""
    return {}
