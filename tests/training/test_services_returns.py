"""Issue 9 for training's services: return for correction (退回修改), declarations after the
start date, clash checks that remember finished classes, key-group dates at enrollment."""

import datetime as dt

import pytest
from django.utils import timezone

from jineng.core import pii
from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditEvent
from jineng.registry.models import KeyGroupMembership, Person
from jineng.training import services
from jineng.training.models import ClassSession, ClassStatusChange, Enrollment, TrainingClass
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


def _return(w, cls, reason="开班地址与备案不符"):
    return services.class_transition(actor=w.county_staff, training_class=cls,
                                     action="return", reason=reason)


# --- return for correction -------------------------------------------------------------------

def test_returned_declaration_is_corrected_resubmitted_and_every_round_is_kept():
    w = h.world()
    cls = h.declare(w, planned_size=30)
    with pytest.raises(DomainError) as bad:  # a return says why
        services.class_transition(actor=w.county_staff, training_class=cls, action="return")
    assert bad.value.field == "reason"
    cls = _return(w, cls)
    assert cls.status == "returned"
    # the institution corrects it: a smaller class, a week later
    later = h.sessions(h.START + dt.timedelta(7))
    revised = services.class_revise(actor=w.operator, training_class=cls,
                                    data=h.class_input(w, planned_size=20, sessions=later),
                                    note="已更正开班地址")
    assert revised.status == "declared" and revised.planned_size == 20
    assert revised.start_date == later[0].starts_at.date()
    assert list(ClassSession.objects.filter(training_class=cls).values_list("date", flat=True)) \
        == [s.starts_at.date() for s in later]
    # a second round
    _return(w, revised, "课时安排需调整")
    services.class_revise(actor=w.operator, training_class=revised,
                          data=h.class_input(w, planned_size=25, sessions=later))
    steps = list(ClassStatusChange.objects.filter(training_class=cls)
                 .values_list("action", "from_status", "to_status", "reason"))
    assert steps == [("declare", "", "declared", ""),
                     ("return", "declared", "returned", "开班地址与备案不符"),
                     ("resubmit", "returned", "declared", "已更正开班地址"),
                     ("return", "declared", "returned", "课时安排需调整"),
                     ("resubmit", "returned", "declared", "")]
    revisions = AuditEvent.objects.filter(entity_type="training.trainingclass",
                                          entity_id=str(cls.pk), action="update")
    assert revisions.count() == 2
    assert revisions.order_by("id").first().before["planned_size"] == 30
    # then it is approved as any declaration
    approved = services.class_transition(actor=w.county_staff, training_class=cls,
                                         action="approve")
    assert approved.status == "approved"


def test_a_revision_is_checked_by_the_same_rules_and_a_refused_one_changes_nothing():
    w = h.world()
    h.declare(w, planned_size=40, teachers=(), name="先申报的班")  # holds the site
    cls = h.declare(w, planned_size=20, teachers=(), sessions=h.sessions(h.START + dt.timedelta(7)))
    _return(w, cls)
    before = list(ClassSession.objects.filter(training_class=cls).values_list("date", "hours"))
    with pytest.raises(DomainError) as bad:  # moved onto the first class's days: site too full
        services.class_revise(actor=w.operator, training_class=cls,
                              data=h.class_input(w, planned_size=30, teachers=()))
    assert bad.value.code == "site_busy" and "先申报的班" in bad.value.message
    with pytest.raises(DomainError) as bad:
        services.class_revise(actor=w.operator, training_class=cls,
                              data=h.class_input(w, planned_size=61, teachers=()))
    assert bad.value.code == "site_capacity"
    cls.refresh_from_db()
    assert cls.status == "returned" and cls.planned_size == 20
    assert list(ClassSession.objects.filter(training_class=cls)
                .values_list("date", "hours")) == before
    # its own old sessions do not clash with the revision
    services.class_revise(actor=w.operator, training_class=cls, data=h.class_input(
        w, planned_size=20, teachers=(), sessions=h.sessions(h.START + dt.timedelta(7))))


def test_only_the_institution_revises_and_only_a_returned_declaration():
    w = h.world()
    cls = h.declare(w)
    with pytest.raises(DomainError) as bad:
        services.class_revise(actor=w.operator, training_class=cls, data=h.class_input(w))
    assert bad.value.code == "not_revisable"
    _return(w, cls)
    with pytest.raises(Forbidden):
        services.class_revise(actor=w.county_staff, training_class=cls, data=h.class_input(w))
    with pytest.raises(Forbidden):
        services.class_transition(actor=w.county_staff, training_class=cls, action="resubmit")
    with pytest.raises(DomainError):  # another institution does not even see it
        services.class_revise(actor=w.other_operator, training_class=cls,
                              data=h.class_input(w))
    # resubmitting unchanged is a revision with its own content, checked again
    again = services.class_transition(actor=w.operator, training_class=cls, action="resubmit")
    assert again.status == "declared"
    assert list(ClassStatusChange.objects.filter(training_class=cls)
                .values_list("action", flat=True)) == ["declare", "return", "resubmit"]


def test_rejection_stays_final_and_a_returned_class_can_be_cancelled():
    w = h.world()
    rejected = h.declare(w)
    services.class_transition(actor=w.county_staff, training_class=rejected, action="reject",
                              reason="不符合条件")
    with pytest.raises(DomainError):
        services.class_revise(actor=w.operator, training_class=rejected, data=h.class_input(w))
    returned = _return(w, h.declare(w, sessions=h.sessions(h.START + dt.timedelta(7))))
    services.class_transition(actor=w.operator, training_class=returned, action="cancel",
                              reason="不再开班")
    with pytest.raises(DomainError):
        services.class_revise(actor=w.operator, training_class=returned,
                              data=h.class_input(w))


