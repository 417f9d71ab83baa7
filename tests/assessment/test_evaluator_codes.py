"""G3: recording evaluators' certificate codes — the service (province HRSS staff only,
checks naming the field, unique 6-digit code in the province, audited, refusals change
nothing), the page (list + form) and the API (through its OpenAPI document); the recorded code
numbers the evaluator's certificates."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jineng.assessment import services
from jineng.assessment.models import EvaluatorCode
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditEvent
from tests import factories as f
from tests.assessment import factories as af
from tests.assessment import issuance_support as s
from tests.assessment import sittings_support as ss
from tests.openapi import OpenApiClient

pytestmark = pytest.mark.django_db


def _set(actor, org, **kw):
    values = {"letter": "S", "filed_with": "province", "ministry_code": "",
              "site_code": "000101"}
    values.update(kw)
    return services.evaluator_code_set(actor=actor, organization=org, **values)


def test_province_staff_record_and_correct_a_code():
    org = af.EvaluatorFactory()
    staff = f.staff()
    row = _set(staff, org)
    assert (row.letter, row.filed_with, row.ministry_code, row.site_code) == (
        "S", "province", "", "000101")
    assert AuditEvent.objects.filter(entity_type="assessment.evaluatorcode",
                                     action="create").count() == 1
    again = _set(staff, org, filed_with="ministry", ministry_code="0042", site_code="000102")
    assert again.pk == row.pk and (again.ministry_code, again.site_code) == ("0042", "000102")
    update = AuditEvent.objects.get(entity_type="assessment.evaluatorcode", action="update")
    assert update.before["site_code"] == "000101" and update.after["site_code"] == "000102"


def test_an_enterprise_takes_y():
    ent = ss.enterprise()
    assert _set(f.staff(), ent, letter="Y").letter == "Y"
    with pytest.raises(DomainError) as refused:
        _set(f.staff(), ent, site_code="000777")
    assert (refused.value.field, refused.value.code) == ("letter", "letter_mismatch")


@pytest.mark.parametrize(("kw", "field", "code"), [
    ({"letter": "Y"}, "letter", "letter_mismatch"),
    ({"filed_with": "ministry"}, "ministry_code", "required"),
    ({"filed_with": "ministry", "ministry_code": "0000"}, "ministry_code", "invalid"),
    ({"ministry_code": "0001"}, "ministry_code", "not_for_province"),
    ({"site_code": "12a456"}, "site_code", "invalid"),
    ({"filed_with": "city"}, "filed_with", "invalid"),
])
def test_refusals_name_the_field_and_change_nothing(kw, field, code):
    org = af.EvaluatorFactory()
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        _set(f.staff(), org, **kw)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert not EvaluatorCode.objects.exists() and AuditEvent.objects.count() == before


def test_the_site_code_is_unique_in_the_province():
    first, second = af.EvaluatorFactory(), af.EvaluatorFactory()
    _set(f.staff(), first)
    with pytest.raises(Conflict) as refused:
        _set(f.staff(), second)
    assert (refused.value.field, refused.value.code) == ("site_code", "site_code_taken")
    assert not EvaluatorCode.objects.filter(organization=second).exists()


@pytest.mark.parametrize("who", ["county", "city", "operator"])
def test_only_province_staff(who):
    org = af.EvaluatorFactory()
    actor = {"county": f.staff("county_staff", f.COUNTY),
             "city": f.staff("city_staff", f.CITY), "operator": f.operator(org)}[who]
    with pytest.raises(Forbidden):
        _set(actor, org)
    assert not EvaluatorCode.objects.exists()


def test_an_organization_out_of_scope_is_not_found():
    from jineng.registry.models import Region

    other_province = Region.objects.filter(level="province").exclude(code=f.PROVINCE).first()
    staff = f.staff(code=other_province.code)
    with pytest.raises(NotFound):
        _set(staff, af.EvaluatorFactory())


def test_the_recorded_code_numbers_the_certificates():
    org = af.EvaluatorFactory()
    s.publish_evaluation_catalog(s.listing_rows(org))
    _set(f.staff(), org, filed_with="ministry", ministry_code="0123", site_code="004567")
    sitting = s.results_sitting(org, passed=1, failed=0)
    (c,) = services.certificates_issue_for_sitting(actor=f.operator(org), sitting=sitting)
    assert c.number.startswith("S0123" + org.region.code[:2] + "004567")


def test_the_page_lists_and_records(client):
    org = af.EvaluatorFactory()
    client.force_login(f.staff())
    url = reverse("assessment:evaluator_codes")
    bad = client.post(url, {"organization_id": org.pk, "letter": "S", "filed_with": "ministry",
                            "ministry_code": "", "site_code": "000301"})
    assert bad.status_code == 400 and "ministry_code" in bad.context["form"].errors
    assert not EvaluatorCode.objects.exists()
    ok = client.post(url, {"organization_id": org.pk, "letter": "S",
                           "filed_with": "province", "ministry_code": "",
                           "site_code": "000301"})
    assert ok.status_code == 302
    page = client.get(url)
    html = page.content.decode()
    assert f'data-organization="{org.pk}"' in html and "000301" in html
    assert 'id="evaluator-code-form"' in html


def test_the_page_for_others_has_no_form_and_refuses_posts(client):
    org = af.EvaluatorFactory()
    client.force_login(f.operator(org))
    url = reverse("assessment:evaluator_codes")
    assert 'id="evaluator-code-form"' not in client.get(url).content.decode()
    assert client.post(url, {"organization_id": org.pk, "letter": "S",
                             "filed_with": "province", "site_code": "000301"}
                       ).status_code == 404
    assert not EvaluatorCode.objects.exists()


def test_the_api(client):
    org = af.EvaluatorFactory()
    api = OpenApiClient(client).login(f.staff())
    done = api.call("assessment_evaluator_code_set", path={"organization_id": org.pk},
                    json_body={"letter": "S", "filed_with": "province", "site_code": "000401"})
    assert done.status == 200 and done.body["site_code"] == "000401"
    listed = api.call("assessment_evaluator_code_list")
    assert [i["organization_id"] for i in listed.body["items"]] == [org.pk]
    bad = api.call("assessment_evaluator_code_set", path={"organization_id": org.pk},
                   json_body={"letter": "Y", "filed_with": "province", "site_code": "000401"})
    assert bad.status == 400 and bad.error_fields() == ["letter"]
    other = af.EvaluatorFactory()
    clash = api.call("assessment_evaluator_code_set", path={"organization_id": other.pk},
                     json_body={"letter": "S", "filed_with": "province", "site_code": "000401"})
    assert clash.status == 409
    county = OpenApiClient(client).login(f.staff("county_staff", f.COUNTY))
    assert county.call("assessment_evaluator_code_set", path={"organization_id": org.pk},
                       json_body={"letter": "S", "filed_with": "province",
                             "site_code": "000402"}).status == 403
    assert EvaluatorCode.objects.get(organization=org).site_code == "000401"
