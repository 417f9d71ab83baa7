"""Payment batches: the transfer file (layout, masked on screen, whole in the file), exported
twice = the same bytes, bank results (paid, failed with a reason, repeats, unknown references),
failed payments re-applied into a new batch, recovery."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.subsidy import services
from jineng.subsidy.choices import BatchStatus, ClaimStatus, EntryKind, FundSource, ItemResult
from jineng.subsidy.models import BudgetEntry, PaymentItem, SubsidyClaim
from jineng.subsidy.services import funds
from tests import factories as f
from tests.subsidy import helpers as sh

pytestmark = pytest.mark.django_db
FUND = FundSource.EMPLOYMENT_SUBSIDY


@pytest.fixture(autouse=True)
def params(monkeypatch):
    return sh.use_params(monkeypatch)


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _results(lines: list[tuple[str, str, str]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["转账参考号", "结果", "失败原因"])
    w.writerows(lines)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def paid_world():
    a = sh.assessed_class(2)
    budget = sh.budget("10000.00")
    claims = sh.approved(a)
    city = f.staff("city_staff", f.CITY)
    return a, budget, claims, city


def test_export_writes_the_documented_layout_once(paid_world):
    _a, _budget, claims, city = paid_world
    batch = services.payment_batch_create(actor=city, region_code=f.CITY, fund_source=FUND)
    assert batch.count == 2 and batch.total == Decimal("3000.00")
    first = services.payment_batch_export(actor=city, batch_id=batch.pk)
    rows = _rows(first)
    assert rows[0] == list(services.EXPORT_HEADERS)
    assert rows[1][3] == sh.ACCOUNT and rows[1][5] == "1500.00"
    for claim in claims:
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.IN_PAYMENT
    assert services.payment_batch_export(actor=city, batch_id=batch.pk) == first
    assert PaymentItem.objects.get(claim=claims[0]).account_masked == "6222***********0123"


def test_a_claim_is_in_one_batch_only(paid_world):
    _a, _budget, _claims, city = paid_world
    services.payment_batch_create(actor=city, region_code=f.CITY, fund_source=FUND)
    with pytest.raises(DomainError) as refused:
        services.payment_batch_create(actor=city, region_code=f.CITY, fund_source=FUND)
    assert refused.value.code == "nothing_to_pay"
    item = PaymentItem.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentItem.objects.create(batch=item.batch, claim=item.claim, reference="X-1",
                                   amount=item.amount, payee_name="x", account_encrypted="x",
                                   account_masked="x", bank_name="x")


def test_bank_results_pay_once_and_failed_payments_are_reapplied(paid_world):
    a, budget, claims, city = paid_world
    batch = services.payment_batch_create(actor=city, region_code=f.CITY, fund_source=FUND)
    services.payment_batch_export(actor=city, batch_id=batch.pk)
    refs = list(batch.items.order_by("pk").values_list("reference", flat=True))
    results = _results([(refs[0], "成功", ""), (refs[1], "失败", "账户已销户")])
    report = services.payment_results_import(actor=city, batch_id=batch.pk, data=results)
    assert (report.paid, report.failed) == (1, 1)
    again = services.payment_results_import(actor=city, batch_id=batch.pk, data=results)
    assert (again.paid, again.failed, again.repeated) == (0, 0, 2)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED
    paid, failed = (SubsidyClaim.objects.get(pk=c.pk) for c in claims)
    assert paid.status == ClaimStatus.PAID and failed.status == ClaimStatus.PAYMENT_FAILED
    assert BudgetEntry.objects.filter(kind=EntryKind.SPEND).count() == 1
    # 支付失败再申请: a corrected account, back to approved, paid in a new batch.
    services.claim_set_account(actor=a.world.operator, claim_id=failed.pk,
                               account="6222020000000000002", bank_name=sh.BANK)
    services.claim_reapply(actor=a.world.operator, claim_id=failed.pk)
    second = services.payment_batch_create(actor=city, region_code=f.CITY, fund_source=FUND)
    assert list(second.items.values_list("claim_id", flat=True)) == [failed.pk]
    data = services.payment_batch_export(actor=city, batch_id=second.pk)
    assert _rows(data)[1][3] == "6222020000000000002"
    ref = second.items.get().reference
    services.payment_results_import(actor=city, batch_id=second.pk,
                                    data=_results([(ref, "成功", "")]))
    assert SubsidyClaim.objects.filter(status=ClaimStatus.PAID).count() == 2
    assert funds.available(budget.pk) == Decimal("7000.00")
    # 追回
    services.claim_recover(actor=city, claim_id=paid.pk, reason="虚假培训：督查认定")
    assert funds.available(budget.pk) == Decimal("8500.00")
    assert PaymentItem.objects.filter(result=ItemResult.PAID).count() == 2


def test_result_files_with_errors_write_nothing(paid_world):
    _a, _budget, _claims, city = paid_world
    batch = services.payment_batch_create(actor=city, region_code=f.CITY, fund_source=FUND)
    with pytest.raises(Conflict):  # not exported yet
        services.payment_results_import(actor=city, batch_id=batch.pk, data=_results([]))
    services.payment_batch_export(actor=city, batch_id=batch.pk)
    ref = batch.items.first().reference
    bad = _results([(ref, "成功", ""), ("PB-UNKNOWN", "成功", "")])
    with pytest.raises(DomainError) as refused:
        services.payment_results_import(actor=city, batch_id=batch.pk, data=bad)
    assert refused.value.code == "row_errors" and "Row 3" in refused.value.message
    assert not PaymentItem.objects.exclude(result=ItemResult.PENDING).exists()
    with pytest.raises(DomainError):  # a failure without its reason
        services.payment_results_import(actor=city, batch_id=batch.pk,
                                        data=_results([(ref, "失败", "")]))
    services.payment_results_import(actor=city, batch_id=batch.pk,
                                    data=_results([(ref, "成功", "")]))
    with pytest.raises(DomainError):  # contradicts the recorded result
        services.payment_results_import(actor=city, batch_id=batch.pk,
                                        data=_results([(ref, "失败", "退票")]))


def test_who_pays(paid_world):
    a, _budget, _claims, city = paid_world
    with pytest.raises(Forbidden):
        services.payment_batch_create(actor=f.staff("county_staff", f.COUNTY),
                                      region_code=f.COUNTY, fund_source=FUND)
    with pytest.raises(NotFound):
        services.payment_batch_create(actor=f.staff("city_staff", f.OTHER_CITY),
                                      region_code=f.CITY, fund_source=FUND)
    batch = services.payment_batch_create(actor=city, region_code=f.CITY, fund_source=FUND)
    with pytest.raises(NotFound):
        services.payment_batch_export(actor=a.world.operator, batch_id=batch.pk)
