"""What enrollment checks read: schedule clashes, the subsidy app's frequency warnings (through
a hook), the age parameter in force for a region and day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q, QuerySet
from django.utils import timezone

from jineng.registry.models import Person, Region
from jineng.training.choices import EnrollmentStatus
from jineng.training.models import (
    ClassSession,
    EligibilityParameter,
    TrainingClass,
)
from jineng.training.rules import eligibility as elig_rules
from jineng.training.rules import lifecycle
from jineng.training.rules.retirement import DECISION_2024, FIXED_1978


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
