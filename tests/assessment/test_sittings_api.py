"""The sittings API through its OpenAPI document: declaring (201/200/409), review, candidates
by route and from the class, direct recognition, examiners, scope and bad input."""

from __future__ import annotations

import pytest

from jineng.core import pii
from tests.assessment import sittings_support as ss
from tests.openapi import OpenApiClient
from tests.training import helpers as th

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return ss.world(trainees=3, completed=2)


def body(w, **kw):
    values = {"occupation_id": th.occupation().pk, "level": "grade5", "place": "南明区考点",
              "sitting_date": ss.SITTING_DAY.isoformat(), "training_class_id": w.cls.pk}
    values.update(kw)
    return values


def ident(person):
    return {"id_number": pii.decrypt(person.id_encrypted), "name": person.name}


def test_declare_review_and_fill_a_sitting(w):
    api = OpenApiClient().login(w.operator)
    r = api.call("assessment_sitting_declare", json_body=body(w, client_ref="API-1"))
    assert r.status == 201, r.body
    sid = r.body["id"]
    assert r.body["status"] == "declared"
    assert float(r.body["theory_pass_mark"]) == float(r.body["practical_pass_mark"]) == 60
    assert r.body["actions"] == ["cancel"]
    again = api.call("assessment_sitting_declare", json_body=body(w, client_ref="API-1"))
    assert (again.status, again.body["id"]) == (200, sid)
    clash = api.call("assessment_sitting_declare",
                     json_body=body(w, client_ref="API-1", place="别处"))
    assert clash.status == 409 and clash.error_fields() == ["client_ref"]

    hrss = OpenApiClient().login(w.county_staff)
    queue = hrss.call("assessment_sitting_review_queue")
    assert [s["id"] for s in queue.body["items"]] == [sid]
    assert "approve" in hrss.call("assessment_sitting_get", path={"sitting_id": sid}
                                  ).body["actions"]
    refused = api.call("assessment_sitting_transition", path={"sitting_id": sid},
                       json_body={"action": "approve"})
    assert refused.status == 403
    ok = hrss.call("assessment_sitting_transition", path={"sitting_id": sid},
                   json_body={"action": "approve"})
    assert ok.status == 200 and ok.body["status"] == "approved"
    assert [h["action"] for h in ok.body["history"]] == ["declare", "approve"]

    added = api.call("assessment_candidates_from_class", path={"sitting_id": sid})
    assert added.status == 200 and len(added.body["added"]) == 2
    assert added.body["added"][0]["citation"]
    assert "*" in added.body["added"][0]["id_masked"]
    listed = api.call("assessment_candidate_list", path={"sitting_id": sid})
    assert listed.body["count"] == 2

    social = ss.person()
    r = api.call("assessment_candidate_add", path={"sitting_id": sid},
                 json_body={**ident(social), "route": "social"})
    assert r.status == 400 and r.error_fields() == ["years_in_occupation"]
    r = api.call("assessment_candidate_add", path={"sitting_id": sid},
                 json_body={**ident(social), "route": "social", "years_in_occupation": "1"})
    assert r.status == 201 and "1年" in r.body["explanation"]
    assert pii.decrypt(social.id_encrypted) not in r.response.content.decode()
    r = api.call("assessment_candidate_add", path={"sitting_id": sid},
                 json_body={**ident(social), "route": "social", "years_in_occupation": "1"})
    assert r.status == 409
    gone = api.call("assessment_candidate_remove",
                    path={"candidate_id": listed.body["items"][0]["id"]},
                    json_body={"reason": "重复报名"})
    assert gone.status == 200 and gone.body["removed"]

    stranger = ss.person()
    r = api.call("assessment_examiner_add", path={"sitting_id": sid},
                 json_body={**ident(ss.person()), "name": stranger.name})
    assert r.status == 400 and r.error_fields() == ["id_number"]  # not that person's number
    examiner = ss.person()
    r = api.call("assessment_examiner_add", path={"sitting_id": sid},
                 json_body={**ident(examiner), "is_chief": True})
    assert r.status == 201 and r.body["is_chief"]
    assert len(api.call("assessment_examiner_list", path={"sitting_id": sid}).body) == 1
    assert api.call("assessment_examiner_remove", path={"examiner_id": r.body["id"]}
                    ).status == 200


def test_scope_and_bad_input(w):
    api = OpenApiClient().login(w.operator)
    sid = api.call("assessment_sitting_declare", json_body=body(w)).body["id"]
    other = OpenApiClient().login(w.other_operator)
    assert other.call("assessment_sitting_get", path={"sitting_id": sid}).status == 404
    assert other.call("assessment_sitting_list").body["count"] == 0
    far = OpenApiClient().login(w.other_city_staff)
    assert far.call("assessment_sitting_get", path={"sitting_id": sid}).status == 404
    school = OpenApiClient().login(w.training.operator)  # its class is assessed here
    assert school.call("assessment_sitting_get", path={"sitting_id": sid}).status == 200
    r = api.call("assessment_sitting_declare", json_body=body(w, level="grade3",
                                                              training_class_id=None,
                                                              occupation_id=th.occupation(
                                                                  "电工").pk))
    assert r.status == 400 and r.error_fields() == ["occupation"]
    r = api.call("assessment_sitting_declare", json_body=body(w, theory_pass_mark=120))
    assert r.status == 422
    r = api.call("assessment_sitting_declare", json_body=body(w, level="grade9"))
    assert r.status == 400 and r.error_fields() == ["level"]
    r = api.call("assessment_sitting_declare", json_body=body(w, place="x" * 201))
    assert r.status == 422
    hrss = OpenApiClient().login(w.county_staff)
    r = hrss.call("assessment_sitting_declare", json_body=body(w))
    assert r.status == 403


def test_direct_recognition_through_the_api(w):
    ent = OpenApiClient().login(w.enterprise_user)
    sid = ent.call("assessment_sitting_declare", json_body=body(
        w, level="grade3", route="direct_recognition", training_class_id=None)).body["id"]
    hrss = OpenApiClient().login(w.county_staff)
    hrss.call("assessment_sitting_transition", path={"sitting_id": sid},
              json_body={"action": "approve"})
    p = ss.person()
    r = ent.call("assessment_candidate_add", path={"sitting_id": sid}, json_body={
        **ident(p), "route": "direct_recognition", "employer_id": w.enterprise.pk,
        "justification": "技术创新成果获得省部级以上奖项"})
    assert r.status == 201 and r.body["pending_approval"] is True
    assert ent.call("assessment_direct_recognition_approve",
                    path={"candidate_id": r.body["id"]}).status == 403
    ok = hrss.call("assessment_direct_recognition_approve", path={"candidate_id": r.body["id"]})
    assert ok.status == 200 and ok.body["pending_approval"] is False
    assert ok.body["approved_by"] == w.county_staff.username
