"""Every read of the training app, scoped to the actor. Out of scope answers NotFound."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils import timezone

from jineng.core.errors import NotFound
from jineng.core.scoping import scope_of
from jineng.registry import selectors as registry_selectors
from jineng.registry.models import Person, Region
from jineng.registry.selectors import subtree_prefix
from jineng.training.choices import ClassStatus, EnrollmentStatus, EventKind
from jineng.training.models import (
    AttendanceEvent,
    ClassSession,
    ClassStatusChange,
    EligibilityParameter,
    Enrollment,
    Teacher,
    TrainingClass,
    counts_as_completed,
)
from jineng.training.rules import attendance as att_rules
from jineng.training.rules import eligibility as elig_rules
from jineng.training.rules import lifecycle
from jineng.training.rules.retirement import DECISION_2024, FIXED_1978

# --- classes ---------------------------------------------------------------------------------


def class_list(*, actor, status: str | None = None, q: str = "",
               region_code: str | None = None, institution_id: int | None = None,
               sector: str | None = None) -> QuerySet[TrainingClass]:
    qs = (TrainingClass.objects.visible_to(actor)
          .select_related("institution", "site", "region", "occupation", "level")
          .annotate(enrolled=Count("enrollments",
                                   filter=Q(enrollments__status=EnrollmentStatus.ENROLLED)))
          .order_by("-start_date", "-id"))
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(occupation__name__contains=q))
    if region_code:
        qs = qs.filter(region__code__startswith=subtree_prefix(region_code))
    if institution_id:
        qs = qs.filter(institution_id=institution_id)
    if sector:
        qs = qs.filter(sector=sector)
    return qs


def class_get(*, actor, pk: int) -> TrainingClass:
    cls = (TrainingClass.objects.visible_to(actor)
           .select_related("institution", "site", "region", "occupation", "level", "employer")
           .filter(pk=pk).first())
    if cls is None:
        raise NotFound()
    return cls


def review_queue(*, actor) -> QuerySet[TrainingClass]:
    """Declarations waiting for the HRSS office (those the actor governs)."""
    if not getattr(actor, "is_hrss_staff", False):
        return TrainingClass.objects.none()
    return class_list(actor=actor, status=ClassStatus.DECLARED).order_by("start_date", "id")


def class_sessions(*, actor, training_class: TrainingClass) -> list[ClassSession]:
    return list(ClassSession.objects.visible_to(actor)
                .filter(training_class_id=training_class.pk).order_by("starts_at"))


def class_history(*, actor, training_class: TrainingClass) -> list[ClassStatusChange]:
    return list(ClassStatusChange.objects.visible_to(actor)
                .filter(training_class_id=training_class.pk).order_by("at", "id"))


def class_teachers(*, actor, training_class: TrainingClass) -> list[Teacher]:
    return list(Teacher.objects.visible_to(actor).filter(classes=training_class.pk))


def teacher_list(*, actor, organization_id: int | None = None) -> QuerySet[Teacher]:
    qs = Teacher.objects.visible_to(actor).select_related("organization")
    if organization_id:
        qs = qs.filter(organization_id=organization_id)
    return qs


@dataclass(frozen=True)
class DeclarationChoices:
    """What an institution may name in a declaration: its sites in use, occupations and work
    types, skill levels, its active teachers. The declare page and the API both offer these
    (and nothing else)."""

    sites: QuerySet
    occupations: QuerySet
    levels: QuerySet
    teachers: QuerySet[Teacher]


def declaration_choices(*, actor) -> DeclarationChoices:
    org_id = getattr(actor, "organization_id", None)
    if not org_id:
        none = TrainingClass.objects.none()
        return DeclarationChoices(none, none, none, Teacher.objects.none())
    return DeclarationChoices(
        sites=registry_selectors.site_list(actor=actor, organization_id=org_id)
        .filter(is_active=True),
        occupations=registry_selectors.occupation_list(actor=actor)
        .filter(rank__in=("occupation", "work_type")),
        levels=registry_selectors.skill_level_list(actor=actor),
        teachers=teacher_list(actor=actor, organization_id=org_id).filter(is_active=True),
    )


# --- enrollments -----------------------------------------------------------------------------

def enrollment_list(*, actor, training_class: TrainingClass) -> QuerySet[Enrollment]:
    return (Enrollment.objects.visible_to(actor).filter(training_class_id=training_class.pk)
            .select_related("person").order_by("id"))


def enrollment_get(*, actor, pk: int) -> Enrollment:
    row = (Enrollment.objects.visible_to(actor)
           .select_related("person", "training_class", "training_class__region")
           .filter(pk=pk).first())
    if row is None:
        raise NotFound()
    return row


def schedule_clashes(person: Person, cls: TrainingClass) -> list[elig_rules.Clash]:
    """The person's other classes whose sessions overlap this class's sessions: every class
    that holds its hours (lifecycle.HOLDING_STATES), a finished one too."""
    mine = list(ClassSession.objects.filter(training_class_id=cls.pk)
                .values_list("starts_at", "ends_at"))
    if not mine:
        return []
    theirs: dict[tuple[int, str], list] = defaultdict(list)
    for cid, name, start, end in (
            ClassSession.objects
            .filter(training_class__enrollments__person=person,
                    training_class__enrollments__status=EnrollmentStatus.ENROLLED,
                    training_class__status__in=lifecycle.HOLDING_STATES,
                    date__gte=cls.start_date, date__lte=cls.end_date)
            .exclude(training_class_id=cls.pk)
            .values_list("training_class_id", "training_class__name", "starts_at", "ends_at")):
        theirs[(cid, name)].append((start, end))
    clashes = []
    for (cid, name), windows in sorted(theirs.items()):
        first = elig_rules.first_overlap(mine, windows)
        if first is not None:
            clashes.append(elig_rules.Clash(cid, name,
                                            timezone.localtime(first).isoformat()))
    return clashes


def subsidy_frequency_warnings(person: Person, cls: TrainingClass) -> list[str]:
    """Warnings from higher apps (the subsidy rules' frequency limits) for this person and
    class, through `hooks.enrollment_warnings`; none while no app provides them."""
    from jineng.training import hooks

    warnings: list[str] = []
    for _name, found in hooks.enrollment_warnings.call(
            person=person, occupation=cls.occupation, level=cls.level,
            training_type=cls.training_type, day=cls.start_date):
        warnings += [str(m) for m in found or ()]
    return warnings


NATIONAL_DEFAULT = elig_rules.AgeParameter(
    version="national-default", valid_from=dt.date(2025, 1, 1), minimum_age=16,
    scheme="gradual_2025", female_basis=55, over_age_without_pension=False,
    source=DECISION_2024)


def age_parameter_as_of(region: Region, day: dt.date) -> elig_rules.AgeParameter:
    """The most specific parameter version for the region (its own, its city's, its
    province's, then the national one) valid on `day`."""
    codes = [region.code, region.code[:4] + "00", region.code[:2] + "0000"]
    rows = list(EligibilityParameter.objects
                .filter(Q(region__code__in=codes) | Q(region__isnull=True), valid_from__lte=day)
                .select_related("region").order_by("-valid_from"))
    for code in [*codes, None]:
        row = next((r for r in rows if (r.region.code if r.region_id else None) == code), None)
        if row is not None:
            return elig_rules.AgeParameter(
                version=f"#{row.pk} {row.region.code if row.region_id else 'national'} "
                        f"{row.valid_from}",
                valid_from=row.valid_from, region_code=row.region.code if row.region_id else "",
                minimum_age=row.minimum_age, scheme=row.scheme, female_basis=row.female_basis,
                over_age_without_pension=row.over_age_without_pension,
                source=row.source or (DECISION_2024 if row.scheme == "gradual_2025"
                                      else FIXED_1978))
    return NATIONAL_DEFAULT


def eligibility_parameter_list(*, actor) -> QuerySet[EligibilityParameter]:
    return EligibilityParameter.objects.visible_to(actor).select_related("region")


def person_enrollments(*, actor, person: Person) -> QuerySet[Enrollment]:
    """Every class a person enrolled in (a withdrawal included), oldest first, with class,
    institution, occupation and level joined: the training part of a person's skill record.
    The gate is the person: an actor who may read the person (registry's person scope) sees
    all of the person's classes; NotFound otherwise."""
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise NotFound()
    return person_enrollments_unscoped(person.pk)


def person_enrollments_unscoped(person_id: int) -> QuerySet[Enrollment]:
    """`person_enrollments` without the actor's gate, for a caller that identified the person
    itself (the worker's own record after the identity check)."""
    return (Enrollment.objects.filter(person_id=person_id)
            .select_related("training_class", "training_class__institution",
                            "training_class__occupation", "training_class__level")
            .order_by("training_class__start_date", "id"))


def class_lock(pk: int) -> TrainingClass:
    """A class's row, locked until the caller's transaction ends (select_for_update), with its
    region and institution: a higher app that moves the class (the assessment app, through
    services.class_mark_assessed) checks its own records under this lock, so two of its
    writes finishing at once cannot both miss the other. Unscoped: the caller decided."""
    return (TrainingClass.objects.select_for_update(of=("self",))
            .select_related("region", "institution", "occupation", "level").get(pk=pk))


def completed_enrollments(training_class: TrainingClass) -> QuerySet[Enrollment]:
    """The trainees who completed a finished class (hours frozen at or above its threshold,
    not withdrawn), with their persons, oldest enrollment first. Unscoped: for the assessment
    app issuing the class's training certificates."""
    return (Enrollment.objects.filter(training_class=training_class).completed()
            .select_related("person").order_by("pk"))


def class_teacher_hashes(class_ids) -> dict[int, frozenset[str]]:
    """The keyed ID-number hashes of each class's teachers (Teacher.id_hash; a teacher
    registered without an ID number has none), for the assessment app's 考培分离 check
    (an examiner may not be a teacher of the candidate's class). Unscoped: the caller
    decided; only hashes leave."""
    found: dict[int, set[str]] = {pk: set() for pk in class_ids}
    rows = (TrainingClass.teachers.through.objects
            .filter(trainingclass_id__in=list(found), teacher__id_hash__gt="")
            .values_list("trainingclass_id", "teacher__id_hash"))
    for class_id, id_hash in rows:
        found[class_id].add(id_hash)
    return {pk: frozenset(hashes) for pk, hashes in found.items()}


def classes_attended(person_ids, *, occupation_ids) -> dict[int, list[tuple[int, int]]]:
    """For each person, the (class id, institution id) of every class of these occupations
    they enrolled in (a withdrawal too: they were trained there), for the assessment app's
    考培分离 check. Unscoped: the caller decided; only ids leave."""
    found: dict[int, list[tuple[int, int]]] = {pk: [] for pk in person_ids}
    rows = (Enrollment.objects
            .filter(person_id__in=list(found), training_class__occupation_id__in=list(
                occupation_ids))
            .order_by("training_class_id")
            .values_list("person_id", "training_class_id", "training_class__institution_id"))
    for person_id, class_id, institution_id in rows:
        found[person_id].append((class_id, institution_id))
    return found


def enrollment_for_assessment(pk: int) -> Enrollment | None:
    """An enrollment by id with its class (level, institution) and person, or None, whoever
    asks: the assessment app checks that it is the named candidate's before using it."""
    return (Enrollment.objects.select_related("person", "training_class__level",
                                              "training_class__institution",
                                              "training_class__occupation")
            .filter(pk=pk).first())


def class_for_assessment(pk: int) -> TrainingClass | None:
    """A class by id with its region, institution, occupation and level, or None, whoever
    asks: for the assessment app attaching a class to a sitting (the evaluator does not
    see the institution's classes; the sitting's own checks decide). Unscoped."""
    return (TrainingClass.objects.select_related("region", "institution", "occupation",
                                                 "level").filter(pk=pk).first())


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


def teacher_get(*, actor, pk: int) -> Teacher:
    row = Teacher.objects.visible_to(actor).select_related("organization").filter(pk=pk).first()
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


def enterprise_by_credit_code(code: str):
    """The enterprise an order class names (looked up by its public credit code)."""
    from jineng.registry.choices import OrganizationKind
    from jineng.registry.models import Organization

    return Organization.objects.filter(credit_code=code.strip().upper(),
                                       kind=OrganizationKind.ENTERPRISE).first()


# --- work lists of the landing pages -----------------------------------------------------------

def classes_waiting_review(*, actor) -> QuerySet[TrainingClass]:
    """Declarations the actor's HRSS office has to review (review_queue), each annotated with
    `resubmitted`: how many times it came back after a return for correction."""
    return review_queue(actor=actor).annotate(
        resubmitted=Count("status_history", filter=Q(status_history__action="resubmit"),
                          distinct=True))


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


# --- the public site (portal) ------------------------------------------------------------------

def public_classes() -> QuerySet[TrainingClass]:
    """Classes the public sees (approved or open: see TrainingClassQuerySet), with no per-row
    counts, for the public training map and class search to filter and page."""
    return TrainingClass.objects.visible_to(None)


def public_enrolled_counts(class_ids) -> dict[int, int]:
    """Trainees enrolled (not withdrawn) in each of the given classes: one grouped query."""
    rows = (Enrollment.objects.filter(training_class_id__in=list(class_ids),
                                      status=EnrollmentStatus.ENROLLED)
            .values("training_class_id").annotate(n=Count("id")))
    return {r["training_class_id"]: r["n"] for r in rows}


def trainees_finishing(region_code: str, first_day: dt.date, last_day: dt.date,
                       ) -> dict[int, int]:
    """Expected supply for the demand forecast: per occupation id, the trainees of classes in
    the region's subtree ending between the two days (inclusive) that did or will take place
    (lifecycle.HOLDING_STATES): enrolled trainees, or the planned size of a class with none
    enrolled yet. Unscoped figures (counts only) for the demand app's forecast."""
    classes = (TrainingClass.objects
               .filter(region__code__startswith=subtree_prefix(region_code),
                       end_date__gte=first_day, end_date__lte=last_day,
                       status__in=lifecycle.HOLDING_STATES)
               .annotate(enrolled_n=Count("enrollments", filter=Q(
                   enrollments__status=EnrollmentStatus.ENROLLED)))
               .values_list("occupation_id", "enrolled_n", "planned_size"))
    out: dict[int, int] = defaultdict(int)
    for occupation_id, enrolled, planned in classes:
        out[occupation_id] += enrolled or planned
    return dict(out)


EXIT_STATES = frozenset({lifecycle.FINISHED, lifecycle.ASSESSED, lifecycle.SETTLED})


def exits_for_outcomes(last_day: dt.date | None = None):
    """Trainee exits for the outcomes job (issue 11): one row per enrollment not withdrawn in a
    class that has finished (finished, assessed or settled), ending on or before `last_day`.
    Tuples (enrollment_id, person_id, class_id, institution_id, region_code, training_type,
    occupation_code, level_code, level_rank, start_date, end_date, completed, order_employer
    credit code or None, occupation_id, region_id). Unscoped values (a system read, set-based): the
    caller streams them with `.iterator()`."""
    qs = Enrollment.objects.filter(status=EnrollmentStatus.ENROLLED,
                                   training_class__status__in=EXIT_STATES)
    if last_day is not None:
        qs = qs.filter(training_class__end_date__lte=last_day)
    return qs.order_by().values_list(
        "pk", "person_id", "training_class_id", "training_class__institution_id",
        "training_class__region__code", "training_class__training_type",
        "training_class__occupation__code", "training_class__level__code",
        "training_class__level__rank", "training_class__start_date",
        "training_class__end_date", "completed", "training_class__employer__credit_code",
        "training_class__occupation_id", "training_class__region_id")


def plans_training_type_of(code: str) -> str:
    """The plans vocabulary's training type of a class's training type ("" when none), for
    other apps feeding plans facts about trainees (the outcomes job)."""
    from jineng.training.plan_facts import plans_training_type
    return plans_training_type(code)


def last_class_occupations() -> QuerySet:
    """Each person's occupation of the last class they enrolled in (not withdrawn; the latest
    start, then the latest enrollment): values rows (person_id, occupation_id), one per person.
    Set-based (a window function); unscoped, for the outcomes app's labour-market reads."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    return (Enrollment.objects.exclude(status=EnrollmentStatus.WITHDRAWN)
            .annotate(rn=Window(RowNumber(), partition_by=[F("person_id")],
                                order_by=[F("training_class__start_date").desc(),
                                          F("id").desc()]))
            .filter(rn=1).order_by()
            .values("person_id", occupation_id=F("training_class__occupation_id")))


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
