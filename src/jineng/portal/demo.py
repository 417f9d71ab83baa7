"""The portal's part of the demo province: synthetic population of the demo counties (labelled
synthetic), the 30-minute circle's coverage and a site-placement proposal. Called by
jineng.demo.generator."""

from __future__ import annotations

import datetime as dt


def build_demo_coverage(*, scale: str, seed: int, today: dt.date, anchors: dict) -> dict:
    return {}
