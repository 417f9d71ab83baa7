"""Budgets and their ledger. A budget is set by city or province HRSS staff for a fund source,
a region of their subtree and a year. Money moves through ledger entries only: a commitment
on approval (checked against what is left, under a lock on the budget row), a spending on
payment, a release when a committed claim is given up, a recovery."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, NotFound
from jineng.core.models import AuditAction
from jineng.subsidy.choices import EntryKind, FundSource
from jineng.subsidy.models import Budget, BudgetEntry
from jineng.subsidy.services.common import ensure_hrss_over, money, region_by_code

__all__ = ["available", "budget_commit", "budget_create", "budget_for", "commit_locked",
           "ledger_write"]


def budget_create(*, actor, source: str, region_code: str, year: int, amount,
                  note: str = "") -> Budget:
    """A fund source's budget for a region and a year (city or province HRSS staff)."""
    region = region_by_code(region_code)
    ensure_hrss_over(actor, region.code, city=True)
    if source not in FundSource.values:
        raise DomainError(_("Unknown fund source %(value)s.") % {"value": source},
                          field="source", code="unknown")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError(_("The year must be between 2000 and 2100."), field="year",
                          code="out_of_range")
    value = money(amount, positive=False)
    try:
        with transaction.atomic():
            budget = Budget.objects.create(
                source=source, region=region, year=year, amount=value, note=(note or "")[:500],
                created_by=actor if getattr(actor, "is_authenticated", False) else None)
            audit.record(actor=actor, action=AuditAction.CREATE, instance=budget,
                         after=audit.snapshot(budget))
    except IntegrityError as clash:
        raise Conflict(_("This fund source already has a budget for this region and year."),
                       field="source", code="exists") from clash
    return budget


def available(budget_id: int) -> Decimal:
    """What is left to commit: the amount less outstanding commitments and net spending
    (= amount − commitments + releases + recoveries), summed in the database."""
    row = Budget.objects.filter(pk=budget_id).with_balances().values(
        "amount", "total_commit", "total_release", "total_recover").first()
    if row is None:
        raise NotFound()
    return row["amount"] - row["total_commit"] + row["total_release"] + row["total_recover"]


def budget_for(source: str, region, year: int) -> Budget | None:
    """The budget a claim of `region` is charged to: the source's budget of the region itself,
    else of the nearest region above it (county → city → province)."""
    codes = [region.code]
    parent = region.parent
    while parent is not None:
        codes.append(parent.code)
        parent = parent.parent
    found = {b.region.code: b for b in Budget.objects.filter(
        source=source, year=year, region__code__in=codes).select_related("region")}
    for code in codes:
        if code in found:
            return found[code]
    return None


def ledger_write(*, budget: Budget, kind: str, amount: Decimal, claim=None, by: str = "",
                 note: str = "") -> BudgetEntry:
    """Append one entry (inside the caller's transaction). A commitment must go through
    `budget_commit` (it is checked); the other kinds are written as they happen."""
    return BudgetEntry.objects.create(budget=budget, kind=kind, amount=amount, claim=claim,
                                      actor_username=by[:150], note=note[:500])


def commit_locked(*, by_user, budget_id: int, amount: Decimal, claim=None,
                  note: str = "") -> BudgetEntry:
    """Commit `amount` against the budget, which is locked here until the caller's
    transaction ends; refuses with `budget_exceeded` beyond what is left."""
    budget = (Budget.objects.select_for_update(of=("self",)).select_related("region")
              .filter(pk=budget_id).first())
    if budget is None:
        raise NotFound()
    left = available(budget.pk)
    if amount > left:
        raise DomainError(
            _("The budget %(budget)s has %(left)s yuan left; %(amount)s yuan cannot be "
              "committed.") % {"budget": budget, "left": left, "amount": amount},
            field="amount", code="budget_exceeded")
    entry = ledger_write(budget=budget, kind=EntryKind.COMMIT, amount=amount, claim=claim,
                         by=getattr(by_user, "username", "") or "system", note=note)
    audit.record(actor=by_user, action=AuditAction.CREATE, instance=entry,
                 region_code=budget.region.code,
                 after={"budget": budget.pk, "kind": entry.kind, "amount": str(amount),
                        "claim": getattr(claim, "pk", None)})
    return entry


def budget_commit(*, actor, budget_id: int, amount, note: str = "") -> BudgetEntry:
    """Reserve money of a budget (city or province HRSS staff over its region), refused
    beyond what is left (`budget_exceeded`). Claims commit on approval through the same
    lock (services.claims)."""
    budget = Budget.objects.select_related("region").filter(pk=budget_id).first()
    if budget is None:
        raise NotFound()
    ensure_hrss_over(actor, budget.region.code, city=True)
    value = money(amount)
    with transaction.atomic():
        return commit_locked(by_user=actor, budget_id=budget.pk, amount=value, note=note)
