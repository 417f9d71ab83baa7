"""Every write of the training app: declaring and moving classes through their states, teachers,
real-name enrollment, attendance ingestion. One transaction each, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.accounts.models import Role
from jineng.core import audit, pii
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.registry import services as registry_services
from jineng.registry.choices import KeyGroup, OrganizationKind, OrganizationStatus
from jineng.registry.models import (
    KeyGroupMembership,
    Occupation,
    Organization,
    Person,
    Region,
    SkillLevel,
    TrainingSite,
)
from jineng.training import catalog_bridge, messages, plan_facts, selectors
from jineng.training.choices import (
    AttendanceMethod,
    ClassStatus,
    EnrollmentStatus,
    EventKind,
    FundingSource,
    OrderForm,
    Sector,
    TrainingType,
)
from jineng.training.models import (
    AttendanceEvent,
    ClassSession,
    ClassStatusChange,
    EligibilityParameter,
    Enrollment,
    Teacher,
    TrainingClass,
)
from jineng.training.rules import attendance as att_rules
from jineng.training.rules import eligibility as elig_rules
from jineng.training.rules import lifecycle
from jineng.training.rules.xapi import StatementInvalid, read_statement

ONE_PLACE = Decimal("0.1")


def _username(actor) -> str:
    return getattr(actor, "username", "") or "system"


def _setting(name: str, default):
    return getattr(settings, name, default)


def grace() -> dt.timedelta:
    """How far outside a session's window a check-in or -out may be before it is flagged."""
    return dt.timedelta(minutes=_setting("TRAINING_WINDOW_GRACE_MINUTES", 60))


def future_tolerance() -> dt.timedelta:
    """Events stamped later than now + this are refused (a terminal clock far in the future)."""
    return dt.timedelta(seconds=_setting("TRAINING_FUTURE_TOLERANCE_SECONDS", 300))


def default_radius_m() -> int:
    return int(_setting("TRAINING_CHECKIN_RADIUS_M", 500))


# --- who may act on a class ------------------------------------------------------------------

def actor_kinds(actor, training_class: TrainingClass) -> frozenset[str]:
    """The lifecycle roles the actor holds for this class (see rules.lifecycle)."""
    scope = scope_of(actor)
    kinds: set[str] = set()
    governs = (getattr(actor, "is_hrss_staff", False) and scope.region_prefix is not None
               and training_class.region.code.startswith(scope.region_prefix))
    if scope.everything or governs:
        kinds.add(lifecycle.HRSS)
    if (getattr(actor, "role", "") == Role.TRAINING_OPERATOR
            and scope.organization_id == training_class.institution_id):
        kinds.add(lifecycle.INSTITUTION)
    return frozenset(kinds)


def _ensure_operator(actor) -> Organization:
    """The training institution an operator acts for."""
    if getattr(actor, "role", "") != Role.TRAINING_OPERATOR or not actor.organization_id:
        raise Forbidden(_("Only a training institution's operators may do this."))
    return actor.organization


def _ensure_institution_listed(org: Organization) -> None:
    if org.status != OrganizationStatus.LISTED:
        raise DomainError(
            _("Your institution is %(status)s since %(day)s and may not declare or run "
              "classes.") % {"status": org.get_status_display(), "day": org.status_since},
            code="institution_status")


# --- teachers --------------------------------------------------------------------------------

def teacher_create(*, actor, name: str, id_number: str = "", qualification: str = "",
                   organization: Organization | None = None) -> Teacher:
    org = organization or _ensure_operator(actor)
    registry_services.ensure_manages_organization(actor, org)
    if not name.strip():
        raise DomainError(_("This field is required."), field="name")
    id_hash = masked = ""
    if id_number.strip():
        ident = registry_services.parse_id_number(id_number)
        id_hash, masked = pii.keyed_hash(ident.number), pii.mask_id_number(ident.number)
    with transaction.atomic():
        if id_hash and Teacher.objects.filter(organization=org, id_hash=id_hash).exists():
            raise Conflict(_("This teacher is already registered."), field="id_number",
                           code="duplicate")
        teacher = Teacher.objects.create(organization=org, name=name.strip(), id_hash=id_hash,
                                         id_masked=masked, qualification=qualification.strip())
        audit.record(actor=actor, action=AuditAction.CREATE, instance=teacher,
                     after=audit.snapshot(teacher))
    return teacher


# --- declaring a class -----------------------------------------------------------------------

@dataclass(frozen=True)
class SessionInput:
    starts_at: dt.datetime
    ends_at: dt.datetime
    hours: Decimal | None = None  # default: the window's length
    topic: str = ""


@dataclass(frozen=True)
class ClassInput:
    name: str
    site: TrainingSite
    occupation: Occupation
    level: SkillLevel
    training_type: str
    sector: str
    planned_size: int
    funding_source: str
    sessions: tuple[SessionInput, ...]
    teachers: tuple[Teacher, ...] = ()
    target_group: str = ""
    order_form: str = ""
    employer: Organization | None = None
    online_share: Decimal = Decimal(0)
    checkin_radius_m: int | None = None
    client_ref: str = ""  # the institution's own id for the class (API idempotence)


@dataclass(frozen=True)
class PlannedSession:
    seq: int
    date: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    hours: Decimal
    topic: str


