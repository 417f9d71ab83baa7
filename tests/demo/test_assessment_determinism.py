"""The demo's assessment part is the same for the same seed, and a reset removes it (its own
module: the other assessment demo tests share a province built for their module)."""

from __future__ import annotations

import pytest

from jineng.assessment.models import AssessmentSitting, Candidate, Certificate
from jineng.demo.generator import generate, reset_demo

pytestmark = pytest.mark.django_db


def assessment_fingerprint() -> dict:
    """The assessment part by content (primary keys and signatures differ between builds)."""
    return {
        "sittings": sorted(AssessmentSitting.objects.values_list(
            "evaluator__credit_code", "occupation__name", "level__code", "route",
            "sitting_date", "status", "second_certificate_kind")),
        "candidates": sorted(Candidate.objects.values_list(
            "person__id_hash", "route", "theory_score", "practical_score", "absent", "passed")),
        "certificates": sorted(Certificate.objects.values_list(
            "number", "kind", "origin", "person__id_hash", "issued_on", "status",
            "revocation_reason")),
    }


@pytest.mark.slow  # whole demo builds: slow tier (`dev.py test --all`)
def test_the_same_seed_gives_the_same_assessment_part():
    generate("XS", seed=5, progress=False)
    first = assessment_fingerprint()
    assert first["certificates"]
    reset_demo()
    assert not Certificate.objects.exists() and not AssessmentSitting.objects.exists()
    generate("XS", seed=5, progress=False)
    assert assessment_fingerprint() == first
