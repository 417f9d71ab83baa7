"""The oversight API through its OpenAPI document, and its pages: scores, recovery, sanctions,
spot checks, inspections with uploads."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jineng.accounts.models import Role
from jineng.supervision.models import Inspection
from jineng.training.models import TrainingClass
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.subsidy import helpers as sh
from tests.supervision import oversight_helpers as oh

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64


def test_api_scores_and_recovery(client, monkeypatch):
    a, claims = oh.paid_claims(monkeypatch)
    alert = oh.alert(subject_ref=str(a.cls.pk), training_class_id=a.cls.pk,
                     institution_id=a.world.org.pk)
    inspector = OpenApiClient(client).login(f.staff(Role.INSPECTOR, f.COUNTY))
    classes = inspector.call("supervision_class_risk_list")
    assert classes.status == 200 and classes.body == [
        {"id": a.cls.pk, "score": 1.5, "alerts": [alert.pk]}]
    one = inspector.call("supervision_class_risk_get", path={"class_id": a.cls.pk})
    assert one.body["alerts"][0]["score"] == 1.5
    inst = inspector.call("supervision_institution_risk_get",
                          path={"institution_id": a.world.org.pk})
    assert inst.status == 200
    inspector.call("supervision_alert_transition", path={"alert_id": alert.pk},
                   json_body={"action": "confirm", "reason": "学员未到场"})
    refused = inspector.call("supervision_alert_recovery_start", path={"alert_id": alert.pk},
                             json_body={})
    assert refused.status == 403
    city = OpenApiClient(client).login(oh.city())
    done = city.call("supervision_alert_recovery_start", path={"alert_id": alert.pk},
                     json_body={})
    assert done.status == 200 and done.body["recovered"] == [claims[0].pk]
    assert float(done.body["amount"]) == float(claims[0].amount)


def test_api_sanctions(client):
    person = f.PersonFactory()
    county = OpenApiClient(client).login(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    bad = county.call("supervision_sanction_impose",
                      json_body={"kind": "bar", "person_id": person.pk, "reason": "骗补"})
    assert bad.status == 400 and bad.body["detail"][0]["field"] == "days"
    made = county.call("supervision_sanction_impose",
                       json_body={"kind": "bar", "person_id": person.pk, "reason": "骗补",
                                  "days": 365})
    assert made.status == 200 and made.body["status"] == "active"
    sid = made.body["id"]
    assert county.call("supervision_sanction_lift", path={"sanction_id": sid},
                       json_body={"reason": "申诉"}).status == 403
    province = OpenApiClient(client).login(f.staff())
    lifted = province.call("supervision_sanction_lift", path={"sanction_id": sid},
                           json_body={"reason": "申诉成立"})
    assert lifted.status == 200 and lifted.body["status"] == "lifted"
    assert len(county.call("supervision_sanction_list").body) == 1


def test_api_spot_check_and_inspection_with_upload(client):
    a = sh.assessed_class(1, certificates=False)
    TrainingClass.objects.filter(pk=a.cls.pk).update(status="approved")
    inspector = OpenApiClient(client).login(f.staff(Role.INSPECTOR, f.CITY))
    drawn = inspector.call("supervision_spot_check_draw",
                           json_body={"population": "class", "region_code": f.CITY,
                                      "seed": "s-1"})
    assert drawn.status == 200 and drawn.body["items"][0]["id"] == a.cls.pk
    frame = inspector.call("supervision_spot_check_frame",
                           path={"spot_check_id": drawn.body["id"]})
    assert frame.body == [[a.cls.pk, 0.0]]
    planned = inspector.call("supervision_inspection_plan", json_body={
        "mode": "onsite", "planned_for": "2026-07-01", "spot_check_id": drawn.body["id"],
        "item_id": a.cls.pk})
    assert planned.status == 200 and planned.body["status"] == "planned"
    iid = planned.body["id"]
    wrong = inspector.call("supervision_inspection_attach", path={"inspection_id": iid},
                           files={"file": SimpleUploadedFile("a.jpg", b"MZ\x90\x00")})
    assert wrong.status == 400
    up = inspector.call("supervision_inspection_attach", path={"inspection_id": iid},
                        files={"file": SimpleUploadedFile("现场.jpg", JPEG)})
    assert up.status == 200 and up.body["content_type"] == "image/jpeg"
    got = inspector.call("supervision_inspection_file_get",
                         path={"inspection_id": iid, "file_id": up.body["id"]})
    assert got.status == 200 and got.response.content == JPEG
    rec = inspector.call("supervision_inspection_transition", path={"inspection_id": iid},
                         json_body={"action": "record", "findings": "到场核查无异常"})
    assert rec.body["status"] == "done" and len(rec.body["files"]) == 1


def test_pages_inspector_walks_through(client, monkeypatch):
    alert = oh.alert(training_class_id=5, subject_ref="5")
    client.force_login(f.staff(Role.INSPECTOR, f.COUNTY))
    queue = client.get(reverse("supervision:alert_list"))
    assert queue.status_code == 200 and b'class="score"' in queue.content
    for name, args in (("risk_overview", []), ("class_risk", [5]),
                       ("alert_recovery", [alert.pk]), ("sanction_list", []),
                       ("spot_check_list", []), ("inspection_list", [])):
        assert client.get(reverse(f"supervision:{name}", args=args)).status_code == 200, name
    r = client.post(reverse("supervision:inspection_list"),
                    {"alert_id": alert.pk, "mode": "online", "planned_for": "2026-07-01"})
    i = Inspection.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/inspections/{i.pk}/")
    r = client.post(reverse("supervision:inspection_attach", args=[i.pk]),
                    {"file": SimpleUploadedFile("笔录.pdf", b"%PDF-1.4 x")})
    assert r.status_code == 302 and i.files.count() == 1
    r = client.post(reverse("supervision:inspection_attach", args=[i.pk]),
                    {"file": SimpleUploadedFile("笔录.pdf", b"not a pdf")})
    assert r.status_code == 302 and i.files.count() == 1
    page = client.get(reverse("supervision:inspection_detail", args=[i.pk]))
    assert "笔录.pdf" in page.content.decode()
    r = client.post(reverse("supervision:inspection_list"),
                    {"alert_id": "abc", "mode": "online", "planned_for": "2026-07-01"})
    assert r.status_code == 302 and Inspection.objects.count() == 1
