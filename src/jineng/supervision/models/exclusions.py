"""Exclusion lists a region imports (by file or API): people who may not be subsidized
trainees — pension drawers, full-time students, public-payroll staff. One entry per list kind,
region and person (keyed hash of the ID number; the number itself stored encrypted and shown
masked, as core.pii does). Rule R16A matches trainees against the entries in force during
their class."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet, region_q


class ExclusionListKind(models.TextChoices):
    PENSION = "pension", _("Pension drawers")
    STUDENT = "student", _("Full-time students")
    PUBLIC_PAYROLL = "public_payroll", _("Public-payroll staff")


class ExclusionQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        # HRSS staff and inspectors of the region subtree; institutions and the public none.
        if scope.region_prefix is None or not scope.sees_persons:
            return None
        return region_q("region", scope)


class ExclusionListEntry(models.Model):
    """One person on one region's list of one kind, in force from `valid_from` (to
    `valid_to`, inclusive, when given). `content_hash` covers name and dates: the same key
    imported again with the same content is unchanged, with another content a conflict."""

    list_kind = models.CharField(_("list"), max_length=16, choices=ExclusionListKind.choices)
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    id_hash = models.CharField(_("ID number keyed hash"), max_length=64, db_index=True,
                               editable=False)
    id_encrypted = models.TextField(_("ID number (encrypted)"), editable=False)
    id_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    name = models.CharField(_("name"), max_length=50, blank=True)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64)
    source = models.CharField(_("source"), max_length=200, blank=True,
                              help_text=_("The file name, or “api”."))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("imported by"))
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    objects = ExclusionQuerySet.as_manager()

    class Meta:
        verbose_name = _("exclusion list entry")
        verbose_name_plural = _("exclusion list entries")
        ordering = ["list_kind", "region", "id"]
        constraints = [
            models.UniqueConstraint(fields=["list_kind", "region", "id_hash"],
                                    name="supervision_exclusion_once"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True)
                                   | Q(valid_to__gte=models.F("valid_from")),
                                   name="supervision_exclusion_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.get_list_kind_display()} {self.id_masked}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code
