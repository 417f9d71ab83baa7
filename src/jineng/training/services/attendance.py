"""Attendance ingestion: check-ins and check-outs from terminals, online hours from xAPI;
idempotent, with a per-event report. Parsing is pure (`rules.attendance_events`); the SQL is in
`attendance_store`; this module checks what the database knows and decides."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from jineng.accounts.models import Role
from jineng.core import audit, pii
from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditAction
from jineng.registry import services as registry_services
from jineng.training import messages
from jineng.training.choices import AttendanceMethod, EnrollmentStatus, EventKind
from jineng.training.rules import attendance as att_rules
from jineng.training.rules import attendance_events as ev
from jineng.training.rules import lifecycle
from jineng.training.rules.attendance_events import (
    ACCEPTED,
    DUPLICATE,
    REJECTED,
    EventResult,
    IngestReport,
    ParsedEvent,
)
from jineng.training.rules.xapi import StatementInvalid, read_statement
from jineng.training.services import attendance_store as store
from jineng.training.services.common import future_tolerance, grace

__all__ = [
    "ACCEPTED",
    "DUPLICATE",
    "EARLIEST_EVENT",
    "KIND_CODES",
    "MAX_BATCH",
    "METHOD_CODES",
    "REJECTED",
    "EventResult",
    "IngestReport",
    "attendance_ingest",
    "attendance_ingest_xapi",
]

KIND_CODES = {"check_in": EventKind.CHECK_IN, "check_out": EventKind.CHECK_OUT}
METHOD_CODES = {"terminal": AttendanceMethod.TERMINAL, "mobile": AttendanceMethod.MOBILE,
                "qr": AttendanceMethod.QR}
MAX_BATCH = 5000
# Records from a learning platform: no session, no location (learning time, interactions).
ONLINE_KINDS = (EventKind.ONLINE, EventKind.INTERACTION)


# No terminal clock of a real event reads earlier than this (a clock reset to 1900 or 1970).
EARLIEST_EVENT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


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

    def new_event(self) -> store.NewEvent:
        assert self.enrollment_id is not None
        return store.NewEvent(
            class_id=self.class_id, enrollment_id=self.enrollment_id, kind=self.kind,
            method=self.method, occurred_at=self.occurred_at,
            idempotency_key=self.result.idempotency_key, session_id=self.session_id,
            latitude=self.latitude, longitude=self.longitude, distance_m=self.distance_m,
            online_seconds=self.online_seconds, outside_window=self.outside_window,
            too_far=self.too_far, device=self.device)


def _translated(result: EventResult) -> EventResult:
    """The pure rules speak English templates; the report speaks the user's language."""
    for error in result.errors:
        error["message"] = gettext(error["message"])
    return result


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


def _row_of(parsed: ParsedEvent, id_cache: dict[str, str | DomainError]) -> _Row:
    row = _Row(result=parsed.result, class_id=parsed.class_id, kind=KIND_CODES[parsed.kind],
               method=METHOD_CODES[parsed.method], occurred_at=parsed.occurred_at,
               enrollment_id=parsed.enrollment_id, session_id=parsed.session_id,
               latitude=parsed.latitude, longitude=parsed.longitude, device=parsed.device)
    if parsed.id_number:
        try:
            row.id_hash = _hash_id_number(parsed.id_number, id_cache)
        except DomainError as bad:
            row.result.reject("id_number", bad.code, bad.message)
    return row


def _ensure_ingest_actor(actor) -> int:
    """The institution (its id) an attendance sender acts for."""
    if getattr(actor, "role", "") != Role.TRAINING_OPERATOR or not actor.organization_id:
        raise Forbidden(_("Attendance is sent by a training institution's operator or system."))
    return actor.organization_id


