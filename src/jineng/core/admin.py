"""Admin for the kernel: the audit trail (read-only) and the mixins every jineng admin uses.

- `ScopedAdminMixin`: a non-superuser sees only what `visible_to(user)` lets them see.
- `AuditedAdminMixin`: every add, change and delete made in the admin writes an AuditEvent in
  the same transaction (the admin wraps each save in one), like a service would.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from jineng.core import audit
from jineng.core.models import AuditAction, AuditEvent


class ScopedAdminMixin:
    """Restrict the admin's queryset to the records the user may read."""

    def get_queryset(self, request: HttpRequest):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        visible_to = getattr(qs, "visible_to", None)
        return visible_to(request.user) if visible_to else qs.none()


class AuditedAdminMixin(ScopedAdminMixin):
    """Write an AuditEvent for every admin save and delete."""

    def _ip(self, request: HttpRequest) -> str | None:
        return request.META.get("REMOTE_ADDR") or None

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        before = {}
        if change and obj.pk is not None:
            old = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = audit.snapshot(old) if old is not None else {}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            after = audit.snapshot(obj)
            if change:
                before, after = audit.changed(before, after)
                if not after:
                    return
            audit.record(actor=request.user,
                         action=AuditAction.UPDATE if change else AuditAction.CREATE,
                         instance=obj, before=before or None, after=after,
                         reason="admin", ip_address=self._ip(request))

    def delete_model(self, request: HttpRequest, obj) -> None:
        with transaction.atomic():
            audit.record(actor=request.user, action=AuditAction.DELETE, instance=obj,
                         before=audit.snapshot(obj), reason="admin",
                         ip_address=self._ip(request))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit.record(actor=request.user, action=AuditAction.DELETE, instance=obj,
                             before=audit.snapshot(obj), reason="admin",
                             ip_address=self._ip(request))
            super().delete_queryset(request, queryset)


class ReadOnlyAdminMixin:
    """Browse only: no add, change or delete in the admin (changes go through services)."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("occurred_at", "actor_username", "action", "entity_type", "entity_id",
                    "entity_label", "region_code", "reason")
    list_filter = ("action", "entity_type")
    search_fields = ("actor_username", "entity_label", "entity_id", "reason")
    date_hierarchy = "occurred_at"
    list_select_related = False
    show_full_result_count = False
