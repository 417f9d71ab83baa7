"""The teachers API: an institution registers its teachers by ID number (the same teacher sent
twice counts once; the number under another name is a 409), lists and reads them (scoped: 404
out of scope); one person teaching at two institutions has the same `person_key` and is seen
as one teacher by the double-booking check."""

from __future__ import annotations

import datetime as dt

import pytest

from jineng.accounts.models import ApiToken
from jineng.core.models import AuditEvent
from jineng.training.models import Teacher
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.training import helpers as h
from tests.training.test_api_writes import declaration

pytestmark = pytest.mark.django_db
NUMBER = f.id_number_for(birth=dt.date(1982, 4, 4), n=881)


def _as(user) -> OpenApiClient:
    _row, token = ApiToken.issue(user, "teachers")
    return OpenApiClient().bearer(token)


@pytest.fixture
def w():
    return h.world()


def test_create_list_get_and_idempotence(w):
    api = _as(w.operator)
    made = api.call("training_teacher_create",
                    json_body={"name": "周老师", "id_number": NUMBER, "qualification": "高级技师"})
    assert made.status == 201, made.body
    assert made.body["id_masked"] != NUMBER and NUMBER not in str(made.body)
    again = api.call("training_teacher_create", json_body={"name": "周老师", "id_number": NUMBER})
    assert again.status == 200 and again.body["id"] == made.body["id"]
    renamed = api.call("training_teacher_create",
                       json_body={"name": "吴老师", "id_number": NUMBER})
    assert renamed.status == 409 and renamed.error_fields() == ["name"]
    wrong = api.call("training_teacher_create",
                     json_body={"name": "吴老师", "id_number": NUMBER[:-1] + "0"
                                if NUMBER[-1] != "0" else NUMBER[:-1] + "1"})
    assert wrong.status == 400 and wrong.error_fields() == ["id_number"]
    long_name = api.call("training_teacher_create",
                         json_body={"name": "名" * 51, "id_number": NUMBER})
    assert long_name.status == 422
    assert Teacher.objects.filter(organization=w.org).count() == 2  # 王老师 and 周老师
    assert AuditEvent.objects.filter(entity_type="training.teacher", action="create",
                                     entity_id=str(made.body["id"])).count() == 1
    listed = api.call("training_teacher_list", query={})
    assert {t["name"] for t in listed.body["items"]} == {"王老师", "周老师"}
    got = api.call("training_teacher_get", path={"teacher_id": made.body["id"]})
    assert got.status == 200 and got.body["qualification"] == "高级技师"
    assert _as(w.other_operator).call("training_teacher_get",
                                      path={"teacher_id": made.body["id"]}).status == 404
    assert _as(w.other_operator).call("training_teacher_list", query={}).body["count"] == 0
    assert _as(w.county_staff).call("training_teacher_create", json_body={
        "name": "周老师", "id_number": NUMBER}).status == 403
    assert api.call("training_teacher_list", query={"limit": 1000}).status == 400


def test_one_person_at_two_institutions_is_one_teacher(w):
    mine = _as(w.operator).call("training_teacher_create",
                                json_body={"name": "周老师", "id_number": NUMBER}).body
    theirs = _as(w.other_operator).call("training_teacher_create",
                                        json_body={"name": "周老师", "id_number": NUMBER}).body
    assert mine["id"] != theirs["id"] and mine["person_key"] == theirs["person_key"]
    city = _as(f.staff("city_staff", f.CITY))
    same = city.call("training_teacher_list", query={"person_key": mine["person_key"]}).body
    assert {t["organization_id"] for t in same["items"]} == {w.org.pk, w.other_org.pk}
    # Booked at the same hours by both institutions: the second declaration is refused.
    first = _as(w.operator).call("training_class_declare", json_body=declaration(
        w, teacher_ids=[mine["id"]]))
    assert first.status == 201, first.body
    other = declaration(w, teacher_ids=[theirs["id"]], site_id=w.other_site.pk)
    busy = _as(w.other_operator).call("training_class_declare", json_body=other)
    assert busy.status == 400 and busy.error_codes() == ["teacher_busy"], busy.body
