"""The demo's fraud planting is deterministic by seed, removed by a reset with the scan it ran,
off at rate 0, and refuses a rate out of range (each test builds its own tiny province)."""

from __future__ import annotations

import pytest

from jineng.demo import generator
from jineng.supervision import demo as fraud
from jineng.supervision.models import RiskAlert, RiskRun

pytestmark = pytest.mark.django_db


@pytest.mark.slow  # whole demo builds: slow tier (`dev.py test --all`)
def test_deterministic_by_seed_and_removed_by_a_reset() -> None:
    generator.generate("XS", seed=2, progress=False, fraud_rate=0.05)
    first = fraud.planted_cases()
    assert RiskRun.objects.count() == 1 and RiskAlert.objects.exists()
    generator.reset_demo()
    assert not RiskRun.objects.exists() and not RiskAlert.objects.exists()
    generator.generate("XS", seed=2, progress=False, fraud_rate=0.05)
    assert fraud.planted_cases() == first


def test_a_zero_rate_plants_nothing_and_bad_rates_are_refused() -> None:
    with pytest.raises(generator.DemoError, match="fraud-rate"):
        generator.generate("XS", seed=1, progress=False, fraud_rate=0.9)
    counts = generator.generate("XS", seed=1, progress=False, fraud_rate=0)
    assert all(counts[f"fraud_{rule}"] == 0 for rule in fraud.PATTERNS)
    assert all(v == [] for v in fraud.planted_cases()["quality"].values())
