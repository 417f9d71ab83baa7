"""Declaring a class (开班申报): the declaration's inputs, its sessions planned, the checks
(choices, site capacity, teachers free, catalogs, on time), and writing it once."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import Conflict, DomainError
from jineng.core.history import record_transition
from jineng.core.models import AuditAction
from jineng.registry.choices import KeyGroup, OrganizationKind
from jineng.registry.models import (
    Occupation,
    Organization,
    SkillLevel,
    TrainingSite,
)
from jineng.training import catalog_bridge
from jineng.training.choices import (
    ClassStatus,
    FundingSource,
    OrderForm,
    Sector,
    TrainingType,
)
from jineng.training.models import (
    ClassSession,
    ClassStatusChange,
    Teacher,
    TrainingClass,
)
from jineng.training.rules import lifecycle
from jineng.training.services.common import (
    ONE_PLACE,
    _ensure_institution_listed,
    _ensure_operator,
    _username,
    default_radius_m,
    late_declaration_days,
)

LATE_REASON_MAX = 500

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
    late_reason: str = ""  # required when the first session is already past


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
                      training_class__status__in=lifecycle.HOLDING_STATES)
              .exclude(training_class_id=exclude_class)
              .order_by("starts_at", "training_class_id")
              .values_list("training_class_id", "training_class__name",
                           "training_class__planned_size", "starts_at", "ends_at"))
    clashing: dict[int, tuple[str, int, dt.datetime]] = {}
    for class_id, name, size, start, end in others:
        if class_id not in clashing and _overlaps(sessions, start, end):
            clashing[class_id] = (name, size, start)
    busy = sum(size for _name, size, _start in clashing.values())
    if clashing and planned_size + busy > site.capacity:
        name, _size, start = next(iter(clashing.values()))
        raise DomainError(
            _("At the same time the site already holds %(busy)s trainees of other classes "
              "(first “%(name)s” at %(when)s); with this class it would exceed its capacity "
              "of %(capacity)s.")
            % {"busy": busy, "name": name,
               "when": f"{timezone.localtime(start):%Y-%m-%d %H:%M}",
               "capacity": site.capacity},
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
                    training_class__status__in=lifecycle.HOLDING_STATES)
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
    if data.late_reason.strip():  # only then: fingerprints stored before the field still match
        canonical["late_reason"] = data.late_reason.strip()
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


@dataclass(frozen=True)
class _Checked:
    sessions: list[PlannedSession]
    standard: object  # catalog_bridge's subsidy standard in force on the start date
    share: Decimal
    on_site: Decimal


def _check_on_time(start: dt.date, late_reason: str) -> None:
    """A class is declared before its first session; up to `late_declaration_days` after it
    with a stated reason (the reviewers see it); never later (history is imported)."""
    if len(late_reason) > LATE_REASON_MAX:
        raise DomainError(_("The reason has at most %(n)s characters.")
                          % {"n": LATE_REASON_MAX}, field="late_reason")
    today = timezone.localdate()
    if start >= today:
        return
    days, limit = (today - start).days, late_declaration_days()
    if days > limit:
        raise DomainError(
            _("The first session (%(day)s) was %(days)s days ago: a class may be declared at "
              "most %(limit)s days after it starts. Past classes are loaded with the migration "
              "import.") % {"day": start, "days": days, "limit": limit},
            field="sessions", code="declared_too_late")
    if not late_reason.strip():
        raise DomainError(
            _("The first session (%(day)s) is in the past: give the reason for declaring "
              "late.") % {"day": start}, field="late_reason", code="late_reason_required")


def check_catalogs(org: Organization, data: ClassInput, sessions: list[PlannedSession], *,
                   listing_message: str = "") -> _Checked:
    """The catalogs in force on the first session's day: a subsidy standard for the
    occupation, level, region and type; the institution listed for them at the site; the
    schedule's on-site hours covering the standard's (less the online share). The one home of
    these checks, for declaring, revising and the migration import of past classes."""
    site, start = data.site, sessions[0].date
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
            (listing_message or _("On %(day)s your institution is not listed in the training "
                                  "institutions catalog for %(occ)s %(level)s at this site: "
                                  "%(why)s"))
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
    return _Checked(sessions=sessions, standard=standard, share=share, on_site=on_site)


def _check_declaration(org: Organization, data: ClassInput) -> _Checked:
    """Every check of a declaration that needs no lock: the institution, the choices, the
    site and teachers, the schedule, the dates, the catalogs in force on the start date and
    the hours. Declaring and revising run the same checks."""
    _ensure_institution_listed(org)
    _validate_choices(data)
    site = data.site
    if site.organization_id != org.pk or not site.is_active:
        raise DomainError(_("Choose one of your institution's sites in use."), field="site")
    for t in data.teachers:
        if t.organization_id != org.pk or not t.is_active:
            raise DomainError(_("Choose your institution's own teachers."), field="teachers")
    sessions = plan_sessions(data.sessions)
    start = sessions[0].date
    _check_on_time(start, data.late_reason)
    return check_catalogs(org, data, sessions)


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
    checked = _check_declaration(org, data)
    sessions = checked.sessions
    try:
        with transaction.atomic():
            site = _lock_site_and_teachers(data)
            # Asked again under the lock: a declaration with the same reference (the same
            # site) may have committed while this one waited.
            existing = _declared_before(org, data, fingerprint)
            if existing is not None:
                return existing, False
            _check_site_capacity(site, data.planned_size, sessions, None)
            _check_teachers_free(data.teachers, sessions, None)
            cls = TrainingClass.objects.create(
                **class_fields(data, site, checked), institution=org,
                status=ClassStatus.DECLARED, declared_by=_username(actor),
                client_ref=data.client_ref, client_fingerprint=fingerprint)
            ClassSession.objects.bulk_create([
                ClassSession(training_class=cls, seq=s.seq, date=s.date, starts_at=s.starts_at,
                             ends_at=s.ends_at, hours=s.hours, topic=s.topic) for s in sessions])
            if data.teachers:
                cls.teachers.set(data.teachers)
            record_transition(ClassStatusChange, subject_field="training_class", subject=cls,
                              actor=actor, action="declare", from_status="",
                              to_status=cls.status)
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


def class_fields(data: ClassInput, site: TrainingSite, checked: _Checked) -> dict:
    """A class's columns as a checked declaration sets them: what was declared, the schedule's
    dates and hours, and the subsidy standard in force (declaring, revising and the migration
    import store the same)."""
    standard, sessions = checked.standard, checked.sessions
    return {
        "name": data.name.strip(), "site": site, "region": site.region,
        "occupation": data.occupation, "level": data.level,
        "training_type": data.training_type, "order_form": data.order_form,
        "employer": data.employer, "sector": data.sector, "target_group": data.target_group,
        "planned_size": data.planned_size, "funding_source": data.funding_source,
        "online_share": checked.share, "start_date": sessions[0].date,
        "end_date": sessions[-1].date, "late_reason": data.late_reason.strip(),
        "required_hours": Decimal(standard.required_hours),
        "min_attendance_share": standard.min_attendance_share,
        "scheduled_hours": checked.on_site, "standard_version_id": standard.version_id,
        "standard_entry_id": standard.entry_id,
        "checkin_radius_m": data.checkin_radius_m or default_radius_m(),
    }


def _lock_site_and_teachers(data: ClassInput) -> TrainingSite:
    """Lock what the capacity and booking checks read: the site and the teachers."""
    site = (TrainingSite.objects.select_for_update(of=("self",)).select_related("region")
            .get(pk=data.site.pk))
    list(Teacher.objects.select_for_update().filter(pk__in=[t.pk for t in data.teachers]))
    return site
