"""Set-based, unscoped reads of the supervision risk scan: the snapshot sources (enrollments,
sessions, attendance, teaching, classes, online learning, interactions) and age limits."""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from jineng.training.choices import EnrollmentStatus, EventKind
from jineng.training.models import (
    DELETED_ROWS_KEPT_DAYS,
    AttendanceEvent,
    ClassSession,
    DeletedRow,
    Enrollment,
    TrainingClass,
    WrittenRows,
)
from jineng.training.rules import lifecycle
from jineng.training.selectors.eligibility import NATIONAL_DEFAULT


def risk_snapshot(since: dt.datetime | None = None) -> dict[str, QuerySet]:
    """Set-based, unscoped reads for the supervision risk scan (issue 13), as values_list
    querysets the caller streams with `.iterator()`: enrollments not withdrawn, sessions,
    attendance check-ins/outs not voided (those since `since` only, and the sessions ending
    after it, for an incremental scan), class teachers by keyed ID hash, classes."""
    holding = Q(training_class__status__in=lifecycle.HOLDING_STATES)
    sessions = ClassSession.objects.filter(holding)
    events = AttendanceEvent.objects.filter(voided_at__isnull=True,
                                            kind__in=[EventKind.CHECK_IN, EventKind.CHECK_OUT])
    if since is not None:
        # the date (indexed) bounds the sessions ending after `since` — a session lasts hours,
        # so none of them is dated a week before since's day — and lets the incremental read
        # use the index instead of reading every session
        first_day = timezone.localdate(since) - dt.timedelta(days=7)
        sessions = sessions.filter(date__gte=first_day, ends_at__gte=since)
        events = events.filter(occurred_at__gte=since)
    return {
        "enrollments": Enrollment.objects.filter(holding, status=EnrollmentStatus.ENROLLED)
        .order_by().values_list("pk", "person_id", "training_class_id",
                                "training_class__institution_id"),
        "sessions": sessions.order_by().values_list(
            "pk", "training_class_id", "training_class__institution_id",
            "training_class__site_id", "starts_at", "ends_at"),
        "events": events.order_by().values_list(*EVENT_COLUMNS),
        # The same events without the enrollment's person (no join: a full scan reads 46
        # million of them, and PostgreSQL's join doubled the read) and every enrollment's
        # person, which the reader puts back (supervision.services.snapshot_copy).
        "events_unjoined": events.order_by().values_list(*EVENT_COLUMNS_UNJOINED),
        "enrollment_persons": Enrollment.objects.order_by().values_list("pk", "person_id"),
        "teaching": TrainingClass.teachers.through.objects.exclude(teacher__id_hash="")
        .order_by().values_list("trainingclass_id", "trainingclass__institution_id",
                                "teacher__id_hash"),
        "classes": TrainingClass.objects.order_by().values_list(
            "pk", "institution_id", "site_id", "end_date", "occupation_id", "level_id",
            "region_id", "start_date"),
        # Online learning segments (xAPI): when, how long.
        "online": AttendanceEvent.objects.filter(
            voided_at__isnull=True, kind=EventKind.ONLINE,
            **({"occurred_at__gte": since} if since is not None else {}))
        .order_by().values_list("pk", "enrollment_id", "enrollment__person_id",
                                "training_class_id", "institution_id", "occurred_at",
                                "online_seconds"),
        # Interactions (xAPI answered, interacted, …): when (R17D, full scans).
        "interactions": AttendanceEvent.objects.filter(
            voided_at__isnull=True, kind=EventKind.INTERACTION,
            **({"occurred_at__gte": since} if since is not None else {}))
        .order_by().values_list("pk", "enrollment_id", "enrollment__person_id",
                                "training_class_id", "institution_id", "occurred_at"),
    }


EVENT_COLUMNS = ("pk", "enrollment_id", "enrollment__person_id", "training_class_id",
                 "session_id", "institution_id", "kind", "method", "occurred_at", "latitude",
                 "longitude", "too_far", "outside_window", "device")
EVENT_COLUMNS_UNJOINED = tuple(c for c in EVENT_COLUMNS if c != "enrollment__person_id")


# Written ranges closer than this (ids) are read as one: the ids between are read again, which
# is harmless (a row read again replaces itself) and cheaper than another index scan.
WRITTEN_GAP = 10_000
# More ranges than this (scattered updates of old events, a console's bulk fix) are not read
# one by one: the events are then found by their transaction ids (a pass over the table).
MAX_WRITTEN_RANGES = 2_000

_RANGES_SQL = f"""
WITH w AS (
    SELECT first_id AS lo, last_id AS hi FROM "{WrittenRows._meta.db_table}"
    WHERE "table" = 'event' AND age(xmin) <= age(%s::text::xid)
), o AS (
    SELECT lo, hi, CASE WHEN lo <= max(hi) OVER (ORDER BY lo, hi ROWS BETWEEN UNBOUNDED
                                                 PRECEDING AND 1 PRECEDING) + %s
                        THEN 0 ELSE 1 END AS brk
    FROM w
), g AS (
    SELECT lo, hi, sum(brk) OVER (ORDER BY lo, hi) AS grp FROM o
)
SELECT min(lo), max(hi) FROM g GROUP BY grp ORDER BY 1
"""


