"""Helpers for the living allowance and employment uplift tests: parameters granting both, a
trainee's attendance at the class's sessions, key-group membership, the outcomes job's measures
of a class (an outcomes run and one measure per trainee, as the job stores them)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from decimal import Decimal

from django.utils import timezone

from jineng.outcomes.models import OutcomeMeasure, OutcomeRun
from jineng.registry.models import KeyGroupMembership
from jineng.subsidy.rules import types as t
from jineng.training.choices import AttendanceMethod, EventKind
from jineng.training.models import AttendanceEvent, ClassSession
from tests import factories as f
from tests.subsidy import helpers as sh

UPLIFT_DAY = dt.date(2027, 6, 1)   # the class of sh.assessed_class ends 2026-03-06
LIVING_DAY = dt.date(2026, 6, 1)
_keys = itertools.count(1)


def params(*, employment_months: int = 6, share: str = "0.5") -> t.ParameterSet:
    """Training from the catalog (three a year), a living allowance of 50 yuan a day for at
    most 3 days to the unemployed and graduates, an uplift of 20% of the class's training
    subsidies to the institution."""
    base = sh.rules_params("gz-class")
    kinds = {
        **base.kinds,
        t.LIVING_ALLOWANCE: t.KindRules(
            amount_basis=t.BASIS_PER_DAY, payees=frozenset({t.PERSON}),
            counts_toward_yearly_limit=False, key_groups=frozenset({"unemployed", "graduate"}),
            per_day=Decimal("50"), max_days=3, max_factor=Decimal("1")),
        t.EMPLOYMENT_UPLIFT: t.KindRules(
            amount_basis=t.BASIS_CLASS_SHARE, payees=frozenset({t.INSTITUTION}),
            counts_toward_yearly_limit=False, employed_share=Decimal(share),
            employment_months=employment_months, uplift_rate=Decimal("0.2"),
            max_factor=Decimal("1")),
    }
    return replace(base, kinds=kinds)


def attend(enrollment, sessions: int) -> None:
    """The trainee checked in at the start and out at the end of the first `sessions`
    sessions of the class (the records a terminal sends)."""
    cls = enrollment.training_class
    rows = []
    for s in ClassSession.objects.filter(training_class=cls).order_by("seq")[:sessions]:
        for kind, at in ((EventKind.CHECK_IN, s.starts_at), (EventKind.CHECK_OUT, s.ends_at)):
            rows.append(AttendanceEvent(
                institution_id=cls.institution_id, training_class=cls, session=s,
                enrollment=enrollment, kind=kind, method=AttendanceMethod.TERMINAL,
                occurred_at=at, received_at=at, idempotency_key=f"t-{next(_keys)}"))
    AttendanceEvent.objects.bulk_create(rows)


def key_group(person, group: str = "unemployed", since=dt.date(2026, 1, 1)) -> None:
    KeyGroupMembership.objects.create(person=person, group=group, start_date=since)


def measured(a: sh.Assessed, stable: list[bool | None], *,
             data_through=dt.date(2027, 3, 1)) -> OutcomeRun:
    """An outcomes run that measured the class's trainees: stable employment per enrollment
    (in order; None = not known yet). Like the job, a run replaces every measure."""
    OutcomeMeasure.objects.all().delete()
    run = OutcomeRun.objects.create(status="succeeded", data_through=data_through,
                                    finished_at=timezone.now(),
                                    requested_by=f.staff("province_staff", f.PROVINCE))
    OutcomeMeasure.objects.bulk_create([OutcomeMeasure(
        run=run, enrollment=e, person=e.person, training_class=a.cls,
        institution_id=a.cls.institution_id, region=a.cls.region, exit_date=a.cls.end_date,
        completed=True, stable_employment=value)
        for e, value in zip(a.enrollments, stable, strict=False)])
    return run
