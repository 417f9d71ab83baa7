"""Attendance by hand and voiding: an institution records a trainee's check-in and check-out
from a paper sign-in sheet (with a reason; flagged as manual and shown apart), and the HRSS
office governing the class voids a wrong event (with a reason). Nothing is ever deleted: a
voided event stays in the log and earns no hours (`selectors.completion_rows`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction
from jineng.training import selectors
from jineng.training.choices import AttendanceMethod, EnrollmentStatus, EventKind
from jineng.training.models import AttendanceEvent, ClassSession, Enrollment, TrainingClass
from jineng.training.rules import lifecycle
from jineng.training.services.common import actor_kinds, future_tolerance, grace

MAX_REASON = 500


def manual_key(enrollment_id: int, session_id: int, kind: str) -> str:
    """The idempotency key of a hand-entered event: one check-in and one check-out per trainee
    and session (a second sheet for the same session is the same entry, or a conflict)."""
    return f"manual:{enrollment_id}:{session_id}:{kind}"


def _reason(reason: str, field: str = "reason") -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError(_("Give a reason."), field=field, code="required")
    if len(text) > MAX_REASON:
        raise DomainError(_("At most %(n)s characters.") % {"n": MAX_REASON}, field=field,
                          code="max_length")
    return text


def attendance_record_manual(*, actor, enrollment: Enrollment, session: ClassSession,
                             check_in: dt.datetime, check_out: dt.datetime,
                             reason: str) -> tuple[list[AttendanceEvent], bool]:
    """Record a trainee's check-in and check-out for one session from a paper sheet, while the
    class is open. The pair counts like a terminal's (same window check, no location) and is
    flagged `manual` with its reason. Sent again with the same times it counts once
    (`created` False); other times for the same trainee and session are a Conflict."""
    row = selectors.enrollment_get(actor=actor, pk=enrollment.pk)
    cls = row.training_class
    if lifecycle.INSTITUTION not in actor_kinds(actor, cls):
        raise Forbidden(_("Only the class's institution records its attendance."))
    text = _reason(reason)
    if session.training_class_id != cls.pk:
        raise DomainError(_("No session with this number in the class."), field="session_id",
                          code="unknown_session")
    for name, value in (("check_in", check_in), ("check_out", check_out)):
        if not isinstance(value, dt.datetime) or timezone.is_naive(value):
            raise DomainError(_("Give a time with its time zone."), field=name)
    if check_out <= check_in:
        raise DomainError(_("The check-out is not after the check-in."), field="check_out")
    tz = timezone.get_current_timezone()
    for name, value in (("check_in", check_in), ("check_out", check_out)):
        if value.astimezone(tz).date() != session.date:
            raise DomainError(_("The time is not on the session's day (%(day)s).")
                              % {"day": session.date}, field=name)
    now = timezone.now()
    if check_out > now + future_tolerance():
        raise DomainError(_("The time is in the future."), field="check_out")
    window_grace = grace()
    with transaction.atomic():
        cls = TrainingClass.objects.select_for_update().select_related("region").get(pk=cls.pk)
        row = Enrollment.objects.select_for_update().get(pk=row.pk)
        if cls.status not in lifecycle.RECORDING_STATES:
            raise DomainError(_("Attendance is recorded only while the class is open."),
                              code="class_not_open")
        if row.status != EnrollmentStatus.ENROLLED:
            raise DomainError(_("This person is not enrolled in the class."),
                              field="enrollment_id", code="not_enrolled")
        wanted = {manual_key(row.pk, session.pk, "in"): (EventKind.CHECK_IN, check_in),
                  manual_key(row.pk, session.pk, "out"): (EventKind.CHECK_OUT, check_out)}
        found = {e.idempotency_key: e for e in AttendanceEvent.objects.filter(
            institution_id=cls.institution_id, idempotency_key__in=list(wanted))}
        if found:
            same = len(found) == len(wanted) and all(
                found[k].occurred_at == v[1] and found[k].kind == v[0]
                for k, v in wanted.items())
            if not same:
                raise Conflict(_("Attendance for this trainee and session was already entered "
                                 "by hand with other times; void it first."),
                               field="session_id", code="key_reused")
            return sorted(found.values(), key=lambda e: e.occurred_at), False
        events = []
        for key, (kind, at) in wanted.items():
            outside = not (session.starts_at - window_grace <= at
                           <= session.ends_at + window_grace)
            events.append(AttendanceEvent.objects.create(
                institution_id=cls.institution_id, training_class=cls, session=session,
                enrollment=row, kind=kind, method=AttendanceMethod.MANUAL, occurred_at=at,
                received_at=now, outside_window=outside, idempotency_key=key,
                manual=True, manual_reason=text))
        events[0].training_class = cls
        audit.record(actor=actor, action=AuditAction.CREATE, instance=events[0],
                     label=f"manual {row.pk}/{session.seq}",
                     after={"manual": True, "class": cls.pk, "enrollment": row.pk,
                            "session": session.pk, "events": [e.pk for e in events],
                            "check_in": check_in.isoformat(),
                            "check_out": check_out.isoformat(),
                            "outside_window": any(e.outside_window for e in events)},
                     reason=text)
    return events, True


def attendance_void(*, actor, event: AttendanceEvent, reason: str) -> AttendanceEvent:
    """The HRSS office governing the class voids a wrong event, with a reason, while the class
    still records attendance (its hours are frozen when it finishes). The event stays; it no
    longer earns hours. Voiding a voided event changes nothing."""
    found = (AttendanceEvent.objects.visible_to(actor).filter(pk=event.pk)
             .select_related("training_class__region").first())
    if found is None:
        raise NotFound()
    if lifecycle.HRSS not in actor_kinds(actor, found.training_class):
        raise Forbidden(_("Only the HRSS office governing the class voids its attendance."))
    text = _reason(reason)
    with transaction.atomic():
        cls = (TrainingClass.objects.select_for_update().select_related("region")
               .get(pk=found.training_class_id))
        row = AttendanceEvent.objects.select_for_update().get(pk=found.pk)
        if row.voided_at is not None:
            return row
        if cls.status not in lifecycle.RECORDING_STATES | {lifecycle.SUSPENDED}:
            raise DomainError(_("The class's hours are final: events can no longer be "
                                "voided."), code="class_not_open")
        row.voided_at = timezone.now()
        row.voided_by = actor if getattr(actor, "is_authenticated", False) else None
        row.void_reason = text
        row.save(update_fields=["voided_at", "voided_by", "void_reason"])
        row.training_class = cls
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=row,
                     before={"voided": False}, after={"voided": True, "class": cls.pk,
                                                      "enrollment": row.enrollment_id},
                     reason=text)
    return row
