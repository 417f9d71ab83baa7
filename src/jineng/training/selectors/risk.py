"""Set-based, unscoped reads of the supervision risk scan: the snapshot sources (enrollments,
sessions, attendance, teaching, classes, online learning, interactions) and age limits."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from jineng.training.choices import EnrollmentStatus, EventKind
from jineng.training.models import (
    AttendanceEvent,
    ClassSession,
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
        "events": events.order_by().values_list(
            "pk", "enrollment_id", "enrollment__person_id", "training_class_id", "session_id",
            "institution_id", "kind", "method", "occurred_at", "latitude", "longitude",
            "too_far", "outside_window", "device"),
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


def age_limits_for_risk(birth: dt.date, gender: str) -> tuple[dt.date, dt.date]:
    """The days a person reaches the minimum age and the statutory retirement age under the
    national default parameter (the supervision risk scan, rule R16B)."""
    from jineng.training.rules.retirement import add_months, statutory_retirement

    p = NATIONAL_DEFAULT
    retire = statutory_retirement(birth, gender, female_basis=p.female_basis, scheme=p.scheme)
    return add_months(birth, 12 * p.minimum_age), retire.reached_on
