"""Reads of classes, their sessions, history and teachers, what a declaration may name, and
the HRSS office's review queue; scoped to the actor (out of scope answers NotFound)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from jineng.core.errors import NotFound
from jineng.registry import selectors as registry_selectors
from jineng.registry.selectors import subtree_prefix
from jineng.training.choices import ClassStatus, EnrollmentStatus
from jineng.training.models import (
    ClassSession,
    ClassStatusChange,
    Teacher,
    TrainingClass,
)

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


def teacher_get(*, actor, pk: int) -> Teacher:
    row = Teacher.objects.visible_to(actor).select_related("organization").filter(pk=pk).first()
    if row is None:
        raise NotFound()
    return row


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
