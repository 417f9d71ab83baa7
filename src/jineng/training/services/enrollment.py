"""Real-name enrollment (实名制) with explained eligibility, and withdrawal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit, pii
from jineng.core.errors import Conflict, DomainError
from jineng.core.models import AuditAction
from jineng.registry import selectors as registry_selectors
from jineng.registry import services as registry_services
from jineng.registry.models import (
    KeyGroupMembership,
    Person,
    Region,
)
from jineng.training import messages, selectors
from jineng.training.choices import (
    EnrollmentStatus,
)
from jineng.training.models import (
    Enrollment,
    TrainingClass,
)
from jineng.training.rules import eligibility as elig_rules
from jineng.training.rules import lifecycle
from jineng.training.services.common import (
    _username,
    ensure_enrolling_institution,
    ensure_may_withdraw,
)

# --- enrollment ------------------------------------------------------------------------------

@dataclass(frozen=True)
class EnrollmentInput:
    id_number: str
    name: str
    region: Region | None = None  # where a new person is served; default: the class's region
    phone: str = ""
    draws_pension: bool | None = None
    late_reason: str = ""
    key_groups: tuple[tuple[str, dt.date], ...] = ()  # declared for a newly registered person


class Ineligible(DomainError):
    """The person may not join this class; `eligibility` holds every check."""

    def __init__(self, eligibility: elig_rules.Eligibility) -> None:
        self.eligibility = eligibility
        text = "；".join(messages.explain(c) for c in eligibility.failed)
        super().__init__(_("Not eligible: %(why)s") % {"why": text}, field="id_number",
                         code="ineligible")


def _person_facts(person: Person, cls: TrainingClass,
                  draws_pension: bool | None) -> elig_rules.PersonFacts:
    groups = frozenset(KeyGroupMembership.objects.filter(person=person)
                       .active_on(cls.start_date).values_list("group", flat=True))
    return elig_rules.PersonFacts(birth_date=person.birth_date, gender=person.gender,
                                  key_groups=groups, draws_pension=draws_pension)


def assess(person: Person | None, cls: TrainingClass, *, birth_date: dt.date | None = None,
           gender: str = "", draws_pension: bool | None = None) -> elig_rules.Eligibility:
    """Every eligibility check for a person (registered or about to be) and a class."""
    if person is not None:
        facts = _person_facts(person, cls, draws_pension)
        clashes = selectors.schedule_clashes(person, cls)
        warnings = selectors.subsidy_frequency_warnings(person, cls)
    else:
        facts = elig_rules.PersonFacts(birth_date=birth_date, gender=gender,
                                       draws_pension=draws_pension)
        clashes, warnings = [], []
    param = selectors.age_parameter_as_of(cls.region, cls.start_date)
    return elig_rules.assess_eligibility(
        facts, elig_rules.ClassFacts(start_date=cls.start_date, target_group=cls.target_group),
        param, clashes=clashes, subsidy_warnings=warnings)


def _ensure_enrolling(cls: TrainingClass, late_reason: str) -> bool:
    """Whether this is a late join; refuses when enrollment is closed."""
    if cls.status in lifecycle.ENROLLING_STATES:
        return False
    if cls.status in lifecycle.LATE_ENROLLING_STATES:
        if not late_reason.strip():
            raise DomainError(_("The class has opened: give a reason to enroll late."),
                              field="late_reason", code="late_reason_required")
        return True
    raise DomainError(_("Enrollment is closed for a class that is %(status)s.")
                      % {"status": cls.get_status_display()}, code="enrollment_closed")


def _check_key_groups(key_groups, birth_date: dt.date) -> None:
    """A declared key-group membership starts between the person's birth and today."""
    today = timezone.localdate()
    for group, start in key_groups:
        if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
            raise DomainError(_("The key group's start date must be a date."),
                              field="key_groups", code="invalid")
        if start < birth_date or start > today:
            raise DomainError(
                _("The key group %(group)s cannot start on %(day)s: the date must lie between "
                  "the person's birth (%(birth)s) and today (%(today)s).")
                % {"group": group, "day": start, "birth": birth_date, "today": today},
                field="key_groups", code="out_of_range")


def _lock_person(id_hash: str) -> Person | None:
    """The registered person with this ID number (a merged duplicate's number: its survivor),
    locked: the overlap check reads the person's other enrollments, so two enrollments of one
    person (in two classes, whose locks differ) run one after the other."""
    return registry_selectors.person_holding_hash_locked(id_hash)


def _register_or_lock(actor, cls: TrainingClass, ident, data: EnrollmentInput,
                      id_hash: str) -> Person:
    """Register a newcomer inside the enrollment's transaction. When a concurrent request
    registers the same person first (the unique id_hash refuses this insert), take theirs,
    locked, and go on: the checks then see that request's enrollment."""
    try:
        return registry_services.person_register(
            actor=actor, data=registry_services.PersonInput(
                id_number=ident.number, name=data.name, region=data.region or cls.region,
                phone=data.phone, key_groups=data.key_groups))
    except Conflict as clash:
        if clash.code != "duplicate":
            raise
        person = _lock_person(id_hash)
        if person is None:
            raise
        _check_name(person, data.name)
        return person


def _check_name(person: Person, name: str) -> None:
    if person.name != name.strip():
        raise DomainError(_("The name does not match the name registered for this ID "
                            "number."), field="name", code="name_mismatch")


