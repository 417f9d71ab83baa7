"""Audit (issue 10): special-ability certificates from a special-ability sitting (not only as
the second of 一试双证), and the per-province number patterns for special-ability and training
certificates, including a malformed configuration (refused, nothing written)."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import timezone

from jineng.assessment import services
from jineng.assessment.models import Certificate, CertificateSequence
from jineng.core.errors import DomainError
from jineng.plans.models import ActualFact
from jineng.training.models import Enrollment, TrainingClass
from tests import factories as f
from tests.assessment import factories as af
from tests.assessment import issuance_support as s
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


def _special_sitting(passed: int = 2):
    code = af.EvaluatorCodeFactory()
    s.publish_evaluation_catalog(s.listing_rows(code.organization))
    sitting = s.results_sitting(code.organization, passed=passed, failed=1, occupation=None,
                                level=None, special_ability_item=s.ITEM)
    return sitting, f.operator(code.organization)


def test_a_special_ability_sitting_issues_special_ability_certificates():
    sitting, operator = _special_sitting()
    issued = services.certificates_issue_for_sitting(actor=operator, sitting=sitting)
    year = timezone.localdate().year % 100
    assert [c.kind for c in issued] == ["special_ability"] * 2
    assert [c.number for c in issued] == [f"Z{sitting.region.code}{year:02d}{n:07d}"
                                          for n in (1, 2)]
    for c in issued:
        assert c.level_id is None and c.special_ability_item == s.ITEM and c.signature
    # not a skill-level certificate: no plans fact of certificates or new skilled workers
    assert not ActualFact.objects.filter(metric__in=("certificates", "new_skilled_workers"))


def test_a_special_ability_sitting_follows_its_provinces_pattern():
    sitting, operator = _special_sitting(passed=1)
    province = sitting.region.code[:2]
    with override_settings(JINENG_CERTIFICATE_NUMBER_PATTERNS={
            province: {"special_ability": "ZX{province}{year4}{site:6}{seq:4}"},
            "43": {"special_ability": "HN{year}{seq:8}"}}):
        (c,) = services.certificates_issue_for_sitting(actor=operator, sitting=sitting)
    assert c.number.startswith(f"ZX{province}{timezone.localdate().year}")
    assert c.number.endswith("0001") and len(c.number) == 2 + 2 + 4 + 6 + 4


def test_a_malformed_configured_pattern_is_refused_and_nothing_is_written():
    sitting, operator = _special_sitting(passed=1)
    province = sitting.region.code[:2]
    bad = override_settings(JINENG_CERTIFICATE_NUMBER_PATTERNS={
        province: {"special_ability": "zx{nope}{seq}"}})
    with bad, pytest.raises(DomainError) as refused:
        services.certificates_issue_for_sitting(actor=operator, sitting=sitting)
    assert (refused.value.field, refused.value.code) == ("number", "bad_pattern")
    assert not Certificate.objects.exists() and not CertificateSequence.objects.exists()
    sitting.refresh_from_db()
    assert sitting.status == "results"


def test_training_certificates_follow_the_provinces_pattern():
    tw = h.world()
    cls = h.declare(tw)
    enrollments = [h.enroll(tw, cls) for _ in range(2)]
    TrainingClass.objects.filter(pk=cls.pk).update(status="finished")
    Enrollment.objects.filter(pk__in=[e.pk for e in enrollments]).update(completed=True)
    cls.refresh_from_db()
    province = cls.region.code[:2]
    with override_settings(JINENG_CERTIFICATE_NUMBER_PATTERNS={
            province: {"training": "PX{region}-{year4}-{seq:5}"}}):
        issued = services.training_certificates_issue(actor=tw.operator, training_class=cls)
    year = timezone.localdate().year
    assert [c.number for c in issued] == [f"PX{cls.region.code[:6]}-{year}-{n:05d}"
                                          for n in (1, 2)]
