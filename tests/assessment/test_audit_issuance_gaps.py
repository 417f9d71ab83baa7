"""Audit (issue 10): behaviour the spec asks of issuance that no other test pins down.

Tests marked xfail(strict=True) document a gap found by the audit (/work/notes/gaps.md): they
fail today; when the gap is fixed they XPASS, which fails the run — then drop the marker."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jineng.assessment import services
from jineng.assessment.choices import AssessmentRoute
from jineng.assessment.models import Certificate
from tests.assessment import issuance_support as s

pytestmark = pytest.mark.django_db


def test_an_unapproved_direct_recognition_gets_no_certificate():
    """Zhejiang (七): a direct recognition counts only once the HRSS office approved it
    (Candidate.approved_at); rules.routes.awaiting_approval says so, issuance must obey."""
    w = s.world(passed=2, failed=0)
    waiting, approved = w.passed
    waiting.route = approved.route = AssessmentRoute.DIRECT_RECOGNITION
    waiting.justification = approved.justification = "解决重大工艺技术难题"
    waiting.save()
    approved.approved_at, approved.approved_by = timezone.now(), "county"
    approved.save()
    services.certificates_issue_for_sitting(actor=w.operator, sitting=w.sitting)
    holders = set(Certificate.objects.values_list("candidate_id", flat=True))
    assert approved.pk in holders
    assert waiting.pk not in holders


def test_an_approved_direct_recognition_is_issued():
    """The positive control of the test above (passes today)."""
    w = s.world(passed=1, failed=0)
    (one,) = w.passed
    one.route, one.justification = AssessmentRoute.DIRECT_RECOGNITION, "技术革新"
    one.approved_at, one.approved_by = timezone.now(), "county"
    one.save()
    issued = services.certificates_issue_for_sitting(actor=w.operator, sitting=w.sitting)
    assert [c.candidate_id for c in issued] == [one.pk]


# --- the plans facts are written in the certificates' transaction ------------------------------

class _Boom(Exception):
    pass


def _state():
    from jineng.assessment.models import AssessmentSitting, CertificateSequence
    from jineng.plans.models import ActualFact
    return (Certificate.objects.count(), ActualFact.objects.count(),
            sum(CertificateSequence.objects.values_list("last", flat=True)),
            list(AssessmentSitting.objects.values_list("status", flat=True)))


def test_facts_failing_leaves_no_certificate_and_the_sitting_open(monkeypatch):
    from jineng.plans import services as plans

    w = s.world(passed=2, failed=0)
    before = _state()

    def boom(**kw):
        raise _Boom

    monkeypatch.setattr(plans, "actual_facts_add_many", boom)
    with pytest.raises(_Boom):
        services.certificates_issue_for_sitting(actor=w.operator, sitting=w.sitting)
    assert _state() == before and before[3] == ["results"]


def test_a_failure_after_the_facts_leaves_no_fact(monkeypatch):
    """The class step comes after the facts: when it fails, the facts go with the rest."""
    from jineng.assessment.services import issuance
    from jineng.plans.models import ActualFact

    w = s.world(passed=2, failed=0)
    calls = []

    def boom(actor, sitting):
        calls.append(ActualFact.objects.count())
        raise _Boom

    w.sitting.training_class_id = None
    monkeypatch.setattr(issuance, "_close", lambda *a, **kw: None)
    monkeypatch.setattr(issuance.plan_facts, "record_issued",
                        _after(issuance.plan_facts.record_issued, boom))
    before = _state()
    with pytest.raises(_Boom):
        services.certificates_issue_for_sitting(actor=w.operator, sitting=w.sitting)
    assert calls and calls[0] > 0  # the facts were written, then the failure
    assert _state() == before


def _after(original, then):
    def wrapper(**kw):
        original(**kw)
        then(kw["actor"], kw["sitting"])
    return wrapper