def risk_event_ranges_written_since(xmin: int) -> list[tuple[int, int]] | None:
    """The id ranges of the attendance events inserted or updated by PostgreSQL transactions
    not older than `xmin` (recorded by the triggers of migration 0012: WrittenRows), merged
    when closer than WRITTEN_GAP; None when more than MAX_WRITTEN_RANGES remain. Read on this
    connection, which sees at least what the caller's snapshot sees (a range it does not see
    yet is read by the next scan: its transaction is not older than that scan's `xmin`)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_RANGES_SQL, [str(xmin), WRITTEN_GAP])
        ranges = [(int(lo), int(hi)) for lo, hi in cursor.fetchall()]
    return None if len(ranges) > MAX_WRITTEN_RANGES else ranges


def risk_events_written_since(xmin: int) -> QuerySet:
    """The check-ins/outs (the columns of `risk_snapshot()["events"]`, then `kept`: not voided)
    whose row or whose enrollment's row was written — inserted, voided, moved to another person
    by a merge, any update — by a PostgreSQL transaction not older than `xmin` (a 32-bit
    transaction id: the oldest transaction still running when an earlier snapshot was taken),
    voided ones included, so that a copy of the events taken in that snapshot can be brought up
    to date (supervision's event cache). The events are found by primary key in the id ranges
    the triggers recorded (`risk_event_ranges_written_since`; rows between ranges may come
    too); with too many ranges, by their row's `xmin` (every write gives the row version a new
    `xmin`; a row frozen by VACUUM reads as the frozen id, older than any), a pass over the
    table. PostgreSQL only."""
    events = f'"{AttendanceEvent._meta.db_table}"'
    enrollments = f'"{Enrollment._meta.db_table}"'
    newer = "age({}.xmin) <= age(%s::text::xid)"
    # The enrollments written since are few (read first); their events are found through the
    # class index. Read now, on this connection: it sees at least what the caller's snapshot
    # sees, so no enrollment is missed (one written since only brings its events again).
    moved = list(Enrollment.objects.alias(written=RawSQL(
        newer.format(enrollments), (str(xmin),), output_field=BooleanField()))
        .filter(written=True).values_list("pk", "training_class_id"))
    ranges = risk_event_ranges_written_since(xmin)
    rows = AttendanceEvent.objects.filter(kind__in=[EventKind.CHECK_IN, EventKind.CHECK_OUT])
    if ranges is None:
        written = RawSQL(f"({newer.format(events)} OR {events}.enrollment_id = ANY(%s::bigint[]))",
                         (str(xmin), [pk for pk, _cls in moved]), output_field=BooleanField())
        rows = rows.alias(written=written).filter(written=True)
    else:
        found = Q(pk__lt=0)  # nothing (ids are positive), so that no range reads nothing
        for lo, hi in ranges:
            found |= Q(pk__range=(lo, hi))
        if moved:
            found |= Q(training_class_id__in={cls for _pk, cls in moved},
                       enrollment_id__in=[pk for pk, _cls in moved])
        rows = rows.filter(found)
    kept = RawSQL(f"{events}.voided_at IS NULL", (), output_field=BooleanField())
    return rows.annotate(kept=kept).order_by().values_list(*EVENT_COLUMNS, "kept")


def risk_rows_deleted_since(xmin: int) -> QuerySet:
    """("event" or "enrollment", id) of the check-ins/outs and enrollments deleted by a
    PostgreSQL transaction not older than `xmin` (as `risk_events_written_since`), recorded by
    the deletion trigger (DeletedRow; kept DELETED_ROWS_KEPT_DAYS days). PostgreSQL only."""
    table = f'"{DeletedRow._meta.db_table}"'
    newer = RawSQL(f"age({table}.xmin) <= age(%s::text::xid)", (str(xmin),),
                   output_field=BooleanField())
    return (DeletedRow.objects.alias(newer=newer).filter(newer=True).order_by()
            .values_list("table", "row_id"))


RISK_DELETED_ROWS_KEPT_DAYS = DELETED_ROWS_KEPT_DAYS


def risk_event_tables() -> tuple[str, ...]:
    """The tables the risk scan's events are read from (events, enrollments): a copy of the
    events is stale when one of them was truncated or rewritten (a new file node)."""
    return AttendanceEvent._meta.db_table, Enrollment._meta.db_table


def age_limits_for_risk(birth: dt.date, gender: str) -> tuple[dt.date, dt.date]:
    """The days a person reaches the minimum age and the statutory retirement age under the
    national default parameter (the supervision risk scan, rule R16B)."""
    from jineng.training.rules.retirement import add_months, statutory_retirement

    p = NATIONAL_DEFAULT
    retire = statutory_retirement(birth, gender, female_basis=p.female_basis, scheme=p.scheme)
    return add_months(birth, 12 * p.minimum_age), retire.reached_on
