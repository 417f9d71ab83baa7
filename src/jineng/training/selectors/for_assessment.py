"""Unscoped reads for the assessment app: a class locked while it moves the class, completed
trainees, teachers' ID hashes and classes attended (考培分离), an enrollment or class by id.
The caller decided who may ask."""

from __future__ import annotations

from django.db.models import QuerySet

from jineng.training.models import (
    Enrollment,
    TrainingClass,
)


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
