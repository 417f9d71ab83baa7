"""The audit trail: an append-only record of every change and every unmasking."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    UNMASK = "unmask", _("Unmask ID number")
    TRANSITION = "transition", _("State change")
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    OTP = "otp", _("Second factor change")
    THROTTLED = "throttled", _("Rate limit reached")


class AuditEventQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        # Staff see events of their region subtree; organizations their own; public nothing.
        if scope.region_prefix is not None and scope.sees_persons:
            return Q(region_code__startswith=scope.region_prefix)
        if scope.organization_id is not None:
            return Q(organization_id=scope.organization_id)
        return None

    def update(self, **kwargs):
        raise TypeError("Audit events are append-only.")

    def delete(self):
        raise TypeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One change or one unmasking: who, when, what, before and after. Never edited or deleted
    (the model refuses, and a database trigger refuses UPDATE on both SQLite and PostgreSQL)."""

    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", db_constraint=False,
    )
    actor_username = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    entity_type = models.CharField(_("record type"), max_length=80, db_index=True)
    entity_id = models.CharField(_("record id"), max_length=64, blank=True, db_index=True)
    entity_label = models.CharField(_("record"), max_length=255, blank=True)
    region_code = models.CharField(_("region code"), max_length=12, blank=True, db_index=True)
    organization_id = models.BigIntegerField(_("organization"), null=True, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["entity_type", "entity_id"])]

    def __str__(self) -> str:
        when = f"{self.occurred_at:%Y-%m-%d %H:%M}"
        return f"{when} {self.actor_username} {self.action} {self.entity_label}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")


class RateCounter(models.Model):
    """Hits of one client key in one fixed window (core.ratelimit). Not personal data: the key is
    a keyed hash of the address or phone number."""

    scope = models.CharField(max_length=60)
    key_hash = models.CharField(max_length=64)
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key_hash", "window_start"],
                                               name="core_ratecounter_unique_window")]

    def __str__(self) -> str:
        return f"{self.scope} {self.window_start:%Y-%m-%d %H:%M} {self.count}"
