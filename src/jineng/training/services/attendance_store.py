"""The attendance hot path's SQL, in one place: plain reads of the classes, sessions and
enrollments a batch names, and the batch insert that keeps the first event per idempotency key.
Vendor-specific (PostgreSQL: one JSON parameter unpacked server-side; SQLite: multi-row VALUES),
tested on both (tests/training/test_attendance_store.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from jineng.training.models import AttendanceEvent

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
_STORED_SQL = (
    "SELECT idempotency_key, training_class_id, enrollment_id, kind, occurred_at "
    "FROM training_attendanceevent WHERE institution_id = %s AND idempotency_key IN ({0})")

EVENT_COLUMNS = ("institution_id", "training_class_id", "session_id", "enrollment_id", "kind",
                 "method", "occurred_at", "received_at", "latitude", "longitude", "distance_m",
                 "online_seconds", "outside_window", "too_far", "idempotency_key", "device")
PG_TYPES = ("bigint", "bigint", "bigint", "bigint", "smallint", "smallint", "timestamptz",
            "timestamptz", "float8", "float8", "integer", "integer", "boolean", "boolean",
            "text", "text")
CHUNK = 1000


@dataclass
class NewEvent:
    """One event ready for the table (everything resolved)."""

    class_id: int
    enrollment_id: int
    kind: int
    method: int
    occurred_at: dt.datetime
    idempotency_key: str
    session_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    distance_m: int | None = None
    online_seconds: int = 0
    outside_window: bool = False
    too_far: bool = False
    device: str = ""


def _fetch(sql: str, *value_sets: Iterable, prefix: tuple = ()) -> list[tuple]:
    """Run one of the reads above with its IN lists (chunked by the caller's batch size)."""
    params: list = list(prefix)
    lists = []
    for values in value_sets:
        values = list(values)
        params += values
        lists.append(", ".join(["%s"] * len(values)))
    with connection.cursor() as cursor:
        cursor.execute(sql.format(*lists), params)
        return cursor.fetchall()


def aware(value) -> dt.datetime:
    """A datetime from a plain read: aware on PostgreSQL; naive UTC (or text) on SQLite."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def sessions_of(class_ids: Iterable[int]) -> list[tuple]:
    """(session id, class id, starts, ends, institution id, class status, site latitude,
    site longitude, check-in radius, online share, region code) for each session."""
    return _fetch(_SESSIONS_SQL, class_ids)


def enrollments_by_hash(class_ids: Iterable[int], hashes: Iterable[str]) -> list[tuple]:
    """(enrollment id, class id, person's id hash, status)."""
    return _fetch(_ENROLLED_BY_HASH_SQL, class_ids, hashes)


def enrollments_by_id(ids: Iterable[int]) -> list[tuple]:
    """(enrollment id, class id, status)."""
    return _fetch(_ENROLLED_BY_ID_SQL, ids)


def stored_events(institution_id: int, keys: Iterable[str]) -> dict[str, tuple]:
    """What is stored under these keys: key → (class id, enrollment id, kind, occurred_at)."""
    keys = list(keys)
    found: dict[str, tuple] = {}
    for start in range(0, len(keys), CHUNK):
        for key, cid, eid, kind, at in _fetch(_STORED_SQL, keys[start:start + CHUNK],
                                              prefix=(institution_id,)):
            found[key] = (cid, eid, int(kind), aware(at))
    return found


def insert_events(events: list[NewEvent], institution_id: int,
                  now: dt.datetime) -> dict[str, int]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: key → id of the events stored now (the
    others were there already). PostgreSQL, and SQLite ≥ 3.35."""
    if not events:
        return {}
    if connection.vendor == "postgresql":
        return _insert_json(events, institution_id, now)
    stored: dict[str, int] = {}
    table = connection.ops.quote_name(AttendanceEvent._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in EVENT_COLUMNS)
    adapt = connection.ops.adapt_datetimefield_value
    received = adapt(now)
    placeholder = "(" + ", ".join(["%s"] * len(EVENT_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(events), CHUNK):
            chunk = events[start:start + CHUNK]
            params: list = []
            for e in chunk:
                params += [institution_id, e.class_id, e.session_id, e.enrollment_id,
                           int(e.kind), int(e.method), adapt(e.occurred_at), received,
                           e.latitude, e.longitude, e.distance_m, e.online_seconds,
                           e.outside_window, e.too_far, e.idempotency_key, e.device]
            sql = (f"INSERT INTO {table} ({cols}) VALUES "
                   + ", ".join([placeholder] * len(chunk))
                   + " ON CONFLICT (institution_id, idempotency_key) DO NOTHING"
                   " RETURNING id, idempotency_key")
            cursor.execute(sql, params)
            stored.update({key: pk for pk, key in cursor.fetchall()})
    return stored


def _insert_json(events: list[NewEvent], institution_id: int,
                 now: dt.datetime) -> dict[str, int]:
    """PostgreSQL: the batch as one JSON document unpacked by json_array_elements, so the
    statement has one parameter whatever the batch size (thousands of placeholders, or
    arrays adapted value by value, cost more to build than the insert costs to run)."""
    table = connection.ops.quote_name(AttendanceEvent._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in EVENT_COLUMNS)
    received = now.isoformat()
    document = json.dumps([
        [institution_id, e.class_id, e.session_id, e.enrollment_id, int(e.kind),
         int(e.method), e.occurred_at.isoformat(), received, e.latitude, e.longitude,
         e.distance_m, e.online_seconds, e.outside_window, e.too_far, e.idempotency_key,
         e.device]
        for e in events], ensure_ascii=False)
    fields = ", ".join(f"(e->>{i})::{t}" for i, t in enumerate(PG_TYPES))
    sql = (f"INSERT INTO {table} ({cols}) SELECT {fields} FROM json_array_elements(%s::json) e"
           " ON CONFLICT (institution_id, idempotency_key) DO NOTHING"
           " RETURNING id, idempotency_key")
    with connection.cursor() as cursor:
        cursor.execute(sql, [document])
        return {key: pk for pk, key in cursor.fetchall()}
