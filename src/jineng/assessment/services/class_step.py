"""A finished class moves to "assessed" by this app, not by hand (issue 10): once every
assessment sitting of the class is settled (closed or cancelled) and at least one of them was
closed (its certificates issued). A sitting cancelled — before or after its results — is no
assessment of the class: a class whose sittings were all cancelled stays "finished".

Called in the caller's transaction, after the step that may have settled the class's last
sitting (issuing, cancelling), with the class already locked by the caller when it locked it
first (lock order: the class, then the sitting)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jineng.assessment.choices import SittingStatus
from jineng.assessment.models import AssessmentSitting
from jineng.training import selectors as training_selectors
from jineng.training import services as training_services
from jineng.training.choices import ClassStatus

__all__: list[str] = []

# Sittings whose other assessments must be closed (or cancelled) before a class is assessed.
SETTLED_SITTING_STATES = (SittingStatus.CLOSED, SittingStatus.CANCELLED)


def assess_class_if_done(actor, training_class_id: int | None) -> bool:
    """Mark the class assessed when its assessments are done; True when this call did."""
    if training_class_id is None:
        return False
    sittings = AssessmentSitting.objects.filter(training_class_id=training_class_id)
    if sittings.exclude(status__in=SETTLED_SITTING_STATES).exists():
        return False
    closed = list(sittings.filter(status=SittingStatus.CLOSED).order_by("pk")
                  .values_list("pk", flat=True))
    if not closed:
        return False
    cls = training_selectors.class_lock(training_class_id)
    if cls.status != ClassStatus.FINISHED:
        return False
    training_services.class_mark_assessed(
        actor=actor, training_class=cls,
        reason=_("Every assessment of the class is closed (sittings %(ids)s).")
        % {"ids": ", ".join(str(pk) for pk in closed)})
    return True
