"""Subsidy claims: who is paid how much for what, computed by the rules with the parameter
version recorded, reviewed, and moved through the state machine of subsidy.rules.lifecycle."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.history import StatusHistoryEntry
from jineng.core.scoping import Scope, ScopedQuerySet, any_of, region_q
from jineng.subsidy.choices import ClaimKind, ClaimStatus, FundSource, PayeeKind
from jineng.subsidy.models.funds import MONEY

# A claim for the same thing is filed once while it counts (a refused or withdrawn one may be
# filed again): one per kind and enrollment, one per kind and certificate.
LIVE = ~Q(status__in=[ClaimStatus.WITHDRAWN, ClaimStatus.REFUSED])


class ClaimQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        by_region = region_q("region", scope) if scope.sees_persons else None
        return any_of(
            by_region,
            Q(organization_id=scope.organization_id) if scope.organization_id else None,
        )


class SubsidyClaim(models.Model):
    """One claim for one subsidy. `region` is where it is reviewed (the class's or the
    person's county); `organization` the claimant (institution, enterprise), if any. Other
    apps' records (class, enrollment, certificate) are referred to by id, read through their
    selectors. `steps` is the computation, step by step, as the rules gave it."""

    kind = models.CharField(_("kind"), max_length=20, choices=ClaimKind.choices)
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey("registry.Organization", verbose_name=_("claimant"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    payee_kind = models.CharField(_("paid to"), max_length=12, choices=PayeeKind.choices)
    payee_name = models.CharField(_("payee name"), max_length=200)
    account_encrypted = models.TextField(_("account (encrypted)"), blank=True, editable=False)
    account_hash = models.CharField(_("account keyed hash"), max_length=64, blank=True,
                                    editable=False, db_index=True)
    account_masked = models.CharField(_("account"), max_length=40, blank=True, editable=False)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    training_class_id = models.BigIntegerField(_("class"), null=True, blank=True)
    enrollment_id = models.BigIntegerField(_("enrollment"), null=True, blank=True)
    certificate_id = models.BigIntegerField(_("certificate"), null=True, blank=True)
    certificate_date = models.DateField(_("certificate date"), null=True, blank=True)
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    level = models.ForeignKey("registry.SkillLevel", verbose_name=_("skill level"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    claim_date = models.DateField(_("claim date"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, null=True, blank=True)
    shares = models.JSONField(_("cost shares"), default=dict, blank=True)
    steps = models.JSONField(_("computation"), default=list, blank=True)
    parameter_version = models.CharField(_("parameter version"), max_length=60, blank=True)
    refusal_code = models.CharField(_("refusal code"), max_length=40, blank=True)
    refusal_reason = models.TextField(_("reason"), blank=True)
    fund_source = models.CharField(_("fund source"), max_length=24, choices=FundSource.choices)
    budget = models.ForeignKey("subsidy.Budget", verbose_name=_("budget charged"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="claims")
    needs_city_review = models.BooleanField(_("city review"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=ClaimStatus.choices,
                              default=ClaimStatus.DRAFT, db_index=True)
    status_changed_at = models.DateTimeField(_("status since"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("subsidy claim")
        verbose_name_plural = _("subsidy claims")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "status"]),
                   models.Index(fields=["person", "status"]),
                   models.Index(fields=["training_class_id"])]
        constraints = [
            models.UniqueConstraint(fields=["kind", "enrollment_id"],
                                    condition=LIVE & Q(enrollment_id__isnull=False),
                                    name="subsidy_claim_enrollment_once"),
            models.UniqueConstraint(fields=["kind", "certificate_id"],
                                    condition=LIVE & Q(certificate_id__isnull=False),
                                    name="subsidy_claim_certificate_once"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0),
                                   name="subsidy_claim_amount"),
            models.CheckConstraint(
                condition=Q(payee_kind=PayeeKind.PERSON, person__isnull=False)
                | (~Q(payee_kind=PayeeKind.PERSON) & Q(organization__isnull=False)),
                name="subsidy_claim_payee"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code

    @property
    def audit_organization_id(self) -> int | None:
        return self.organization_id


class ClaimStatusChangeQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        by_region = region_q("claim__region", scope) if scope.sees_persons else None
        return any_of(by_region, Q(claim__organization_id=scope.organization_id)
                      if scope.organization_id else None)


class ClaimStatusChange(StatusHistoryEntry):
    """One step of a claim through its states."""

    claim = models.ForeignKey(SubsidyClaim, on_delete=models.CASCADE,
                              related_name="status_history", verbose_name=_("claim"))

    objects = ClaimStatusChangeQuerySet.as_manager()

    class Meta(StatusHistoryEntry.Meta):
        verbose_name = _("claim status change")
        verbose_name_plural = _("claim status changes")
