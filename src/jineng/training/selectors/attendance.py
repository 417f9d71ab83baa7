"""Attendance and completion: credited hours per trainee, attendance events, per-session
summaries, today's board and trainees short of hours (landing pages)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils import timezone

from jineng.core.errors import NotFound
from jineng.core.scoping import scope_of
from jineng.training.choices import ClassStatus, EnrollmentStatus, EventKind
from jineng.training.models import (
    AttendanceEvent,
    ClassSession,
    Enrollment,
    TrainingClass,
    counts_as_completed,
)
from jineng.training.rules import attendance as att_rules
from jineng.training.selectors.classes import class_get, class_sessions

# --- attendance and completion ---------------------------------------------------------------

@dataclass(frozen=True)
class CompletionRow:
    enrollment: Enrollment
    completion: att_rules.Completion
    sessions_attended: int

    @property
    def counts(self) -> bool:
        """Whether the trainee counts as completed (models.counts_as_completed): hours at the
        threshold and still enrolled."""
        return counts_as_completed(status=self.enrollment.status,
                                   completed=self.completion.completed)


def completion_rows(cls: TrainingClass) -> list[CompletionRow]:
    """Hours and completion of every trainee of a class, computed from the events in a few
    queries (callers scope the class first)."""
    enrollments = list(Enrollment.objects.filter(training_class_id=cls.pk)
                       .select_related("person").order_by("id"))
    sessions = {s.pk: s for s in ClassSession.objects.filter(training_class_id=cls.pk)}
    pairs = (AttendanceEvent.objects
             .filter(training_class_id=cls.pk, too_far=False, session__isnull=False,
                     voided_at__isnull=True, kind__in=(EventKind.CHECK_IN, EventKind.CHECK_OUT))
             .order_by()
             .values("enrollment_id", "session_id")
             .annotate(first_in=Min("occurred_at", filter=Q(kind=EventKind.CHECK_IN)),
                       last_out=Max("occurred_at", filter=Q(kind=EventKind.CHECK_OUT))))
    offline: dict[int, int] = defaultdict(int)
    attended: dict[int, int] = defaultdict(int)
    for p in pairs:
        s = sessions.get(p["session_id"])
        if s is None:
            continue
        credit = att_rules.credited_session_seconds(s.starts_at, s.ends_at, s.seconds,
                                                    p["first_in"], p["last_out"])
        offline[p["enrollment_id"]] += credit
        attended[p["enrollment_id"]] += credit > 0
    online = dict(AttendanceEvent.objects
                  .filter(training_class_id=cls.pk, kind=EventKind.ONLINE,
                          voided_at__isnull=True).order_by()
                  .values("enrollment_id").annotate(s=Sum("online_seconds"))
                  .values_list("enrollment_id", "s"))
    return [CompletionRow(
        enrollment=e,
        completion=att_rules.completion(
            offline_seconds=offline[e.pk], online_seconds=online.get(e.pk) or 0,
            required_hours=cls.required_hours, min_share=cls.min_attendance_share,
            online_share=cls.online_share),
        sessions_attended=attended[e.pk]) for e in enrollments]


def attendance_days(enrollment_id: int) -> int:
    """The calendar days on which a trainee attended a session of the class in person (a
    session credited with some time by its check-in and check-out, as completion counts it;
    voided and too-far events left out; online learning is not a day at the site), for the
    subsidy app's living allowance. Unscoped: the caller decided."""
    pairs = (AttendanceEvent.objects
             .filter(enrollment_id=enrollment_id, too_far=False, session__isnull=False,
                     voided_at__isnull=True, kind__in=(EventKind.CHECK_IN, EventKind.CHECK_OUT))
             .order_by()
             .values("session_id")
             .annotate(first_in=Min("occurred_at", filter=Q(kind=EventKind.CHECK_IN)),
                       last_out=Max("occurred_at", filter=Q(kind=EventKind.CHECK_OUT))))
    pairs = list(pairs)
    sessions = {s.pk: s for s in ClassSession.objects.filter(
        pk__in=[p["session_id"] for p in pairs])}
    days = set()
    for p in pairs:
        s = sessions.get(p["session_id"])
        if s is None:
            continue
        if att_rules.credited_session_seconds(s.starts_at, s.ends_at, s.seconds,
                                              p["first_in"], p["last_out"]) > 0:
            days.add(s.date)
    return len(days)


def class_completion(*, actor, training_class: TrainingClass) -> list[CompletionRow]:
    """Completion list of a class, as the actor may see it."""
    cls = class_get(actor=actor, pk=training_class.pk)
    if not scope_of(actor).sees_persons:
        raise NotFound()
    return completion_rows(cls)


def attendance_list(*, actor, training_class: TrainingClass, session_id: int | None = None,
                    flagged: bool | None = None) -> QuerySet[AttendanceEvent]:
    qs = (AttendanceEvent.objects.visible_to(actor)
          .filter(training_class_id=training_class.pk)
          .select_related("enrollment__person", "session"))
    if session_id:
        qs = qs.filter(session_id=session_id)
    if flagged:
        qs = qs.filter(Q(outside_window=True) | Q(too_far=True))
    return qs.order_by("occurred_at", "id")


