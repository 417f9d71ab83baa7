"""Subsidies paid by a previous system (history imported when a province moves to jineng), so
that the shared limits count what was paid before. One row per claim of the previous system,
keyed by its claim number within the province; the person is known by the keyed hash of the
ID number only (the person may never have been registered in jineng)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet, region_q
from jineng.subsidy.choices import ClaimKind, ClaimStatus, PayeeKind
from jineng.subsidy.models.funds import MONEY


class HistoryQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        # HRSS staff of the region subtree; organizations and the public see none.
        return region_q("region", scope) if scope.sees_persons else None


class HistoricSubsidy(models.Model):
    """One claim (and its payment) of the previous system. `content_hash` is the hash of
    the row's content: the same claim number with the same content is imported once, with
    another content it is a conflict."""

    province_code = models.CharField(_("province"), max_length=6)
    claim_number = models.CharField(_("previous claim number"), max_length=60)
    id_hash = models.CharField(_("ID number keyed hash"), max_length=64, db_index=True)
    id_masked = models.CharField(_("ID number"), max_length=24)
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=ClaimKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=ClaimStatus.choices)
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    payee_kind = models.CharField(_("paid to"), max_length=12, choices=PayeeKind.choices)
    payee_name = models.CharField(_("payee name"), max_length=200, blank=True)
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    occupation_code = models.CharField(_("occupation code"), max_length=20, blank=True)
    level = models.ForeignKey("registry.SkillLevel", verbose_name=_("skill level"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    certificate_date = models.DateField(_("certificate date"), null=True, blank=True)
    claim_date = models.DateField(_("claim date"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    paid_amount = models.DecimalField(_("paid (yuan)"), **MONEY, null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64)
    source = models.CharField(_("source"), max_length=200, blank=True,
                              help_text=_("The file name, or “api”."))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("imported by"))
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("subsidy paid before jineng")
        verbose_name_plural = _("subsidies paid before jineng")
        ordering = ["-claim_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["province_code", "claim_number"],
                                    name="subsidy_history_claim_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="subsidy_history_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.claim_number}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code
