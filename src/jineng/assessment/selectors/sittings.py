"""Reads of sittings, their candidates, examiners and history, each from
`Model.objects.visible_to(actor)`: an evaluator sees its own sittings, HRSS staff their region's,
a training institution the sittings of its classes. Out of scope answers NotFound."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from jineng.assessment.models import (
    AssessmentSitting,
    Candidate,
    SittingExaminer,
    SittingStatusChange,
)
from jineng.assessment.rules import sitting_lifecycle as lc
from jineng.core.errors import NotFound

__all__ = [
    "SittingFilters",
    "candidate_get",
    "candidate_list",
    "examiner_get",
    "examiner_list",
    "sitting_get",
    "sitting_history",
    "sitting_list",
    "sittings_awaiting_review",
]


@dataclass(frozen=True)
class SittingFilters:
    status: str = ""
    region_code: str = ""  # a subtree prefix
    evaluator_id: int | None = None
    occupation_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""  # place, occupation, item or evaluator name


def _base(actor) -> QuerySet[AssessmentSitting]:
    return (AssessmentSitting.objects.visible_to(actor)
            .select_related("evaluator", "occupation", "level", "region", "training_class"))


def sitting_list(*, actor, filters: SittingFilters | None = None,
                 ) -> QuerySet[AssessmentSitting]:
    """Sittings in the actor's scope, newest sitting date first, with candidate counts."""
    f = filters or SittingFilters()
    qs = _base(actor)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.region_code:
        qs = qs.filter(region__code__startswith=f.region_code)
    if f.evaluator_id is not None:
        qs = qs.filter(evaluator_id=f.evaluator_id)
    if f.occupation_id is not None:
        qs = qs.filter(occupation_id=f.occupation_id)
    if f.date_from is not None:
        qs = qs.filter(sitting_date__gte=f.date_from)
    if f.date_to is not None:
        qs = qs.filter(sitting_date__lte=f.date_to)
    if f.q.strip():
        term = f.q.strip()
        qs = qs.filter(Q(place__icontains=term) | Q(occupation__name__icontains=term)
                       | Q(special_ability_item__icontains=term)
                       | Q(evaluator__name__icontains=term))
    return (qs.annotate(candidate_count=Count("candidates", distinct=True))
            .order_by("-sitting_date", "-id"))


def sitting_get(*, actor, pk: int) -> AssessmentSitting:
    found = _base(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def sittings_awaiting_review(*, actor) -> QuerySet[AssessmentSitting]:
    """Declared sittings waiting for the HRSS office (its region's), oldest sitting first;
    empty for anyone but HRSS staff."""
    if not (getattr(actor, "is_hrss_staff", False)):
        return AssessmentSitting.objects.none()
    return (_base(actor).filter(status__in=lc.REVIEW_STATES)
            .annotate(candidate_count=Count("candidates", distinct=True))
            .order_by("sitting_date", "id"))


def candidate_list(*, actor, sitting: AssessmentSitting) -> QuerySet[Candidate]:
    return (Candidate.objects.visible_to(actor).filter(sitting_id=sitting.pk)
            .select_related("person", "enrollment__training_class").order_by("id"))


def candidate_get(*, actor, pk: int) -> Candidate:
    found = (Candidate.objects.visible_to(actor)
             .select_related("sitting__region", "sitting__evaluator", "person")
             .filter(pk=pk).first())
    if found is None:
        raise NotFound()
    return found


def examiner_list(*, actor, sitting: AssessmentSitting) -> QuerySet[SittingExaminer]:
    return (SittingExaminer.objects.visible_to(actor).filter(sitting_id=sitting.pk)
            .select_related("person").order_by("-is_chief", "id"))


def examiner_get(*, actor, pk: int) -> SittingExaminer:
    found = (SittingExaminer.objects.visible_to(actor)
             .select_related("sitting__region", "sitting__evaluator", "person")
             .filter(pk=pk).first())
    if found is None:
        raise NotFound()
    return found


def sitting_history(*, actor, sitting: AssessmentSitting) -> QuerySet[SittingStatusChange]:
    return SittingStatusChange.objects.visible_to(actor).filter(sitting_id=sitting.pk)
