"""Declaring a class: checked against the catalogs on the start date, the site, the teachers."""

import datetime as dt
from decimal import Decimal

import pytest

from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditEvent
from jineng.registry import services as registry_services
from jineng.registry.choices import OrganizationKind
from jineng.training import services
from jineng.training.models import ClassSession, ClassStatusChange, TrainingClass
from tests import factories as f
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


def refused(w, code_or_field, actor=None, **overrides):
    before = TrainingClass.objects.count()
    with pytest.raises(DomainError) as bad:
        services.class_declare(actor=actor or w.operator, data=h.class_input(w, **overrides))
    assert TrainingClass.objects.count() == before
    assert code_or_field in (bad.value.code, bad.value.field), bad.value.as_dict()
    return bad.value


def test_declare_copies_the_catalog_and_is_audited():
    w = h.world(required_hours=30, share="80%")
    cls = h.declare(w)
    assert cls.status == "declared"
    assert (cls.required_hours, cls.min_attendance_share) == (Decimal(30), Decimal("0.800"))
    assert cls.standard_version_id and cls.standard_entry_id
    assert cls.region == w.site.region and cls.start_date == h.START
    assert cls.scheduled_hours == Decimal(30) and cls.end_date == dt.date(2026, 3, 6)
    assert ClassSession.objects.filter(training_class=cls).count() == 5
    assert list(cls.teachers.all()) == [w.teacher]
    assert ClassStatusChange.objects.get(training_class=cls).to_status == "declared"
    event = AuditEvent.objects.get(entity_type="training.trainingclass", entity_id=str(cls.pk))
    assert event.after["sessions"] == 5 and event.organization_id == w.org.pk


def test_only_operators_declare():
    w = h.world()
    with pytest.raises(Forbidden):
        services.class_declare(actor=w.county_staff, data=h.class_input(w))


def test_suspended_institution_cannot_declare():
    w = h.world()
    registry_services.organization_change_status(
        actor=f.staff(), organization=w.org, status="suspended", reason="抽查发现虚假培训")
    w.operator.organization.refresh_from_db()
    refused(w, "institution_status")


def test_not_listed_for_that_occupation_level():
    w = h.world()
    refused(w, "not_listed", level=h.level("grade2"))  # listed 初级工–高级工 only


def test_no_subsidy_standard():
    w = h.world()
    refused(w, "no_standard", training_type="entrepreneurship")


def test_catalog_not_yet_in_force_on_the_start_date():
    w = h.world(start=dt.date(2026, 6, 1))
    refused(w, "no_standard")


def test_site_of_another_institution():
    w = h.world()
    refused(w, "site", site=w.other_site)


def test_site_capacity():
    w = h.world()
    refused(w, "site_capacity", planned_size=61)


def test_site_busy_with_another_class_at_the_same_time():
    w = h.world()
    h.declare(w, planned_size=40, teachers=())
    refused(w, "site_busy", planned_size=30, teachers=())
    # the same site at another time is fine
    h.declare(w, planned_size=30, teachers=(), sessions=h.sessions(h.START + dt.timedelta(7)))


def test_teacher_booked_elsewhere_at_the_same_time():
    w = h.world()
    h.declare(w, planned_size=10)
    bad = refused(w, "teacher_busy", planned_size=10)
    assert "养老护理员" in bad.message
    # a cancelled class frees the teacher
    first = TrainingClass.objects.get()
    services.class_transition(actor=w.operator, training_class=first, action="cancel",
                              reason="招生不足")
    h.declare(w, planned_size=10)


def test_same_teacher_at_another_institution_is_seen_by_id_number():
    w = h.world()
    h.declare(w, planned_size=10)
    other_site = f.SiteFactory(organization=w.other_org)
    same_name = services.teacher_create(actor=w.other_operator, name="王老师",
                                        id_number=f.id_number_for(birth=dt.date(1981, 1, 1)))
    # a different person with the same name is not a clash ...
    services.class_declare(actor=w.other_operator, data=h.class_input(
        w, site=other_site, teachers=(same_name,), planned_size=10))
    # ... the same ID number is
    number = "520102198001010012"
    mine = services.teacher_create(actor=w.operator, name="李老师",
                                   id_number=_valid(number))
    theirs = services.teacher_create(actor=w.other_operator, name="李老师",
                                     id_number=_valid(number))
    h.declare(w, teachers=(mine,), planned_size=5,
              sessions=h.sessions(h.START + dt.timedelta(14)))
    with pytest.raises(DomainError) as bad:
        services.class_declare(actor=w.other_operator, data=h.class_input(
            w, site=other_site, teachers=(theirs,), planned_size=5,
            sessions=h.sessions(h.START + dt.timedelta(14))))
    assert bad.value.code == "teacher_busy"


def _valid(first17_plus: str) -> str:
    from jineng.core.validators import id_check_character

    return first17_plus[:17] + id_check_character(first17_plus[:17])


def test_teachers_of_another_institution_cannot_be_named():
    w = h.world()
    theirs = services.teacher_create(actor=w.other_operator, name="赵老师")
    refused(w, "teachers", teachers=(theirs,))


def test_schedule_must_cover_the_catalog_hours():
    w = h.world(required_hours=40)
    bad = refused(w, "hours_short")
    assert "40" in bad.message
    # an online share lowers the on-site hours needed: 40 × 0.25 = 10 online
    cls = h.declare(w, online_share=Decimal("0.25"))
    assert cls.online_share == Decimal("0.25") and cls.delivery


@pytest.mark.parametrize(("sessions", "words"), [
    ((), "at least one"),
    ((services.SessionInput(h.at(h.START, 12), h.at(h.START, 9)),), "ends before"),
    ((services.SessionInput(h.at(h.START, 9), h.at(h.START, 17)),
      services.SessionInput(h.at(h.START, 16), h.at(h.START, 18))), "overlaps"),
    ((services.SessionInput(h.at(h.START, 9), h.at(h.START, 12), Decimal(4)),), "at most"),
    ((services.SessionInput(dt.datetime(2026, 3, 2, 9), dt.datetime(2026, 3, 2, 12)),),
     "time zone"),
])
def test_bad_schedules(sessions, words):
    w = h.world()
    bad = refused(w, "sessions", sessions=sessions)
    assert words in bad.message


def test_order_class_needs_an_enterprise():
    w = h.world()
    refused(w, "employer", order_form="order")
    refused(w, "employer", employer=f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE,
                                                          institution_type=""))
    employer = f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type="")
    cls = h.declare(w, order_form="order", employer=employer)
    assert cls.employer == employer


@pytest.mark.parametrize(("field", "value"), [
    ("name", " "), ("training_type", "x"), ("sector", "x"), ("target_group", "x"),
    ("funding_source", "x"), ("online_share", Decimal("1.5")), ("planned_size", 0),
    ("checkin_radius_m", 10),
])
def test_bad_fields_name_the_field(field, value):
    w = h.world()
    refused(w, field, **{field: value})
