"""Real-name enrollment: found or registered by ID number, eligibility explained, closed when
the class opens (late joins with a reason), capacity, withdrawal, and the person scope."""

import datetime as dt

import pytest

from jineng.core import pii
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditEvent
from jineng.registry import selectors as registry_selectors
from jineng.registry.models import Person
from jineng.training import services
from jineng.training.models import EligibilityParameter, Enrollment, TrainingClass
from tests import factories as f
from tests.training import helpers as h

pytestmark = pytest.mark.django_db
D = dt.date


def data(id_number, name="张三", **kw):
    return services.EnrollmentInput(id_number=id_number, name=name, **kw)


def test_new_person_is_registered_and_enrolled_with_the_checks_kept():
    w = h.world()
    cls = h.declare(w)
    number = f.id_number_for(birth=D(1990, 5, 17))
    e = services.enrollment_create(actor=w.operator, training_class=cls, data=data(number))
    person = Person.objects.get(id_hash=pii.keyed_hash(number))
    assert e.person == person and person.registered_by == w.org
    assert [c["code"] for c in e.eligibility] == ["minimum_age", "retirement_age",
                                                  "key_group", "schedule_overlap"]
    assert all(c["passed"] for c in e.eligibility)
    assert AuditEvent.objects.filter(entity_type="training.enrollment").count() == 1


def test_existing_person_registered_elsewhere_is_found_and_then_visible():
    w = h.world()
    cls = h.declare(w)
    person = f.PersonFactory(name="李四", registered_by=w.other_org)
    with pytest.raises(NotFound):
        registry_selectors.person_get(actor=w.operator, pk=person.pk)
    e = services.enrollment_create(actor=w.operator, training_class=cls,
                                   data=data(person.plain_id if hasattr(person, "plain_id")
                                             else pii.decrypt(person.id_encrypted), "李四"))
    assert e.person == person and Person.objects.count() == 1
    # the institution now sees the person it enrolled (registry.models.person_scope_q)
    assert registry_selectors.person_get(actor=w.operator, pk=person.pk) == person
    assert list(registry_selectors.person_list(actor=w.operator)) == [person]  # no duplicates


def test_the_name_must_match_the_registered_name():
    w = h.world()
    cls = h.declare(w)
    person = f.PersonFactory(name="李四")
    with pytest.raises(DomainError) as bad:
        services.enrollment_create(actor=w.operator, training_class=cls,
                                   data=data(pii.decrypt(person.id_encrypted), "李五"))
    assert bad.value.code == "name_mismatch"
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(("birth", "code", "words"), [
    (D(2010, 3, 3), "minimum_age", "below the minimum age of 16"),
    (D(1960, 6, 1), "retirement_age", "was reached on"),
])
def test_ineligible_by_age_writes_nothing_and_explains(birth, code, words):
    w = h.world()
    cls = h.declare(w)
    with pytest.raises(services.Ineligible) as bad:
        h.enroll(w, cls, birth=birth)
    failed = [c.code for c in bad.value.eligibility.failed]
    assert failed == [code]
    assert words in bad.value.message
    assert not Person.objects.exists() and not Enrollment.objects.exists()


def test_regional_exception_for_workers_past_retirement_without_pension():
    w = h.world()
    cls = h.declare(w)
    with pytest.raises(services.Ineligible):
        h.enroll(w, cls, birth=D(1960, 6, 1), draws_pension=False)
    services.eligibility_parameter_set(
        actor=f.staff(), region=f.region(f.PROVINCE), valid_from=D(2026, 1, 1),
        over_age_without_pension=True, source="贵州省（示例）超龄未领养老金人员可参加培训")
    with pytest.raises(services.Ineligible) as bad:
        h.enroll(w, cls, birth=D(1960, 6, 1))  # not declared
    assert "declare that the person draws none" in bad.value.message
    e = h.enroll(w, cls, birth=D(1960, 6, 1), draws_pension=False)
    check = next(c for c in e.eligibility if c["code"].startswith("retirement"))
    assert check["code"] == "retirement_age_exception"
    assert check["params"]["parameter"].startswith("#")