def plan_sessions(sessions: tuple[SessionInput, ...]) -> list[PlannedSession]:
    """Validate a schedule: each session within one local day, positive hours no longer than its
    window, sessions not overlapping one another."""
    if not sessions:
        raise DomainError(_("Schedule at least one session."), field="sessions")
    tz = timezone.get_current_timezone()
    planned = []
    for n, s in enumerate(sorted(sessions, key=lambda s: s.starts_at), start=1):
        if timezone.is_naive(s.starts_at) or timezone.is_naive(s.ends_at):
            raise DomainError(_("Session %(n)s: times need a time zone.") % {"n": n},
                              field="sessions")
        start, end = s.starts_at.astimezone(tz), s.ends_at.astimezone(tz)
        if end <= start:
            raise DomainError(_("Session %(n)s ends before it starts.") % {"n": n},
                              field="sessions")
        if end.date() != start.date() and end.time() != dt.time(0):
            raise DomainError(_("Session %(n)s must start and end on the same day.")
                              % {"n": n}, field="sessions")
        window = Decimal((end - start).total_seconds()) / 3600
        try:
            hours = Decimal(s.hours) if s.hours is not None else window
        except (InvalidOperation, TypeError):
            raise DomainError(_("Session %(n)s: hours must be a number.") % {"n": n},
                              field="sessions") from None
        hours = hours.quantize(ONE_PLACE)
        if hours <= 0 or hours > window.quantize(ONE_PLACE) + Decimal("0.05"):
            raise DomainError(
                _("Session %(n)s: hours must be more than 0 and at most the session's length.")
                % {"n": n}, field="sessions")
        if planned and start < planned[-1].ends_at:
            raise DomainError(_("Session %(n)s overlaps the session before it.") % {"n": n},
                              field="sessions")
        planned.append(PlannedSession(n, start.date(), start, end, hours, s.topic.strip()))
    return planned


def _overlaps(a: list[PlannedSession], b_start: dt.datetime, b_end: dt.datetime) -> bool:
    return any(s.starts_at < b_end and b_start < s.ends_at for s in a)


def _check_site_capacity(site: TrainingSite, planned_size: int,
                         sessions: list[PlannedSession], exclude_class: int | None) -> None:
    if planned_size > site.capacity:
        raise DomainError(
            _("The site holds %(capacity)s trainees; the class plans %(size)s.")
            % {"capacity": site.capacity, "size": planned_size}, field="planned_size",
            code="site_capacity")
    others = (ClassSession.objects
              .filter(training_class__site=site, date__in={s.date for s in sessions},
                      training_class__status__in=lifecycle.ACTIVE_STATES)
              .exclude(training_class_id=exclude_class)
              .values_list("training_class_id", "training_class__planned_size",
                           "starts_at", "ends_at"))
    clashing: dict[int, int] = {}
    for class_id, size, start, end in others:
        if _overlaps(sessions, start, end):
            clashing[class_id] = size
    if clashing and planned_size + sum(clashing.values()) > site.capacity:
        raise DomainError(
            _("At the same time the site already holds %(busy)s trainees of other classes; "
              "with this class it would exceed its capacity of %(capacity)s.")
            % {"busy": sum(clashing.values()), "capacity": site.capacity},
            field="site", code="site_busy")


def _check_teachers_free(teachers: tuple[Teacher, ...], sessions: list[PlannedSession],
                         exclude_class: int | None) -> None:
    if not teachers:
        return
    hashes = {t.id_hash for t in teachers if t.id_hash}
    same_people = Q(training_class__teachers__in=[t.pk for t in teachers])
    if hashes:
        same_people |= Q(training_class__teachers__id_hash__in=hashes)
    busy = (ClassSession.objects
            .filter(same_people, date__in={s.date for s in sessions},
                    training_class__status__in=lifecycle.ACTIVE_STATES)
            .exclude(training_class_id=exclude_class)
            .values_list("training_class__name", "starts_at", "ends_at").distinct())
    for class_name, start, end in busy:
        if _overlaps(sessions, start, end):
            local = timezone.localtime(start)
            raise DomainError(
                _("A teacher is already booked for class “%(name)s” at %(when)s.")
                % {"name": class_name, "when": f"{local:%Y-%m-%d %H:%M}"},
                field="teachers", code="teacher_busy")


def _validate_choices(data: ClassInput) -> None:
    if not data.name.strip():
        raise DomainError(_("This field is required."), field="name")
    if data.training_type not in TrainingType.values:
        raise DomainError(_("Choose a training type."), field="training_type")
    if data.sector not in Sector.values:
        raise DomainError(_("Choose a sector."), field="sector")
    if data.target_group and data.target_group not in KeyGroup.values:
        raise DomainError(_("Unknown key group."), field="target_group")
    if data.funding_source not in FundingSource.values:
        raise DomainError(_("Choose a funding source."), field="funding_source")
    if data.order_form not in OrderForm.values:
        raise DomainError(_("Unknown order form."), field="order_form")
    if data.order_form and (data.employer is None
                            or data.employer.kind != OrganizationKind.ENTERPRISE):
        raise DomainError(_("An order, fixed-post or named class needs the employer "
                            "(an enterprise) it trains for."), field="employer")
    if not data.order_form and data.employer is not None:
        raise DomainError(_("Name an employer only for order, fixed-post or named classes."),
                          field="employer")
    try:
        share = Decimal(data.online_share)
    except (InvalidOperation, TypeError):
        share = Decimal(-1)
    if not (0 <= share <= 1):
        raise DomainError(_("The online share must be between 0 and 1."), field="online_share")
    if not isinstance(data.planned_size, int) or data.planned_size <= 0:
        raise DomainError(_("The planned size must be a positive number."),
                          field="planned_size")
    if data.checkin_radius_m is not None and not (50 <= data.checkin_radius_m <= 5000):
        raise DomainError(_("The check-in radius must be between 50 and 5000 metres."),
                          field="checkin_radius_m")


