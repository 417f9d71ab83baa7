"""Funds and budgets: a budget per fund source × region × year, and its ledger.

A budget's balances are never stored: they are sums over its entries (`BudgetQuerySet.
with_balances`), so two writers never race on a running total. A commitment is written under
a lock on the budget row (services.funds.budget_commit), which is what keeps the sum of
commitments within the amount."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Case, DecimalField, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet, region_q
from jineng.subsidy.choices import EntryKind, FundSource

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Value(Decimal("0.00"), output_field=DecimalField(**MONEY))


def _sum_of(kind: str, path: str = "entries") -> Coalesce:
    return Coalesce(Sum(Case(When(**{f"{path}__kind": kind}, then=f"{path}__amount"),
                             default=ZERO, output_field=DecimalField(**MONEY))), ZERO)


class BudgetQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        # HRSS staff of the region subtree, and of the province above it (the province sees
        # its cities' budgets through the prefix), see budgets; organizations do not.
        return region_q("region", scope)

    def with_balances(self) -> BudgetQuerySet:
        """Each budget with committed (outstanding commitments), spent, recovered and
        available, summed in the database in one query."""
        return self.annotate(
            total_commit=_sum_of(EntryKind.COMMIT), total_spend=_sum_of(EntryKind.SPEND),
            total_release=_sum_of(EntryKind.RELEASE),
            total_recover=_sum_of(EntryKind.RECOVER),
        )


class Budget(models.Model):
    """The money one fund source puts at a region's disposal for one calendar year."""

    source = models.CharField(_("fund source"), max_length=24, choices=FundSource.choices)
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-year", "region__code", "source"]
        constraints = [
            models.UniqueConstraint(fields=["source", "region", "year"],
                                    name="subsidy_budget_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="subsidy_budget_amount"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100),
                                   name="subsidy_budget_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.region.name} {self.get_source_display()}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code


class BudgetEntry(models.Model):
    """One movement of a budget: a commitment on approval, a spending on payment, a release on
    refusal or failure, a recovery. Append-only; the amount is positive, the kind says which
    balance it moves."""

    budget = models.ForeignKey(Budget, verbose_name=_("budget"), on_delete=models.PROTECT,
                               related_name="entries")
    kind = models.CharField(_("kind"), max_length=8, choices=EntryKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    claim = models.ForeignKey("subsidy.SubsidyClaim", verbose_name=_("claim"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="entries")
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor_username = models.CharField(_("by"), max_length=150, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("budget entry")
        verbose_name_plural = _("budget entries")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["budget", "kind"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="subsidy_entry_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"