def attendance_events(*, actor, class_id: int | None = None, session_id: int | None = None,
                      date_from: dt.date | None = None, date_to: dt.date | None = None,
                      flagged: bool | None = None, manual: bool | None = None,
                      voided: bool | None = None) -> QuerySet[AttendanceEvent]:
    """Attendance events the actor may read (an institution: its own), with their flags,
    oldest first; days are local calendar days, inclusive."""
    qs = (AttendanceEvent.objects.visible_to(actor)
          .select_related("enrollment__person", "session", "training_class"))
    if class_id is not None:
        qs = qs.filter(training_class_id=class_id)
    if session_id is not None:
        qs = qs.filter(session_id=session_id)
    tz = timezone.get_current_timezone()
    if date_from is not None:
        qs = qs.filter(occurred_at__gte=dt.datetime.combine(date_from, dt.time(0), tz))
    if date_to is not None:
        qs = qs.filter(occurred_at__lt=dt.datetime.combine(
            date_to + dt.timedelta(days=1), dt.time(0), tz))
    if flagged is not None:
        condition = Q(outside_window=True) | Q(too_far=True)
        qs = qs.filter(condition) if flagged else qs.exclude(condition)
    if manual is not None:
        qs = qs.filter(manual=manual)
    if voided is not None:
        qs = qs.filter(voided_at__isnull=not voided)
    return qs.order_by("occurred_at", "id")


def attendance_event_get(*, actor, pk: int) -> AttendanceEvent:
    row = (AttendanceEvent.objects.visible_to(actor)
           .select_related("enrollment__person", "session", "training_class__region")
           .filter(pk=pk).first())
    if row is None:
        raise NotFound()
    return row


def session_summary(*, actor, training_class: TrainingClass) -> list[dict]:
    """Per session: trainees checked in and out, flagged events."""
    sessions = class_sessions(actor=actor, training_class=training_class)
    counts = {row["session_id"]: row for row in (
        AttendanceEvent.objects.visible_to(actor)
        .filter(training_class_id=training_class.pk, session__isnull=False).order_by()
        .values("session_id")
        .annotate(checked_in=Count("enrollment_id", distinct=True,
                                   filter=Q(kind=EventKind.CHECK_IN)),
                  checked_out=Count("enrollment_id", distinct=True,
                                    filter=Q(kind=EventKind.CHECK_OUT)),
                  flagged=Count("id", filter=Q(outside_window=True) | Q(too_far=True))))}
    return [{"session": s, "checked_in": counts.get(s.pk, {}).get("checked_in", 0),
             "checked_out": counts.get(s.pk, {}).get("checked_out", 0),
             "flagged": counts.get(s.pk, {}).get("flagged", 0)} for s in sessions]


def today_board(*, actor, now: dt.datetime | None = None) -> list[dict]:
    """Open classes with a session today in the actor's scope: which are in session now and
    how many trainees have checked in so far."""
    now = timezone.localtime(now or timezone.now())
    day = now.date()
    sessions = list(ClassSession.objects
                    .filter(date=day, training_class__in=TrainingClass.objects.visible_to(actor)
                            .filter(status=ClassStatus.OPEN))
                    .select_related("training_class", "training_class__institution",
                                    "training_class__site", "training_class__region")
                    .order_by("starts_at", "training_class_id"))
    if not sessions:
        return []
    class_ids = {s.training_class_id for s in sessions}
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(0)))
    checked = {(r["session_id"]): r for r in (
        AttendanceEvent.objects
        .filter(training_class_id__in=class_ids, occurred_at__gte=start,
                occurred_at__lt=start + dt.timedelta(days=1), kind=EventKind.CHECK_IN)
        .order_by().values("session_id")
        .annotate(n=Count("enrollment_id", distinct=True),
                  flagged=Count("id", filter=Q(outside_window=True) | Q(too_far=True))))}
    enrolled = dict(Enrollment.objects
                    .filter(training_class_id__in=class_ids, status=EnrollmentStatus.ENROLLED)
                    .order_by().values("training_class_id").annotate(n=Count("id"))
                    .values_list("training_class_id", "n"))
    return [{
        "session": s, "training_class": s.training_class,
        "in_session": s.starts_at <= now <= s.ends_at,
        "enrolled": enrolled.get(s.training_class_id, 0),
        "checked_in": checked.get(s.pk, {}).get("n", 0),
        "flagged": checked.get(s.pk, {}).get("flagged", 0),
    } for s in sessions]


@dataclass(frozen=True)
class ShortOfHours:
    """An open class of the actor's institution and its trainees whose credited on-site hours
    so far are below the class's attendance share of the hours already held."""

    training_class: TrainingClass
    held_hours: float
    rows: list[CompletionRow]


def trainees_short_of_hours(*, actor, now: dt.datetime | None = None) -> list[ShortOfHours]:
    """For an institution's operator: its open classes with trainees falling behind (empty for
    other users: only the institution can act on it, and the list reads every event)."""
    organization_id = scope_of(actor).organization_id
    if not organization_id:
        return []
    now = now or timezone.now()
    classes = (TrainingClass.objects.visible_to(actor)
               .filter(institution_id=organization_id, status=ClassStatus.OPEN)
               .select_related("occupation", "level").order_by("start_date", "id"))
    out = []
    for cls in classes:
        held = sum(s.seconds for s in ClassSession.objects.filter(training_class_id=cls.pk,
                                                                  ends_at__lte=now))
        if not held:
            continue
        needed = held * float(cls.min_attendance_share) / 3600
        rows = [r for r in completion_rows(cls)
                if r.enrollment.status == EnrollmentStatus.ENROLLED
                and float(r.completion.offline_hours) < needed]
        if rows:
            out.append(ShortOfHours(training_class=cls, held_hours=round(held / 3600, 1),
                                    rows=rows))
    return out
