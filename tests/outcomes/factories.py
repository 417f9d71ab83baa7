"""Factories for outcomes tests: runs, indicator cells and outcome measures written directly
(the job that computes them is tested on its own); classes and enrollments made through the
models so a measure has the rows it points to."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from jineng.outcomes.choices import RunStatus
from jineng.outcomes.models import IndicatorValue, OutcomeMeasure, OutcomeRun
from jineng.registry.models import Occupation, Organization, SkillLevel
from jineng.training.models import Enrollment, TrainingClass
from tests import factories as f

_seq = itertools.count(1)


def run(*, finished_at: dt.datetime | None = None, status: str = RunStatus.SUCCEEDED,
        data_through: dt.date = dt.date(2026, 10, 1)) -> OutcomeRun:
    finished_at = finished_at or timezone.now()
    return OutcomeRun.objects.create(status=status, finished_at=finished_at,
                                     started_at=finished_at, data_through=data_through)


def cell(run: OutcomeRun, indicator: str, *, dimension: str = "institution", key: str = "",
         period: str = "all", value: float | None = 0.5, numerator: float | None = None,
         denominator: float | None = None, trainees: int = 20, label: str = "",
         ) -> IndicatorValue:
    if denominator is None and value is not None and indicator not in ("wage_growth",
                                                                        "composite"):
        denominator = float(trainees)
        numerator = value * trainees if numerator is None else numerator
    return IndicatorValue.objects.create(
        run=run, indicator=indicator, dimension=dimension, key=str(key), period=period,
        value=value, numerator=numerator, denominator=denominator, trainees=trainees,
        label=label)


def occupation(name: str = "养老护理员") -> Occupation:
    return Occupation.objects.filter(name=name).order_by("pk").first()


def training_class(institution: Organization, *, occupation_name: str = "养老护理员",
                   start: dt.date = dt.date(2025, 3, 3), end: dt.date = dt.date(2025, 4, 30),
                   status: str = "finished") -> TrainingClass:
    site = f.SiteFactory(organization=institution)
    return TrainingClass.objects.create(
        name=f"结业班{next(_seq)}", institution=institution, site=site,
        region=institution.region, occupation=occupation(occupation_name),
        level=SkillLevel.objects.get(code="grade5"), training_type="employment",
        sector="elderly_child_care", planned_size=50, start_date=start, end_date=end,
        required_hours=Decimal("40"), min_attendance_share=Decimal("0.8"),
        scheduled_hours=Decimal("40"), status=status)


def measure(run: OutcomeRun, cls: TrainingClass, **values) -> OutcomeMeasure:
    """One trainee's exit from `cls` with the given measure values."""
    person = f.PersonFactory()
    enrollment = Enrollment.objects.create(training_class=cls, person=person,
                                           status="enrolled")
    return OutcomeMeasure.objects.create(
        run=run, enrollment=enrollment, person=person, training_class=cls,
        institution=cls.institution, region=cls.region, exit_date=cls.end_date, **values)
