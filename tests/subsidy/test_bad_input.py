"""Bad input of issue 12: claims for unknown or unfinished classes, a person over a limit,
stale parameter versions, approvals by the wrong role or region, bank result files with
unknown references — each refused with the rule or field that stopped it, nothing written
(claims, their history, the ledger, payment items, plans facts, the audit trail)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditEvent
from jineng.plans.models import ActualFact
from jineng.subsidy import services
from jineng.subsidy.choices import FundSource
from jineng.subsidy.models import BudgetEntry, ClaimStatusChange, PaymentItem, SubsidyClaim
from jineng.training.models import TrainingClass
from tests import factories as f
from tests.subsidy import helpers as sh

pytestmark = pytest.mark.django_db
FUND = FundSource.EMPLOYMENT_SUBSIDY


@pytest.fixture(autouse=True)
def params(monkeypatch):
    return sh.use_params(monkeypatch)


def _world():
    """Everything a refusal could have touched."""
    return (list(SubsidyClaim.objects.order_by("pk").values_list(
        "status", "amount", "parameter_version", "refusal_code", "budget_id")),
        ClaimStatusChange.objects.count(), AuditEvent.objects.count(),
        BudgetEntry.objects.count(), ActualFact.objects.count(),
        list(PaymentItem.objects.order_by("pk").values_list("result", flat=True)))


def test_claims_for_an_unknown_or_unfinished_class():
    a = sh.assessed_class(1)
    before = _world()
    with pytest.raises(NotFound):
        services.claim_batch_from_class(actor=a.world.operator, class_id=10 ** 9,
                                        account=sh.ACCOUNT, bank_name=sh.BANK)
    for status in ("open", "finished"):
        TrainingClass.objects.filter(pk=a.cls.pk).update(status=status)
        with pytest.raises(DomainError) as refused:
            sh.drafts(a)
        assert (refused.value.field, refused.value.code) == ("class_id", "class_not_assessed")
    assert _world() == before


def test_a_person_over_the_yearly_limit_is_refused_at_submission_naming_the_rule():
    a = sh.assessed_class(1)
    claim = sh.drafts(a).created[0]
    for i in range(3):  # three subsidies this year elsewhere: the limit (3) is reached
        SubsidyClaim.objects.create(
            kind="certificate", person=claim.person, region=f.region(f.COUNTY),
            payee_kind="person", payee_name="x", claim_date=dt.date(2026, 2, 1 + i),
            status="paid", amount=Decimal("500.00"), fund_source=FUND)
    before = _world()
    with pytest.raises(DomainError) as refused:
        services.claim_submit(actor=a.world.operator, claim_id=claim.pk)
    assert (refused.value.field, refused.value.code) == ("claim", "yearly_limit")
    assert _world() == before


def _in_city_review(a):
    claim = sh.drafts(a).created[0]
    services.claim_submit(actor=a.world.operator, claim_id=claim.pk)
    services.claim_review(actor=f.staff("county_staff", f.COUNTY), claim_id=claim.pk,
                          action="approve")
    return claim


def test_a_stale_parameter_version_is_refused_at_approval_and_changes_nothing(monkeypatch):
    a = sh.assessed_class(1)
    sh.budget()
    claim = _in_city_review(a)
    sh.use_params(monkeypatch, sh.rules_params(version="gz-2026b"))
    before = _world()
    with pytest.raises(Conflict) as refused:
        services.claim_review(actor=f.staff("city_staff", f.CITY), claim_id=claim.pk,
                              action="approve")
    assert (refused.value.field, refused.value.code) == ("parameter_version",
                                                         "stale_parameters")
    assert "gz-2026" in refused.value.message and "gz-2026b" in refused.value.message
    assert _world() == before


def test_approvals_by_the_wrong_role_or_region_change_nothing():
    a = sh.assessed_class(1)
    sh.budget()
    claim = sh.drafts(a).created[0]
    services.claim_submit(actor=a.world.operator, claim_id=claim.pk)
    before = _world()
    wrong = [(a.world.operator, Forbidden),  # the claimant does not review
             (a.world.other_operator, Forbidden),  # not a reviewer at all
             (f.staff("county_staff", f.OTHER_COUNTY), NotFound),  # another county
             (f.staff("city_staff", f.OTHER_CITY), NotFound)]  # another city
    for actor, error in wrong:
        with pytest.raises(error):
            services.claim_review(actor=actor, claim_id=claim.pk, action="approve")
    services.claim_review(actor=f.staff("county_staff", f.COUNTY), claim_id=claim.pk,
                          action="approve")
    before = _world()
    with pytest.raises(Forbidden):  # the county's part is done: the city approves
        services.claim_review(actor=f.staff("county_staff", f.COUNTY), claim_id=claim.pk,
                              action="approve")
    with pytest.raises(DomainError) as refused:  # a refusal needs its reason
        services.claim_review(actor=f.staff("city_staff", f.CITY), claim_id=claim.pk,
                              action="refuse")
    assert refused.value.field == "reason"
    with pytest.raises(DomainError) as refused:
        services.claim_review(actor=f.staff("city_staff", f.CITY), claim_id=claim.pk,
                              action="pay")
    assert refused.value.field == "action"
    assert _world() == before


def test_a_bank_file_with_an_unknown_reference_is_refused_whole_naming_the_row():
    a = sh.assessed_class(2)
    sh.budget()
    sh.approved(a)
    city = f.staff("city_staff", f.CITY)
    batch = services.payment_batch_create(actor=city, region_code=f.CITY, fund_source=FUND)
    services.payment_batch_export(actor=city, batch_id=batch.pk)
    refs = list(batch.items.order_by("pk").values_list("reference", flat=True))
    data = ("转账参考号,结果,失败原因\n"
            f"{refs[0]},成功,\n{refs[1]},成功,\nPB-NOT-OURS-1,成功,\n").encode()
    before = _world()
    with pytest.raises(DomainError) as refused:
        services.payment_results_import(actor=city, batch_id=batch.pk, data=data)
    assert refused.value.code == "row_errors"
    assert "Row 4" in refused.value.message
    assert _world() == before  # the two good rows were not recorded either
    assert set(SubsidyClaim.objects.values_list("status", flat=True)) == {"in_payment"}
