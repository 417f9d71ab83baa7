"""Payment batches: approved claims exported to the bank as one transfer file, and the bank's
results imported back. A claim is in at most one batch that is not failed (a database
constraint): it can be paid once, whatever clicks twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet, region_q
from jineng.subsidy.choices import BatchStatus, FundSource, ItemResult
from jineng.subsidy.models.funds import MONEY


class BatchQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return region_q("region", scope) if scope.sees_persons else None


class PaymentBatch(models.Model):
    """Approved claims of one region and fund source paid together. The transfer file is
    written once, when the batch is first exported, and kept: exporting again hands out the
    same bytes."""

    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    fund_source = models.CharField(_("fund source"), max_length=24, choices=FundSource.choices)
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices,
                              default=BatchStatus.OPEN, db_index=True)
    total = models.DecimalField(_("total (yuan)"), **MONEY, default=0)
    count = models.PositiveIntegerField(_("claims"), default=0)
    file_csv = models.BinaryField(_("transfer file"), null=True, blank=True, editable=False)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    exported_at = models.DateTimeField(_("exported"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.reference

    @property
    def audit_region_code(self) -> str:
        return self.region.code


class PaymentItem(models.Model):
    """One claim in one batch: the payee as exported (account encrypted, masked on screen),
    the transfer reference the bank answers with, and the bank's result."""

    batch = models.ForeignKey(PaymentBatch, verbose_name=_("batch"), on_delete=models.PROTECT,
                              related_name="items")
    claim = models.ForeignKey("subsidy.SubsidyClaim", verbose_name=_("claim"),
                              on_delete=models.PROTECT, related_name="payment_items")
    reference = models.CharField(_("transfer reference"), max_length=40, unique=True)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    payee_name = models.CharField(_("payee name"), max_length=200)
    account_encrypted = models.TextField(_("account (encrypted)"), editable=False)
    account_masked = models.CharField(_("account"), max_length=40)
    bank_name = models.CharField(_("bank"), max_length=100)
    result = models.CharField(_("result"), max_length=8, choices=ItemResult.choices,
                              default=ItemResult.PENDING)
    failure_reason = models.CharField(_("failure reason"), max_length=500, blank=True)
    result_at = models.DateTimeField(_("result recorded"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment item")
        verbose_name_plural = _("payment items")
        ordering = ["batch", "id"]
        constraints = [
            # Exactly once: a claim is pending or paid in one batch at most.
            models.UniqueConstraint(fields=["claim"], condition=~Q(result=ItemResult.FAILED),
                                    name="subsidy_payment_claim_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="subsidy_payment_positive"),
        ]

    def __str__(self) -> str:
        return self.reference
