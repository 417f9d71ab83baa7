"""Writing the demo's rows fast: executemany with explicit primary keys, COPY on PostgreSQL
(attendance events and enrollments), the secondary indexes of attendance dropped and rebuilt
around a large load, and the sequences reset afterwards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

from jineng.training.models import (
    AttendanceEvent,
    Enrollment,
)

CHUNK = 20_000


@dataclass
class Block:
    model: str
    first: int
    last: int

def _next_pk(model: type[models.Model]) -> int:
    return (model._base_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def _insert(model, fields: list[str], rows: list[tuple]) -> None:
    """executemany with explicit primary keys; values converted by the fields themselves."""
    if not rows:
        return
    opts = model._meta
    by_name = {f.attname: f for f in opts.concrete_fields}
    cols = [by_name[n] for n in fields]
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(opts.db_table)} ({', '.join(qn(c.column) for c in cols)}) "
           f"VALUES ({', '.join(['%s'] * len(cols))})")
    convert = [(i, c) for i, c in enumerate(cols)
               if isinstance(c, models.DateField | models.DecimalField | models.JSONField)]
    prepared = []
    for row in rows:
        values = list(row)
        for i, c in convert:
            if values[i] is not None:
                values[i] = c.get_db_prep_save(values[i], connection)
        prepared.append(values)
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), CHUNK):
            cursor.executemany(sql, prepared[start:start + CHUNK])


def _insert_m2m(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _reset_sequences(*models_) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
class _EventSink:
    """Attendance rows, already formatted as tab-separated COPY text lines, to the table:
    COPY on PostgreSQL; split back into tuples for executemany on SQLite."""

    COLUMNS = ("id", "institution_id", "training_class_id", "session_id", "enrollment_id",
               "kind", "method", "occurred_at", "received_at", "latitude", "longitude",
               "distance_m", "online_seconds", "outside_window", "too_far", "idempotency_key",
               "device")

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.lines: list[str] = []
        qn = connection.ops.quote_name
        self.table = qn(AttendanceEvent._meta.db_table)
        self.columns = ", ".join(qn(c) for c in self.COLUMNS)
        self._cursor = self._copy_context = self._copy = None
        if self.postgres:
            # One COPY for the whole load: the server stores rows while Python makes the next
            # ones (the connection is busy with it until close()).
            self._cursor = connection.cursor()
            self._copy_context = self._cursor.cursor.copy(
                f"COPY {self.table} ({self.columns}) FROM STDIN")
            self._copy = self._copy_context.__enter__()

    def flush(self) -> None:
        if not self.lines:
            return
        if self.postgres:
            self._copy.write("".join(self.lines))
        else:
            placeholders = ", ".join(["%s"] * len(self.COLUMNS))
            rows = [[None if v == NULL else v for v in line[:-1].split("\t")]
                    for line in self.lines]
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.columns}) VALUES ({placeholders})", rows)
        self.lines = []

    def close(self) -> None:
        self.flush()
        if self._copy_context is not None:
            self._copy_context.__exit__(None, None, None)
            self._cursor.close()


NULL = "\\N"


class _Clock:
    """Timestamp text from (day ordinal, local seconds of day) without datetime objects: the
    hot loop makes two per event. PostgreSQL gets local time with its offset; SQLite naive UTC,
    as Django stores it there."""

    def __init__(self, postgres: bool) -> None:
        self.tod = [f"{h:02d}:{m:02d}:{sec:02d}" for h in range(24) for m in range(60)
                    for sec in range(60)]
        self.suffix = "+08" if postgres else ""
        self.shift = 0 if postgres else -8 * 3600
        self.days: dict[int, str] = {}

    def __call__(self, ordinal: int, seconds: int) -> str:
        seconds += self.shift
        ordinal += seconds // 86400
        day = self.days.get(ordinal)
        if day is None:
            day = self.days[ordinal] = dt.date.fromordinal(ordinal).isoformat() + " "
        return day + self.tod[seconds % 86400] + self.suffix


SECONDARY_INDEXES = ("attendance_idempotent", "attendance_class_time")


def _drop_secondary_indexes() -> list[str]:
    """For a large load on PostgreSQL: drop the two secondary indexes (rebuilt afterwards, which
    is several times faster than maintaining them row by row)."""
    table = AttendanceEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                       "AND indexname = ANY(%s)", [table, list(SECONDARY_INDEXES)])
        found = cursor.fetchall()
        for name, _definition in found:
            if name == "attendance_idempotent":
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            else:
                cursor.execute(f'DROP INDEX "{name}"')
    return [d for _n, d in found]


def _restore_secondary_indexes(definitions: list[str]) -> None:
    table = AttendanceEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for definition in definitions:
            if "attendance_idempotent" in definition:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "attendance_idempotent" '
                               'UNIQUE ("institution_id", "idempotency_key")')
            else:
                cursor.execute(definition)

ENROLLMENT_COLUMNS = ["id", "training_class_id", "person_id", "status", "enrolled_at",
                      "enrolled_by", "late_reason", "draws_pension", "eligibility",
                      "withdrawn_reason", "attended_hours", "completed", "completion_rule"]


def _copy_line(row: tuple) -> str:
    """One row as COPY text (the demo's values hold no tab, newline or backslash)."""
    out = []
    for v in row:
        if v is None:
            out.append(NULL)
        elif isinstance(v, bool):
            out.append("t" if v else "f")
        elif isinstance(v, list):
            out.append("[]")
        elif isinstance(v, dt.datetime):
            out.append(v.isoformat())
        else:
            out.append(str(v))
    return "\t".join(out) + "\n"


def _copy_enrollments(lines: list[str]) -> None:
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in ENROLLMENT_COLUMNS)
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {qn(Enrollment._meta.db_table)} ({cols}) FROM STDIN") as copy:
        for start in range(0, len(lines), 100_000):
            copy.write("".join(lines[start:start + 100_000]))


def _write_enrollments(rows: list[tuple]) -> None:
    _insert(Enrollment, ENROLLMENT_COLUMNS, rows)
