"""The subsidy demo as the demo generator builds it (tier XS): parameter sets published by the
province and the system administrator, claims at every state, two funds near their budget,
payments (one failed and re-applied, one recovered), imported history; and each demo login
sees its own part (the HRSS staff their region's claims, budgets and batches, the institution
its claims, the worker their subsidy year after the identity check). Fails if the generator's
hook is removed."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from jineng.accounts.models import User
from jineng.core import pii
from jineng.demo.generator import reset_demo
from jineng.registry.models import Person
from jineng.subsidy import selectors
from jineng.subsidy.choices import ClaimStatus
from jineng.subsidy.models import (
    Budget,
    ClaimStatusChange,
    HistoricSubsidy,
    ParameterSet,
    PaymentBatch,
    SubsidyClaim,
)
from tests.demo_fixture import demo_province  # noqa: F401

pytestmark = pytest.mark.django_db

EVERY_STATE = {ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, ClaimStatus.CITY_REVIEW,
               ClaimStatus.RETURNED, ClaimStatus.REFUSED, ClaimStatus.WITHDRAWN,
               ClaimStatus.APPROVED, ClaimStatus.IN_PAYMENT, ClaimStatus.PAID,
               ClaimStatus.RECOVERED}


@pytest.fixture(scope="module")
def demo(demo_province):  # noqa: F811 (the fixture imported above)
    """One XS demo for the module, rolled back at its end (tests/demo_fixture.py)."""
    return demo_province


def user(name: str) -> User:
    return User.objects.get(username=name)


def api(name: str, path: str) -> list[dict]:
    client = Client()
    client.force_login(user(name))
    response = client.get(f"/api/subsidy/{path}", {"limit": 500})
    assert response.status_code == 200, response.content[:300]
    data = response.json()
    return data["items"] if isinstance(data, dict) else data


def test_the_generator_builds_claims_at_every_state(demo):
    assert demo["subsidy_claims"] >= 10 and demo["subsidy_history"] == 3
    states = set(SubsidyClaim.objects.values_list("status", flat=True))
    assert states >= EVERY_STATE, EVERY_STATE - states
    # A failed payment, re-applied and then paid; a recovery (追回).
    failed = ClaimStatusChange.objects.filter(to_status=ClaimStatus.PAYMENT_FAILED)
    assert failed.exists()
    assert SubsidyClaim.objects.get(pk=failed.first().claim_id).status == ClaimStatus.PAID
    # The national default (by the system administrator) and Guizhou's, both published.
    published = ParameterSet.objects.filter(status="published")
    assert published.filter(region__isnull=True).exists()
    assert published.filter(region__code="520000").exists()
    # Two funds near their budget: nine tenths or more committed (a recovery later gives
    # some of the claims' fund back).
    budgets = list(Budget.objects.with_balances())
    assert len(budgets) == 2
    for b in budgets:
        committed = (b.total_commit or 0) - (b.total_release or 0)
        assert b.amount * 9 / 10 <= committed <= b.amount, (b.source, b.amount, committed)
    assert PaymentBatch.objects.count() == 3
    assert HistoricSubsidy.objects.count() == 3


def test_the_institution_filed_living_allowances_by_the_days_attended(demo):
    living = SubsidyClaim.objects.filter(kind="living_allowance")
    assert demo["subsidy_living_allowances"] == living.count() >= 1
    allowed = living.filter(status=ClaimStatus.DRAFT)
    assert allowed.exists(), list(living.values_list("refusal_code", flat=True))
    for claim in allowed:
        assert claim.amount > 0 and claim.enrollment_id and claim.payee_kind == "person"
        assert any(s["rule"] == "per_day" for s in claim.steps)


def test_hrss_staff_see_their_regions_part(demo):
    claims = set(SubsidyClaim.objects.values_list("pk", flat=True))
    county_claims = set(SubsidyClaim.objects.filter(region__code="520102")
                        .values_list("pk", flat=True))
    assert county_claims and county_claims <= claims
    for name in ("province", "city"):
        assert {c["id"] for c in api(name, "claims")} == claims
        assert len(api(name, "budgets")) == 2
        assert len(api(name, "payment-batches")) == 3
    assert {c["id"] for c in api("county", "claims")} == county_claims
    # Budgets and batches are the city's (520100): a county's staff review, the city pays.
    assert api("county", "budgets") == [] and api("county", "payment-batches") == []
    # The county reviewer has a claim waiting (submitted in their county).
    waiting = selectors.claim_list(actor=user("county"), status=ClaimStatus.SUBMITTED)
    assert waiting.exists()


def test_the_institution_sees_its_claims_and_no_budgets(demo):
    trainer = user("trainer")
    own = set(SubsidyClaim.objects.filter(organization_id=trainer.organization_id)
              .values_list("pk", flat=True))
    assert own and {c["id"] for c in api("trainer", "claims")} == own
    assert api("trainer", "budgets") == [] and api("trainer", "payment-batches") == []
    assert api("enterprise", "claims") == []
    page = Client()
    page.force_login(trainer)
    assert page.get(reverse("subsidy:claim_list")).status_code == 200


def test_the_worker_sees_their_year_after_the_identity_check(demo, settings):
    settings.DEMO = True  # the code is shown on the page (no SMS gateway in the demo)
    paid = SubsidyClaim.objects.filter(status=ClaimStatus.PAID).select_related("person").first()
    person = Person.objects.get(pk=paid.person_id)
    client = Client()
    assert client.get(reverse("subsidy:own_year")).status_code == 302  # the check first
    started = client.post(reverse("assessment:records_own"),
                          {"id_number": pii.decrypt(person.id_encrypted), "name": person.name})
    assert started.status_code == 302, started.content[:500]
    page = client.get(reverse("assessment:records_own_code")).content.decode()
    code = re.search(r"\b(\d{6})\b", page).group(1)
    verified = client.post(reverse("assessment:records_own_code"), {"code": code})
    assert verified.status_code == 302
    year = client.get(reverse("subsidy:own_year"))
    assert year.status_code == 200
    html = year.content.decode()
    assert 'id="counted"' in html and re.search(r"\d of at most", html)


def test_a_reset_removes_the_subsidy_demo(demo):
    with transaction.atomic():
        reset_demo()
        assert not SubsidyClaim.objects.exists() and not Budget.objects.exists()
        assert not PaymentBatch.objects.exists() and not HistoricSubsidy.objects.exists()
        transaction.set_rollback(True)
