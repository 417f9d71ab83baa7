"""Sitting services: declaring (listing, pass marks, idempotence), the review steps, candidates
by route with 考培分离, candidates from a class, direct recognition, examiners."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jineng.assessment import services
from jineng.assessment.models import AssessmentSitting, Candidate, SittingExaminer
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditEvent
from tests import factories as f
from tests.assessment import sittings_support as ss
from tests.training import helpers as th

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return ss.world()


def teacher_person(w):
    """The registered person who is the class's teacher (same ID number: same keyed hash)."""
    return f.PersonFactory(id_hash=w.training.teacher.id_hash)


# --- declaring -------------------------------------------------------------------------------

def test_declare_keeps_the_listing_and_the_standard_pass_marks(w):
    sitting = ss.declare(w)
    assert sitting.status == "declared"
    assert sitting.listing_version_id is not None
    assert (sitting.theory_pass_mark, sitting.practical_pass_mark) == (Decimal(60),
                                                                      Decimal(60))
    assert sitting.region == w.evaluator.region
    assert [h.to_status for h in sitting.status_history.all()] == ["declared"]
    assert AuditEvent.objects.filter(entity_type="assessment.assessmentsitting",
                                     action="create").count() == 1


def test_declare_with_given_marks_and_one_part():
    w = ss.world(trainees=0, completed=0)
    sitting = ss.declare(w, theory_pass_mark=None, practical_pass_mark=Decimal("70.5"))
    assert sitting.theory_pass_mark is None and sitting.practical_pass_mark == Decimal("70.5")
    with pytest.raises(DomainError) as e:
        ss.declare(w, theory_pass_mark=None, practical_pass_mark=None)
    assert (e.value.field, e.value.code) == ("theory_pass_mark", "no_part")
    with pytest.raises(DomainError) as e:
        ss.declare(w, practical_pass_mark=Decimal("101"))
    assert e.value.field == "practical_pass_mark"


@pytest.mark.parametrize(("kw", "field", "code"), [
    ({"level": "grade3"}, "level", "evaluator_level_not_listed"),
    ({"occupation": "电工"}, "occupation", "evaluator_not_listed"),
    ({"place": "  "}, "place", "required"),
    ({"occupation": None}, "occupation", "required"),
    ({"level": None}, "level", "required"),
    ({"second_certificate_kind": "qualification"}, "second_certificate_kind", "invalid"),
    ({"route": "self_evaluation"}, "route", "not_self_evaluating"),
])
def test_declare_refusals_name_the_field(w, kw, field, code):
    if isinstance(kw.get("level"), str):
        kw["level"] = th.level(kw["level"])
    if isinstance(kw.get("occupation"), str):
        kw["occupation"] = th.occupation(kw["occupation"])
    before = AssessmentSitting.objects.count()
    with pytest.raises(DomainError) as e:
        services.sitting_declare(actor=w.other_operator, data=ss.sitting_input(**kw))
    assert (e.value.field, e.value.code) == (field, code)
    assert AssessmentSitting.objects.count() == before


def test_only_assessors_declare(w):
    with pytest.raises(Forbidden):
        ss.declare(w, actor=w.county_staff)


def test_declare_is_idempotent_by_reference(w):
    first = ss.declare(w, client_ref="EX-1")
    again = ss.declare(w, client_ref=" EX-1 ")
    assert again.pk == first.pk
    with pytest.raises(Conflict) as e:
        ss.declare(w, client_ref="EX-1", place="另一考点")
    assert e.value.field == "client_ref"
    assert AssessmentSitting.objects.count() == 1


def test_a_class_of_another_level_is_refused(w):
    with pytest.raises(DomainError) as e:
        ss.declare(w, level=th.level("grade4"), training_class_id=w.cls.pk)
    assert (e.value.field, e.value.code) == ("training_class_id", "class_mismatch")


def test_a_school_may_not_assess_its_own_class(w):
    with pytest.raises(DomainError) as e:
        ss.declare(w, actor=w.training.operator, training_class_id=w.cls.pk)
    assert (e.value.field, e.value.code) == ("training_class_id", "trained_by_evaluator")