def enrollment_create(*, actor, training_class: TrainingClass,
                      data: EnrollmentInput) -> Enrollment:
    """实名制 enrollment: find the person by ID number (or register them), check eligibility and
    enroll. The name must match the registered name. The class and the person are locked
    while the checks run (the class's places, the person's other classes)."""
    cls = selectors.class_get(actor=actor, pk=training_class.pk)
    ensure_enrolling_institution(actor, cls)
    late = _ensure_enrolling(cls, data.late_reason)
    ident = registry_services.parse_id_number(data.id_number)
    if not data.name.strip():
        raise DomainError(_("This field is required."), field="name")
    _check_key_groups(data.key_groups, ident.birth_date)
    id_hash = pii.keyed_hash(ident.number)
    with transaction.atomic():
        # Only the class row (of=self): a lock on its region would serialize a whole county.
        cls = (TrainingClass.objects.select_for_update(of=("self",)).select_related("region")
               .get(pk=cls.pk))
        _ensure_enrolling(cls, data.late_reason)
        person = _lock_person(id_hash)
        if person is not None and person.name != data.name.strip():
            raise DomainError(_("The name does not match the name registered for this ID "
                                "number."), field="name", code="name_mismatch")
        if person is not None and Enrollment.objects.filter(training_class=cls,
                                                            person=person).exists():
            raise Conflict(_("This person is already enrolled in the class."),
                           field="id_number", code="duplicate")
        taken = Enrollment.objects.filter(training_class=cls,
                                          status=EnrollmentStatus.ENROLLED).count()
        if taken >= cls.planned_size:
            raise DomainError(_("The class is full (%(n)s trainees planned).")
                              % {"n": cls.planned_size}, field="id_number", code="class_full")
        if person is None:
            # Registered inside this transaction: an ineligible newcomer is rolled back.
            person = _register_or_lock(actor, cls, ident, data, id_hash)
            if Enrollment.objects.filter(training_class=cls, person=person).exists():
                raise Conflict(_("This person is already enrolled in the class."),
                               field="id_number", code="duplicate")
        result = assess(person, cls, draws_pension=data.draws_pension)
        if not result.eligible:
            raise Ineligible(result)
        enrollment = Enrollment.objects.create(
            training_class=cls, person=person, enrolled_by=_username(actor),
            late_reason=data.late_reason.strip() if late else "",
            draws_pension=data.draws_pension, eligibility=result.as_list())
        audit.record(actor=actor, action=AuditAction.CREATE, instance=enrollment,
                     after={"class": cls.pk, "person": person.pk, "late": late,
                            "checks": [c["code"] for c in result.as_list()]},
                     reason=enrollment.late_reason)
    return enrollment


def _enrolled_already(cls: TrainingClass, id_number: str, name: str) -> Enrollment | None:
    """The enrollment of this person (by the keyed hash of the ID number) in the class, if
    any; the name must be the registered one, as for a new enrollment."""
    person = registry_selectors.person_holding_number(id_number)
    row = None if person is None else (
        Enrollment.objects.select_related("person")
        .filter(training_class_id=cls.pk, person=person).first())
    if row is not None:
        _check_name(row.person, name)
    return row


def enrollment_create_once(*, actor, training_class: TrainingClass,
                           data: EnrollmentInput) -> tuple[Enrollment, bool]:
    """enrollment_create for outside systems, which may send the same person twice: a person
    already on the class's roster (enrolled or withdrawn) is answered with that enrollment
    (`created` False) instead of a Conflict, whatever the class's state now."""
    cls = selectors.class_get(actor=actor, pk=training_class.pk)
    ensure_enrolling_institution(actor, cls)
    number = registry_services.parse_id_number(data.id_number).number
    existing = _enrolled_already(cls, number, data.name)
    if existing is not None:
        return existing, False
    try:
        return enrollment_create(actor=actor, training_class=cls, data=data), True
    except Conflict as bad:
        # A concurrent request enrolled the same person first.
        existing = _enrolled_already(cls, number, data.name) if bad.code == "duplicate" \
            else None
        if existing is None:
            raise
        return existing, False


def enrollment_withdraw(*, actor, enrollment: Enrollment, reason: str) -> Enrollment:
    """A trainee leaves the class (dropout): kept on the roster, no longer counted."""
    row = selectors.enrollment_get(actor=actor, pk=enrollment.pk)
    ensure_may_withdraw(actor, row.training_class)  # early answer; asked again under the lock
    if not reason.strip():
        raise DomainError(_("Give a reason."), field="reason")
    with transaction.atomic():
        # Lock, then check: finishing the class locks it too, so a withdrawal never lands on
        # a class that finished meanwhile (its completion already frozen and counted).
        cls = (TrainingClass.objects.select_for_update(of=("self",)).select_related("region")
               .get(pk=row.training_class_id))
        ensure_may_withdraw(actor, cls)
        row = Enrollment.objects.select_for_update().get(pk=row.pk)
        if row.status == EnrollmentStatus.WITHDRAWN:
            return row
        row.status, row.withdrawn_reason = EnrollmentStatus.WITHDRAWN, reason.strip()
        row.save(update_fields=["status", "withdrawn_reason"])
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=row,
                     before={"status": EnrollmentStatus.ENROLLED},
                     after={"status": row.status}, reason=row.withdrawn_reason)
    return row
