"""Plans facts of the subsidy app: a training subsidy counts one person-time when the bank
confirms the payment (not at approval), a failed payment counts nothing, a re-applied one
counts once, a recovery is a -1 correction; the backfill writes the same facts once."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from jineng.plans import actuals
from jineng.plans.models import ActualFact
from jineng.subsidy import plan_facts, services
from jineng.subsidy.choices import FundSource
from tests import factories as f
from tests.subsidy import helpers as sh

pytestmark = pytest.mark.django_db
FUND = FundSource.EMPLOYMENT_SUBSIDY


@pytest.fixture(autouse=True)
def params(monkeypatch):
    return sh.use_params(monkeypatch)


def _results(lines) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["转账参考号", "结果", "失败原因"])
    w.writerows(lines)
    return out.getvalue().encode("utf-8")


def _facts():
    return list(ActualFact.objects.filter(metric=plan_facts.METRIC).order_by("pk")
                .values_list("value", "source_ref"))


def test_person_times_count_at_payment():
    a = sh.assessed_class(2)
    sh.budget("10000.00")
    claims = sh.approved(a)
    assert _facts() == []  # approval counts nothing
    city = f.staff("city_staff", f.CITY)
    batch = services.payment_batch_create(actor=city, region_code=f.CITY, fund_source=FUND)
    services.payment_batch_export(actor=city, batch_id=batch.pk)
    refs = list(batch.items.order_by("pk").values_list("reference", flat=True))
    services.payment_results_import(actor=city, batch_id=batch.pk, data=_results(
        [(refs[0], "成功", ""), (refs[1], "失败", "账户已销户")]))
    paid, failed = claims
    assert _facts() == [(1, f"training.subsidized:{paid.enrollment_id}")]
    services.claim_reapply(actor=a.world.operator, claim_id=failed.pk)
    second = services.payment_batch_create(actor=city, region_code=f.CITY, fund_source=FUND)
    services.payment_batch_export(actor=city, batch_id=second.pk)
    services.payment_results_import(actor=city, batch_id=second.pk, data=_results(
        [(second.items.get().reference, "成功", "")]))
    assert len(_facts()) == 2
    services.claim_recover(actor=city, claim_id=paid.pk, reason="虚假培训：督查认定")
    assert _facts()[-1] == (-1, f"subsidy.recovered:{paid.pk}")
    assert sum(v for v, _ in _facts()) == 1
    # The backfill finds the same facts: nothing added.
    plan_facts.record_paid_claims()
    assert len(_facts()) == 3
    totals = plan_facts.paid_totals(region_prefix="52")
    assert sum(r["person_times"] for r in totals) == 1
    assert sum(r["amount"] for r in totals) == Decimal("1500.00")
    # Yuan paid: 1,500 for each payment, negated by the recovery; the plans read them.
    assert _yuan() == [(1500, f"subsidy.amount_paid:{paid.pk}"),
                       (1500, f"subsidy.amount_paid:{failed.pk}"),
                       (-1500, f"subsidy.amount_recovered:{paid.pk}")]
    today = timezone.localdate()
    for code in (f.COUNTY, f.CITY, f.PROVINCE):
        assert actuals.actual(actuals.ActualQuery(
            metric=plan_facts.AMOUNT_METRIC, region_code=code, start=today.replace(day=1),
            end=today)).value == 1500, code


def _yuan():
    return list(ActualFact.objects.filter(metric=plan_facts.AMOUNT_METRIC).order_by("pk")
                .values_list("value", "source_ref"))


def test_yuan_facts_round_half_up_and_the_backfill_writes_them_once():
    assert [plan_facts.yuan(Decimal(x)) for x in ("1234.50", "1234.49", "0.49", "0.50")] == [
        1235, 1234, 0, 1]
    assert plan_facts.yuan(None) == 0
    a = sh.assessed_class(1)
    sh.budget("10000.00")
    (claim,) = sh.approved(a)
    city = f.staff("city_staff", f.CITY)
    batch = services.payment_batch_create(actor=city, region_code=f.CITY, fund_source=FUND)
    services.payment_batch_export(actor=city, batch_id=batch.pk)
    services.payment_results_import(actor=city, batch_id=batch.pk, data=_results(
        [(batch.items.get().reference, "成功", "")]))
    live = set(ActualFact.objects.values_list("metric", "day", "region_code", "value",
                                              "source_ref"))
    assert {(m, v) for m, _d, _r, v, _s in live} == {
        (plan_facts.METRIC, 1), (plan_facts.AMOUNT_METRIC, 1500)}
    ActualFact.objects.all().delete()
    assert plan_facts.record_paid_claims() == 2
    assert set(ActualFact.objects.values_list("metric", "day", "region_code", "value",
                                              "source_ref")) == live
    plan_facts.record_paid_claims()
    assert ActualFact.objects.count() == 2
    assert claim.pk