def test_top_levels_need_the_appointment_route(w):
    with pytest.raises(DomainError) as e:
        ss.declare(w, actor=w.enterprise_user, level=th.level("principal"),
                   route="self_evaluation")
    assert (e.value.field, e.value.code) == ("route", "top_needs_appointment")
    sitting = ss.declare(w, actor=w.enterprise_user, level=th.level("principal"),
                         route="top_appointment")
    assert sitting.route == "top_appointment"


# --- the review -----------------------------------------------------------------------------

def test_review_steps(w):
    sitting = ss.declare(w)
    with pytest.raises(Forbidden):
        services.sitting_transition(actor=w.operator, sitting=sitting, action="approve")
    with pytest.raises(NotFound):  # another city's staff do not see it
        services.sitting_transition(actor=w.other_city_staff, sitting=sitting,
                                    action="approve")
    with pytest.raises(DomainError) as e:
        services.sitting_transition(actor=w.county_staff, sitting=sitting, action="return")
    assert e.value.field == "reason"
    services.sitting_transition(actor=w.county_staff, sitting=sitting, action="return",
                                reason="考点地址不全")
    services.sitting_transition(actor=w.operator, sitting=sitting, action="resubmit")
    done = services.sitting_transition(actor=w.county_staff, sitting=sitting,
                                       action="approve")
    assert done.status == "approved"
    assert [h.action for h in done.status_history.order_by("id")] == [
        "declare", "return", "resubmit", "approve"]
    with pytest.raises(DomainError) as e:
        services.sitting_transition(actor=w.operator, sitting=done, action="record_results")
    assert e.value.code == "not_by_hand"


def test_sitting_step_is_the_results_and_issuance_way(w):
    from django.db import transaction

    sitting = ss.approved(w)
    with transaction.atomic():
        assert services.sitting_step(sitting, "record_results", kinds={"system"},
                                     user=None) == "results"
    sitting.refresh_from_db()
    assert sitting.status == "results"
    with pytest.raises(DomainError):
        services.sitting_step(sitting, "record_results", kinds={"system"}, user=None)


# --- candidates ------------------------------------------------------------------------------

def test_class_route_admits_a_completed_trainee_and_explains_it(w):
    sitting = ss.approved(w, training_class_id=w.cls.pk)
    e = w.trainees[0]
    row = services.candidate_add(actor=w.operator, sitting=sitting, person=e.person,
                                 route="class_completed", enrollment=e)
    assert row.route_basis["route"]["code"] == "completed_class"
    assert "Hunan" not in row.route_basis["route"]["citation"]  # the quote itself
    assert row.route_basis["separation"]["allowed"] is True
    assert row.route_basis["explanation"]


@pytest.mark.parametrize(("which", "field", "code"), [
    ("not_completed", "enrollment_id", "not_completed"),
    ("none", "enrollment_id", "enrollment_required"),
    ("other_person", "enrollment_id", "other_person"),
])
def test_class_route_refusals(w, which, field, code):
    sitting = ss.approved(w)
    person, enrollment = w.trainees[2].person, w.trainees[2]  # did not complete
    if which == "none":
        enrollment = None
    elif which == "other_person":
        enrollment = w.trainees[0]
    with pytest.raises(DomainError) as e:
        services.candidate_add(actor=w.operator, sitting=sitting, person=person,
                               route="class_completed", enrollment=enrollment)
    assert (e.value.field, e.value.code) == (field, code)
    assert not Candidate.objects.exists()


def test_social_route_reads_years_of_work(w):
    sitting = ss.approved(w)
    p = ss.person()
    with pytest.raises(DomainError) as e:
        services.candidate_add(actor=w.operator, sitting=sitting, person=p, route="social")
    assert (e.value.field, e.value.code) == ("years_in_occupation", "conditions_not_met")
    row = services.candidate_add(actor=w.operator, sitting=sitting, person=p, route="social",
                                 years_in_occupation=Decimal("1"))
    assert row.route_basis["route"]["params"]["condition"] == "grade5_work_1y"
    with pytest.raises(Conflict):
        services.candidate_add(actor=w.operator, sitting=sitting, person=p, route="social",
                               years_in_occupation=Decimal("1"))


