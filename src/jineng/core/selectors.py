"""Reads of the audit trail, scoped like everything else."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from jineng.core.models import AuditEvent


def audit_event_list(*, actor, action: str | None = None, entity_type: str | None = None,
                     entity_id: str | None = None, actor_username: str | None = None,
                     since: dt.date | None = None, until: dt.date | None = None,
                     ) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.visible_to(actor)
    if action:
        qs = qs.filter(action=action)
    if entity_type:
        qs = qs.filter(entity_type=entity_type)
    if entity_id:
        qs = qs.filter(entity_id=entity_id)
    if actor_username:
        qs = qs.filter(actor_username=actor_username)
    if since:
        qs = qs.filter(occurred_at__date__gte=since)
    if until:
        qs = qs.filter(occurred_at__date__lte=until)
    return qs
