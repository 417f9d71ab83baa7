"""Moving a class through its states (approve, reject, return, open, finish, settle, cancel,
…), and marking it assessed; a finished class's completion is frozen."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from jineng.core import audit
from jineng.core.history import record_transition
from jineng.core.models import AuditAction
from jineng.training import hooks, messages, plan_facts, selectors
from jineng.training.choices import (
    ClassStatus,
)
from jineng.training.models import (
    ClassStatusChange,
    Enrollment,
    TrainingClass,
    counts_as_completed,
)
from jineng.training.rules import lifecycle
from jineng.training.services.classes.revision import _current_input, class_revise
from jineng.training.services.common import (
    _ensure_institution_listed,
    actor_kinds,
)


def class_transition(*, actor, training_class: TrainingClass, action: str,
                     reason: str = "") -> TrainingClass:
    """Take `action` (approve, reject, return, resubmit, open, finish, settle, cancel,
    suspend, resume; "assess" is the assessment app's, through `class_mark_assessed`).
    Finishing freezes every trainee's hours and completion and adds the completed trainees
    (and an order class) to the plans' progress (`plan_facts`).
    Resubmitting a returned declaration unchanged is `class_revise` with its own content: it
    is checked again as a new one."""
    visible = selectors.class_get(actor=actor, pk=training_class.pk)
    if action == "resubmit":
        return class_revise(actor=actor, training_class=visible,
                            data=_current_input(visible), note=reason)
    with transaction.atomic():
        cls = (TrainingClass.objects.select_for_update(of=("self",))
               .select_related("region", "institution").get(pk=visible.pk))
        kinds = actor_kinds(actor, cls)
        try:
            target = lifecycle.plan_transition(action, cls.status, kinds, reason,
                                               cls.status_before_suspension)
        except lifecycle.TransitionRefused as refused:
            raise messages.transition_error(refused, cls) from None
        if action == "open":
            _ensure_institution_listed(cls.institution)
        before = cls.status
        if action == "suspend":
            cls.status_before_suspension = before
        elif action == "resume":
            cls.status_before_suspension = ""
        cls.status = target
        cls.status_changed_at = timezone.now()
        cls.save(update_fields=["status", "status_before_suspension", "status_changed_at"])
        if action == "finish":
            _freeze_completion(cls)
            plan_facts.record_finished_class(cls)
        record_transition(ClassStatusChange, subject_field="training_class", subject=cls,
                          actor=actor, action=action, from_status=before, to_status=target,
                          reason=reason)
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=cls,
                     before={"status": before}, after={"status": target, "action": action},
                     reason=reason.strip())
        hooks.class_changed.call(actor=actor, training_class=cls, action=action)
        if action == "finish":
            hooks.class_finished.call(actor=actor, training_class=cls)
            cls.refresh_from_db(fields=["status", "status_changed_at"])
    return cls


def class_mark_assessed(*, actor, training_class: TrainingClass,
                        reason: str = "") -> TrainingClass:
    """评价完成: the assessment app moves a finished class to "assessed" once every assessment
    of its trainees is closed (their certificates issued); nobody takes this step by hand.
    The caller (assessment, a higher app) has checked its sittings and scope; `actor` is the
    user whose closing of the last assessment completed the class, named in the history and
    the audit as the one who took the step. Refused (nothing written) unless the class is
    finished; a class already assessed is returned as it is."""
    with transaction.atomic():
        cls = (TrainingClass.objects.select_for_update(of=("self",))
               .select_related("region", "institution").get(pk=training_class.pk))
        if cls.status == ClassStatus.ASSESSED:
            return cls
        try:
            if cls.status != ClassStatus.FINISHED:  # a suspended class too: not HRSS's step
                raise lifecycle.TransitionRefused("not_allowed_from", "assess", cls.status)
            target = lifecycle.plan_transition("assess", cls.status,
                                               frozenset({lifecycle.ASSESSMENT}), reason)
        except lifecycle.TransitionRefused as refused:
            raise messages.transition_error(refused, cls) from None
        before = cls.status
        cls.status = target
        cls.status_changed_at = timezone.now()
        cls.save(update_fields=["status", "status_changed_at"])
        record_transition(ClassStatusChange, subject_field="training_class", subject=cls,
                          actor=actor, action="assess", from_status=before, to_status=target,
                          reason=reason)
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=cls,
                     before={"status": before}, after={"status": target, "action": "assess"},
                     reason=reason.strip())
    return cls


def _freeze_completion(cls: TrainingClass) -> None:
    rows = selectors.completion_rows(cls)
    enrollments = []
    for row in rows:
        e = row.enrollment
        e.attended_hours = row.completion.attended_hours
        e.completed = counts_as_completed(status=e.status, completed=row.completion.completed)
        e.completion_rule = row.completion.rule
        enrollments.append(e)
    Enrollment.objects.bulk_update(enrollments,
                                   ["attended_hours", "completed", "completion_rule"],
                                   batch_size=500)
