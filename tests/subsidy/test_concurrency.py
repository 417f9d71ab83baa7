"""Money under concurrency, on PostgreSQL (real row locks): two commitments racing for the
last yuan of a budget, two reviewers approving the same claim, two batches taking the same
claims. Each time exactly one wins and the ledger holds one entry."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from jineng.core.errors import Conflict, DomainError
from jineng.subsidy import services
from jineng.subsidy.choices import BatchStatus, ClaimStatus, EntryKind, FundSource, ItemResult
from jineng.subsidy.models import (
    BudgetEntry,
    ClaimStatusChange,
    PaymentBatch,
    PaymentItem,
    SubsidyClaim,
)
from jineng.subsidy.services import funds, payments
from tests import factories as f
from tests.concurrency import in_threads
from tests.subsidy import helpers as sh

FUND = FundSource.EMPLOYMENT_SUBSIDY

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


# --- claims and payments ---------------------------------------------------------------------

@pytest.fixture
def params(monkeypatch):
    return sh.use_params(monkeypatch)


def _in_city_review(trainees: int = 1):
    a = sh.assessed_class(trainees)
    county = f.staff("county_staff", f.COUNTY)
    claims = []
    for claim in sh.drafts(a).created:
        services.claim_submit(actor=a.world.operator, claim_id=claim.pk)
        claims.append(services.claim_review(actor=county, claim_id=claim.pk, action="approve"))
    return a, claims


def test_two_reviewers_approving_at_once_commit_once(params):
    budget = sh.budget("10000.00")
    _a, (claim,) = _in_city_review()
    one, two = f.staff("city_staff", f.CITY), f.staff()
    results = in_threads(
        lambda: services.claim_review(actor=one, claim_id=claim.pk, action="approve"),
        lambda: services.claim_review(actor=two, claim_id=claim.pk, action="approve"))
    won = [r for r in results if isinstance(r, SubsidyClaim)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1, results
    assert BudgetEntry.objects.filter(claim=claim, kind=EntryKind.COMMIT).count() == 1
    assert funds.available(budget.pk) == Decimal("8500.00")


def test_two_batches_at_once_share_no_claim(params):
    sh.budget("10000.00")
    a = sh.assessed_class(2)
    sh.approved(a)
    one, two = f.staff("city_staff", f.CITY), f.staff()
    results = in_threads(
        lambda: services.payment_batch_create(actor=one, region_code=f.CITY, fund_source=FUND),
        lambda: services.payment_batch_create(actor=two, region_code=f.CITY, fund_source=FUND))
    won = [r for r in results if isinstance(r, PaymentBatch)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].code == "nothing_to_pay"
    assert PaymentItem.objects.count() == 2 and PaymentBatch.objects.count() == 1


class Crash(Exception):
    pass


def test_a_crash_between_export_and_marking_leaves_nothing_and_the_retry_pays_once(
        params, monkeypatch):
    sh.budget("10000.00")
    a = sh.assessed_class(2)
    sh.approved(a)
    city = f.staff("city_staff", f.CITY)
    batch = services.payment_batch_create(actor=city, region_code=f.CITY, fund_source=FUND)
    written = []
    real_file, real_history = payments._file, payments._history

    def file_then_remember(b):
        written.append(real_file(b))
        return written[-1]

    calls = []

    def crash_on_second(*args, **kw):
        calls.append(1)
        if len(calls) == 2:  # the file is written, one claim marked: then the process dies
            raise Crash()
        return real_history(*args, **kw)

    monkeypatch.setattr(payments, "_file", file_then_remember)
    monkeypatch.setattr(payments, "_history", crash_on_second)
    with pytest.raises(Crash):
        services.payment_batch_export(actor=city, batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.OPEN and batch.file_csv is None
    assert not SubsidyClaim.objects.filter(status=ClaimStatus.IN_PAYMENT).exists()
    monkeypatch.setattr(payments, "_history", real_history)
    data = services.payment_batch_export(actor=city, batch_id=batch.pk)
    assert data == written[0] == written[-1]
    assert services.payment_batch_export(actor=city, batch_id=batch.pk) == data
    assert SubsidyClaim.objects.filter(status=ClaimStatus.IN_PAYMENT).count() == 2
    assert ClaimStatusChange.objects.filter(action="pay").count() == 2
    # A crash while the bank's results are recorded: nothing paid; the retry pays each once.
    refs = list(batch.items.values_list("reference", flat=True))
    results = ("转账参考号,结果,失败原因\n" + "".join(f"{r},成功,\n" for r in refs)).encode()
    real_ledger = payments.ledger_write
    monkeypatch.setattr(payments, "ledger_write", lambda **kw: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        services.payment_results_import(actor=city, batch_id=batch.pk, data=results)
    assert not PaymentItem.objects.filter(result=ItemResult.PAID).exists()
    monkeypatch.setattr(payments, "ledger_write", real_ledger)
    services.payment_results_import(actor=city, batch_id=batch.pk, data=results)
    services.payment_results_import(actor=city, batch_id=batch.pk, data=results)
    assert SubsidyClaim.objects.filter(status=ClaimStatus.PAID).count() == 2
    assert BudgetEntry.objects.filter(kind=EntryKind.SPEND).count() == 2


def test_two_claims_of_one_person_submitted_at_once_cannot_both_pass_a_limit(monkeypatch):
    from jineng.subsidy.rules import types as t

    params = sh.rules_params()
    sh.use_params(monkeypatch, t.ParameterSet(
        version=params.version, region_code=params.region_code, valid_from=params.valid_from,
        valid_to=None, limits=t.Limits(yearly_limit=1, same_occupation_level=False),
        kinds=params.kinds))
    a = sh.assessed_class(0, person_numbers=(501,), certificates=False)
    b = sh.assessed_class(0, world=a.world, person_numbers=(501,), certificates=False)
    (first,) = sh.drafts(a).created
    (second,) = sh.drafts(b).created
    assert first.person_id == second.person_id
    op = a.world.operator
    results = in_threads(
        lambda: services.claim_submit(actor=op, claim_id=first.pk),
        lambda: services.claim_submit(actor=op, claim_id=second.pk))
    won = [r for r in results if isinstance(r, SubsidyClaim)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].code == "yearly_limit"
