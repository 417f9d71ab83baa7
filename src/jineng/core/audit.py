"""Writing audit events. Called by services inside the same transaction as the change."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile

from jineng.core import pii
from jineng.core.models import AuditAction, AuditEvent

# Field names never copied into an audit snapshot (they hold ciphertext or secrets).
NEVER_AUDITED = {"id_encrypted", "password", "id_hash", "key"}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):  # a file field: the stored name, not the file
        return value.name or ""
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The concrete field values of a record, JSON-ready, without secrets."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in NEVER_AUDITED:
            continue
        data[field.attname] = _plain(getattr(instance, field.attname))
    return data


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the fields that differ, for compact update events."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record(
    *,
    actor,
    action: str,
    instance: models.Model | None = None,
    entity_type: str = "",
    entity_id: str = "",
    label: str = "",
    region_code: str = "",
    organization_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one audit event. Region and organization come from the instance where it has them
    (`audit_region_code` / `audit_organization_id`), so scoped staff can browse the trail."""
    if instance is not None:
        entity_type = entity_type or instance._meta.label_lower
        entity_id = entity_id or str(instance.pk)
        label = label or str(instance)[:255]
        region_code = region_code or getattr(instance, "audit_region_code", "") or ""
        if organization_id is None:
            organization_id = getattr(instance, "audit_organization_id", None)
    user = actor if getattr(actor, "is_authenticated", False) else None
    # No whole ID number in the trail, whatever a caller passes (free text is masked whole;
    # structured values only where the check digit shows a real ID number).
    label, reason = pii.mask_in_text(label), pii.mask_in_text(reason)
    before, after = pii.mask_in_data(before), pii.mask_in_data(after)
    return AuditEvent.objects.create(
        actor=user,
        actor_username=getattr(user, "username", "") or "system",
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        entity_label=label[:255],
        region_code=region_code,
        organization_id=organization_id,
        before=before,
        after=after,
        reason=reason,
        ip_address=ip_address,
    )


def record_bulk_import(*, actor, entity_type: str, count: int, source: str,
                       region_code: str = "", organization_id: int | None = None) -> AuditEvent:
    """One event for a bulk import (the rows themselves are listed by the import report)."""
    return record(
        actor=actor, action=AuditAction.IMPORT, entity_type=entity_type,
        label=f"{count} × {entity_type}", after={"count": count, "source": source},
        region_code=region_code, organization_id=organization_id,
    )