def ensure_declaring_institution(actor) -> Organization:
    """The training institution an operator declares for; Forbidden for anyone else (asked
    first by the API, before the ids in a declaration are resolved)."""
    return _ensure_operator(actor)


def _canonical_number(value) -> str:
    try:
        return format(Decimal(value).normalize(), "f")
    except (InvalidOperation, TypeError, ValueError):
        return repr(value)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat() if timezone.is_aware(value) else repr(value)


def declaration_fingerprint(data: ClassInput) -> str:
    """SHA-256 of a declaration as sent: equal for the same content however it was spelled
    (times in any offset, 6 or 6.0 hours, teachers in any order)."""
    canonical = {
        "name": data.name.strip(), "site": data.site.pk, "occupation": data.occupation.pk,
        "level": data.level.pk, "training_type": data.training_type, "sector": data.sector,
        "planned_size": data.planned_size, "funding_source": data.funding_source,
        "sessions": sorted([_utc(s.starts_at), _utc(s.ends_at),
                            None if s.hours is None else _canonical_number(s.hours),
                            s.topic.strip()] for s in data.sessions),
        "teachers": sorted(t.pk for t in data.teachers),
        "target_group": data.target_group, "order_form": data.order_form,
        "employer": data.employer.pk if data.employer is not None else None,
        "online_share": _canonical_number(data.online_share),
        "checkin_radius_m": data.checkin_radius_m,
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def _declared_before(org: Organization, data: ClassInput, fingerprint: str,
                     ) -> TrainingClass | None:
    """The class this institution already declared under `data.client_ref`, if any; Conflict
    when that declaration had another content."""
    if not data.client_ref:
        return None
    found = TrainingClass.objects.filter(institution=org, client_ref=data.client_ref).first()
    if found is not None and found.client_fingerprint != fingerprint:
        raise Conflict(_("Another class was already declared with this reference: a repeated "
                         "declaration must be identical."), field="client_ref",
                       code="client_ref_reused")
    return found


def class_declare(*, actor, data: ClassInput) -> TrainingClass:
    """开班申报: a listed training institution declares a class. Checked against the catalogs
    in force on the start date, the site's capacity and the teachers' other bookings."""
    return class_declare_once(actor=actor, data=data)[0]


def class_declare_once(*, actor, data: ClassInput) -> tuple[TrainingClass, bool]:
    """class_declare, idempotent under `data.client_ref`: the same institution declaring the
    same class again gets the class already declared (`created` False) instead of a second
    one; another content under the same reference is a Conflict."""
    org = _ensure_operator(actor)
    client_ref = data.client_ref.strip()
    if len(client_ref) > 100:
        raise DomainError(_("The reference has at most 100 characters."), field="client_ref")
    if client_ref != data.client_ref:
        data = replace(data, client_ref=client_ref)
    fingerprint = declaration_fingerprint(data) if client_ref else ""
    # A replay is answered before any other check: the class exists whatever changed since.
    existing = _declared_before(org, data, fingerprint)
    if existing is not None:
        return existing, False
    _ensure_institution_listed(org)
    _validate_choices(data)
    site = data.site
    if site.organization_id != org.pk or not site.is_active:
        raise DomainError(_("Choose one of your institution's sites in use."), field="site")
    for t in data.teachers:
        if t.organization_id != org.pk or not t.is_active:
            raise DomainError(_("Choose your institution's own teachers."), field="teachers")
    sessions = plan_sessions(data.sessions)
    start, end = sessions[0].date, sessions[-1].date
    standard = catalog_bridge.subsidy_standard(data.occupation, data.level, site.region,
                                               data.training_type, start)
    if standard is None:
        raise DomainError(
            _("The subsidy standards catalog in force on %(day)s has no entry for %(occ)s "
              "%(level)s (%(type)s) in %(region)s.")
            % {"day": start, "occ": data.occupation.name, "level": data.level.name,
               "type": TrainingType(data.training_type).label, "region": site.region.name},
            field="occupation", code="no_standard")
    listing = catalog_bridge.institution_listed(org, data.occupation, data.level, site, start)
    if not listing:
        raise DomainError(
            _("On %(day)s your institution is not listed in the training institutions catalog "
              "for %(occ)s %(level)s at this site: %(why)s")
            % {"day": start, "occ": data.occupation.name, "level": data.level.name,
               "why": getattr(listing, "message", "")},
            field="occupation", code="not_listed")
    share = Decimal(data.online_share).quantize(Decimal("0.01"))
    on_site = sum((s.hours for s in sessions), Decimal(0))
    needed = (standard.required_hours * (1 - share)).quantize(ONE_PLACE)
    if on_site < needed:
        raise DomainError(
            _("The catalog requires %(req)s hours (%(site)s on site with an online share of "
              "%(share)s); the schedule has %(have)s on site.")
            % {"req": standard.required_hours, "site": needed, "share": share,
               "have": on_site}, field="sessions", code="hours_short")
    try:
        with transaction.atomic():
            site = (TrainingSite.objects.select_for_update().select_related("region")
                    .get(pk=site.pk))
            list(Teacher.objects.select_for_update()
                 .filter(pk__in=[t.pk for t in data.teachers]))
            # Asked again under the lock: a declaration with the same reference (the same
            # site) may have committed while this one waited.
            existing = _declared_before(org, data, fingerprint)
            if existing is not None:
                return existing, False
            _check_site_capacity(site, data.planned_size, sessions, None)
            _check_teachers_free(data.teachers, sessions, None)
            cls = TrainingClass.objects.create(
                name=data.name.strip(), institution=org, site=site, region=site.region,
                occupation=data.occupation, level=data.level, training_type=data.training_type,
                order_form=data.order_form, employer=data.employer, sector=data.sector,
                target_group=data.target_group, planned_size=data.planned_size,
                funding_source=data.funding_source, online_share=share, start_date=start,
                end_date=end, required_hours=Decimal(standard.required_hours),
                min_attendance_share=standard.min_attendance_share, scheduled_hours=on_site,
                standard_version_id=standard.version_id, standard_entry_id=standard.entry_id,
                checkin_radius_m=data.checkin_radius_m or default_radius_m(),
                status=ClassStatus.DECLARED, declared_by=_username(actor),
                client_ref=data.client_ref, client_fingerprint=fingerprint,
            )
            ClassSession.objects.bulk_create([
                ClassSession(training_class=cls, seq=s.seq, date=s.date, starts_at=s.starts_at,
                             ends_at=s.ends_at, hours=s.hours, topic=s.topic) for s in sessions])
            if data.teachers:
                cls.teachers.set(data.teachers)
            ClassStatusChange.objects.create(
                training_class=cls, action="declare", from_status="", to_status=cls.status,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                actor_username=_username(actor))
            audit.record(actor=actor, action=AuditAction.CREATE, instance=cls,
                         after={**audit.snapshot(cls), "sessions": len(sessions),
                                "teachers": [t.pk for t in data.teachers]})
    except IntegrityError:
        # A concurrent declaration under the same reference at another site won the insert.
        existing = _declared_before(org, data, fingerprint)
        if existing is None:
            raise
        return existing, False
    return cls, True


# --- moving a class through its states -------------------------------------------------------

def class_transition(*, actor, training_class: TrainingClass, action: str,
                     reason: str = "") -> TrainingClass:
    """Take `action` (approve, reject, open, finish, assess, settle, cancel, suspend, resume).
    Finishing freezes every trainee's hours and completion and adds the completed trainees
    (and an order class) to the plans' progress (`plan_facts`)."""
    visible = selectors.class_get(actor=actor, pk=training_class.pk)
    with transaction.atomic():
        cls = (TrainingClass.objects.select_for_update().select_related("region", "institution")
               .get(pk=visible.pk))
        kinds = actor_kinds(actor, cls)
        try:
            target = lifecycle.plan_transition(action, cls.status, kinds, reason,
                                               cls.status_before_suspension)
        except lifecycle.TransitionRefused as refused:
            raise messages.transition_error(refused, cls) from None
        if action == "open":
            _ensure_institution_listed(cls.institution)
        before = cls.status
        if action == "suspend":
            cls.status_before_suspension = before
        elif action == "resume":
            cls.status_before_suspension = ""
        cls.status = target
        cls.status_changed_at = timezone.now()
        cls.save(update_fields=["status", "status_before_suspension", "status_changed_at"])
        if action == "finish":
            _freeze_completion(cls)
            plan_facts.record_finished_class(cls)
        ClassStatusChange.objects.create(
            training_class=cls, action=action, from_status=before, to_status=target,
            reason=reason.strip(),
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_username=_username(actor))
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=cls,
                     before={"status": before}, after={"status": target, "action": action},
                     reason=reason.strip())
    return cls


