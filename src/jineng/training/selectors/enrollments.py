"""Reads of enrollments: a class's trainees, a person's classes (the skill record)."""

from __future__ import annotations

from django.db.models import QuerySet

from jineng.core.errors import NotFound
from jineng.registry.models import Person
from jineng.training.models import (
    Enrollment,
    TrainingClass,
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
