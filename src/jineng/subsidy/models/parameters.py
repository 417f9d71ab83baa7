"""Dated, region-scoped parameter sets of the subsidy rules (uploaded as YAML, validated by
the rules' loader, published like a catalog version)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet, any_of, region_q
from jineng.subsidy.choices import ParameterStatus


class ParameterSetQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        # Published sets are public policy; drafts only for staff of the region (and of the
        # province above a city: the prefix of their own region).
        published = Q(status__in=[ParameterStatus.PUBLISHED, ParameterStatus.SUPERSEDED]) \
            | Q(region__isnull=True)
        if scope.region_prefix is not None:
            return any_of(published, region_q("region", scope),
                          Q(region__code__startswith=scope.region_prefix[:2],
                            region__level="province"))
        return published


class ParameterSet(models.Model):
    """One version of a region's subsidy parameters, valid from a day (to a day, or open)."""

    # Empty: the national default, which every region's set overrides value by value.
    region = models.ForeignKey("registry.Region", verbose_name=_("region"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.CharField(_("version"), max_length=60)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ParameterStatus.choices,
                              default=ParameterStatus.DRAFT, db_index=True)
    yaml_text = models.TextField(_("parameters (YAML)"))
    parsed = models.JSONField(_("parameters (parsed)"), default=dict)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("published by"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = ParameterSetQuerySet.as_manager()

    class Meta:
        verbose_name = _("subsidy parameter set")
        verbose_name_plural = _("subsidy parameter sets")
        ordering = ["region__code", "-valid_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "version"],
                                    name="subsidy_parameters_version_unique"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True)
                                   | Q(valid_to__gte=F("valid_from")),
                                   name="subsidy_parameters_period"),
        ]

    def __str__(self) -> str:
        return self.version

    @property
    def region_code(self) -> str:
        return self.region.code if self.region_id else ""

    @property
    def audit_region_code(self) -> str:
        return self.region_code
