"""Attendance ingestion: check-ins and check-outs from terminals, online hours from xAPI;
idempotent, with a per-event report."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.accounts.models import Role
from jineng.core import audit, pii
from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditAction
from jineng.registry import services as registry_services
from jineng.training import messages
from jineng.training.choices import (
    AttendanceMethod,
    EnrollmentStatus,
    EventKind,
)
from jineng.training.models import (
    AttendanceEvent,
)
from jineng.training.rules import attendance as att_rules
from jineng.training.rules import lifecycle
from jineng.training.rules.xapi import StatementInvalid, read_statement
from jineng.training.services.common import (
    future_tolerance,
    grace,
)

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
