"""Pages and API for issue 9: the enrollment form's messages beside their fields, return for
correction by page and API, the late reason before the reviewers, forms shown only to roles
the services let act, one rendering of eligibility for page and API."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from jineng.accounts.models import ApiToken
from jineng.core import pii
from jineng.training import services
from jineng.training.models import ClassStatusChange, TrainingClass
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.training import helpers as h
from tests.training.test_api_writes import declaration

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def _api(user) -> OpenApiClient:
    _row, token = ApiToken.issue(user, "integration")
    return OpenApiClient().bearer(token)


def _wrong_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


# --- the enrollment form says what is wrong, beside the field ------------------------------

def test_enrollment_form_shows_the_services_message_beside_each_field():
    w = h.world()
    cls = h.declare(w)
    known = h.enroll(w, cls, name="张三")
    number = pii.decrypt(known.person.id_encrypted)
    c = client_for(w.operator)
    url = reverse("training:class_enroll", args=[cls.pk])
    cases = [
        ({"id_number": _wrong_check_digit(f.id_number_for()), "name": "李四"}, "id_number",
         "check"),
        ({"id_number": number, "name": "张叁"}, "name", "does not match"),
        ({"id_number": number, "name": "张三"}, "id_number", "already enrolled"),
    ]
    for data, field, words in cases:
        page = c.post(url, data)
        assert page.status_code == 400
        html = page.content.decode()
        start = html.index(f'id="error-{field}"')
        assert words in html[start:start + 300].lower(), (field, html[start:start + 300])
    assert cls.enrollments.count() == 1


# --- return for correction by page ---------------------------------------------------------

def test_county_staff_return_the_institution_corrects_and_resubmits_by_page():
    w = h.world()
    cls = h.declare(w, planned_size=30)
    staff = client_for(w.county_staff)
    detail = reverse("training:class_detail", args=[cls.pk])
    assert "action-return" in staff.get(detail).content.decode()
    staff.post(reverse("training:class_transition", args=[cls.pk]),
               {"action": "return", "reason": "场地证明缺失"})
    assert TrainingClass.objects.get(pk=cls.pk).status == "returned"
    revise = reverse("training:class_revise", args=[cls.pk])
    assert staff.get(revise).status_code == 404  # not theirs to edit
    assert 'id="revise-link"' not in staff.get(detail).content.decode()

    inst = client_for(w.operator)
    assert 'id="revise-link"' in inst.get(detail).content.decode()
    form_page = inst.get(revise)
    assert form_page.status_code == 200
    html = form_page.content.decode()
    assert "场地证明缺失" in html and 'value="30"' in html  # the reason, the current values
    form = {
        "name": cls.name, "site": w.site.pk, "occupation": h.occupation().pk,
        "level": h.level().pk, "training_type": "employment", "order_form": "",
        "sector": "elderly_child_care", "target_group": "", "planned_size": 25,
        "funding_source": "employment_subsidy", "online_share": "0",
        "teachers": [w.teacher.pk], "first_date": "2026-03-02", "session_count": 5,
        "daily_start": "09:00", "daily_end": "16:00", "hours_per_session": "6",
        "weekdays_only": "on", "late_reason": "", "note": "补交场地证明",
    }
    refused = inst.post(revise, form)  # the first session is past: a reason is needed again
    assert refused.status_code == 400 and "reason for declaring late" in \
        refused.content.decode().lower()
    assert TrainingClass.objects.get(pk=cls.pk).status == "returned"
    done = inst.post(revise, {**form, "late_reason": h.LATE})
    assert done.status_code == 302
    cls.refresh_from_db()
    assert cls.status == "declared" and cls.planned_size == 25
    history = staff.get(detail).content.decode()
    assert history.count('data-action="return"') == 1
    assert history.count('data-action="resubmit"') == 1 and "补交场地证明" in history


def test_the_late_reason_is_shown_to_the_reviewers():
    w = h.world()
    cls = h.declare(w, late_reason="系统故障，开班后补报")
    staff = client_for(w.county_staff)
    page = staff.get(reverse("training:class_detail", args=[cls.pk])).content.decode()
    assert 'id="late-reason"' in page and "系统故障，开班后补报" in page
    queue = staff.get(reverse("training:review_queue")).content.decode()
    assert "declared late" in queue
    on_time = h.declare(w, name="按时申报的班", teachers=(), late_reason="",
                        sessions=h.sessions(dt.date.today() + dt.timedelta(days=10)))
    assert 'id="late-reason"' not in staff.get(
        reverse("training:class_detail", args=[on_time.pk])).content.decode()


# --- forms only for the roles the services let act -----------------------------------------

def test_forms_are_shown_only_to_those_who_may_use_them():
    w = h.world()
    cls = h.open_class(w)
    e = h.enroll(w, cls, late_reason="补录")
    detail = reverse("training:class_detail", args=[cls.pk])
    enrollment = reverse("training:enrollment_detail", args=[e.pk])
    withdraw = reverse("training:enrollment_withdraw", args=[e.pk])
    staff = client_for(w.county_staff)
    assert 'id="enroll-form"' not in staff.get(detail).content.decode()  # staff enroll no one
    assert withdraw in staff.get(enrollment).content.decode()  # the office records dropouts
    inst = client_for(w.operator)
    assert 'id="enroll-form"' in inst.get(detail).content.decode()
    assert withdraw in inst.get(enrollment).content.decode()
    services.class_transition(actor=w.operator, training_class=cls, action="finish")
    # a finished class: the roster is closed, no form offers to change it
    assert 'id="enroll-form"' not in inst.get(detail).content.decode()
    assert withdraw not in inst.get(enrollment).content.decode()
    assert client_for(w.county_staff).get(reverse("training:class_declare")).status_code == 404


# --- the API ---------------------------------------------------------------------------------

def test_return_and_revise_through_the_api_by_patch_and_post():
    w = h.world()
    inst, staff = _api(w.operator), _api(w.county_staff)
    declared = inst.call("training_class_declare", json_body=declaration(w))
    assert declared.status == 201 and declared.body["late_reason"] == h.LATE
    pk = declared.body["id"]
    no_reason = staff.call("training_class_transition", path={"class_id": pk},
                           json_body={"action": "return"})
    assert no_reason.status == 400 and no_reason.body["detail"][0]["field"] == "reason"
    returned = staff.call("training_class_transition", path={"class_id": pk},
                          json_body={"action": "return", "reason": "课时不足"})
    assert returned.status == 200 and returned.body["status"] == "returned"
    assert staff.call("training_class_revise", path={"class_id": pk},
                      json_body=declaration(w)).status == 403
    bad = inst.call("training_class_revise", path={"class_id": pk},
                    json_body=declaration(w, site_id=w.other_site.pk))
    assert bad.status == 400 and bad.body["detail"][0]["field"] == "site_id"
    patched = inst.call("training_class_revise", path={"class_id": pk},
                        json_body={**declaration(w, planned_size=12), "note": "调整人数"})
    assert patched.status == 200, patched.body
    assert patched.body["status"] == "declared" and patched.body["planned_size"] == 12
    staff.call("training_class_transition", path={"class_id": pk},
               json_body={"action": "return", "reason": "再核"})
    posted = inst.call("training_class_revise_post", path={"class_id": pk},
                       json_body=declaration(w, planned_size=14))
    assert posted.status == 200 and posted.body["planned_size"] == 14
    assert list(ClassStatusChange.objects.filter(training_class_id=pk)
                .values_list("action", flat=True)) == [
        "declare", "return", "resubmit", "return", "resubmit"]
    again = inst.call("training_class_revise", path={"class_id": pk}, json_body=declaration(w))
    assert again.status == 400 and again.body["detail"][0]["code"] == "not_revisable"


def test_api_refuses_a_late_declaration_without_a_reason_naming_the_field():
    w = h.world()
    answer = _api(w.operator).call("training_class_declare",
                                   json_body=declaration(w, late_reason=""))
    assert answer.status == 400
    assert answer.body["detail"][0]["field"] == "late_reason"
    assert not TrainingClass.objects.exists()


def test_api_and_page_show_one_rendering_of_eligibility():
    w = h.world()
    cls = h.declare(w)
    e = h.enroll(w, cls)
    from jineng.training.messages import check_view

    api = _api(w.operator).call("training_enrollment_create", path={"class_id": cls.pk},
                                json_body={"id_number": pii.decrypt(e.person.id_encrypted),
                                           "name": e.person.name})
    assert api.status == 200
    assert api.body["eligibility"] == [check_view(c) for c in e.eligibility]
    page = client_for(w.operator).get(reverse("training:enrollment_detail", args=[e.pk]))
    for c in e.eligibility:
        assert check_view(c)["text"] in page.content.decode()
