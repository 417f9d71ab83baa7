"""The results API through its OpenAPI document: read, enter by PUT and POST, row errors naming
index and field, the file import, and who may call it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jineng.assessment.choices import SittingStatus
from jineng.assessment.models import AssessmentSitting
from jineng.core import pii
from tests.assessment.results_support import D, reload, results_world
from tests.openapi import OpenApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return results_world()


def _api(client, user) -> OpenApiClient:
    return OpenApiClient(client).login(user)


def test_get_results(client, w):
    api = _api(client, w.county_staff)
    result = api.call("assessment_results_get", path={"sitting_id": w.sitting.pk})
    assert result.status == 200
    body = result.body
    assert body["status"] == "approved" and body["may_enter"] is False
    assert [c["candidate_id"] for c in body["candidates"]] == [c.pk for c in w.candidates]
    first = body["candidates"][0]
    assert first["passed"] is None and not first["entered"]
    assert "*" in first["id_masked"] and first["explanation"].startswith("No result yet")
    assert _api(client, w.operator).call(
        "assessment_results_get", path={"sitting_id": w.sitting.pk}).body["may_enter"] is True


@pytest.mark.parametrize("operation", ["assessment_results_put", "assessment_results_post"])
def test_enter_results(client, w, operation):
    a, b, c = w.candidates
    api = _api(client, w.operator)
    rows = [{"candidate_id": a.pk, "theory_score": 60, "practical_score": "75.5"},
            {"id_number": pii.decrypt(b.person.id_encrypted), "theory_score": 59.5,
             "practical_score": 100},
            {"candidate_id": c.pk, "absent": True}]
    result = api.call(operation, path={"sitting_id": w.sitting.pk}, json_body={"rows": rows})
    assert result.status == 200, result.body
    assert result.body["created"] == 3 and result.body["moved_to_results"]
    assert result.body["status"] == "results"
    assert (reload(a).passed, reload(b).passed, reload(c).passed) == (True, False, False)
    assert reload(a).practical_score == D("75.50")
    again = api.call(operation, path={"sitting_id": w.sitting.pk}, json_body={"rows": rows})
    assert again.status == 200 and again.body["unchanged"] == 3
    got = api.call("assessment_results_get", path={"sitting_id": w.sitting.pk}).body
    assert [x["passed"] for x in got["candidates"]] == [True, False, False]


def test_row_errors_name_index_and_field(client, w):
    a, b = w.candidates[:2]
    api = _api(client, w.operator)
    result = api.call("assessment_results_put", path={"sitting_id": w.sitting.pk},
                      json_body={"rows": [
                          {"candidate_id": a.pk, "theory_score": 70, "practical_score": 70},
                          {"candidate_id": b.pk, "theory_score": 120, "practical_score": 70},
                      ]})
    assert result.status == 400
    assert result.error_fields() == ["rows[1].theory_score"]
    assert result.error_codes() == ["out_of_range"]
    assert result.body["rows"][0]["row"] == 2
    assert reload(a).result_entered_at is None


def test_a_malformed_score_is_refused_before_the_service(client, w):
    api = _api(client, w.operator)
    result = api.call("assessment_results_put", path={"sitting_id": w.sitting.pk},
                      json_body={"rows": [{"candidate_id": w.candidates[0].pk,
                                           "theory_score": "八十"}]})
    assert result.status in (400, 422)
    assert any("theory_score" in f for f in result.error_fields())


def test_who_may_enter(client, w):
    body = {"rows": [{"candidate_id": w.candidates[0].pk, "theory_score": 70,
                      "practical_score": 70}]}
    path = {"sitting_id": w.sitting.pk}
    assert _api(client, w.county_staff).call("assessment_results_put", path=path,
                                             json_body=body).status == 403
    assert _api(client, w.other_operator).call("assessment_results_put", path=path,
                                               json_body=body).status == 404
    assert _api(client, w.other_operator).call("assessment_results_get",
                                               path=path).status == 404
    AssessmentSitting.objects.filter(pk=w.sitting.pk).update(status=SittingStatus.DECLARED)
    refused = _api(client, w.operator).call("assessment_results_put", path=path,
                                            json_body=body)
    assert refused.status == 400 and refused.error_fields() == ["status"]
    assert reload(w.candidates[0]).result_entered_at is None


def test_import_file(client, w):
    a, b, c = w.candidates
    api = _api(client, w.operator)
    path = {"sitting_id": w.sitting.pk}
    bad = f"考生编号,理论成绩,实操成绩\n{a.pk},70,70\n{b.pk},120,70\n".encode()
    result = api.call("assessment_results_import", path=path,
                      files={"file": SimpleUploadedFile("r.csv", bad)})
    assert result.status == 200 and not result.body["written"]
    assert [(e["row"], e["field"]) for e in result.body["errors"]] == [(3, "theory_score")]
    good = f"考生编号,理论成绩,实操成绩,缺考\n{a.pk},70,70,\n{b.pk},100,70,\n{c.pk},,,是\n"
    result = api.call("assessment_results_import", path=path,
                      files={"file": SimpleUploadedFile("r.csv", good.encode())})
    assert result.status == 200 and result.body["created"] == 3
    assert result.body["status"] == "results"
