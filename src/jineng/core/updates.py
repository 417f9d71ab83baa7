"""One audited update: validate the changed fields, save only them, record one audit event
with their before and after values, in one transaction. Services of every app edit records
through it (staff correcting a person's phone, an organization's address, …)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import DomainError
from jineng.core.models import AuditAction


def audited_update(*, actor, instance: models.Model, changes: Mapping[str, Any], reason: str,
                   allowed_fields: Iterable[str],
                   check: Callable[[Any], None] | None = None) -> list[str]:
    """Apply `changes` to `instance` and return the names of the fields that changed (none:
    nothing is saved or audited). A field outside `allowed_fields` is refused, as is a value
    the model's validation refuses (DomainError naming the field); nothing is saved then.
    `check(locked)` runs on the row locked for the update, before any change (a rule such as
    "not merged into another record" is checked under the lock, not before it)."""
    allowed = set(allowed_fields)
    for name in changes:
        if name not in allowed:
            raise DomainError(_("The field %(field)s cannot be changed here.")
                              % {"field": name}, field=name, code="not_editable")
    with transaction.atomic():
        locked = type(instance)._base_manager.select_for_update().get(pk=instance.pk)
        if check is not None:
            check(locked)
        before = audit.snapshot(locked)
        fields = [locked._meta.get_field(name) for name in changes]
        for field in fields:
            value = changes[field.name]
            if field.is_relation and isinstance(value, models.Model):
                value = value.pk
            setattr(locked, field.attname, value)
        after = audit.snapshot(locked)
        changed = [f.name for f in fields if before.get(f.attname) != after.get(f.attname)]
        if not changed:
            return []
        exclude = [f.name for f in locked._meta.fields if f.name not in changed]
        try:
            locked.full_clean(exclude=exclude, validate_unique=True,
                              validate_constraints=True)
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise DomainError(" ".join(messages),
                              field="" if field == "__all__" else field) from exc
        locked.save(update_fields=changed)
        old, new = audit.changed(before, after)
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=locked,
                     before=old, after=new, reason=reason.strip())
    for name in changed:  # the caller's instance shows the saved values
        field = instance._meta.get_field(name)
        setattr(instance, field.attname, getattr(locked, field.attname))
    return changed
