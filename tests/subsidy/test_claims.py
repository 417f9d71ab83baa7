"""Claims from an assessed class (凡补必进), their review through the county and the city,
returns, refusals, withdrawals, and the budget commitment on approval."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditEvent
from jineng.subsidy import services
from jineng.subsidy.choices import ClaimStatus, EntryKind
from jineng.subsidy.models import BudgetEntry, ClaimStatusChange, SubsidyClaim
from jineng.subsidy.rules import types as t
from jineng.subsidy.services import funds
from jineng.training.models import TrainingClass
from tests import factories as f
from tests.subsidy import helpers as sh

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def params(monkeypatch):
    return sh.use_params(monkeypatch)


def test_a_batch_from_an_assessed_class_gives_each_trainee_a_draft_with_its_computation():
    a = sh.assessed_class(2)
    result = sh.drafts(a)
    assert len(result.created) == 2 and not result.refused
    claim = result.created[0]
    assert claim.status == ClaimStatus.DRAFT
    assert claim.amount == Decimal("1500.00")
    assert claim.parameter_version == "gz-2026"
    assert "standard" in [s["rule"] for s in claim.steps]
    assert claim.account_masked == "6222***********0123"
    assert sh.ACCOUNT not in claim.account_encrypted
    assert claim.certificate_id is not None and claim.needs_city_review
    # A repeat creates nothing.
    again = sh.drafts(a)
    assert again.created == [] and again.already == 2
    assert SubsidyClaim.objects.count() == 2


def test_no_claim_for_a_class_not_assessed():
    a = sh.assessed_class(1)
    TrainingClass.objects.filter(pk=a.cls.pk).update(status="finished")
    with pytest.raises(DomainError) as refused:
        sh.drafts(a)
    assert refused.value.code == "class_not_assessed"
    assert SubsidyClaim.objects.count() == 0


def test_out_of_scope_class_answers_like_a_missing_one():
    a = sh.assessed_class(1)
    with pytest.raises(NotFound):
        services.claim_batch_from_class(actor=a.world.other_operator, class_id=a.cls.pk,
                                        account=sh.ACCOUNT, bank_name=sh.BANK)
    with pytest.raises(NotFound):
        services.claim_batch_from_class(actor=f.staff("city_staff", f.OTHER_CITY),
                                        class_id=a.cls.pk, account=sh.ACCOUNT,
                                        bank_name=sh.BANK)


def test_a_trainee_over_the_yearly_limit_gets_a_refused_claim_naming_the_rule(monkeypatch):
    params = sh.rules_params()
    params = t.ParameterSet(version=params.version, region_code=params.region_code,
                            valid_from=params.valid_from, valid_to=None,
                            limits=t.Limits(yearly_limit=0), kinds=params.kinds)
    sh.use_params(monkeypatch, params)
    a = sh.assessed_class(1)
    result = sh.drafts(a)
    assert result.created == [] and len(result.refused) == 1
    assert result.refused[0].status == ClaimStatus.REFUSED
    assert result.refused[0].refusal_code == "yearly_limit"


def test_county_then_city_approval_commits_the_budget():
    a = sh.assessed_class(1)
    budget = sh.budget("2000.00")
    claim = sh.drafts(a).created[0]
    county, city = f.staff("county_staff", f.COUNTY), f.staff("city_staff", f.CITY)
    services.claim_submit(actor=a.world.operator, claim_id=claim.pk)
    with pytest.raises(Forbidden):  # the institution does not review
        services.claim_review(actor=a.world.operator, claim_id=claim.pk, action="approve")
    claim = services.claim_review(actor=county, claim_id=claim.pk, action="approve")
    assert claim.status == ClaimStatus.CITY_REVIEW
    with pytest.raises(Forbidden):  # the county has done its part
        services.claim_review(actor=county, claim_id=claim.pk, action="approve")
    claim = services.claim_review(actor=city, claim_id=claim.pk, action="approve")
    assert claim.status == ClaimStatus.APPROVED and claim.budget == budget
    assert funds.available(budget.pk) == Decimal("500.00")
    entry = BudgetEntry.objects.get(claim=claim)
    assert entry.kind == EntryKind.COMMIT
    steps = list(ClaimStatusChange.objects.filter(claim=claim).values_list("to_status",
                                                                           flat=True))
    assert steps == ["draft", "submitted", "city_review", "approved"]
    with pytest.raises(Conflict):  # approved twice
        services.claim_review(actor=city, claim_id=claim.pk, action="approve")


def test_approval_beyond_the_budget_is_refused_and_changes_nothing():
    a = sh.assessed_class(1)
    sh.budget("1000.00")
    claim = sh.drafts(a).created[0]
    services.claim_submit(actor=a.world.operator, claim_id=claim.pk)
    services.claim_review(actor=f.staff("county_staff", f.COUNTY), claim_id=claim.pk,
                          action="approve")
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        services.claim_review(actor=f.staff("city_staff", f.CITY), claim_id=claim.pk,
                              action="approve")
    assert refused.value.code == "budget_exceeded"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CITY_REVIEW and claim.budget is None
    assert AuditEvent.objects.count() == events and BudgetEntry.objects.count() == 0


def test_no_budget_no_approval():
    a = sh.assessed_class(1)
    claim = sh.drafts(a).created[0]
    services.claim_submit(actor=a.world.operator, claim_id=claim.pk)
    services.claim_review(actor=f.staff("county_staff", f.COUNTY), claim_id=claim.pk,
                          action="approve")
    with pytest.raises(DomainError) as refused:
        services.claim_review(actor=f.staff(), claim_id=claim.pk, action="approve")
    assert refused.value.code == "no_budget"


def test_return_for_correction_then_resubmit_and_refuse_with_reason():
    a = sh.assessed_class(1)
    claim = sh.drafts(a).created[0]
    county = f.staff("county_staff", f.COUNTY)
    services.claim_submit(actor=a.world.operator, claim_id=claim.pk)
    with pytest.raises(DomainError):  # a return needs a reason
        services.claim_review(actor=county, claim_id=claim.pk, action="return")
    claim = services.claim_review(actor=county, claim_id=claim.pk, action="return",
                                  reason="账户户名与机构名称不符")
    assert claim.status == ClaimStatus.RETURNED
    services.claim_set_account(actor=a.world.operator, claim_id=claim.pk,
                               account="6222020000000000001", bank_name=sh.BANK)
    services.claim_submit(actor=a.world.operator, claim_id=claim.pk)
    claim = services.claim_review(actor=county, claim_id=claim.pk, action="refuse",
                                  reason="培训记录与考勤不符")
    assert claim.status == ClaimStatus.REFUSED and claim.refusal_reason == "培训记录与考勤不符"


def test_withdrawal_uses_nothing_and_frees_the_trainee_for_a_new_claim():
    a = sh.assessed_class(1)
    claim = sh.drafts(a).created[0]
    services.claim_withdraw(actor=a.world.operator, claim_id=claim.pk)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN
    again = sh.drafts(a)
    assert len(again.created) == 1


def test_stale_parameters_are_refused_at_approval(monkeypatch):
    a = sh.assessed_class(1)
    sh.budget()
    claim = sh.drafts(a).created[0]
    services.claim_submit(actor=a.world.operator, claim_id=claim.pk)
    services.claim_review(actor=f.staff("county_staff", f.COUNTY), claim_id=claim.pk,
                          action="approve")
    sh.use_params(monkeypatch, sh.rules_params(version="gz-2026b"))
    with pytest.raises(Conflict) as refused:
        services.claim_review(actor=f.staff("city_staff", f.CITY), claim_id=claim.pk,
                              action="approve")
    assert refused.value.code == "stale_parameters"
