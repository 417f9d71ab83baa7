"""Scope across the assessment areas, found by the scope matrix (tests/test_scope_matrix.py):
a training institution reads the results and certificates of the candidates it trained, not
of everyone who sat its class's sitting with them (a social candidate is none of its
business)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jineng.assessment import services
from jineng.assessment.models import Candidate, Certificate
from jineng.training.models import Enrollment, TrainingClass
from tests import factories as f
from tests.assessment import factories as af
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


def test_the_training_institution_sees_its_trainees_results_and_certificates_only():
    tw = h.world()
    cls = h.declare(tw)
    enrollment = h.enroll(tw, cls)
    TrainingClass.objects.filter(pk=cls.pk).update(status="finished")
    Enrollment.objects.filter(pk=enrollment.pk).update(completed=True)
    code = af.EvaluatorCodeFactory()
    sitting = af.SittingFactory(evaluator=code.organization, training_class=cls,
                                route="class_completed", status="results")
    scores = {"passed": True, "theory_score": Decimal("80"), "practical_score": Decimal("75")}
    trainee = af.CandidateFactory(sitting=sitting, person=enrollment.person,
                                  enrollment=enrollment, route="class_completed", **scores)
    social = af.CandidateFactory(sitting=sitting, route="social", **scores)
    services.certificates_issue_for_sitting(actor=f.operator(code.organization),
                                            sitting=sitting)

    institution = tw.operator
    assert set(Candidate.objects.visible_to(institution).values_list("pk", flat=True)) == {
        trainee.pk}
    assert set(Certificate.objects.visible_to(institution).values_list(
        "candidate_id", flat=True)) == {trainee.pk}
    # The certificate names the class its holder trained in; a social candidate's none.
    assert Certificate.objects.get(candidate=trainee).training_class_id == cls.pk
    assert Certificate.objects.get(candidate=social).training_class_id is None
    # The evaluator still sees both.
    evaluator = f.operator(code.organization)
    assert Certificate.objects.visible_to(evaluator).filter(
        candidate__sitting=sitting).count() == 2