def _freeze_completion(cls: TrainingClass) -> None:
    rows = selectors.completion_rows(cls)
    enrollments = []
    for row in rows:
        e = row.enrollment
        e.attended_hours = row.completion.attended_hours
        e.completed = row.completion.completed and e.status == EnrollmentStatus.ENROLLED
        e.completion_rule = row.completion.rule
        enrollments.append(e)
    Enrollment.objects.bulk_update(enrollments,
                                   ["attended_hours", "completed", "completion_rule"],
                                   batch_size=500)


# --- eligibility parameters ------------------------------------------------------------------

def eligibility_parameter_set(*, actor, region: Region | None, valid_from: dt.date,
                              minimum_age: int = 16, scheme: str = "gradual_2025",
                              female_basis: int = 55, over_age_without_pension: bool = False,
                              source: str = "") -> EligibilityParameter:
    """Record a new dated version of the age parameter for a region (staff governing it) or
    the nation (system administrators)."""
    if region is None:
        if not scope_of(actor).everything:
            raise Forbidden(_("Only system administrators set the national parameter."))
    else:
        registry_services.ensure_governs(actor, region)
    if female_basis not in (50, 55):
        raise DomainError(_("The women's original retirement age is 50 or 55."),
                          field="female_basis")
    if not (14 <= minimum_age <= 18):
        raise DomainError(_("The minimum age must be between 14 and 18."), field="minimum_age")
    with transaction.atomic():
        if EligibilityParameter.objects.filter(region=region, valid_from=valid_from).exists():
            raise Conflict(_("A version valid from this day already exists."),
                           field="valid_from", code="duplicate")
        row = EligibilityParameter.objects.create(
            region=region, valid_from=valid_from, minimum_age=minimum_age, scheme=scheme,
            female_basis=female_basis, over_age_without_pension=over_age_without_pension,
            source=source.strip())
        audit.record(actor=actor, action=AuditAction.CREATE, instance=row,
                     after=audit.snapshot(row))
    return row


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


