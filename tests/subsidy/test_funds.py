"""Budgets and their ledger: balances derived from the entries, commitments refused beyond the
budget (`budget_exceeded`), and who may set budgets."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jineng.accounts.models import Role
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.subsidy import services
from jineng.subsidy.choices import EntryKind, FundSource
from jineng.subsidy.models import Budget, BudgetEntry
from jineng.subsidy.services import funds
from tests import factories as f

pytestmark = pytest.mark.django_db


def _budget(amount="1000.00", code=f.CITY, source=FundSource.EMPLOYMENT_SUBSIDY, year=2026):
    return services.budget_create(actor=f.staff(), source=source, region_code=code, year=year,
                                  amount=Decimal(amount))


def test_balances_are_sums_of_the_ledger():
    budget = _budget()
    staff = f.staff()
    services.budget_commit(actor=staff, budget_id=budget.pk, amount="300.00")
    services.budget_commit(actor=staff, budget_id=budget.pk, amount="200.00")
    funds.ledger_write(budget=budget, kind=EntryKind.SPEND, amount=Decimal("300.00"))
    funds.ledger_write(budget=budget, kind=EntryKind.RELEASE, amount=Decimal("200.00"))
    funds.ledger_write(budget=budget, kind=EntryKind.RECOVER, amount=Decimal("100.00"))
    assert funds.available(budget.pk) == Decimal("800.00")
    row = Budget.objects.with_balances().get(pk=budget.pk)
    assert (row.total_commit, row.total_spend, row.total_release, row.total_recover) == (
        Decimal("500.00"), Decimal("300.00"), Decimal("200.00"), Decimal("100.00"))


def test_commitment_beyond_the_budget_is_refused_and_writes_nothing():
    budget = _budget("100.00")
    services.budget_commit(actor=f.staff(), budget_id=budget.pk, amount="99.99")
    with pytest.raises(DomainError) as refused:
        services.budget_commit(actor=f.staff(), budget_id=budget.pk, amount="0.02")
    assert refused.value.code == "budget_exceeded"
    assert BudgetEntry.objects.count() == 1
    services.budget_commit(actor=f.staff(), budget_id=budget.pk, amount="0.01")
    assert funds.available(budget.pk) == 0


def test_who_sets_budgets():
    with pytest.raises(Forbidden):
        services.budget_create(actor=f.staff(Role.COUNTY_STAFF, f.COUNTY),
                               source=FundSource.EMPLOYMENT_SUBSIDY, region_code=f.COUNTY,
                               year=2026, amount="1")
    with pytest.raises(NotFound):
        services.budget_create(actor=f.staff(Role.CITY_STAFF, f.OTHER_CITY),
                               source=FundSource.EMPLOYMENT_SUBSIDY, region_code=f.CITY,
                               year=2026, amount="1")
    with pytest.raises(Forbidden):
        services.budget_create(actor=f.operator(f.OrganizationFactory()),
                               source=FundSource.EMPLOYMENT_SUBSIDY, region_code=f.CITY,
                               year=2026, amount="1")
    _budget()
    with pytest.raises(Conflict):
        _budget()
    with pytest.raises(DomainError) as bad:
        _budget("12.345", year=2027)
    assert bad.value.field == "amount"


def test_a_claim_is_charged_to_the_nearest_budget_above_its_region():
    city = _budget(code=f.CITY)
    region = f.region(f.COUNTY)
    assert funds.budget_for(FundSource.EMPLOYMENT_SUBSIDY, region, 2026) == city
    county = _budget(code=f.COUNTY)
    assert funds.budget_for(FundSource.EMPLOYMENT_SUBSIDY, region, 2026) == county
    assert funds.budget_for(FundSource.EAST_WEST, region, 2026) is None
