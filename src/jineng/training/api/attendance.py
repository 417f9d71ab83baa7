"""Attendance events: reading them, entering them by hand from a paper sheet, voiding a wrong
one."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from ninja.pagination import paginate
from pydantic import AwareDatetime

from jineng.core.api import Pagination, error_responses
from jineng.core.errors import DomainError
from jineng.training import selectors, services
from jineng.training.api.common import router


class AttendanceEventOut(Schema):
    id: int
    class_id: int = Field(alias="training_class_id")
    session_id: int | None
    enrollment_id: int
    name: str = Field(alias="enrollment.person.name")
    id_masked: str = Field(alias="enrollment.person.id_masked")
    kind: str
    method: str
    occurred_at: dt.datetime
    received_at: dt.datetime
    distance_m: int | None
    online_seconds: int
    outside_window: bool = Field(description="outside the session window: earns no hours")
    too_far: bool = Field(description="too far from the site: earns no hours")
    manual: bool = Field(description="entered by hand from a paper sheet")
    manual_reason: str
    voided: bool = Field(description="voided by the HRSS office: earns no hours")
    voided_at: dt.datetime | None
    void_reason: str
    idempotency_key: str

    @staticmethod
    def resolve_kind(obj) -> str:
        return {1: "check_in", 2: "check_out", 3: "online", 4: "interaction"}.get(
            obj.kind, str(obj.kind))

    @staticmethod
    def resolve_method(obj) -> str:
        return {1: "terminal", 2: "mobile", 3: "qr", 4: "online", 5: "manual"}.get(
            obj.method, str(obj.method))

    @staticmethod
    def resolve_voided(obj) -> bool:
        return obj.voided_at is not None


@router.get("/attendance/events", response={200: list[AttendanceEventOut],
                                            **error_responses(400)},
            operation_id="attendance_event_list")
@paginate(Pagination)
def attendance_event_list(request, class_id: int | None = None, session_id: int | None = None,
                          date_from: str | None = None, date_to: str | None = None,
                          flagged: bool | None = None, manual: bool | None = None,
                          voided: bool | None = None):
    """Attendance events the caller may read (an institution: its own), oldest first, with
    their flags (`flagged`: outside_window or too_far). `date_from`/`date_to`: local
    (Asia/Shanghai) days as YYYY-MM-DD, inclusive."""
    return selectors.attendance_events(
        actor=request.auth, class_id=class_id, session_id=session_id,
        date_from=_query_day(date_from, "date_from"), date_to=_query_day(date_to, "date_to"),
        flagged=flagged, manual=manual, voided=voided)


def _query_day(raw: str | None, field: str) -> dt.date | None:
    if raw is None or raw == "":
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise DomainError(_("Not a date (write it as 2024-07-01)."), field=field,
                          code="invalid") from None
    if not 2000 <= day.year <= 2100:
        raise DomainError(_("The date is out of range."), field=field, code="out_of_range")
    return day


class ManualAttendanceIn(Schema):
    enrollment_id: int
    session_id: int
    check_in: AwareDatetime = Field(description="ISO 8601 with a time-zone offset")
    check_out: AwareDatetime
    reason: str = Field(min_length=1, max_length=500, description="why the sheet is entered "
                                                                  "by hand")


@router.post("/attendance/manual", response={201: list[AttendanceEventOut],
                                             200: list[AttendanceEventOut],
                                             **error_responses(400, 403, 404, 409, 422)},
             operation_id="attendance_manual_create")
def attendance_manual_create(request, payload: ManualAttendanceIn):
    """A trainee's check-in and check-out for one session, entered by hand from a paper sheet
    by the class's institution (flagged `manual`, with the reason). 201: recorded; 200: the
    same entry was recorded before; 409: another entry for this trainee and session exists."""
    actor = request.auth
    enrollment = selectors.enrollment_get(actor=actor, pk=payload.enrollment_id)
    session = next((s for s in selectors.class_sessions(
        actor=actor, training_class=enrollment.training_class) if s.pk == payload.session_id),
        None)
    if session is None:
        raise DomainError(_("No session with this number in the class."), field="session_id",
                          code="unknown_session")
    events, created = services.attendance_record_manual(
        actor=actor, enrollment=enrollment, session=session, check_in=payload.check_in,
        check_out=payload.check_out, reason=payload.reason)
    rows = list(selectors.attendance_events(actor=actor).filter(pk__in=[e.pk for e in events]))
    return Status(201 if created else 200, rows)


class VoidIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


@router.post("/attendance/events/{event_id}/void",
             response={200: AttendanceEventOut, **error_responses(400, 403, 404, 422)},
             operation_id="attendance_event_void")
def attendance_event_void(request, event_id: int, payload: VoidIn):
    """The HRSS office governing the class voids a wrong event, with a reason: it stays in the
    log and earns no hours. Voiding it again changes nothing."""
    actor = request.auth
    event = selectors.attendance_event_get(actor=actor, pk=event_id)
    services.attendance_void(actor=actor, event=event, reason=payload.reason)
    return selectors.attendance_event_get(actor=actor, pk=event_id)
