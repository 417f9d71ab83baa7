"""One shape for every status history: organizations, classes, and later claims, payments,
alerts and inspections. An app's history model subclasses StatusHistoryEntry, adds the foreign
key to its subject (named after it, related_name="status_history") and its own choices, and
writes entries through `record_transition`, inside the transaction of the status change and
next to its `core.audit.record` call (the history is what users read; the audit trail is
what auditors read)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.core.errors import DomainError


class StatusHistoryEntry(models.Model):
    """One step of a record through its states: from, to, by whom, when, why."""

    action = models.CharField(gettext_lazy("action"), max_length=20, blank=True)
    from_status = models.CharField(gettext_lazy("from"), max_length=20, blank=True)
    to_status = models.CharField(gettext_lazy("to"), max_length=20)
    # The day the new status takes effect (may precede `at`: a revocation decided last week).
    effective_date = models.DateField(gettext_lazy("effective date"), null=True, blank=True)
    reason = models.TextField(gettext_lazy("reason"), blank=True)
    note = models.JSONField(gettext_lazy("details"), default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("by"),
                              null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_username = models.CharField(gettext_lazy("by"), max_length=150, blank=True)
    at = models.DateTimeField(gettext_lazy("time"), default=timezone.now, db_index=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


def transition_values(*, actor, from_status: str, to_status: str, action: str = "",
                      reason: str = "", effective_date: dt.date | None = None,
                      note: dict[str, Any] | None = None, reason_required: bool = False,
                      today: dt.date | None = None) -> dict[str, Any]:
    """The fields of one history entry, checked: a real change, a reason where the transition
    needs one, an effective date not in the future."""
    if from_status == to_status:
        raise DomainError(_("The status is already %(status)s.") % {"status": to_status},
                          field="status", code="no_change")
    if reason_required and not reason.strip():
        raise DomainError(_("Give a reason for the status change."), field="reason")
    today = today or timezone.localdate()
    if effective_date is not None and effective_date > today:
        raise DomainError(_("A status change cannot take effect in the future."),
                          field="effective_date")
    user = actor if getattr(actor, "is_authenticated", False) else None
    return {"action": action, "from_status": from_status, "to_status": to_status,
            "effective_date": effective_date, "reason": reason.strip(), "note": note or {},
            "actor": user, "actor_username": getattr(user, "username", "") or "system"}


def record_transition(model: type[StatusHistoryEntry], *, subject_field: str,
                      subject: models.Model, **values: Any) -> StatusHistoryEntry:
    """Create one entry of `model` (a StatusHistoryEntry subclass) for `subject`."""
    return model.objects.create(**{subject_field: subject}, **transition_values(**values))
