"""Audit (issue 10): behaviour the spec asks of issuance that no other test pins down.

Tests marked xfail(strict=True) document a gap found by the audit (/work/notes/gaps.md): they
fail today; when the gap is fixed they XPASS, which fails the run — then drop the marker."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jineng.assessment import services
from jineng.assessment.choices import AssessmentRoute
from jineng.assessment.models import Certificate
from jineng.core.errors import DomainError
from tests.assessment import issuance_support as s

pytestmark = pytest.mark.django_db


def test_an_unapproved_direct_recognition_holds_the_issue_and_is_named():
    """Zhejiang (七): a direct recognition counts only once the HRSS office approved it
    (Candidate.approved_at). Issuing (and so closing) is refused while one waits, naming the
    candidate; nothing is written; the office approves in "results", then the issue runs."""
    w = s.world(passed=2, failed=0)
    waiting, approved = w.passed
    waiting.route = approved.route = AssessmentRoute.DIRECT_RECOGNITION
    waiting.justification = approved.justification = "解决重大工艺技术难题"
    waiting.save()
    approved.approved_at, approved.approved_by = timezone.now(), "county"
    approved.save()
    with pytest.raises(DomainError) as refused:
        services.certificates_issue_for_sitting(actor=w.operator, sitting=w.sitting)
    assert (refused.value.field, refused.value.code) == ("candidates",
                                                         "direct_recognition_pending")
    assert waiting.person.name in refused.value.message
    assert f"#{waiting.pk}" in refused.value.message
    assert f"#{approved.pk}" not in refused.value.message
    assert not Certificate.objects.exists()
    w.sitting.refresh_from_db()
    assert w.sitting.status == "results"
    # the HRSS office approves while the sitting is in "results"; then everyone is issued
    services.direct_recognition_approve(actor=w.county_staff, candidate=waiting)
    issued = services.certificates_issue_for_sitting(actor=w.operator, sitting=w.sitting)
    assert sorted(c.candidate_id for c in issued) == sorted([waiting.pk, approved.pk])
    w.sitting.refresh_from_db()
    assert w.sitting.status == "closed"


def test_a_waiting_direct_recognition_who_failed_does_not_hold_the_issue():
    w = s.world(passed=1, failed=1)
    (failed,) = w.failed
    failed.route, failed.justification = AssessmentRoute.DIRECT_RECOGNITION, "技术革新"
    failed.save()
    issued = services.certificates_issue_for_sitting(actor=w.operator, sitting=w.sitting)
    assert [c.candidate_id for c in issued] == [w.passed[0].pk]


def test_direct_recognition_cannot_be_approved_once_closed():
    w = s.world(passed=1, failed=0)
    (one,) = w.passed
    services.certificates_issue_for_sitting(actor=w.operator, sitting=w.sitting)
    one.route, one.justification = AssessmentRoute.DIRECT_RECOGNITION, "技术革新"
    one.save()
    with pytest.raises(DomainError) as refused:
        services.direct_recognition_approve(actor=w.county_staff, candidate=one)
    assert (refused.value.field, refused.value.code) == ("status", "approval_closed")


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