def test_separation_the_school_that_trained_may_not_assess(w):
    sitting = ss.approved(w, actor=w.training.operator)
    with pytest.raises(DomainError) as e:
        services.candidate_add(actor=w.training.operator, sitting=sitting,
                               person=w.trainees[0].person, route="social",
                               years_in_occupation=ss.YEARS)
    assert (e.value.field, e.value.code) == ("person", "trained_by_evaluator")
    # someone the school never trained is fine
    services.candidate_add(actor=w.training.operator, sitting=sitting, person=ss.person(),
                           route="social", years_in_occupation=ss.YEARS)


def test_separation_an_examiner_who_taught_the_class_either_way(w):
    sitting = ss.approved(w, training_class_id=w.cls.pk)
    teacher = teacher_person(w)
    services.examiner_add(actor=w.operator, sitting=sitting, person=teacher)
    with pytest.raises(DomainError) as e:
        services.candidate_add(actor=w.operator, sitting=sitting, person=w.trainees[0].person,
                               route="class_completed", enrollment=w.trainees[0])
    assert (e.value.field, e.value.code) == ("person", "examiner_taught_class")
    # the other way round: a candidate first, then the teacher as examiner
    other = ss.approved(w, training_class_id=w.cls.pk)
    services.candidate_add(actor=w.operator, sitting=other, person=w.trainees[0].person,
                           route="class_completed", enrollment=w.trainees[0])
    with pytest.raises(DomainError) as e:
        services.examiner_add(actor=w.operator, sitting=other, person=teacher)
    assert (e.value.field, e.value.code) == ("person", "examiner_taught_class")
    assert not SittingExaminer.objects.filter(sitting=other).exists()


def test_separation_exception_for_a_self_evaluating_enterprise(w):
    sitting = ss.approved(w, actor=w.enterprise_user, route="self_evaluation")
    services.examiner_add(actor=w.enterprise_user, sitting=sitting, person=teacher_person(w))
    trainee = w.trainees[0].person
    # its own employee, trained by its own teacher: the workshop is the examination room
    row = services.candidate_add(actor=w.enterprise_user, sitting=sitting, person=trainee,
                                 route="self_evaluation", employer=w.enterprise)
    assert row.route_basis["separation"]["code"] == "self_evaluation_exception"
    # not its employee: the route refuses, naming the employer
    with pytest.raises(DomainError) as e:
        services.candidate_add(actor=w.enterprise_user, sitting=sitting,
                               person=w.trainees[1].person, route="self_evaluation",
                               employer=w.evaluator)
    assert (e.value.field, e.value.code) == ("employer_id", "not_own_employee")
    # a social candidate of the same class: no exception
    with pytest.raises(DomainError) as e:
        services.candidate_add(actor=w.enterprise_user, sitting=sitting,
                               person=w.trainees[1].person, route="social",
                               years_in_occupation=ss.YEARS)
    assert e.value.code == "examiner_taught_class"


def test_direct_recognition_needs_a_justification_and_hrss_approval(w):
    sitting = ss.approved(w, actor=w.enterprise_user, level=th.level("grade3"),
                          route="direct_recognition")
    p = ss.person()
    with pytest.raises(DomainError) as e:
        services.candidate_add(actor=w.enterprise_user, sitting=sitting, person=p,
                               route="direct_recognition", employer=w.enterprise)
    assert e.value.field == "justification"
    row = services.candidate_add(actor=w.enterprise_user, sitting=sitting, person=p,
                                 route="direct_recognition", employer=w.enterprise,
                                 justification="解决重大工艺技术难题")
    assert row.route_basis["route"]["pending_approval"] is True
    with pytest.raises(Forbidden):
        services.direct_recognition_approve(actor=w.enterprise_user, candidate=row)
    with pytest.raises(NotFound):
        services.direct_recognition_approve(actor=w.other_city_staff, candidate=row)
    approved = services.direct_recognition_approve(actor=w.county_staff, candidate=row)
    assert approved.approved_by == w.county_staff.username
    assert approved.route_basis["route"]["code"] == "approved"
    with pytest.raises(Conflict):
        services.direct_recognition_approve(actor=w.county_staff, candidate=row)