def _resolve(rows: list[_Row], org_id: int) -> dict[int, dict]:
    """Set-based checks: the class (the sender's, open), the trainee (enrolled), the session
    (given or matched by time), and the flags. A handful of queries per batch."""
    class_ids = {r.class_id for r in rows}
    tz = timezone.get_current_timezone()
    classes: dict[int, dict] = {}
    sessions: dict[int, dict[int, att_rules.SessionWindow]] = defaultdict(dict)
    by_day: dict[tuple[int, dt.date], list[att_rules.SessionWindow]] = defaultdict(list)
    # Plain SQL reads (the hot path of single check-ins: building ORM queries would cost more
    # than running them). Classes come with their sessions: a class has at least one.
    for (sid, cid, start, end, institution_id, status, lat, lon, radius, share,
         region_code) in store.sessions_of(class_ids):
        if cid not in classes:
            classes[cid] = {"institution_id": institution_id, "status": status,
                            "site__latitude": lat, "site__longitude": lon,
                            "checkin_radius_m": radius, "online_share": float(share or 0),
                            "region_code": region_code}
        window = att_rules.SessionWindow(sid, store.aware(start).astimezone(tz),
                                         store.aware(end).astimezone(tz))
        first = classes[cid].get("first_day")
        if first is None or window.starts_at.date() < first:
            classes[cid]["first_day"] = window.starts_at.date()
        sessions[cid][sid] = window
        by_day[(cid, window.starts_at.date())].append(window)
    by_hash: dict[tuple[int, str], tuple[int, str]] = {}
    hashes = {r.id_hash for r in rows if r.id_hash}
    if hashes:
        for eid, cid, h, status in store.enrollments_by_hash(class_ids, hashes):
            by_hash[(cid, h)] = (eid, status)
    by_id: dict[int, tuple[int, str]] = {}
    ids = {r.enrollment_id for r in rows if r.enrollment_id and not r.id_hash}
    if ids:
        for eid, cid, status in store.enrollments_by_id(ids):
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
        if row.kind not in ONLINE_KINDS and local.date() < cls["first_day"]:
            res.reject("occurred_at", "before_class",
                       _("The event is stamped before the class's first session day: check "
                         "the device's clock."))
            continue
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


def _store(rows: list[_Row], results: list[EventResult], org_id: int, actor,
           now: dt.datetime, source: str, region_code: str = "") -> IngestReport:
    good = [r for r in rows if r.result.status == ACCEPTED]
    with transaction.atomic():
        stored = store.insert_events([r.new_event() for r in good], org_id, now)
        replays = [r for r in good if r.result.idempotency_key not in stored]
        before = store.stored_events(org_id, [r.result.idempotency_key for r in replays]) \
            if replays else {}
        for r in good:
            pk = stored.get(r.result.idempotency_key)
            if pk is not None:
                r.result.event_id = pk
                continue
            r.result.flags = []
            was = before.get(r.result.idempotency_key)
            if was is not None and was != (r.class_id, r.enrollment_id, int(r.kind),
                                           r.occurred_at):
                # The same key with another trainee, class, kind or time: a conflict, not
                # a replay (the second check-in must not vanish).
                r.result.reject("idempotency_key", "key_reused", gettext(ev.KEY_REUSED))
            else:
                r.result.status = DUPLICATE
        report = IngestReport(results)
        audit.record(actor=actor, action=AuditAction.IMPORT,
                     entity_type="training.attendanceevent",
                     label=f"{source}: {report.accepted}/{len(results)}",
                     organization_id=org_id, region_code=region_code,
                     after={"source": source, "accepted": report.accepted,
                            "duplicates": report.duplicates, "rejected": report.rejected})
    return report