def enrollment_create(*, actor, training_class: TrainingClass,
                      data: EnrollmentInput) -> Enrollment:
    """实名制 enrollment: find the person by ID number (or register them), check eligibility and
    enroll. The name must match the registered name."""
    cls = selectors.class_get(actor=actor, pk=training_class.pk)
    if lifecycle.INSTITUTION not in actor_kinds(actor, cls):
        raise Forbidden(_("Only the class's institution enrolls trainees."))
    late = _ensure_enrolling(cls, data.late_reason)
    ident = registry_services.parse_id_number(data.id_number)
    if not data.name.strip():
        raise DomainError(_("This field is required."), field="name")
    id_hash = pii.keyed_hash(ident.number)
    with transaction.atomic():
        cls = TrainingClass.objects.select_for_update().select_related("region").get(pk=cls.pk)
        _ensure_enrolling(cls, data.late_reason)
        person = Person.objects.filter(id_hash=id_hash).first()
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
                              % {"n": cls.planned_size}, code="class_full")
        if person is None:
            # Registered inside this transaction: an ineligible newcomer is rolled back.
            person = registry_services.person_register(
                actor=actor, data=registry_services.PersonInput(
                    id_number=ident.number, name=data.name, region=data.region or cls.region,
                    phone=data.phone, key_groups=data.key_groups))
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
    row = (Enrollment.objects.select_related("person")
           .filter(training_class_id=cls.pk, person__id_hash=pii.keyed_hash(id_number))
           .first())
    if row is not None and row.person.name != name.strip():
        raise DomainError(_("The name does not match the name registered for this ID "
                            "number."), field="name", code="name_mismatch")
    return row


def enrollment_create_once(*, actor, training_class: TrainingClass,
                           data: EnrollmentInput) -> tuple[Enrollment, bool]:
    """enrollment_create for outside systems, which may send the same person twice: a person
    already on the class's roster (enrolled or withdrawn) is answered with that enrollment
    (`created` False) instead of a Conflict, whatever the class's state now."""
    cls = selectors.class_get(actor=actor, pk=training_class.pk)
    if lifecycle.INSTITUTION not in actor_kinds(actor, cls):
        raise Forbidden(_("Only the class's institution enrolls trainees."))
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
    if lifecycle.INSTITUTION not in actor_kinds(actor, row.training_class) and (
            lifecycle.HRSS not in actor_kinds(actor, row.training_class)):
        raise Forbidden()
    if not reason.strip():
        raise DomainError(_("Give a reason."), field="reason")
    if row.training_class.status not in (ClassStatus.DECLARED, ClassStatus.APPROVED,
                                         ClassStatus.OPEN):
        raise DomainError(_("The roster of this class can no longer change."))
    with transaction.atomic():
        row = Enrollment.objects.select_for_update().get(pk=row.pk)
        if row.status == EnrollmentStatus.WITHDRAWN:
            return row
        row.status, row.withdrawn_reason = EnrollmentStatus.WITHDRAWN, reason.strip()
        row.save(update_fields=["status", "withdrawn_reason"])
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=row,
                     before={"status": EnrollmentStatus.ENROLLED},
                     after={"status": row.status}, reason=row.withdrawn_reason)
    return row


# --- attendance ingestion --------------------------------------------------------------------

KIND_CODES = {"check_in": EventKind.CHECK_IN, "check_out": EventKind.CHECK_OUT}
METHOD_CODES = {"terminal": AttendanceMethod.TERMINAL, "mobile": AttendanceMethod.MOBILE,
                "qr": AttendanceMethod.QR}
ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"
MAX_BATCH = 5000


@dataclass
class EventResult:
    index: int
    idempotency_key: str
    status: str = ACCEPTED
    event_id: int | None = None
    flags: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def reject(self, field_name: str, code: str, message: str) -> None:
        self.status = REJECTED
        self.errors.append({"field": field_name, "code": code, "message": message})


@dataclass
class IngestReport:
    results: list[EventResult]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def accepted(self) -> int:
        return self.count(ACCEPTED)

    @property
    def duplicates(self) -> int:
        return self.count(DUPLICATE)

    @property
    def rejected(self) -> int:
        return self.count(REJECTED)


@dataclass
class _Row:
    """An event that passed parsing, on its way to the table."""

    result: EventResult
    class_id: int
    kind: int
    method: int
    occurred_at: dt.datetime
    id_hash: str = ""
    enrollment_id: int | None = None
    session_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    device: str = ""
    online_seconds: int = 0
    distance_m: int | None = None
    outside_window: bool = False
    too_far: bool = False


def _text(raw: dict, key: str) -> str:
    value = raw.get(key)
    return value.strip() if isinstance(value, str) else ""


def _int(raw: dict, key: str) -> int | None:
    value = raw.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _parse_time(raw: object) -> dt.datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        value = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def _hash_id_number(id_number: str, cache: dict[str, str | DomainError]) -> str:
    """Keyed hash of a valid ID number (raises DomainError); cached within a batch, where the
    same trainee appears in many events."""
    found = cache.get(id_number)
    if found is None:
        try:
            found = pii.keyed_hash(registry_services.parse_id_number(id_number).number)
        except DomainError as bad:
            found = bad
        cache[id_number] = found
    if isinstance(found, DomainError):
        raise found
    return found


