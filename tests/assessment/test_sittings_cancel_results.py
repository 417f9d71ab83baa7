"""G4: a sitting in "results" whose certificates cannot be issued is not stuck: HRSS staff of
its region cancel it with a reason (cancel_results); the evaluator may not; the cancelled
sitting never makes its class "assessed"."""

from __future__ import annotations

import pytest

from jineng.assessment import services
from jineng.assessment.models import AssessmentSitting, Certificate
from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditEvent
from jineng.training.models import ClassStatusChange, Enrollment, TrainingClass
from tests import factories as f
from tests.assessment import factories as af
from tests.assessment import issuance_support as s
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


def _finished_class() -> TrainingClass:
    tw = h.world()
    cls = h.declare(tw)
    enrollments = [h.enroll(tw, cls) for _ in range(2)]
    TrainingClass.objects.filter(pk=cls.pk).update(status="finished")
    Enrollment.objects.filter(pk__in=[e.pk for e in enrollments]).update(completed=True)
    cls.refresh_from_db()
    return cls


def test_hrss_cancels_a_sitting_whose_results_are_in():
    w = s.world(passed=2, failed=1)
    sitting = services.sitting_transition(actor=w.county_staff, sitting=w.sitting,
                                          action="cancel_results",
                                          reason="考点舞弊，成绩作废")
    assert sitting.status == "cancelled"
    step = sitting.status_history.latest("id")
    assert (step.action, step.from_status, step.to_status, step.reason) == (
        "cancel_results", "results", "cancelled", "考点舞弊，成绩作废")
    event = AuditEvent.objects.filter(entity_type="assessment.assessmentsitting",
                                      action="transition").latest("id")
    assert event.after["action"] == "cancel_results"
    # the results stay as recorded; no certificate can be issued any more
    assert sitting.candidates.filter(passed=True).count() == 2
    with pytest.raises(DomainError) as refused:
        services.certificates_issue_for_sitting(actor=w.operator, sitting=sitting)
    assert refused.value.code == "no_results"
    assert not Certificate.objects.exists()


def test_a_reason_is_required_and_the_refusal_changes_nothing():
    w = s.world(passed=1, failed=0)
    with pytest.raises(DomainError) as refused:
        services.sitting_transition(actor=w.county_staff, sitting=w.sitting,
                                    action="cancel_results", reason="  ")
    assert (refused.value.field, refused.value.code) == ("reason", "reason_required")
    w.sitting.refresh_from_db()
    assert w.sitting.status == "results"
    assert not w.sitting.status_history.filter(action="cancel_results").exists()


@pytest.mark.parametrize("action", ["cancel_results", "cancel"])
def test_the_evaluator_cannot_cancel_once_the_results_are_in(action):
    w = s.world(passed=1, failed=0)
    with pytest.raises((Forbidden, DomainError)):
        services.sitting_transition(actor=w.operator, sitting=w.sitting, action=action,
                                    reason="想取消")
    w.sitting.refresh_from_db()
    assert w.sitting.status == "results"


def test_a_class_whose_only_sitting_was_cancelled_is_not_assessed():
    cls = _finished_class()
    code = af.EvaluatorCodeFactory()
    sitting = s.results_sitting(code.organization, training_class=cls)
    staff = f.staff("county_staff", f.COUNTY)
    services.sitting_transition(actor=staff, sitting=sitting, action="cancel_results",
                                reason="评价机构被移出目录")
    cls.refresh_from_db()
    assert cls.status == "finished"
    assert not ClassStatusChange.objects.filter(training_class=cls, action="assess").exists()


def test_cancelling_the_last_open_sitting_assesses_the_class_by_its_closed_one():
    cls = _finished_class()
    code = af.EvaluatorCodeFactory()
    s.publish_evaluation_catalog(s.listing_rows(code.organization))
    closed = s.results_sitting(code.organization, training_class=cls)
    stuck = s.results_sitting(code.organization, training_class=cls)
    services.certificates_issue_for_sitting(actor=f.operator(code.organization), sitting=closed)
    cls.refresh_from_db()
    assert cls.status == "finished"  # the other sitting is still open
    staff = f.staff("county_staff", f.COUNTY)
    services.sitting_transition(actor=staff, sitting=stuck, action="cancel_results",
                                reason="成绩作废")
    cls.refresh_from_db()
    assert cls.status == "assessed"
    step = ClassStatusChange.objects.get(training_class=cls, action="assess")
    assert str(closed.pk) in step.reason and str(stuck.pk) not in step.reason
    assert AssessmentSitting.objects.get(pk=stuck.pk).status == "cancelled"


def test_the_sitting_page_offers_the_cancel_to_hrss_only(client):
    from django.urls import reverse

    w = s.world(passed=1, failed=0)
    detail = reverse("assessment:sittings_detail", args=[w.sitting.pk])
    client.force_login(w.operator)
    assert 'value="cancel_results"' not in client.get(detail).content.decode()
    client.force_login(w.county_staff)
    assert 'value="cancel_results"' in client.get(detail).content.decode()
    response = client.post(reverse("assessment:sittings_transition", args=[w.sitting.pk]),
                           {"action": "cancel_results", "reason": "考点舞弊"})
    assert response.status_code == 302
    w.sitting.refresh_from_db()
    assert w.sitting.status == "cancelled"