def test_a_returned_class_frees_its_hours_until_it_is_resubmitted():
    w = h.world()
    cls = _return(w, h.declare(w, planned_size=10))
    other = h.declare(w, planned_size=10, name="第2期")  # the teacher is free again
    services.class_transition(actor=w.operator, training_class=other, action="cancel",
                              reason="改期")
    services.class_revise(actor=w.operator, training_class=cls,
                          data=h.class_input(w, planned_size=10))


# --- declarations after the start date -------------------------------------------------------

def _recent(days_ago: int):
    start = timezone.localdate() - dt.timedelta(days=days_ago)
    return h.sessions(start, n=5)


def test_a_declaration_after_the_first_session_needs_a_reason_the_reviewers_see(settings):
    del settings.TRAINING_LATE_DECLARATION_MAX_DAYS  # the default: 30 days
    w = h.world()
    with pytest.raises(DomainError) as bad:
        services.class_declare(actor=w.operator,
                               data=h.class_input(w, sessions=_recent(12), late_reason=" "))
    assert (bad.value.field, bad.value.code) == ("late_reason", "late_reason_required")
    assert not TrainingClass.objects.exists()
    cls = services.class_declare(actor=w.operator, data=h.class_input(
        w, sessions=_recent(12), late_reason="系统故障，线下已报备"))
    assert cls.late_reason == "系统故障，线下已报备"
    # in time: no reason asked, none stored
    future = services.class_declare(actor=w.operator, data=h.class_input(
        w, sessions=h.sessions(timezone.localdate() + dt.timedelta(days=3)), teachers=(),
        late_reason=""))
    assert future.late_reason == ""


def test_a_declaration_long_after_the_start_is_refused_outright(settings):
    del settings.TRAINING_LATE_DECLARATION_MAX_DAYS
    assert services.late_declaration_days() == 30
    w = h.world()
    with pytest.raises(DomainError) as bad:
        services.class_declare(actor=w.operator, data=h.class_input(
            w, sessions=_recent(61), late_reason="补录两个月前的班"))
    assert (bad.value.field, bad.value.code) == ("sessions", "declared_too_late")
    assert "61" in bad.value.message
    settings.TRAINING_LATE_DECLARATION_MAX_DAYS = 90
    services.class_declare(actor=w.operator, data=h.class_input(
        w, sessions=_recent(61), late_reason="补录两个月前的班"))


# --- clash checks remember finished classes --------------------------------------------------

def _finished(w, **overrides):
    cls = h.open_class(w, **overrides)
    return services.class_transition(actor=w.operator, training_class=cls, action="finish")


def test_a_finished_class_still_holds_its_teacher_and_its_site():
    w = h.world()
    _finished(w, planned_size=40, name="已结业的班")
    with pytest.raises(DomainError) as bad:
        h.declare(w, planned_size=10, teachers=(w.teacher,))
    assert (bad.value.code, bad.value.field) == ("teacher_busy", "teachers")
    with pytest.raises(DomainError) as bad:
        h.declare(w, planned_size=30, teachers=())
    assert (bad.value.code, bad.value.field) == ("site_busy", "site")
    assert "已结业的班" in bad.value.message and "2026-03-02 09:00" in bad.value.message


def test_a_finished_class_still_holds_its_trainees_hours():
    w = h.world()
    first = h.open_class(w, planned_size=10)
    person = h.enroll(w, first, late_reason="补录").person
    services.class_transition(actor=w.operator, training_class=first, action="finish")
    second = h.declare(w, teachers=(), planned_size=10, name="同时段另一班")
    with pytest.raises(services.Ineligible) as bad:
        services.enrollment_create(actor=w.operator, training_class=second,
                                   data=services.EnrollmentInput(
                                       id_number=pii.decrypt(person.id_encrypted),
                                       name=person.name))
    assert [c.code for c in bad.value.eligibility.failed] == ["schedule_overlap"]


# --- key-group dates at enrollment -----------------------------------------------------------

@pytest.mark.parametrize("start", [dt.date(1800, 1, 1), dt.date(1990, 5, 16),
                                   dt.date(2099, 1, 1)])
def test_key_group_start_dates_lie_between_birth_and_today(start):
    w = h.world()
    cls = h.declare(w)
    with pytest.raises(DomainError) as bad:
        h.enroll(w, cls, birth=h.BIRTH, key_groups=(("migrant_worker", start),))
    assert (bad.value.field, bad.value.code) == ("key_groups", "out_of_range")
    assert not Person.objects.exists() and not Enrollment.objects.exists()
    assert not KeyGroupMembership.objects.exists()
    h.enroll(w, cls, birth=h.BIRTH, key_groups=(("migrant_worker", h.BIRTH),))
    h.enroll(w, cls, birth=h.BIRTH, key_groups=(("graduate", timezone.localdate()),))
    assert KeyGroupMembership.objects.count() == 2


def test_withdrawal_is_refused_once_the_class_finished():
    w = h.world()
    cls = h.open_class(w)
    e = h.enroll(w, cls, late_reason="补录")
    services.class_transition(actor=w.operator, training_class=cls, action="finish")
    with pytest.raises(DomainError) as bad:
        services.enrollment_withdraw(actor=w.operator, enrollment=e, reason="外出")
    assert (bad.value.code, bad.value.field) == ("roster_closed", "status")
    assert Enrollment.objects.get(pk=e.pk).status == "enrolled"
