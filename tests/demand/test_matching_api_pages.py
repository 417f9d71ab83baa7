"""Matching through the API (its OpenAPI document) and the pages, per role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from jineng.demand import services
from jineng.demand.models import OrderClassProposal, Referral, WishMatch
from jineng.training.models import TrainingClass
from tests import factories as f
from tests.demand import matching_support as ms
from tests.openapi import OpenApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return ms.world()


def api(_client, user) -> OpenApiClient:
    """A client of its own per user (logging one in must not log another out)."""
    return OpenApiClient(Client()).login(user)


def test_wish_matching_by_api(client, w):
    staff = api(client, w.county_staff)
    ran = staff.call("demand_wish_match", path={"wish_id": w.wish.pk})
    assert ran.status == 200 and ran.body["new_matches"] == 1
    got = staff.call("demand_wish_matches", path={"wish_id": w.wish.pk})
    assert got.status == 200
    (match,) = got.body
    assert match["class_id"] == w.upcoming.pk and match["notified_at"]
    rules = {r["rule"]: r for r in match["reasons"]}
    assert rules["distance"]["ok"] and rules["distance"]["params"]["limit"] == 20
    assert "km away" in rules["distance"]["text"]
    for outsider in (w.other_city_staff, w.enterprise_user, w.training.operator):
        other = api(client, outsider)
        assert other.call("demand_wish_matches", path={"wish_id": w.wish.pk}).status == 404
        assert other.call("demand_wish_match", path={"wish_id": w.wish.pk}).status == 404
    assert WishMatch.objects.count() == 1


def test_region_job_by_api(client, w):
    result = api(client, w.city_staff).call("demand_wish_match_region",
                                            path={"region_code": f.CITY})
    assert result.status == 202 and result.body["total"] == 1
    assert api(client, w.city_staff).call(
        "demand_wish_match_region", path={"region_code": f.OTHER_CITY}).status == 404
    assert api(client, w.enterprise_user).call(
        "demand_wish_match_region", path={"region_code": f.CITY}).status == 403


def test_order_class_by_api(client, w):
    ent = api(client, w.enterprise_user)
    made = ent.call("demand_order_class_propose", path={"line_id": w.line.pk})
    assert made.status == 201 and len(made.body) == 2
    pk = made.body[0]["id"]
    assert made.body[0]["reasons"][0]["rule"] == "listed"
    # Who sees what: the enterprise both, each institution its own, staff of the region.
    assert len(ent.call("demand_order_proposal_list").body["items"]) == 2
    inst = api(client, w.training.operator)
    assert [p["id"] for p in inst.call("demand_order_proposal_list").body["items"]] == [pk]
    other_inst = api(client, w.training.other_operator)
    assert other_inst.call("demand_order_proposal_get", path={"proposal_id": pk}).status == 404
    assert api(client, w.other_city_staff).call("demand_order_proposal_list").body["items"] \
        == []
    assert len(api(client, w.county_staff).call(
        "demand_order_proposal_list").body["items"]) == 2
    # Declining needs a reason, named.
    refused = inst.call("demand_order_proposal_answer", path={"proposal_id": pk},
                        json_body={"agree": False})
    assert refused.status == 400 and refused.error_fields() == ["reason"]
    assert ent.call("demand_order_proposal_answer", path={"proposal_id": pk},
                    json_body={"agree": True}).body["status"] == "proposed"
    assert inst.call("demand_order_proposal_answer", path={"proposal_id": pk},
                     json_body={"agree": True}).body["status"] == "agreed"
    start = ms.weekday_on_or_after(timezone.localdate() + dt.timedelta(days=20))
    sessions = [{"starts_at": f"{d.isoformat()}T09:00:00+08:00",
                 "ends_at": f"{d.isoformat()}T16:00:00+08:00", "hours": "6"}
                for d in (start + dt.timedelta(days=i) for i in range(7)) if d.weekday() < 5]
    body = {"name": "订单班（API）", "site_id": w.training.site.pk, "training_type": "employment",
            "sector": "elderly_child_care", "funding_source": "employment_subsidy",
            "sessions": sessions}
    assert ent.call("demand_order_proposal_declare", path={"proposal_id": pk},
                    json_body=body).status == 403
    bad = inst.call("demand_order_proposal_declare", path={"proposal_id": pk},
                    json_body={**body, "site_id": w.training.other_site.pk})
    assert bad.status == 400 and bad.error_fields() == ["site_id"]
    done = inst.call("demand_order_proposal_declare", path={"proposal_id": pk},
                     json_body=body)
    assert done.status == 200 and done.body["status"] == "declared"
    class_id = done.body["training_class_id"]
    assert TrainingClass.objects.visible_to(w.enterprise_user).filter(pk=class_id).exists()
    again = inst.call("demand_order_proposal_declare", path={"proposal_id": pk},
                      json_body=body)
    assert again.status == 409
    assert OrderClassProposal.objects.get(pk=pk).training_class_id == class_id


def test_referrals_by_api(client, w):
    staff = api(client, w.county_staff)
    cands = staff.call("demand_referral_candidates", path={"line_id": w.line.pk})
    assert cands.status == 200 and len(cands.body) == 2
    assert all("*" in c["id_masked"] for c in cands.body)
    assert api(client, w.enterprise_user).call(
        "demand_referral_candidates", path={"line_id": w.line.pk}).status == 403
    today = timezone.localdate().isoformat()
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    bad = staff.call("demand_referral_create", path={"line_id": w.line.pk},
                     json_body={"enrollment_id": cands.body[0]["enrollment_id"],
                                "consent_on": future})
    assert bad.status == 400 and bad.error_fields() == ["consent_on"]
    made = staff.call("demand_referral_create", path={"line_id": w.line.pk},
                      json_body={"enrollment_id": cands.body[0]["enrollment_id"],
                                 "consent_on": today})
    assert made.status == 201 and made.body["status"] == "referred"
    rid = made.body["id"]
    ent = api(client, w.enterprise_user)
    assert [r["id"] for r in ent.call("demand_referral_list").body["items"]] == [rid]
    assert api(client, w.other_enterprise_user).call(
        "demand_referral_get", path={"referral_id": rid}).status == 404
    assert api(client, w.training.operator).call(
        "demand_referral_get", path={"referral_id": rid}).status == 404
    hired = ent.call("demand_referral_transition", path={"referral_id": rid},
                     json_body={"action": "hire", "hired_on": today})
    assert hired.status == 200 and hired.body["status"] == "hired"
    assert [h["to_status"] for h in hired.body["history"]] == ["referred", "hired"]
    assert ent.call("demand_referral_transition", path={"referral_id": rid},
                    json_body={"action": "teleport"}).status == 400
    assert Referral.objects.get(pk=rid).hired_on == timezone.localdate()


def test_pages_per_role(client, w):
    services.wish_match(actor=w.county_staff, wish=w.wish)
    client.force_login(w.county_staff)
    page = client.get(f"/demand/matching/wishes/{w.wish.pk}/")
    assert page.status_code == 200
    assert w.upcoming.name in page.content.decode() and "km away" in page.content.decode()
    assert client.get(f"/demand/matching/lines/{w.line.pk}/").status_code == 200
    response = client.post(f"/demand/matching/lines/{w.line.pk}/propose/")
    assert response.status_code == 302
    proposal = OrderClassProposal.objects.get(institution=w.training.org)
    overview = client.get("/demand/matching/")
    assert overview.status_code == 200
    assert f"/demand/matching/lines/{w.line.pk}/" in overview.content.decode()
    client.force_login(w.training.operator)  # an institution does not see demand lines
    assert f"/demand/matching/lines/{w.line.pk}/" not in client.get(
        "/demand/matching/").content.decode()
    client.force_login(w.county_staff)
    # The institution answers and, once both agreed, declares from its page.
    client.force_login(w.enterprise_user)
    client.post(f"/demand/matching/proposals/{proposal.pk}/answer/", {"agree": "yes"})
    client.force_login(w.training.operator)
    client.post(f"/demand/matching/proposals/{proposal.pk}/answer/", {"agree": "yes"})
    page = client.get(f"/demand/matching/proposals/{proposal.pk}/")
    assert 'id="declare"' in page.content.decode()
    first = ms.weekday_on_or_after(timezone.localdate() + dt.timedelta(days=30))
    response = client.post(f"/demand/matching/proposals/{proposal.pk}/declare/", {
        "name": "订单班（页面）", "site": w.training.site.pk, "training_type": "employment",
        "sector": "elderly_child_care", "funding_source": "employment_subsidy",
        "first_day": first.isoformat(), "sessions": 5, "begin": 9, "end": 16, "hours": "6"})
    assert response.status_code == 302, response.content.decode()[:2000]
    proposal.refresh_from_db()
    assert proposal.status == "declared" and proposal.training_class.name == "订单班（页面）"
    # Out of scope: 404, like missing.
    client.force_login(w.training.other_operator)
    assert client.get(f"/demand/matching/proposals/{proposal.pk}/").status_code == 404
    client.force_login(w.other_city_staff)
    assert client.get(f"/demand/matching/wishes/{w.wish.pk}/").status_code == 404
    assert client.get(f"/demand/matching/lines/{w.line.pk}/").status_code == 404


def test_referral_pages(client, w):
    client.force_login(w.county_staff)
    done = next(e for e in w.trainees if e.completed)
    response = client.post(f"/demand/matching/lines/{w.line.pk}/refer/", {
        "enrollment": done.pk, "consent_on": timezone.localdate().isoformat()})
    referral = Referral.objects.get()
    assert response.status_code == 302
    client.force_login(w.enterprise_user)
    page = client.get(f"/demand/matching/referrals/{referral.pk}/").content.decode()
    assert done.person.id_masked in page and "Why this person" in page
    client.post(f"/demand/matching/referrals/{referral.pk}/step/", {"action": "interview"})
    referral.refresh_from_db()
    assert referral.status == "interviewed"
    client.force_login(w.other_enterprise_user)
    assert client.get(f"/demand/matching/referrals/{referral.pk}/").status_code == 404
