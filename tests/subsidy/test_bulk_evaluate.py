"""Evaluating many draft claims at once (services.bulk.claim_batch_evaluate): the same
decisions as evaluating each claim alone, stored with their explanation, a draft the rules now
refuse becomes refused with the rule's code, one audit event for the batch; all or nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from jineng.accounts.models import Role
from jineng.core.errors import Conflict, DomainError, NotFound
from jineng.core.models import AuditEvent
from jineng.subsidy import evaluation, services
from jineng.subsidy.choices import ClaimStatus
from jineng.subsidy.models import ClaimStatusChange, SubsidyClaim
from jineng.subsidy.rules import parameters as loader
from jineng.subsidy.services import bulk
from tests import factories as f
from tests.subsidy import helpers as sh

pytestmark = pytest.mark.django_db


def _publish(name: str, actor) -> None:
    text = (loader.PARAMETERS_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    row = services.parameter_set_upload(actor=actor, yaml_text=text)
    services.parameter_set_publish(actor=actor, parameter_set_id=row.pk)


@pytest.fixture
def drafts():
    """Three drafts of a class, computed with the published national and Guizhou sets."""
    _publish("national", f.UserFactory(role=Role.SYSTEM_ADMIN))
    _publish("guizhou", f.staff())
    a = sh.assessed_class(3)
    claims = sh.drafts(a).created
    assert len(claims) == 3
    return a, claims


def _paid_elsewhere(person, n: int) -> None:
    """`n` certificate subsidies paid to the person this year, filed outside the class."""
    for i in range(n):
        SubsidyClaim.objects.create(
            kind="certificate", person=person, region=f.region(f.COUNTY), payee_kind="person",
            payee_name=person.name, claim_date=dt.date(2026, 2, 1 + i), status="paid",
            amount=Decimal("500.00"), fund_source="employment_subsidy")


def _alone(claim: SubsidyClaim):
    """The decision of one claim evaluated by itself (the path of submission and approval)."""
    claim = SubsidyClaim.objects.select_related("region", "occupation", "level").get(pk=claim.pk)
    history = evaluation.history_for([claim.person_id], exclude_claim_ids=[claim.pk])
    return evaluation.decide(evaluation.facts_of_claim(claim),
                             history.get(claim.person_id, []),
                             evaluation.parameters_for(claim.region, claim.claim_date))


def test_the_batch_reads_the_same_facts_as_one_claim_alone(drafts):
    _a, claims = drafts
    rows = list(SubsidyClaim.objects.filter(pk__in=[c.pk for c in claims]).order_by("pk")
                .values_list(*bulk._FIELDS))
    for claim, facts in zip(claims, bulk.stored_facts(rows), strict=True):
        claim = SubsidyClaim.objects.select_related("region", "occupation", "level") \
            .get(pk=claim.pk)
        assert dataclasses.asdict(facts) == dataclasses.asdict(
            evaluation.facts_of_claim(claim)), claim.pk


def test_a_batch_decides_as_each_claim_alone_and_stores_the_explanation(drafts):
    a, claims = drafts
    over = claims[0]
    _paid_elsewhere(over.person, 3)  # the yearly limit (3) is reached before this claim
    SubsidyClaim.objects.filter(pk__in=[c.pk for c in claims]).update(
        amount=None, steps=[], parameter_version="old")
    result = services.claim_batch_evaluate(actor=a.world.operator,
                                           claim_ids=[c.pk for c in claims])
    assert (result.claims, result.allowed, result.refused, result.newly_refused,
            result.changed) == (3, 2, {"yearly_limit": 1}, 1, 3)
    for claim in claims:
        stored = SubsidyClaim.objects.get(pk=claim.pk)
        alone = _alone(stored)
        assert (stored.amount, stored.parameter_version, stored.refusal_code) == (
            alone.amount, alone.parameter_version, alone.refusal_code or ""), claim.pk
        assert stored.steps == evaluation.stored_steps(alone)
        assert stored.shares == evaluation.stored_shares(alone)
    refused = SubsidyClaim.objects.get(pk=over.pk)
    assert refused.status == ClaimStatus.REFUSED and refused.refusal_code == "yearly_limit"
    assert refused.steps[-1]["rule"] == "yearly_limit"
    change = ClaimStatusChange.objects.get(claim=refused, action="evaluate")
    assert (change.from_status, change.to_status, change.note) == (
        "draft", "refused", {"refusal_code": "yearly_limit"})
    event = AuditEvent.objects.get(action="update", entity_type="subsidy.subsidyclaim")
    assert event.after["evaluated"] == 3 and event.after["refused"] == {"yearly_limit": 1}
    assert event.region_code == f.COUNTY
    # Evaluated again, nothing changes (the refused claim is no longer a draft).
    again = services.claim_batch_evaluate(actor=f.staff(Role.COUNTY_STAFF, f.COUNTY),
                                          claim_ids=[c.pk for c in claims[1:]])
    assert (again.claims, again.changed, again.newly_refused) == (2, 0, 0)


def _state():
    return (list(SubsidyClaim.objects.order_by("pk").values_list(
        "status", "amount", "parameter_version", "refusal_code")),
        ClaimStatusChange.objects.count(), AuditEvent.objects.count())


def test_all_or_nothing_naming_the_claim(drafts):
    a, claims = drafts
    services.claim_submit(actor=a.world.operator, claim_id=claims[2].pk)
    SubsidyClaim.objects.filter(pk=claims[0].pk).update(parameter_version="old")
    before = _state()
    ids = [c.pk for c in claims]
    with pytest.raises(Conflict) as refused:
        services.claim_batch_evaluate(actor=a.world.operator, claim_ids=ids)
    assert refused.value.code == "not_draft" and str(claims[2].pk) in refused.value.message
    for actor in (a.world.other_operator, f.staff(Role.COUNTY_STAFF, f.OTHER_COUNTY)):
        with pytest.raises(NotFound):
            services.claim_batch_evaluate(actor=actor, claim_ids=ids[:2])
    with pytest.raises(NotFound):
        services.claim_batch_evaluate(actor=a.world.operator, claim_ids=[ids[0], 10 ** 9])
    for bad, code in (([], "required"), (["x"], "invalid")):
        with pytest.raises(DomainError) as refused:
            services.claim_batch_evaluate(actor=a.world.operator, claim_ids=bad)
        assert refused.value.code == code and refused.value.field == "claim_ids"
    assert _state() == before


def test_a_person_barred_by_a_sanction_is_refused_in_a_batch_as_alone(drafts):
    """The batch asks the sanctions once for its persons (services.bulk.persons_bars, given by
    the supervision app beside the single hook) and finds the same bar as the claim alone."""
    from jineng.supervision.models import Sanction

    a, claims = drafts
    barred = claims[1]
    Sanction.objects.create(kind="bar", person=barred.person, region=f.region(f.COUNTY),
                            valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2027, 12, 31),
                            reason="骗取补贴", status="active", imposed_by="test")
    assert len(bulk.persons_bars) >= 1
    result = services.claim_batch_evaluate(actor=a.world.operator,
                                           claim_ids=[c.pk for c in claims])
    assert result.refused == {"person_barred": 1}
    stored = SubsidyClaim.objects.get(pk=barred.pk)
    assert (stored.status, stored.refusal_code) == ("refused", "person_barred")
    assert _alone(stored).refusal_code == "person_barred"
    rows = list(SubsidyClaim.objects.filter(pk__in=[c.pk for c in claims]).order_by("pk")
                .values_list(*bulk._FIELDS))
    for facts, claim in zip(bulk.stored_facts(rows), claims, strict=True):
        alone = evaluation.facts_of_claim(SubsidyClaim.objects.get(pk=claim.pk))
        assert facts.person_barred_until == alone.person_barred_until
