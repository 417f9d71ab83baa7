"""The outside-certificate API through its OpenAPI document: record (201, then 200 for the
same, 409 for another content), list with the verified filter, mark verified, import files."""

from __future__ import annotations

import pytest

from jineng.accounts.models import ApiToken
from jineng.assessment.models import AssessmentSitting, Certificate
from tests import factories as f
from tests.assessment import outside_helpers as h
from tests.openapi import OpenApiClient

pytestmark = pytest.mark.django_db


def _as(user) -> OpenApiClient:
    _row, token = ApiToken.issue(user, "outside")
    return OpenApiClient().bearer(token)


def _body(p, **kw) -> dict:
    body = {"kind": "skill_level", "number": h.number(), "origin": "other_province",
            "id_number": p.plain_id, "holder_name": p.name, "issuer_name": "湖南省某评价机构",
            "issued_on": h.ISSUED.isoformat(), "occupation_id": h.occupation().pk,
            "level": "grade5"}
    body.update(kw)
    return body


@pytest.fixture
def clerk():
    return f.staff("city_staff", f.CITY)


def test_record_list_and_verify(clerk):
    api = _as(clerk)
    p = h.person()
    first = api.call("assessment_outside_record", json_body=_body(p))
    assert first.status == 201, first.body
    assert first.body["id_masked"] == p.id_masked and first.body["verified"] is False
    assert p.plain_id not in first.content.decode()
    same = api.call("assessment_outside_record", json_body=_body(p))
    assert same.status == 200 and same.body["id"] == first.body["id"]
    other = api.call("assessment_outside_record", json_body=_body(p, issuer_name="别的机构"))
    assert other.status == 409 and other.error_fields() == ["issuer_name"]
    listed = api.call("assessment_outside_list", query={"verified": "false"})
    assert [c["id"] for c in listed.body["items"]] == [first.body["id"]]
    assert api.call("assessment_outside_list", query={"verified": "true"}).body["count"] == 0
    marked = api.call("assessment_outside_mark_verified", path={"certificate_id":
                                                                 first.body["id"]},
                      json_body={"verified": True, "note": "湖南省平台查询一致"})
    assert marked.status == 200 and marked.body["verified"] is True
    assert marked.body["verified_by"] == clerk.username
    assert api.call("assessment_outside_list", query={"verified": "true"}).body["count"] == 1


def test_bad_input_names_the_field(clerk):
    api = _as(clerk)
    p = h.person()
    answer = api.call("assessment_outside_record",
                      json_body=_body(p, number="S0000520000012550000"))
    assert answer.status == 400 and answer.error_fields() == ["number"]
    answer = api.call("assessment_outside_record", json_body=_body(p, level="grade9"))
    assert answer.status == 400 and answer.error_fields() == ["level"]
    answer = api.call("assessment_outside_record",
                      json_body=_body(p, id_number=f.id_number_for(n=779)))
    assert answer.status == 400 and answer.error_fields() == ["id_number"]
    assert not Certificate.objects.exists()


def test_out_of_scope_is_not_found_and_others_may_not_record(clerk):
    api = _as(clerk)
    p = h.person()
    cert = api.call("assessment_outside_record", json_body=_body(p)).body
    elsewhere = _as(f.staff("city_staff", f.OTHER_CITY))
    assert elsewhere.call("assessment_outside_get",
                          path={"certificate_id": cert["id"]}).status == 404
    assert elsewhere.call("assessment_outside_mark_verified",
                          path={"certificate_id": cert["id"]},
                          json_body={"verified": True}).status == 404
    evaluator = f.OrganizationFactory(kind="evaluation", institution_type="")
    answer = _as(f.operator(evaluator)).call("assessment_outside_record",
                                             json_body=_body(p, number=h.number(2)))
    assert answer.status == 403
    assert Certificate.objects.filter(verified=True).count() == 0


def test_import_files(clerk):
    api = _as(clerk)
    p = h.person()
    upload = h.csv_file(h.services.CERTIFICATE_COLUMNS, [h.cert_row(p)])
    report = api.call("assessment_outside_import", files={"file": upload})
    assert report.status == 200 and report.body["created"] == 1, report.body
    upload = h.csv_file(h.services.CERTIFICATE_COLUMNS,
                        [h.cert_row(p, number="BAD"), h.cert_row(p, number=h.number(3))])
    report = api.call("assessment_outside_import", files={"file": upload},
                      form={"skip_bad_rows": "true"})
    assert report.body["written"] and report.body["created"] == 1
    assert [e["field"] for e in report.body["errors"]] == ["number"]
    evaluator = f.OrganizationFactory(kind="evaluation", institution_type="")
    hist = h.csv_file(h.services.HISTORY_COLUMNS, [{
        "sitting_ref": "OLD-1", "evaluator_credit_code": evaluator.credit_code,
        "occupation": "养老护理员", "level": "初级工", "sitting_date": "2021-06-20",
        "place": "考点", "id_number": p.plain_id, "holder_name": p.name,
        "theory_score": "70", "practical_score": "80", "result": "合格",
        "number": h.number(9, year="21"), "issued_on": "2021-06-30"}], "old.csv")
    report = api.call("assessment_history_import", files={"file": hist})
    assert report.status == 200 and report.body["created"] == 1, report.body
    assert AssessmentSitting.objects.get().origin == "legacy"
