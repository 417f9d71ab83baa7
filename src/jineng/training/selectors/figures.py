"""Unscoped, set-based figures for other apps' jobs: expected supply for the demand forecast,
trainee exits and last class occupations for the outcomes app, the plans training type."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q, QuerySet

from jineng.registry.selectors import subtree_prefix
from jineng.training.choices import EnrollmentStatus
from jineng.training.models import (
    Enrollment,
    TrainingClass,
)
from jineng.training.rules import lifecycle


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