def test_parameters_are_dated():
    w = h.world()
    cls = h.declare(w)
    services.eligibility_parameter_set(actor=f.staff(), region=f.region(f.PROVINCE),
                                       valid_from=D(2026, 6, 1), over_age_without_pension=True)
    with pytest.raises(services.Ineligible):  # not yet valid on the start date 2026-03-02
        h.enroll(w, cls, birth=D(1960, 6, 1), draws_pension=False)


def test_only_staff_set_parameters_for_their_region():
    w = h.world()
    with pytest.raises(Forbidden):
        services.eligibility_parameter_set(actor=w.operator, region=f.region(f.PROVINCE),
                                           valid_from=D(2026, 1, 1))
    with pytest.raises(Forbidden):
        services.eligibility_parameter_set(actor=f.staff(), region=None,
                                           valid_from=D(2026, 1, 1))
    assert EligibilityParameter.objects.filter(region__isnull=False).count() == 0


def test_key_group_class():
    w = h.world()
    cls = h.declare(w, target_group="graduate")
    with pytest.raises(services.Ineligible) as bad:
        h.enroll(w, cls)
    assert "College graduate" in bad.value.message or "高校毕业生" in bad.value.message
    e = h.enroll(w, cls, key_groups=(("graduate", D(2025, 7, 1)),))
    assert next(c for c in e.eligibility if c["code"] == "key_group")["passed"]


def test_overlapping_class_is_refused():
    w = h.world()
    first = h.declare(w, planned_size=10)
    second = h.declare(w, planned_size=10, site=f.SiteFactory(organization=w.org), teachers=())
    number = f.id_number_for()
    services.enrollment_create(actor=w.operator, training_class=first, data=data(number))
    with pytest.raises(services.Ineligible) as bad:
        services.enrollment_create(actor=w.operator, training_class=second, data=data(number))
    assert [c.code for c in bad.value.eligibility.failed] == ["schedule_overlap"]
    assert first.name in bad.value.message


def test_duplicate_enrollment():
    w = h.world()
    cls = h.declare(w)
    number = f.id_number_for()
    services.enrollment_create(actor=w.operator, training_class=cls, data=data(number))
    with pytest.raises(Conflict):
        services.enrollment_create(actor=w.operator, training_class=cls, data=data(number))


def test_class_full():
    w = h.world()
    cls = h.declare(w, planned_size=1)
    h.enroll(w, cls)
    with pytest.raises(DomainError) as bad:
        h.enroll(w, cls)
    assert bad.value.code == "class_full"


def test_enrollment_closes_when_the_class_opens():
    w = h.world()
    cls = h.declare(w)
    services.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    services.class_transition(actor=w.operator, training_class=cls, action="open")
    with pytest.raises(DomainError) as bad:
        h.enroll(w, cls)
    assert bad.value.field == "late_reason"
    e = h.enroll(w, cls, late_reason="原报名学员因病退出，补录")
    assert e.late_reason
    for status in ("finished", "cancelled", "suspended", "rejected"):
        TrainingClass.objects.filter(pk=cls.pk).update(status=status)
        with pytest.raises(DomainError) as bad:
            h.enroll(w, cls, late_reason="x")
        assert bad.value.code == "enrollment_closed"


def test_only_the_institution_enrolls():
    w = h.world()
    cls = h.declare(w)
    with pytest.raises(Forbidden):
        services.enrollment_create(actor=w.county_staff, training_class=cls,
                                   data=data(f.id_number_for()))
    with pytest.raises(NotFound):
        services.enrollment_create(actor=w.other_operator, training_class=cls,
                                   data=data(f.id_number_for()))


def test_withdraw():
    w = h.world()
    cls = h.declare(w, planned_size=1)
    e = h.enroll(w, cls)
    with pytest.raises(DomainError):
        services.enrollment_withdraw(actor=w.operator, enrollment=e, reason=" ")
    services.enrollment_withdraw(actor=w.operator, enrollment=e, reason="外出务工")
    e.refresh_from_db()
    assert e.status == "withdrawn"
    h.enroll(w, cls)  # the place is free again


def test_bad_id_number_names_the_field():
    w = h.world()
    cls = h.declare(w)
    with pytest.raises(DomainError) as bad:
        services.enrollment_create(actor=w.operator, training_class=cls,
                                   data=data("5201021990051712"))
    assert bad.value.field == "id_number"
