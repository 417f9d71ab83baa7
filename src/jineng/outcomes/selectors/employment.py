"""Reads of the social-insurance records for other apps: who contributed with which employer,
from when (the demand app confirms reported hires with it); and how many of a class's trainees
the outcomes job measured stably employed (the subsidy app's employment uplift)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from jineng.outcomes.models import InsuranceRecord


@dataclass(frozen=True)
class Contribution:
    month: dt.date  # first day of the first month found
    source_import_id: int


def first_contributions(
    pairs: Iterable[tuple[int, str, dt.date]],
) -> dict[tuple[int, str], Contribution]:
    """For each (person id, employer credit code, from day): the first month, not before the
    month of `from_day`, in which the person's records show a contribution with that employer.
    Pairs without one are absent from the answer. A system read (the callers decide who asks)."""
    wanted: dict[tuple[int, str], dt.date] = {}
    for person_id, code, from_day in pairs:
        start = from_day.replace(day=1)
        key = (person_id, code)
        wanted[key] = min(start, wanted.get(key, start))
    if not wanted:
        return {}
    found: dict[tuple[int, str], Contribution] = {}
    persons = sorted({p for p, _ in wanted})
    codes = sorted({c for _, c in wanted})
    for i in range(0, len(persons), 500):
        rows = (InsuranceRecord.objects
                .filter(person_id__in=persons[i:i + 500], employer_code__in=codes,
                        month__gte=min(wanted.values()))
                .order_by("month").values_list("person_id", "employer_code", "month",
                                               "source_import_id"))
        for person_id, code, month, import_id in rows:
            key = (person_id, code)
            if key in wanted and key not in found and month >= wanted[key]:
                found[key] = Contribution(month, import_id)
    return found


# --- a class's stable employment (the subsidy app's employment uplift) ---------------------------

# docs/outcomes.md: `stable_employment` is TRUE when the trainee has a run of at least six
# consecutive months with a contribution record that starts within e+1..e+6 (e = the month of
# the class end): stably employed within six months of the class end, the uplift's window.
STABLE_WINDOW_MONTHS = 6


@dataclass(frozen=True)
class ClassEmployment:
    """What the latest outcomes run measured of a class's trainees (those named by the caller):
    how many have a measure, how many of them are known stably employed, how many are not known
    yet (the window not yet within the run's data), the window's months, and the run it comes
    from (the evidence a claim records)."""

    class_id: int
    asked: int              # trainees asked about
    measured: int           # of them, with a measure of the run
    stably_employed: int    # stable_employment TRUE
    not_known: int          # stable_employment NULL (window beyond the run's data)
    window_months: int
    run_id: int
    run_finished_at: dt.datetime | None
    data_through: dt.date | None

    @property
    def complete(self) -> bool:
        """Every trainee asked about is measured and known (TRUE or FALSE)."""
        return self.measured == self.asked and self.not_known == 0

    def evidence(self) -> dict:
        return {"outcomes_run": self.run_id,
                "run_finished_at": (self.run_finished_at.isoformat()
                                    if self.run_finished_at else ""),
                "data_through": self.data_through.isoformat() if self.data_through else "",
                "trainees": self.asked, "measured": self.measured,
                "stably_employed": self.stably_employed, "not_known": self.not_known,
                "window_months": self.window_months}


def class_stable_employment(class_id: int, enrollment_ids: Iterable[int]) -> ClassEmployment | None:
    """Stable employment of the given enrollments of a class, from the measures of the latest
    outcomes run (the job replaces every measure per run). None when the class has no measure
    at all (the job has not measured it yet). A system read (the caller decided who asks);
    counts leave, no names."""
    from django.db.models import Count, Q

    from jineng.outcomes.models import OutcomeMeasure

    wanted = set(enrollment_ids)
    rows = (OutcomeMeasure.objects.filter(training_class_id=class_id)
            .order_by().values("run_id", "run__finished_at", "run__data_through")
            .annotate(measured=Count("id", filter=Q(enrollment_id__in=wanted)),
                      stable=Count("id", filter=Q(enrollment_id__in=wanted,
                                                  stable_employment=True)),
                      unknown=Count("id", filter=Q(enrollment_id__in=wanted,
                                                   stable_employment__isnull=True))))
    row = max(rows, key=lambda r: r["run_id"], default=None)
    if row is None:
        return None
    return ClassEmployment(class_id=class_id, asked=len(wanted), measured=row["measured"],
                           stably_employed=row["stable"], not_known=row["unknown"],
                           window_months=STABLE_WINDOW_MONTHS, run_id=row["run_id"],
                           run_finished_at=row["run__finished_at"],
                           data_through=row["run__data_through"])
