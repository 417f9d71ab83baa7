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


def risk_events_written_since(xmin: int) -> QuerySet:
    """The check-ins/outs (the columns of `risk_snapshot()["events"]`, then `kept`: not voided)
    whose row or whose enrollment's row was written — inserted, voided, moved to another person
    by a merge, any update — by a PostgreSQL transaction not older than `xmin` (a 32-bit
    transaction id: the oldest transaction still running when an earlier snapshot was taken),
    voided ones included, so that a copy of the events taken in that snapshot can be brought up
    to date (supervision's event cache). Every write gives the row version a new `xmin`; a row
    frozen by VACUUM reads as the frozen id, older than any. PostgreSQL only."""
    events = f'"{AttendanceEvent._meta.db_table}"'
    enrollments = f'"{Enrollment._meta.db_table}"'
    newer = "age({}.xmin) <= age(%s::text::xid)"
    # The enrollments written since are few (read first); their ids go in as one array, which
    # PostgreSQL hashes: one pass over the events, the enrollments joined for the rows answered.
    # Read now, on this connection: it sees at least what the caller's snapshot sees, so no
    # enrollment is missed (one written since only brings its events again).
    moved = list(Enrollment.objects.alias(written=RawSQL(
        newer.format(enrollments), (str(xmin),), output_field=BooleanField()))
        .filter(written=True).values_list("pk", flat=True))
    written = RawSQL(f"({newer.format(events)} OR {events}.enrollment_id = ANY(%s::bigint[]))",
                     (str(xmin), moved), output_field=BooleanField())
    kept = RawSQL(f"{events}.voided_at IS NULL", (), output_field=BooleanField())
    return (AttendanceEvent.objects.filter(kind__in=[EventKind.CHECK_IN, EventKind.CHECK_OUT])
            .alias(written=written).filter(written=True).annotate(kept=kept)
            .order_by().values_list(*EVENT_COLUMNS, "kept"))


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
