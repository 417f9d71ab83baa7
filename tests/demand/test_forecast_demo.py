"""The demo's forecast cycle and wage guidance, built on the test database as the demo
`province` login would build them."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from jineng.catalog import selectors as catalog_selectors
from jineng.demand.demo import forecasts as demo_forecasts
from jineng.demand.demo import wages as demo_wages
from jineng.demand.models import DemandForecast, WageGuidance
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_demo_forecast_cycle_and_wages():
    f.staff("province_staff", f.PROVINCE, username="province")
    today = dt.date(2026, 12, 5)
    counts = demo_forecasts.build(rng=random.Random(7), today=today, anchors={}, scale="S")
    assert counts["forecasts"] == 2 and counts["forecast_published"] == 1
    current = DemandForecast.objects.get(year=2026, quarter=4)
    assert current.status == "published"
    assert current.parameters["sources"]["synthetic_history"] is True
    upcoming = DemandForecast.objects.get(year=2027, quarter=1)
    assert upcoming.status == "in_review" and upcoming.lines.count() == 8
    urgent = current.lines.filter(urgent=True).select_related("occupation").first()
    answer = catalog_selectors.urgent_occupation_as_of(urgent.occupation, f.COUNTY,
                                                       dt.date(2026, 11, 1))
    assert answer is not None and answer.version_id == current.catalog_version_id
    counts = demo_wages.build(rng=random.Random(7), today=today, anchors={}, scale="S")
    assert counts["wage_cells"] > 0 and counts["wage_cells_suppressed"] > 0
    assert not WageGuidance.objects.filter(published_at__isnull=True).exists()
    assert not WageGuidance.objects.filter(suppressed=True, p50__isnull=False).exists()
