"""A class returned for correction: the institution edits its declaration and resubmits it."""

from __future__ import annotations

from dataclasses import replace

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import DomainError
from jineng.core.history import record_transition
from jineng.core.models import AuditAction
from jineng.training import hooks, messages, selectors
from jineng.training.models import (
    ClassSession,
    ClassStatusChange,
    TrainingClass,
)
from jineng.training.rules import lifecycle
from jineng.training.services.classes.declaration import (
    LATE_REASON_MAX,
    ClassInput,
    SessionInput,
    _check_declaration,
    _check_site_capacity,
    _check_teachers_free,
    _lock_site_and_teachers,
    class_fields,
    declaration_fingerprint,
)
from jineng.training.services.common import (
    _ensure_operator,
    actor_kinds,
    ensure_may_revise,
)


def _current_input(cls: TrainingClass) -> ClassInput:
    """A class's declaration as it stands, in the shape it was declared in."""
    return ClassInput(
        name=cls.name, site=cls.site, occupation=cls.occupation, level=cls.level,
        training_type=cls.training_type, sector=cls.sector, planned_size=cls.planned_size,
        funding_source=cls.funding_source,
        sessions=tuple(SessionInput(s.starts_at, s.ends_at, s.hours, s.topic)
                       for s in cls.sessions.order_by("seq")),
        teachers=tuple(cls.teachers.order_by("pk")), target_group=cls.target_group,
        order_form=cls.order_form, employer=cls.employer, online_share=cls.online_share,
        checkin_radius_m=cls.checkin_radius_m, client_ref=cls.client_ref,
        late_reason=cls.late_reason)


def class_revise(*, actor, training_class: TrainingClass, data: ClassInput,
                 note: str = "") -> TrainingClass:
    """退回修改: the institution edits a declaration the HRSS office returned for correction
    and resubmits it. The revised declaration is checked again by every rule of a new one
    (the class's own sessions aside) and waits for review again; the history keeps each
    round (a `resubmit` step, with the institution's `note`)."""
    visible = selectors.class_get(actor=actor, pk=training_class.pk)
    org = _ensure_operator(actor)
    ensure_may_revise(actor, visible)
    if len(note) > LATE_REASON_MAX:
        raise DomainError(_("The note has at most %(n)s characters.") % {"n": LATE_REASON_MAX},
                          field="note")
    data = replace(data, client_ref=visible.client_ref)
    checked = _check_declaration(org, data)
    sessions = checked.sessions
    with transaction.atomic():
        cls = (TrainingClass.objects.select_for_update(of=("self",))
               .select_related("region", "institution").get(pk=visible.pk))
        ensure_may_revise(actor, cls)  # again under the lock: it may have been cancelled
        try:
            target = lifecycle.plan_transition("resubmit", cls.status, actor_kinds(actor, cls),
                                               note)
        except lifecycle.TransitionRefused as refused:
            raise messages.transition_error(refused, cls) from None
        site = _lock_site_and_teachers(data)
        _check_site_capacity(site, data.planned_size, sessions, cls.pk)
        _check_teachers_free(data.teachers, sessions, cls.pk)
        before = {**audit.snapshot(cls), "sessions": cls.sessions.count(),
                  "teachers": sorted(cls.teachers.values_list("pk", flat=True))}
        values = {
            **class_fields(data, site, checked), "status": target,
            "status_changed_at": timezone.now(),
            "client_fingerprint": declaration_fingerprint(data) if cls.client_ref else "",
        }
        for name, value in values.items():
            setattr(cls, name, value)
        cls.save()
        # A returned class never opened: it has no attendance, its sessions are replaced.
        cls.sessions.all().delete()
        ClassSession.objects.bulk_create([
            ClassSession(training_class=cls, seq=s.seq, date=s.date, starts_at=s.starts_at,
                         ends_at=s.ends_at, hours=s.hours, topic=s.topic) for s in sessions])
        cls.teachers.set(data.teachers)
        record_transition(ClassStatusChange, subject_field="training_class", subject=cls,
                          actor=actor, action="resubmit", from_status=lifecycle.RETURNED,
                          to_status=target, reason=note)
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=cls, before=before,
                     after={**audit.snapshot(cls), "sessions": len(sessions),
                            "teachers": sorted(t.pk for t in data.teachers)},
                     reason=note.strip())
        hooks.class_changed.call(actor=actor, training_class=cls, action="resubmit")
    return cls