def attendance_ingest(*, actor, events: list, source: str = "api") -> IngestReport:
    """Store check-ins and check-outs from an institution's terminals. Each event is accepted,
    a duplicate (its idempotency key was seen before with the same content: a replay counts
    once) or rejected with its reasons (a key reused for another event among them); the good
    events of a batch are kept whatever the bad ones."""
    org_id = _ensure_ingest_actor(actor)
    if not isinstance(events, list):
        raise DomainError(_("events must be a list."), field="events")
    if len(events) > MAX_BATCH:
        raise DomainError(_("Send at most %(n)s events per batch.") % {"n": MAX_BATCH},
                          field="events", code="batch_too_large")
    now = timezone.now()
    id_cache: dict[str, str | DomainError] = {}
    parsed = [ev.parse_event(i, raw, latest=now + future_tolerance(),
                             earliest=EARLIEST_EVENT)
              for i, raw in enumerate(events)]
    ev.mark_duplicates_in_batch(parsed)
    rows = [_row_of(p, id_cache) for p in parsed
            if isinstance(p, ParsedEvent) and p.result.status == ACCEPTED]
    rows = [r for r in rows if r.result.status == ACCEPTED]
    classes = _resolve(rows, org_id) if rows else {}
    results = [_translated(p.result if isinstance(p, ParsedEvent) else p) for p in parsed]
    return _store(rows, results, org_id, actor, now, source, _region_of(classes))


def attendance_ingest_xapi(*, actor, statements: list) -> IngestReport:
    """Online learning time from a learning platform, as xAPI statements (see rules.xapi);
    interaction statements (answered, interacted, …) are stored as INTERACTION events without
    learning time, idempotent by statement id like the others."""
    org_id = _ensure_ingest_actor(actor)
    if len(statements) > MAX_BATCH:
        raise DomainError(_("Send at most %(n)s statements per batch.") % {"n": MAX_BATCH},
                          field="statements", code="batch_too_large")
    now = timezone.now()
    rows: list[_Row] = []
    results: list[EventResult] = []
    seen: dict[str, tuple] = {}
    for i, raw in enumerate(statements):
        try:
            record = read_statement(raw)
        except StatementInvalid as bad:
            res = EventResult(index=i, idempotency_key="")
            res.reject(bad.field, bad.code, messages.xapi_message(bad))
            results.append(res)
            continue
        res = EventResult(index=i, idempotency_key=f"xapi:{record.statement_id}")
        results.append(res)
        if record.timestamp > now + future_tolerance():
            res.reject("timestamp", "clock_future",
                       _("The statement is stamped in the future."))
            continue
        if record.timestamp < EARLIEST_EVENT:
            res.reject("timestamp", "too_old", _("The statement is stamped before the year 2000."))
            continue
        content = (record.class_id, record.learner, record.timestamp, record.seconds,
                   record.interaction)
        if res.idempotency_key in seen:
            if seen[res.idempotency_key] == content:
                res.status = DUPLICATE
            else:
                res.reject("id", "key_reused", gettext(ev.KEY_REUSED))
            continue
        seen[res.idempotency_key] = content
        row = _Row(result=res, class_id=record.class_id,
                   kind=EventKind.INTERACTION if record.interaction else EventKind.ONLINE,
                   method=AttendanceMethod.ONLINE, occurred_at=record.timestamp,
                   online_seconds=0 if record.interaction else record.seconds)
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
        if res.status == ACCEPTED:
            rows.append(row)
    classes = _resolve_online(rows, org_id) if rows else {}
    return _store(rows, results, org_id, actor, now, "xapi", _region_of(classes))


def _region_of(classes: dict[int, dict]) -> str:
    """A region code for the audit event of a request (its classes' region, when one)."""
    codes = {c["region_code"] for c in classes.values()}
    return codes.pop() if len(codes) == 1 else ""


def _resolve_online(rows: list[_Row], org_id: int) -> dict[int, dict]:
    """Online records (learning time and interactions) belong to no session and carry no
    location; the class must allow online learning."""
    classes = _resolve(rows, org_id)
    for r in rows:
        r.session_id, r.outside_window = None, False
        r.result.flags = []
        if r.result.status == ACCEPTED and not classes[r.class_id]["online_share"]:
            r.result.reject("object.id", "no_online_learning",
                            _("This class has no online share: online hours do not count."))
    return classes
