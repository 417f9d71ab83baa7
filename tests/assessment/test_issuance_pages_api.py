"""The staff certificate list and detail (pages and API): filters, scope (out of scope is 404,
the public lists nothing), ID numbers masked, the 一试双证 pair and the signing area's links;
training certificates issued from the class (page button and API)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jineng.assessment import services
from jineng.assessment.models import Certificate
from jineng.core import pii
from jineng.training.models import Enrollment, TrainingClass
from tests import factories as f
from tests.assessment import issuance_support as s
from tests.openapi import OpenApiClient
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued():
    w = s.world(passed=2, failed=1, second_certificate_kind="special_ability",
                special_ability_item=s.ITEM)
    certificates = services.certificates_issue_for_sitting(actor=w.operator, sitting=w.sitting)
    return w, certificates


def _api(client, user) -> OpenApiClient:
    return OpenApiClient(client).login(user)


def test_the_list_filters_and_masks(client, issued):
    w, certificates = issued
    client.force_login(w.county_staff)
    page = client.get(reverse("assessment:issuance_list"), {"kind": "special_ability"})
    assert page.status_code == 200
    html = page.content.decode()
    specials = [c for c in certificates if c.kind == "special_ability"]
    skills = [c for c in certificates if c.kind == "skill_level"]
    for c in specials:
        assert c.number in html and c.person.id_masked in html
        assert pii.decrypt(c.person.id_encrypted) not in html
    assert not any(c.number in html for c in skills)
    page = client.get(reverse("assessment:issuance_list"), {"level": "grade5",
                                                            "q": skills[0].number})
    html = page.content.decode()
    assert skills[0].number in html and skills[1].number not in html
    # An unknown filter value is ignored, not an error.
    assert client.get(reverse("assessment:issuance_list"),
                      {"kind": "x", "from": "nope", "issuer": "9" * 30}).status_code == 200


def test_the_detail_shows_the_pair_and_the_links(client, issued):
    w, certificates = issued
    client.force_login(w.operator)
    skill = next(c for c in certificates if c.kind == "skill_level")
    pair = Certificate.objects.get(paired_with=skill)
    page = client.get(reverse("assessment:issuance_detail", args=[skill.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert pair.number in html and skill.person.id_masked in html
    for name in ("signing_certificate_file", "signing_certificate_pdf"):
        assert reverse(f"assessment:{name}", args=[skill.pk]) in html
    assert reverse("assessment:sittings_detail", args=[w.sitting.pk]) in html


@pytest.mark.parametrize("who", ["other_operator", "other_county", "training_operator"])
def test_out_of_scope_is_404(client, issued, who):
    w, certificates = issued
    user = {"other_operator": w.other_operator,
            "other_county": f.staff("county_staff", f.OTHER_COUNTY),
            "training_operator": f.operator(f.OrganizationFactory())}[who]
    client.force_login(user)
    assert client.get(reverse("assessment:issuance_detail",
                              args=[certificates[0].pk])).status_code == 404
    listed = client.get(reverse("assessment:issuance_list")).content.decode()
    assert certificates[0].number not in listed
    api = _api(client, user)
    assert api.call("assessment_certificate_get",
                    path={"certificate_id": certificates[0].pk}).status == 404
    assert api.call("assessment_certificate_list").body["items"] == []


def test_the_api_lists_and_gets(client, issued):
    w, certificates = issued
    api = _api(client, w.county_staff)
    listed = api.call("assessment_certificate_list",
                      query={"kind": "skill_level", "sitting_id": w.sitting.pk})
    assert listed.status == 200
    items = listed.body["items"]
    assert sorted(i["number"] for i in items) == sorted(
        c.number for c in certificates if c.kind == "skill_level")
    assert all("*" in i["id_number_masked"] for i in items)
    one = api.call("assessment_certificate_get", path={"certificate_id": items[0]["id"]})
    assert one.status == 200
    assert one.body["paired_with_id"] and one.body["sitting_id"] == w.sitting.pk
    assert one.body["signed_file"].endswith("/signed.json") and one.body["history"] == []


def _finished_class():
    tw = h.world()
    cls = h.declare(tw)
    enrollment = h.enroll(tw, cls)
    TrainingClass.objects.filter(pk=cls.pk).update(status="finished")
    Enrollment.objects.filter(pk=enrollment.pk).update(completed=True)
    return tw, cls


def test_training_certificates_from_the_page(client):
    tw, cls = _finished_class()
    client.force_login(tw.operator)
    url = reverse("assessment:issuance_training_certificates", args=[cls.pk])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    number = Certificate.objects.get(training_class=cls).number
    assert number in response.content.decode()
    client.post(url)
    assert Certificate.objects.filter(training_class=cls).count() == 1
    client.force_login(tw.other_operator)
    assert client.post(url).status_code == 404


def test_training_certificates_from_the_api(client):
    tw, cls = _finished_class()
    api = _api(client, tw.operator)
    first = api.call("assessment_training_certificates_issue", path={"class_id": cls.pk})
    assert first.status == 201 and first.body[0]["kind"] == "training"
    again = api.call("assessment_training_certificates_issue", path={"class_id": cls.pk})
    assert again.status == 200 and again.body == []
    staff = _api(client, f.staff("inspector", f.PROVINCE))
    assert staff.call("assessment_training_certificates_issue",
                      path={"class_id": cls.pk}).status == 403