def test_candidates_from_the_class(w):
    sitting = ss.approved(w, training_class_id=w.cls.pk)
    report = services.candidates_add_from_class(actor=w.operator, sitting=sitting)
    assert sorted(c.person_id for c in report.added) == sorted(
        e.person_id for e in w.trainees[:2])  # the third did not complete
    assert report.skipped == []
    again = services.candidates_add_from_class(actor=w.operator, sitting=sitting)
    assert (again.added, again.already) == ([], 2)


def test_candidates_from_the_class_skip_those_an_examiner_taught(w):
    sitting = ss.approved(w, training_class_id=w.cls.pk)
    services.examiner_add(actor=w.operator, sitting=sitting, person=teacher_person(w))
    with pytest.raises(DomainError) as e:
        services.candidates_add_from_class(actor=w.operator, sitting=sitting)
    assert (e.value.field, e.value.code) == ("training_class_id", "nobody_to_add")
    assert not Candidate.objects.exists()


def test_a_sitting_without_class_or_unfinished_class(w):
    with pytest.raises(DomainError) as e:
        services.candidates_add_from_class(actor=w.operator, sitting=ss.approved(w))
    assert e.value.code == "no_class"


def test_the_roster_closes_with_results(w):
    sitting = ss.approved(w)
    p = ss.person()
    row = services.candidate_add(actor=w.operator, sitting=sitting, person=p, route="social",
                                 years_in_occupation=ss.YEARS)
    AssessmentSitting.objects.filter(pk=sitting.pk).update(status="results")
    with pytest.raises(DomainError) as e:
        services.candidate_add(actor=w.operator, sitting=sitting, person=ss.person(),
                               route="social", years_in_occupation=ss.YEARS)
    assert (e.value.field, e.value.code) == ("status", "roster_closed")
    with pytest.raises(DomainError):
        services.candidate_remove(actor=w.operator, candidate=row)
    with pytest.raises(Forbidden):
        services.candidate_add(actor=w.county_staff, sitting=sitting, person=ss.person(),
                               route="social", years_in_occupation=ss.YEARS)


def test_remove_candidate_and_examiner(w):
    sitting = ss.approved(w)
    row = services.candidate_add(actor=w.operator, sitting=sitting, person=ss.person(),
                                 route="social", years_in_occupation=ss.YEARS)
    services.candidate_remove(actor=w.operator, candidate=row)
    assert not Candidate.objects.exists()
    ex = services.examiner_add(actor=w.operator, sitting=sitting, person=ss.person(),
                               is_chief=True)
    with pytest.raises(DomainError) as e:
        services.examiner_add(actor=w.operator, sitting=sitting, person=ss.person(),
                              is_chief=True)
    assert e.value.field == "is_chief"
    with pytest.raises(Conflict):
        services.examiner_add(actor=w.operator, sitting=sitting, person=ex.person)
    with pytest.raises(NotFound):
        services.examiner_remove(actor=w.other_operator, examiner=ex)
    services.examiner_remove(actor=w.operator, examiner=ex)
    assert not SittingExaminer.objects.exists()


def test_a_candidate_cannot_examine_and_an_examiner_cannot_sit(w):
    sitting = ss.approved(w)
    p = ss.person()
    services.candidate_add(actor=w.operator, sitting=sitting, person=p, route="social",
                           years_in_occupation=ss.YEARS)
    with pytest.raises(DomainError) as e:
        services.examiner_add(actor=w.operator, sitting=sitting, person=p)
    assert e.value.code == "examiner_candidate"
    q = ss.person()
    services.examiner_add(actor=w.operator, sitting=sitting, person=q)
    with pytest.raises(DomainError) as e:
        services.candidate_add(actor=w.operator, sitting=sitting, person=q, route="social",
                               years_in_occupation=ss.YEARS)
    assert e.value.code == "examiner_candidate"
