"""Subsidy pages: a reviewer opening a class's claims sees each amount's computation and
approves it; the claimant's page hides the account; out of scope answers 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jineng.accounts.models import Role
from jineng.subsidy.choices import ClaimStatus
from jineng.subsidy.models import SubsidyClaim
from tests import factories as f
from tests.subsidy import helpers as sh

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def params(monkeypatch):
    return sh.use_params(monkeypatch)


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_a_reviewer_sees_the_computation_and_approves():
    a = sh.assessed_class(1)
    sh.budget()
    page = client(a.world.operator).post(reverse("subsidy:claim_batch_create"), {
        "class_id": a.cls.pk, "payee_kind": "institution", "account": sh.ACCOUNT,
        "bank_name": sh.BANK})
    assert page.status_code == 302
    claim = SubsidyClaim.objects.get()
    detail = reverse("subsidy:claim_detail", args=[claim.pk])
    text = client(a.world.operator).get(detail).content.decode()
    assert "6222***********0123" in text and sh.ACCOUNT not in text
    client(a.world.operator).post(reverse("subsidy:claim_action", args=[claim.pk, "submit"]))
    county = client(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    text = county.get(detail).content.decode()
    assert 'id="claim-steps"' in text and "1500" in text and "gz-2026" in text
    county.post(reverse("subsidy:claim_action", args=[claim.pk, "approve"]))
    city = client(f.staff(Role.CITY_STAFF, f.CITY))
    answer = city.post(reverse("subsidy:claim_action", args=[claim.pk, "refuse"]), follow=True)
    assert "reason" in answer.content.decode().lower()  # a refusal needs its reason
    city.post(reverse("subsidy:claim_action", args=[claim.pk, "approve"]))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    listing = city.get(reverse("subsidy:claim_list"), {"class_id": a.cls.pk})
    assert listing.status_code == 200 and str(claim.pk) in listing.content.decode()


def test_other_pages_answer_and_out_of_scope_is_404():
    a = sh.assessed_class(1)
    claim = sh.drafts(a).created[0]
    stranger = client(f.staff(Role.CITY_STAFF, f.OTHER_CITY))
    assert stranger.get(reverse("subsidy:claim_detail", args=[claim.pk])).status_code == 404
    staff = client(f.staff())
    for name in ("claim_list", "budget_list", "parameter_list", "batch_list"):
        assert staff.get(reverse(f"subsidy:{name}")).status_code == 200, name
