"""The API's issuing and closing of a sitting, and cancelling one from "results", through the
OpenAPI document; a pending direct recognition answers 400 naming the candidates."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jineng.assessment.choices import AssessmentRoute
from jineng.assessment.models import AssessmentSitting, Certificate
from tests.assessment import factories as af
from tests.assessment import issuance_support as s
from tests.openapi import OpenApiClient

pytestmark = pytest.mark.django_db


def test_issue_through_the_api(client):
    w = s.world(passed=2, failed=1)
    other = OpenApiClient(client).login(w.other_operator)
    assert other.call("assessment_sitting_certificates_issue",
                      path={"sitting_id": w.sitting.pk}).status == 404
    api = OpenApiClient(client).login(w.operator)
    done = api.call("assessment_sitting_certificates_issue", path={"sitting_id": w.sitting.pk})
    assert done.status == 200
    assert done.body["status"] == "closed" and done.body["appointed"] == 0
    assert sorted(c["number"] for c in done.body["certificates"]) == sorted(
        Certificate.objects.values_list("number", flat=True))
    again = api.call("assessment_sitting_close", path={"sitting_id": w.sitting.pk})
    assert again.status == 400 and again.error_codes() == ["no_results"]


def test_close_through_the_api_and_a_pending_recognition(client):
    w = s.world(passed=1, failed=0)
    (one,) = w.passed
    one.route, one.justification = AssessmentRoute.DIRECT_RECOGNITION, "技术革新"
    one.save()
    api = OpenApiClient(client).login(w.operator)
    held = api.call("assessment_sitting_close", path={"sitting_id": w.sitting.pk})
    assert held.status == 400 and held.error_fields() == ["candidates"]
    assert held.error_codes() == ["direct_recognition_pending"]
    assert AssessmentSitting.objects.get(pk=w.sitting.pk).status == "results"
    one.approved_at, one.approved_by = timezone.now(), "county"
    one.save()
    closed = api.call("assessment_sitting_close", path={"sitting_id": w.sitting.pk})
    assert closed.status == 200 and closed.body["status"] == "closed"
    assert len(closed.body["certificates"]) == 1


def test_a_chief_sitting_appoints_through_the_api(client):
    code = af.EvaluatorCodeFactory()
    sitting = s.results_sitting(code.organization, passed=2, failed=0,
                                level=af.level("chief"))
    from tests import factories as f
    api = OpenApiClient(client).login(f.operator(code.organization))
    done = api.call("assessment_sitting_certificates_issue", path={"sitting_id": sitting.pk})
    assert done.status == 200 and done.body["certificates"] == []
    assert done.body["appointed"] == 2 and done.body["status"] == "closed"


def test_cancel_results_through_the_api(client):
    w = s.world(passed=1, failed=0)
    evaluator = OpenApiClient(client).login(w.operator)
    refused = evaluator.call("assessment_sitting_transition", path={"sitting_id": w.sitting.pk},
                             json_body={"action": "cancel_results", "reason": "x"})
    assert refused.status == 403
    staff = OpenApiClient(client).login(w.county_staff)
    no_reason = staff.call("assessment_sitting_transition", path={"sitting_id": w.sitting.pk},
                           json_body={"action": "cancel_results"})
    assert no_reason.status == 400 and no_reason.error_fields() == ["reason"]
    done = staff.call("assessment_sitting_transition", path={"sitting_id": w.sitting.pk},
                      json_body={"action": "cancel_results", "reason": "成绩作废"})
    assert done.status == 200 and done.body["status"] == "cancelled"
