"""Migration import of the past (docs/training.md, "Migrating past classes"): a province moving
to jineng brings years of classes with their sessions, rosters and attendance. Each past class
is checked by the rules a declaration meets on its own dates (the catalogs in force on its
first day, the site's capacity, teachers and trainees not booked twice, each trainee's
eligibility on the class's start date), and lands directly in its final state, finished, with
a status history that says it was migrated and by whom. Hours and completion are computed from
the imported events exactly as for a class run in jineng; the plans' facts are dated the day
the class really ended, and key-group memberships keep their real dates.

Idempotent under the institution's own reference for the class (`client_ref`): the same class
sent again counts once; another content under the same reference is a Conflict (409)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, replace

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jineng.accounts.models import Role
from jineng.core import audit, pii
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.history import record_transition
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.registry import services as registry_services
from jineng.registry.choices import KeyGroup
from jineng.registry.models import KeyGroupMembership, Organization, Person, TrainingSite
from jineng.training import plan_facts
from jineng.training.choices import (
    AttendanceMethod,
    ClassStatus,
    EnrollmentStatus,
    EventKind,
)
from jineng.training.models import (
    AttendanceEvent,
    ClassSession,
    ClassStatusChange,
    Enrollment,
    TrainingClass,
)
from jineng.training.rules import attendance as att_rules
from jineng.training.services.classes import (
    ClassInput,
    _check_site_capacity,
    _check_teachers_free,
    _freeze_completion,
    _lock_site_and_teachers,
    _validate_choices,
    check_catalogs,
    class_fields,
    declaration_fingerprint,
    plan_sessions,
)
from jineng.training.services.common import (
    _username,
    grace,
)
from jineng.training.services.enrollment import Ineligible, assess

MIGRATE_ACTION = "migrate"
MAX_TRAINEES = 1000
MAX_EVENTS = 100_000
EVENT_KINDS = {"check_in": EventKind.CHECK_IN, "check_out": EventKind.CHECK_OUT,
               "online": EventKind.ONLINE}
EVENT_METHODS = {"terminal": AttendanceMethod.TERMINAL, "mobile": AttendanceMethod.MOBILE,
                 "qr": AttendanceMethod.QR, "online": AttendanceMethod.ONLINE,
                 "manual": AttendanceMethod.MANUAL}


@dataclass(frozen=True)
class PastTrainee:
    id_number: str
    name: str
    key_groups: tuple[tuple[str, dt.date, dt.date | None], ...] = ()
    withdrawn_reason: str = ""  # given: the trainee left the class
    draws_pension: bool | None = None
    phone: str = ""


@dataclass(frozen=True)
class PastEvent:
    id_number: str
    kind: str  # check_in, check_out or online
    occurred_at: dt.datetime
    method: str = "terminal"
    online_seconds: int = 0
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class PastClass:
    """One past class as an old system holds it. `klass.client_ref` is required."""

    institution: Organization
    klass: ClassInput
    trainees: tuple[PastTrainee, ...]
    events: tuple[PastEvent, ...] = ()
    source: str = ""  # where the records come from (the old system, a file name)


def ensure_may_import_history(actor, institution: Organization) -> None:
    """HRSS staff (province or city) for classes in their region, or the institution itself."""
    scope = scope_of(actor)
    if scope.organization_id:
        if scope.organization_id != institution.pk \
                or getattr(actor, "role", "") != Role.TRAINING_OPERATOR:
            raise Forbidden(_("An institution imports only its own past classes."))
        return
    if scope.everything:
        return
    if not getattr(actor, "is_hrss_staff", False) or scope.region_prefix is None \
            or len(scope.region_prefix) > 4:
        raise Forbidden(_("Past classes are imported by the province's or a city's HRSS "
                          "office, or by the institution itself."))


def history_fingerprint(data: PastClass) -> str:
    """SHA-256 of a past class as sent (the declaration's fingerprint, the roster and the
    events, in any order)."""
    canonical = {
        "institution": data.institution.pk,
        "class": declaration_fingerprint(data.klass),
        "trainees": sorted([t.id_number.strip().upper(), t.name.strip(),
                            sorted([g, s.isoformat(), e.isoformat() if e else None]
                                   for g, s, e in t.key_groups),
                            t.withdrawn_reason.strip(), t.draws_pension, t.phone.strip()]
                           for t in data.trainees),
        "events": sorted([e.id_number.strip().upper(), e.kind, e.method,
                          e.occurred_at.astimezone(dt.UTC).isoformat()
                          if timezone.is_aware(e.occurred_at) else repr(e.occurred_at),
                          int(e.online_seconds or 0), e.latitude, e.longitude]
                         for e in data.events),
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()
                          ).hexdigest()


def _migrated_before(org: Organization, ref: str, fingerprint: str) -> TrainingClass | None:
    found = TrainingClass.objects.filter(institution=org, client_ref=ref).first()
    if found is not None and found.client_fingerprint != fingerprint:
        raise Conflict(_("Another class was already recorded under this reference: a repeated "
                         "import must be identical."), field="client_ref",
                       code="client_ref_reused")
    return found


def _check_trainees(data: PastClass) -> dict[str, str]:
    """ID number (18 digits) → keyed hash, each trainee once."""
    if not data.trainees:
        raise DomainError(_("A past class needs its roster."), field="trainees")
    if len(data.trainees) > MAX_TRAINEES:
        raise DomainError(_("At most %(n)s trainees per class.") % {"n": MAX_TRAINEES},
                          field="trainees")
    hashes: dict[str, str] = {}
    for i, t in enumerate(data.trainees):
        field = f"trainees[{i}]"
        number = registry_services.parse_id_number(t.id_number,
                                                   field=f"{field}.id_number").number
        if number in hashes:
            raise DomainError(_("The same trainee appears twice."), field=f"{field}.id_number",
                              code="duplicate")
        if not t.name.strip() or len(t.name.strip()) > 50:
            raise DomainError(_("Give the name (at most 50 characters)."),
                              field=f"{field}.name")
        for g, start, end in t.key_groups:
            if g not in KeyGroup.values:
                raise DomainError(_("Unknown key group: %(group)s") % {"group": g},
                                  field=f"{field}.key_groups")
            if end is not None and end < start:
                raise DomainError(_("The end date is before the start date."),
                                  field=f"{field}.key_groups")
            if start.year < 1950 or start > timezone.localdate():
                raise DomainError(_("The date is out of range."), field=f"{field}.key_groups")
        hashes[number] = pii.keyed_hash(number)
    return hashes


def _parse_events(data: PastClass, cls_sessions: list[ClassSession], numbers: dict[str, str],
                  start: dt.date, end: dt.date, radius: int, site: TrainingSite) -> list[dict]:
    if len(data.events) > MAX_EVENTS:
        raise DomainError(_("At most %(n)s events per class.") % {"n": MAX_EVENTS},
                          field="events")
    tz = timezone.get_current_timezone()
    by_day: dict[dt.date, list[att_rules.SessionWindow]] = {}
    for s in cls_sessions:
        by_day.setdefault(s.date, []).append(att_rules.SessionWindow(s.pk, s.starts_at,
                                                                     s.ends_at))
    window_grace = grace()
    out = []
    for i, e in enumerate(data.events):
        field = f"events[{i}]"
        number = e.id_number.strip().upper()
        if number not in numbers:
            raise DomainError(_("This person is not on the class's roster."),
                              field=f"{field}.id_number", code="not_enrolled")
        kind = EVENT_KINDS.get(e.kind)
        if kind is None:
            raise DomainError(_("Unknown value “%(value)s”; accepted: %(accepted)s.")
                              % {"value": e.kind, "accepted": ", ".join(EVENT_KINDS)},
                              field=f"{field}.kind")
        method = EVENT_METHODS.get(e.method)
        if method is None:
            raise DomainError(_("Unknown value “%(value)s”; accepted: %(accepted)s.")
                              % {"value": e.method, "accepted": ", ".join(EVENT_METHODS)},
                              field=f"{field}.method")
        if not isinstance(e.occurred_at, dt.datetime) or timezone.is_naive(e.occurred_at):
            raise DomainError(_("Give a time with its time zone."), field=f"{field}.occurred_at")
        local = e.occurred_at.astimezone(tz)
        if not start <= local.date() <= end:
            raise DomainError(_("The event is outside the class's dates (%(start)s to "
                                "%(end)s).") % {"start": start, "end": end},
                              field=f"{field}.occurred_at", code="outside_class")
        row = {"number": number, "kind": kind, "method": method, "occurred_at": local,
               "session_id": None, "outside_window": False, "too_far": False,
               "distance_m": None, "online_seconds": 0, "latitude": e.latitude,
               "longitude": e.longitude}
        if kind == EventKind.ONLINE:
            seconds = int(e.online_seconds or 0)
            if not 0 < seconds <= 24 * 3600:
                raise DomainError(_("Online seconds must be between 1 and 86400."),
                                  field=f"{field}.online_seconds")
            row["online_seconds"], row["latitude"], row["longitude"] = seconds, None, None
        else:
            row["session_id"], row["outside_window"] = att_rules.match_session(
                local, by_day.get(local.date(), ()), window_grace)
            if e.latitude is not None and e.longitude is not None \
                    and site.latitude is not None:
                if not (-90 <= e.latitude <= 90 and -180 <= e.longitude <= 180):
                    raise DomainError(_("The coordinates are out of range."),
                                      field=f"{field}.latitude")
                distance = att_rules.haversine_m(e.latitude, e.longitude,
                                                 float(site.latitude), float(site.longitude))
                row["distance_m"] = round(distance)
                row["too_far"] = att_rules.too_far(distance, radius)
        out.append(row)
    return out


def _person_for(actor, t: PastTrainee, number: str, id_hash: str, cls: TrainingClass,
                field: str) -> Person:
    person = Person.objects.select_for_update().filter(id_hash=id_hash).first()
    if person is not None and person.name != t.name.strip():
        raise DomainError(_("The name does not match the name registered for this ID "
                            "number."), field=f"{field}.name", code="name_mismatch")
    if person is None:
        # A newcomer is registered with every membership, ended ones too (their real dates).
        person = registry_services.person_register(
            actor=actor, data=registry_services.PersonInput(
                id_number=number, name=t.name, region=cls.region, phone=t.phone,
                key_groups=tuple(t.key_groups)))
        person = Person.objects.select_for_update().get(pk=person.pk)
        have = {(g, s) for g, s, _e in t.key_groups}
    else:
        have = set(KeyGroupMembership.objects.filter(person=person)
                   .values_list("group", "start_date"))
    for g, start, end in t.key_groups:
        if (g, start) in have:
            continue
        try:
            with translation.override("zh-hans"):
                source = _("Migrated with class %(ref)s") % {"ref": cls.client_ref}
            registry_services.key_group_add(actor=actor, person=person, group=g,
                                            start_date=start, end_date=end, source=source)
        except Forbidden:
            raise DomainError(_("Only the HRSS office adds key-group memberships to a person "
                                "already registered."),
                              field=f"{field}.key_groups", code="key_group_forbidden") from None
        have.add((g, start))
    return person


def class_history_import(*, actor, data: PastClass) -> tuple[TrainingClass, bool]:
    """Record one past class, finished, with its sessions, roster and attendance (see the
    module's docstring). Returns the class and whether it is new (False: the same class was
    imported before under its reference; nothing changes)."""
    org = data.institution
    ensure_may_import_history(actor, org)
    ref = data.klass.client_ref.strip()
    if not ref:
        raise DomainError(_("Give the institution's own reference for the class."),
                          field="client_ref", code="required")
    if len(ref) > 100:
        raise DomainError(_("The reference has at most 100 characters."), field="client_ref")
    data = replace(data, klass=replace(data.klass, client_ref=ref))
    fingerprint = history_fingerprint(data)
    existing = _migrated_before(org, ref, fingerprint)
    if existing is not None:
        return existing, False
    klass = data.klass
    site = klass.site
    if site.organization_id != org.pk:
        raise DomainError(_("Choose one of the institution's sites."), field="site")
    if not scope_of(actor).everything and not scope_of(actor).organization_id and \
            not site.region.code.startswith(scope_of(actor).region_prefix or "#"):
        raise Forbidden(_("This site is outside your jurisdiction."))
    for t in klass.teachers:
        if t.organization_id != org.pk:
            raise DomainError(_("Choose the institution's own teachers."), field="teachers")
    _validate_choices(klass)
    sessions = plan_sessions(klass.sessions)
    start, end = sessions[0].date, sessions[-1].date
    if sessions[-1].ends_at >= timezone.now():
        raise DomainError(_("Only classes that have ended can be migrated; declare a current "
                            "class."), field="sessions", code="not_past")
    numbers = _check_trainees(data)
    checked = check_catalogs(org, klass, sessions, listing_message=_(
        "On %(day)s the institution was not listed in the training institutions catalog for "
        "%(occ)s %(level)s at this site: %(why)s"))
    enrolled = sum(1 for t in data.trainees if not t.withdrawn_reason.strip())
    if enrolled > klass.planned_size:
        raise DomainError(_("The roster has %(n)s trainees; the class planned %(size)s.")
                          % {"n": enrolled, "size": klass.planned_size}, field="trainees",
                          code="class_full")
    finished_at = sessions[-1].ends_at
    with transaction.atomic():
        site = _lock_site_and_teachers(klass)
        existing = _migrated_before(org, ref, fingerprint)
        if existing is not None:
            return existing, False
        _check_site_capacity(site, klass.planned_size, sessions, None)
        _check_teachers_free(klass.teachers, sessions, None)
        cls = TrainingClass.objects.create(
            **class_fields(klass, site, checked), institution=org,
            status=ClassStatus.FINISHED, declared_by=_username(actor),
            client_ref=ref, client_fingerprint=fingerprint)
        # "Status since": the day the class really ended (the plans' facts are dated by it).
        TrainingClass.objects.filter(pk=cls.pk).update(status_changed_at=finished_at)
        cls.status_changed_at = finished_at
        ClassSession.objects.bulk_create([
            ClassSession(training_class=cls, seq=s.seq, date=s.date, starts_at=s.starts_at,
                         ends_at=s.ends_at, hours=s.hours, topic=s.topic) for s in sessions])
        if klass.teachers:
            cls.teachers.set(klass.teachers)
        enrollments: dict[str, Enrollment] = {}
        for i, t in enumerate(data.trainees):
            number = registry_services.parse_id_number(t.id_number).number
            person = _person_for(actor, t, number, numbers[number], cls, f"trainees[{i}]")
            result = assess(person, cls, draws_pension=t.draws_pension)
            if not result.eligible:
                bad = Ineligible(result)
                bad.field = f"trainees[{i}].id_number"
                raise bad
            withdrawn = t.withdrawn_reason.strip()
            enrollments[number] = Enrollment.objects.create(
                training_class=cls, person=person, enrolled_by=_username(actor),
                draws_pension=t.draws_pension, eligibility=result.as_list(),
                status=EnrollmentStatus.WITHDRAWN if withdrawn else EnrollmentStatus.ENROLLED,
                withdrawn_reason=withdrawn)
        events = _parse_events(data, list(ClassSession.objects.filter(training_class=cls)),
                               numbers, start, end, cls.checkin_radius_m, site)
        now = timezone.now()
        with translation.override("zh-hans"):
            paper = _("Migrated from a paper sheet")
        AttendanceEvent.objects.bulk_create([
            AttendanceEvent(
                institution_id=org.pk, training_class=cls, session_id=e["session_id"],
                enrollment=enrollments[e["number"]], kind=e["kind"], method=e["method"],
                occurred_at=e["occurred_at"], received_at=now, latitude=e["latitude"],
                longitude=e["longitude"], distance_m=e["distance_m"],
                online_seconds=e["online_seconds"], outside_window=e["outside_window"],
                too_far=e["too_far"], idempotency_key=f"migrated:{cls.pk}:{n}",
                manual=e["method"] == AttendanceMethod.MANUAL,
                manual_reason=paper if e["method"] == AttendanceMethod.MANUAL else "",
                device="migration") for n, e in enumerate(events)], batch_size=1000)
        _freeze_completion(cls)
        with translation.override("zh-hans"):  # stored texts are Chinese, as the audit trail
            reason = _("Migrated from the records of %(source)s") % {
                "source": data.source.strip()[:200] or _("the previous system")}
        record_transition(ClassStatusChange, subject_field="training_class", subject=cls,
                          actor=actor, action=MIGRATE_ACTION, from_status="",
                          to_status=ClassStatus.FINISHED, reason=reason,
                          effective_date=cls.end_date)
        facts = plan_facts.record_finished_class(cls)
        completed = Enrollment.objects.filter(training_class=cls, completed=True,
                                              status=EnrollmentStatus.ENROLLED).count()
        audit.record(actor=actor, action=AuditAction.IMPORT, instance=cls,
                     after={**audit.snapshot(cls), "migrated": True,
                            "sessions": len(sessions), "trainees": len(enrollments),
                            "completed": completed, "events": len(events), "facts": facts,
                            "source": data.source.strip()[:200]},
                     reason=reason)
    return cls, True