def _parse_event(index: int, raw: object, latest: dt.datetime,
                 id_cache: dict[str, str | DomainError]) -> _Row | EventResult:
    """Field-by-field checks of one event (`latest`: now plus the clock tolerance); the
    result names every faulty field."""
    result = EventResult(index=index, idempotency_key="")
    if not isinstance(raw, dict):
        result.reject("", "invalid", _("An event must be a JSON object."))
        return result
    key = _text(raw, "idempotency_key")
    result.idempotency_key = key[:100]
    if not key or len(key) > 100:
        result.reject("idempotency_key", "required",
                      _("Each event needs an idempotency key of 1 to 100 characters."))
    class_id = _int(raw, "class_id")
    if class_id is None:
        result.reject("class_id", "required", _("Give the class number."))
    kind = KIND_CODES.get(_text(raw, "kind"))
    if kind is None:
        result.reject("kind", "invalid", _("kind must be check_in or check_out."))
    method = METHOD_CODES.get(_text(raw, "method"))
    if method is None:
        result.reject("method", "invalid", _("method must be terminal, mobile or qr."))
    at = _parse_time(raw.get("occurred_at"))
    if at is None:
        result.reject("occurred_at", "invalid",
                      _("occurred_at must be an ISO 8601 date-time with a time-zone offset."))
    elif at > latest:
        result.reject("occurred_at", "clock_future",
                      _("The event is stamped in the future: check the device's clock."))
    id_number, enrollment_id = _text(raw, "id_number"), _int(raw, "enrollment_id")
    id_hash = ""
    if id_number:
        try:
            id_hash = _hash_id_number(id_number, id_cache)
        except DomainError as bad:
            result.reject("id_number", bad.code, bad.message)
    elif enrollment_id is None:
        result.reject("id_number", "required", _("Identify the trainee by id_number or "
                                                 "enrollment_id."))
    lat, lon = raw.get("latitude"), raw.get("longitude")
    coords_given = lat is not None or lon is not None
    if coords_given:
        if (not isinstance(lat, int | float) or not isinstance(lon, int | float)
                or isinstance(lat, bool) or isinstance(lon, bool)
                or not (-90 <= lat <= 90) or not (-180 <= lon <= 180)):
            result.reject("latitude", "invalid",
                          _("latitude and longitude must both be numbers in range."))
    elif method == AttendanceMethod.MOBILE:
        result.reject("latitude", "required", _("A mobile check-in must carry its location."))
    session_id = _int(raw, "session_id") if raw.get("session_id") is not None else None
    if raw.get("session_id") is not None and session_id is None:
        result.reject("session_id", "invalid", _("session_id must be a number."))
    device = _text(raw, "device")[:64]
    if result.status == REJECTED:
        return result
    return _Row(result=result, class_id=class_id, kind=kind, method=method, occurred_at=at,
                id_hash=id_hash, enrollment_id=enrollment_id, session_id=session_id,
                latitude=float(lat) if coords_given else None,
                longitude=float(lon) if coords_given else None, device=device)


def _ensure_ingest_actor(actor) -> int:
    """The institution (its id) an attendance sender acts for."""
    if getattr(actor, "role", "") != Role.TRAINING_OPERATOR or not actor.organization_id:
        raise Forbidden(_("Attendance is sent by a training institution's operator or system."))
    return actor.organization_id


_SESSIONS_SQL = (
    "SELECT s.id, s.training_class_id, s.starts_at, s.ends_at, c.institution_id, c.status, "
    "t.latitude, t.longitude, c.checkin_radius_m, c.online_share, r.code "
    "FROM training_classsession s "
    "JOIN training_trainingclass c ON c.id = s.training_class_id "
    "JOIN registry_trainingsite t ON t.id = c.site_id "
    "JOIN registry_region r ON r.id = c.region_id "
    "WHERE s.training_class_id IN ({0})")
_ENROLLED_BY_HASH_SQL = (
    "SELECT e.id, e.training_class_id, p.id_hash, e.status FROM training_enrollment e "
    "JOIN registry_person p ON p.id = e.person_id "
    "WHERE e.training_class_id IN ({0}) AND p.id_hash IN ({1})")
_ENROLLED_BY_ID_SQL = (
    "SELECT e.id, e.training_class_id, e.status FROM training_enrollment e "
    "WHERE e.id IN ({0})")


def _fetch(sql: str, *value_sets) -> list[tuple]:
    """Run one of the plain reads above with its IN lists."""
    params: list = []
    lists = []
    for values in value_sets:
        values = list(values)
        params += values
        lists.append(", ".join(["%s"] * len(values)))
    with connection.cursor() as cursor:
        cursor.execute(sql.format(*lists), params)
        return cursor.fetchall()


