"""Reads of the public site (portal): classes the public sees and their enrolled counts."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from jineng.training.choices import EnrollmentStatus
from jineng.training.models import (
    Enrollment,
    TrainingClass,
)

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
