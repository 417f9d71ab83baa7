"""What issuing completes: a finished class moves to "assessed" when its last assessment is
closed; the plans facts of the certificates (first certificate, high-skilled, technicians,
level-ups, self-evaluations), idempotent; training and entrepreneurship certificates."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jineng.assessment import plan_facts, services
from jineng.assessment.choices import CertificateOrigin
from jineng.assessment.models import AssessmentSitting, Candidate, Certificate
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.models import AuditEvent
from jineng.plans.models import ActualFact
from jineng.training.models import ClassStatusChange, Enrollment, TrainingClass
from tests import factories as f
from tests.assessment import factories as af
from tests.assessment import issuance_support as s
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


def _finished_class(w, *, trainees: int = 3, completed: int = 2, **overrides) -> TrainingClass:
    cls = h.declare(w, **overrides)
    enrollments = [h.enroll(w, cls) for _ in range(trainees)]
    TrainingClass.objects.filter(pk=cls.pk).update(status="finished")
    Enrollment.objects.filter(pk__in=[e.pk for e in enrollments[:completed]]).update(
        completed=True)
    Enrollment.objects.filter(pk__in=[e.pk for e in enrollments[completed:]]).update(
        completed=False)
    cls.refresh_from_db()
    return cls


# --- the class's "assessed" step -------------------------------------------------------------

def test_a_finished_class_is_assessed_when_its_last_sitting_is_closed():
    tw = h.world()
    cls = _finished_class(tw)
    code = af.EvaluatorCodeFactory()
    operator = f.operator(code.organization)
    first = s.results_sitting(code.organization, training_class=cls, route="class_completed")
    second = s.results_sitting(code.organization, training_class=cls, route="class_completed")
    cancelled = s.results_sitting(code.organization, training_class=cls, status="cancelled")
    assert cancelled.status == "cancelled"  # a cancelled sitting does not hold the class
    services.certificates_issue_for_sitting(actor=operator, sitting=first)
    cls.refresh_from_db()
    assert cls.status == "finished"
    services.certificates_issue_for_sitting(actor=operator, sitting=second)
    cls.refresh_from_db()
    assert cls.status == "assessed"
    step = ClassStatusChange.objects.filter(training_class=cls).latest("id")
    assert (step.action, step.from_status, step.to_status, step.actor_username) == (
        "assess", "finished", "assessed", operator.username)
    assert str(first.pk) in step.reason and str(second.pk) in step.reason
    assert AuditEvent.objects.filter(entity_type="training.trainingclass",
                                     action="transition", entity_id=str(cls.pk)).exists()


def test_a_class_not_finished_is_left_as_it_is():
    tw = h.world()
    cls = h.declare(tw)
    TrainingClass.objects.filter(pk=cls.pk).update(status="open")
    code = af.EvaluatorCodeFactory()
    sitting = s.results_sitting(code.organization, training_class=cls)
    services.certificates_issue_for_sitting(actor=f.operator(code.organization),
                                            sitting=sitting)
    cls.refresh_from_db()
    assert cls.status == "open"


def test_the_class_step_fails_with_the_issue_a_refusal_leaves_the_class_finished():
    """The class moves in the issuing transaction: a refused issue leaves it finished."""
    tw = h.world()
    cls = _finished_class(tw)
    evaluator = af.EvaluatorFactory()  # no evaluator code: issuing is refused
    sitting = s.results_sitting(evaluator, training_class=cls)
    with pytest.raises(DomainError):
        services.certificates_issue_for_sitting(actor=f.operator(evaluator), sitting=sitting)
    cls.refresh_from_db()
    assert cls.status == "finished"


# --- plans facts -----------------------------------------------------------------------------

def _facts() -> list[tuple[str, str]]:
    return sorted(ActualFact.objects.values_list("metric", "source_ref"))


def _metrics() -> dict[str, int]:
    out: dict[str, int] = {}
    for metric, _ref in _facts():
        out[metric] = out.get(metric, 0) + 1
    return out


def test_a_persons_first_certificate_makes_a_new_skilled_worker():
    w = s.world(passed=2, failed=1)
    issued = services.certificates_issue_for_sitting(actor=w.operator, sitting=w.sitting)
    assert _metrics() == {"certificates": 2, "new_skilled_workers": 2}
    fact = ActualFact.objects.filter(metric="certificates").first()
    assert (fact.day, fact.region_code, fact.organization_id, fact.source) == (
        timezone.localdate(), f.COUNTY, w.sitting.evaluator_id, "assessment")
    assert {r for _m, r in _facts()} >= {f"assessment.certificate:{c.pk}" for c in issued}


def test_a_higher_level_is_a_level_up_and_high_skilled_and_technician_counts():
    code = af.EvaluatorCodeFactory()
    operator = f.operator(code.organization)
    person = f.PersonFactory()
    # An earlier 初级工 certificate recorded from another province.
    Certificate.objects.create(
        kind="skill_level", number="S000033000001215000001",
        origin=CertificateOrigin.OTHER_PROVINCE, person=person, holder_name=person.name,
        level=af.level("grade5"), issuer_name="浙江某评价机构", region=f.region(f.COUNTY),
        issued_on=timezone.localdate())
    senior = s.results_sitting(code.organization, passed=0, failed=0, level=af.level("grade3"))
    af.CandidateFactory(sitting=senior, person=person, passed=True)
    services.certificates_issue_for_sitting(actor=operator, sitting=senior)
    assert _metrics() == {"certificates": 1, "level_ups": 1, "new_high_skilled": 1}
    technician = s.results_sitting(code.organization, passed=0, failed=0,
                                   level=af.level("grade2"))
    af.CandidateFactory(sitting=technician, person=person, passed=True)
    services.certificates_issue_for_sitting(actor=operator, sitting=technician)
    # A second high-skilled level: a level-up and a technician, not a new high-skilled worker.
    assert _metrics() == {"certificates": 2, "level_ups": 2, "new_high_skilled": 1,
                          "new_technicians": 1}


def test_a_level_no_higher_than_held_is_no_level_up():
    code = af.EvaluatorCodeFactory()
    person = f.PersonFactory()
    Certificate.objects.create(
        kind="qualification", number="1052010300000001", origin=CertificateOrigin.LEGACY,
        person=person, holder_name=person.name, level=af.level("grade4"),
        issuer_name="旧系统", region=f.region(f.COUNTY), issued_on=timezone.localdate())
    sitting = s.results_sitting(code.organization, passed=0, failed=0)  # 初级工
    af.CandidateFactory(sitting=sitting, person=person, passed=True)
    services.certificates_issue_for_sitting(actor=f.operator(code.organization),
                                            sitting=sitting)
    assert _metrics() == {"certificates": 1}


def test_top_technicians_count():
    code = af.EvaluatorCodeFactory()
    sitting = s.results_sitting(code.organization, passed=1, failed=0,
                                level=af.level("principal"))
    services.certificates_issue_for_sitting(actor=f.operator(code.organization),
                                            sitting=sitting)
    assert _metrics() == {"certificates": 1, "new_high_skilled": 1, "new_skilled_workers": 1,
                          "new_top_technicians": 1}


def test_self_evaluations_count_every_assessed_candidate():
    code = af.EvaluatorCodeFactory()
    sitting = s.results_sitting(code.organization, passed=2, failed=1, absent=1,
                                route="self_evaluation")
    services.certificates_issue_for_sitting(actor=f.operator(code.organization),
                                            sitting=sitting)
    assert _metrics()["self_evaluations"] == 3


def test_special_ability_certificates_are_not_skill_level_certificates():
    w = s.world(passed=1, failed=0, second_certificate_kind="special_ability",
                special_ability_item=s.ITEM)
    services.certificates_issue_for_sitting(actor=w.operator, sitting=w.sitting)
    assert _metrics() == {"certificates": 1, "new_skilled_workers": 1}


def test_facts_are_written_once_however_often_they_are_sent():
    w = s.world(passed=2, failed=0)
    issued = services.certificates_issue_for_sitting(actor=w.operator, sitting=w.sitting)
    before = _facts()
    sitting = AssessmentSitting.objects.select_related("region").get(pk=w.sitting.pk)
    plan_facts.record_issued(actor=w.operator, sitting=sitting, certificates=issued,
                             day=timezone.localdate())
    assert _facts() == before


def test_a_sitting_above_a_county_counts_nothing():
    w = s.world(passed=1, failed=0, region=f.region(f.CITY))
    services.certificates_issue_for_sitting(actor=w.operator, sitting=w.sitting)
    assert Certificate.objects.count() == 1 and _facts() == []


# --- training and entrepreneurship certificates ----------------------------------------------

def test_training_certificates_for_the_trainees_who_completed():
    tw = h.world()
    cls = _finished_class(tw, trainees=3, completed=2)
    issued = services.training_certificates_issue(actor=tw.operator, training_class=cls)
    completed = Enrollment.objects.filter(training_class=cls, completed=True)
    assert sorted(c.person_id for c in issued) == sorted(e.person_id for e in completed)
    year = timezone.localdate().year % 100
    for n, c in enumerate(issued, start=1):
        assert c.kind == "training" and c.title == cls.name
        assert (c.training_start, c.training_end) == (cls.start_date, cls.end_date)
        assert c.issuer_id == tw.org.pk and c.level_id is None
        assert c.number == f"P{cls.region.code}{year:02d}{n:07d}"
        assert c.signature and c.status_index is not None
    # Again: nothing new.
    assert services.training_certificates_issue(actor=tw.operator, training_class=cls) == []
    assert Certificate.objects.filter(training_class=cls).count() == 2
    # Training certificates are no skill-level certificates: no plans facts.
    assert _facts() == []


def test_an_entrepreneurship_class_gets_entrepreneurship_certificates():
    tw = h.world(training_types=("创业培训",))
    cls = _finished_class(tw, trainees=1, completed=1, training_type="entrepreneurship")
    issued = services.training_certificates_issue(actor=tw.county_staff, training_class=cls)
    assert [c.kind for c in issued] == ["entrepreneurship"]
    assert issued[0].number.startswith("C")


def test_training_certificates_wait_for_the_class_to_finish():
    tw = h.world()
    cls = h.declare(tw)
    h.enroll(tw, cls)
    with pytest.raises(DomainError) as refused:
        services.training_certificates_issue(actor=tw.operator, training_class=cls)
    assert refused.value.code == "not_finished"


@pytest.mark.parametrize(("who", "error"), [("other_operator", NotFound),
                                            ("evaluator", NotFound),
                                            ("inspector", Forbidden)])
def test_only_the_institution_or_its_office_issues_training_certificates(who, error):
    tw = h.world()
    cls = _finished_class(tw)
    actor = {"other_operator": tw.other_operator,
             "evaluator": f.operator(af.EvaluatorFactory()),
             "inspector": f.staff("inspector", f.PROVINCE)}[who]
    with pytest.raises(error):
        services.training_certificates_issue(actor=actor, training_class=cls)
    assert not Certificate.objects.exists()
    assert not Candidate.objects.exists()