def _aware(value) -> dt.datetime:
    """A datetime from a plain read: aware on PostgreSQL; naive UTC (or text) on SQLite."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _resolve(rows: list[_Row], org_id: int) -> dict[int, dict]:
    """Set-based checks: the class (the sender's, open), the trainee (enrolled), the session
    (given or matched by time), and the flags. A handful of queries per batch."""
    class_ids = {r.class_id for r in rows}
    tz = timezone.get_current_timezone()
    classes: dict[int, dict] = {}
    sessions: dict[int, dict[int, att_rules.SessionWindow]] = defaultdict(dict)
    by_day: dict[tuple[int, dt.date], list[att_rules.SessionWindow]] = defaultdict(list)
    # Two plain SQL reads (the hot path of single check-ins: building ORM queries would cost
    # more than running them). Classes come with their sessions: a class has at least one.
    for (sid, cid, start, end, institution_id, status, lat, lon, radius, share,
         region_code) in _fetch(_SESSIONS_SQL, class_ids):
        if cid not in classes:
            classes[cid] = {"institution_id": institution_id, "status": status,
                            "site__latitude": lat, "site__longitude": lon,
                            "checkin_radius_m": radius, "online_share": float(share or 0),
                            "region_code": region_code}
        window = att_rules.SessionWindow(sid, _aware(start).astimezone(tz),
                                         _aware(end).astimezone(tz))
        sessions[cid][sid] = window
        by_day[(cid, window.starts_at.date())].append(window)
    by_hash: dict[tuple[int, str], tuple[int, str]] = {}
    hashes = {r.id_hash for r in rows if r.id_hash}
    if hashes:
        for eid, cid, h, status in _fetch(_ENROLLED_BY_HASH_SQL, class_ids, hashes):
            by_hash[(cid, h)] = (eid, status)
    by_id: dict[int, tuple[int, str]] = {}
    ids = {r.enrollment_id for r in rows if r.enrollment_id and not r.id_hash}
    if ids:
        for eid, cid, status in _fetch(_ENROLLED_BY_ID_SQL, ids):
            by_id[eid] = (cid, status)
    window_grace = grace()
    for row in rows:
        res = row.result
        cls = classes.get(row.class_id)
        if cls is None or cls["institution_id"] != org_id:
            res.reject("class_id", "unknown_class",
                       _("No class with this number among your institution's classes."))
            continue
        if cls["status"] not in lifecycle.RECORDING_STATES:
            res.reject("class_id", "class_not_open",
                       _("Attendance is recorded only while the class is open."))
            continue
        if row.id_hash:
            found = by_hash.get((row.class_id, row.id_hash))
            enrollment_id = found[0] if found else None
        else:
            found = by_id.get(row.enrollment_id)
            enrollment_id = row.enrollment_id if found and found[0] == row.class_id else None
            found = found if enrollment_id else None
        if found is None or found[1] != EnrollmentStatus.ENROLLED:
            res.reject("id_number", "not_enrolled",
                       _("This person is not enrolled in the class."))
            continue
        row.enrollment_id = enrollment_id
        local = row.occurred_at.astimezone(tz)
        if row.session_id is not None:
            match = sessions.get(row.class_id, {}).get(row.session_id)
            if match is None:
                res.reject("session_id", "unknown_session",
                           _("No session with this number in the class."))
                continue
            row.outside_window = not (match.starts_at - window_grace <= row.occurred_at
                                      <= match.ends_at + window_grace)
        else:
            row.session_id, row.outside_window = att_rules.match_session(
                local, by_day.get((row.class_id, local.date()), ()), window_grace)
        if row.latitude is not None and cls["site__latitude"] is not None:
            distance = att_rules.haversine_m(row.latitude, row.longitude,
                                             float(cls["site__latitude"]),
                                             float(cls["site__longitude"]))
            row.distance_m = round(distance)
            row.too_far = att_rules.too_far(distance, cls["checkin_radius_m"])
        if row.outside_window:
            res.flags.append("outside_window")
        if row.too_far:
            res.flags.append("too_far")
    return classes


EVENT_COLUMNS = ("institution_id", "training_class_id", "session_id", "enrollment_id", "kind",
                 "method", "occurred_at", "received_at", "latitude", "longitude", "distance_m",
                 "online_seconds", "outside_window", "too_far", "idempotency_key", "device")


def _insert(rows: list[_Row], org_id: int, now: dt.datetime) -> dict[str, int]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the keys stored now (the others were there
    already: replays). Works on PostgreSQL and SQLite ≥ 3.35."""
    stored: dict[str, int] = {}
    table = connection.ops.quote_name(AttendanceEvent._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in EVENT_COLUMNS)
    adapt = connection.ops.adapt_datetimefield_value
    received = adapt(now)
    placeholder = "(" + ", ".join(["%s"] * len(EVENT_COLUMNS)) + ")"
    if connection.vendor == "postgresql":
        return _insert_unnest(rows, org_id, now)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            chunk = rows[start:start + 1000]
            params: list = []
            for r in chunk:
                params += [org_id, r.class_id, r.session_id, r.enrollment_id, int(r.kind),
                           int(r.method), adapt(r.occurred_at), received, r.latitude,
                           r.longitude, r.distance_m, r.online_seconds, r.outside_window,
                           r.too_far, r.result.idempotency_key, r.device]
            sql = (f"INSERT INTO {table} ({cols}) VALUES "
                   + ", ".join([placeholder] * len(chunk))
                   + " ON CONFLICT (institution_id, idempotency_key) DO NOTHING"
                   " RETURNING id, idempotency_key")
            cursor.execute(sql, params)
            stored.update({key: pk for pk, key in cursor.fetchall()})
    return stored


PG_TYPES = ("bigint", "bigint", "bigint", "bigint", "smallint", "smallint", "timestamptz",
            "timestamptz", "float8", "float8", "integer", "integer", "boolean", "boolean",
            "text", "text")


def _insert_unnest(rows: list[_Row], org_id: int, now: dt.datetime) -> dict[str, int]:
    """PostgreSQL: the batch as one JSON document unpacked by json_to_recordset, so the
    statement has one parameter whatever the batch size (thousands of placeholders, or
    arrays adapted value by value, cost more to build than the insert costs to run)."""
    table = connection.ops.quote_name(AttendanceEvent._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in EVENT_COLUMNS)
    received = now.isoformat()
    document = json.dumps([
        [org_id, r.class_id, r.session_id, r.enrollment_id, int(r.kind), int(r.method),
         r.occurred_at.isoformat(), received, r.latitude, r.longitude, r.distance_m,
         r.online_seconds, r.outside_window, r.too_far, r.result.idempotency_key, r.device]
        for r in rows], ensure_ascii=False)
    fields = ", ".join(f"(e->>{i})::{t}" for i, t in enumerate(PG_TYPES))
    sql = (f"INSERT INTO {table} ({cols}) SELECT {fields} FROM json_array_elements(%s::json) e"
           " ON CONFLICT (institution_id, idempotency_key) DO NOTHING"
           " RETURNING id, idempotency_key")
    with connection.cursor() as cursor:
        cursor.execute(sql, [document])
        return {key: pk for pk, key in cursor.fetchall()}


def _store(rows: list[_Row], results: list[EventResult], org_id: int, actor,
           now: dt.datetime, source: str, region_code: str = "") -> IngestReport:
    good = [r for r in rows if r.result.status == ACCEPTED]
    with transaction.atomic():
        stored = _insert(good, org_id, now) if good else {}
        for r in good:
            pk = stored.get(r.result.idempotency_key)
            if pk is None:
                r.result.status = DUPLICATE
                r.result.flags = []
            else:
                r.result.event_id = pk
        report = IngestReport(results)
        audit.record(actor=actor, action=AuditAction.IMPORT,
                     entity_type="training.attendanceevent",
                     label=f"{source}: {report.accepted}/{len(results)}",
                     organization_id=org_id, region_code=region_code,
                     after={"source": source, "accepted": report.accepted,
                            "duplicates": report.duplicates, "rejected": report.rejected})
    return report


def _dedupe_in_batch(parsed: list[_Row | EventResult]) -> None:
    seen: set[str] = set()
    for item in parsed:
        res = item.result if isinstance(item, _Row) else item
        if res.status == REJECTED or not res.idempotency_key:
            continue
        if res.idempotency_key in seen:
            res.status = DUPLICATE
        seen.add(res.idempotency_key)


def attendance_ingest(*, actor, events: list, source: str = "api") -> IngestReport:
    """Store check-ins and check-outs from an institution's terminals. Each event is accepted,
    a duplicate (its idempotency key was seen before: a replay counts once) or rejected with
    its reasons; the good events of a batch are kept whatever the bad ones."""
    org_id = _ensure_ingest_actor(actor)
    if len(events) > MAX_BATCH:
        raise DomainError(_("Send at most %(n)s events per batch.") % {"n": MAX_BATCH},
                          field="events", code="batch_too_large")
    now = timezone.now()
    id_cache: dict[str, str | DomainError] = {}
    latest = now + future_tolerance()
    parsed = [_parse_event(i, raw, latest, id_cache) for i, raw in enumerate(events)]
    _dedupe_in_batch(parsed)
    rows = [p for p in parsed if isinstance(p, _Row) and p.result.status == ACCEPTED]
    classes = _resolve(rows, org_id) if rows else {}
    results = [p.result if isinstance(p, _Row) else p for p in parsed]
    return _store(rows, results, org_id, actor, now, source, _region_of(classes))


def attendance_ingest_xapi(*, actor, statements: list) -> IngestReport:
    """Online learning time from a learning platform, as xAPI statements (see rules.xapi)."""
    org_id = _ensure_ingest_actor(actor)
    if len(statements) > MAX_BATCH:
        raise DomainError(_("Send at most %(n)s statements per batch.") % {"n": MAX_BATCH},
                          field="statements", code="batch_too_large")
    now = timezone.now()
    parsed: list[_Row | EventResult] = []
    for i, raw in enumerate(statements):
        try:
            record = read_statement(raw)
        except StatementInvalid as bad:
            res = EventResult(index=i, idempotency_key="")
            res.reject(bad.field, bad.code, messages.xapi_message(bad))
            parsed.append(res)
            continue
        res = EventResult(index=i, idempotency_key=f"xapi:{record.statement_id}")
        if record.timestamp > now + future_tolerance():
            res.reject("timestamp", "clock_future",
                       _("The statement is stamped in the future."))
            parsed.append(res)
            continue
        row = _Row(result=res, class_id=record.class_id, kind=EventKind.ONLINE,
                   method=AttendanceMethod.ONLINE, occurred_at=record.timestamp,
                   online_seconds=record.seconds)
        if len(record.learner) == 18:
            try:
                row.id_hash = pii.keyed_hash(registry_services.parse_id_number(
                    record.learner).number)
            except DomainError as bad:
                res.reject("actor.account.name", bad.code, bad.message)
        elif record.learner.isdigit():
            row.enrollment_id = int(record.learner)
        else:
            res.reject("actor.account.name", "invalid",
                       _("actor.account.name must be the enrollment number."))
        parsed.append(row)
    _dedupe_in_batch(parsed)
    rows = [p for p in parsed if isinstance(p, _Row) and p.result.status == ACCEPTED]
    classes = _resolve_online(rows, org_id) if rows else {}
    results = [p.result if isinstance(p, _Row) else p for p in parsed]
    return _store(rows, results, org_id, actor, now, "xapi", _region_of(classes))


def _region_of(classes: dict[int, dict]) -> str:
    """A region code for the audit event of a request (its classes' region, when one)."""
    codes = {c["region_code"] for c in classes.values()}
    return codes.pop() if len(codes) == 1 else ""


def _resolve_online(rows: list[_Row], org_id: int) -> dict[int, dict]:
    """Online records belong to no session and carry no location; the class must allow online
    learning."""
    classes = _resolve(rows, org_id)
    for r in rows:
        r.session_id, r.outside_window = None, False
        r.result.flags = []
        if r.result.status == ACCEPTED and not classes[r.class_id]["online_share"]:
            r.result.reject("object.id", "no_online_learning",
                            _("This class has no online share: online hours do not count."))
    return classes
