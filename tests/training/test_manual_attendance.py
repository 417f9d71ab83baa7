"""Attendance by hand from a paper sheet (institution, with a reason, flagged manual, counted
once) and voiding a wrong event (the HRSS office governing the class, with a reason): nothing is
deleted, a voided event earns no hours, both are audited. Read back through the attendance API
with their flags. Through the OpenAPI document, on the real database."""

from __future__ import annotations

import datetime as dt

import pytest

from jineng.accounts.models import ApiToken
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.models import AuditEvent
from jineng.training import services
from jineng.training.models import AttendanceEvent, ClassSession
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


def _as(user) -> OpenApiClient:
    _row, token = ApiToken.issue(user, "attendance")
    return OpenApiClient().bearer(token)


@pytest.fixture
def w():
    return h.world()


@pytest.fixture
def running(w):
    cls = h.declare(w)
    services.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    enrollment = h.enroll(w, cls, n=801)
    cls = services.class_transition(actor=w.operator, training_class=cls, action="open")
    first = ClassSession.objects.filter(training_class=cls).order_by("seq").first()
    return cls, enrollment, first


def _sheet(enrollment, session, begin: int = 9, end: int = 16, reason: str = "考勤机故障") -> dict:
    return {"enrollment_id": enrollment.pk, "session_id": session.pk,
            "check_in": h.at(session.date, begin).isoformat(),
            "check_out": h.at(session.date, end).isoformat(), "reason": reason}


def _hours(api, cls) -> str:
    rows = api.call("training_class_completion", path={"class_id": cls.pk}).body
    return rows[0]["offline_hours"]


def test_manual_entry_counts_once_flagged_and_audited(w, running):
    cls, enrollment, session = running
    api = _as(w.operator)
    first = api.call("attendance_manual_create", json_body=_sheet(enrollment, session))
    assert first.status == 201, first.body
    assert [(e["kind"], e["method"], e["manual"], e["manual_reason"]) for e in first.body] == [
        ("check_in", "manual", True, "考勤机故障"), ("check_out", "manual", True, "考勤机故障")]
    assert float(_hours(api, cls)) == 6.0
    again = api.call("attendance_manual_create", json_body=_sheet(enrollment, session))
    assert again.status == 200 and [e["id"] for e in again.body] == [e["id"] for e in first.body]
    other = api.call("attendance_manual_create",
                     json_body=_sheet(enrollment, session, begin=10))
    assert other.status == 409 and other.error_codes() == ["key_reused"]
    assert AttendanceEvent.objects.filter(manual=True).count() == 2
    audit = AuditEvent.objects.filter(entity_type="training.attendanceevent", action="create")
    assert [(a.reason, a.after["manual"]) for a in audit] == [("考勤机故障", True)]
    # Kept apart: the read API filters hand-entered events.
    listed = api.call("attendance_event_list", query={"class_id": cls.pk, "manual": "true"})
    assert listed.status == 200 and listed.body["count"] == 2
    assert api.call("attendance_event_list",
                    query={"class_id": cls.pk, "manual": "false"}).body["count"] == 0


def test_manual_entry_refusals(w, running):
    _cls, enrollment, session = running
    with pytest.raises(DomainError) as no_reason:
        services.attendance_record_manual(
            actor=w.operator, enrollment=enrollment, session=session,
            check_in=h.at(session.date, 9), check_out=h.at(session.date, 16), reason="  ")
    assert no_reason.value.field == "reason"
    with pytest.raises(DomainError) as wrong_day:
        services.attendance_record_manual(
            actor=w.operator, enrollment=enrollment, session=session,
            check_in=h.at(session.date + dt.timedelta(days=1), 9),
            check_out=h.at(session.date + dt.timedelta(days=1), 16), reason="纸质签到")
    assert wrong_day.value.field == "check_in"
    with pytest.raises(Forbidden):
        services.attendance_record_manual(
            actor=w.county_staff, enrollment=enrollment, session=session,
            check_in=h.at(session.date, 9), check_out=h.at(session.date, 16), reason="纸质签到")
    with pytest.raises(NotFound):
        services.attendance_record_manual(
            actor=w.other_operator, enrollment=enrollment, session=session,
            check_in=h.at(session.date, 9), check_out=h.at(session.date, 16), reason="纸质签到")
    out = _as(w.other_operator).call("attendance_manual_create",
                                     json_body=_sheet(enrollment, session))
    assert out.status == 404
    assert AttendanceEvent.objects.count() == 0
    assert not AuditEvent.objects.filter(entity_type="training.attendanceevent").exists()


def test_void_keeps_the_event_and_its_hours_go(w, running):
    cls, enrollment, session = running
    operator = _as(w.operator)
    events = operator.call("attendance_manual_create",
                           json_body=_sheet(enrollment, session)).body
    assert float(_hours(operator, cls)) == 6.0
    check_in = events[0]["id"]
    refused = operator.call("attendance_event_void", path={"event_id": check_in},
                            json_body={"reason": "代签"})
    assert refused.status == 403
    elsewhere = _as(f.staff("county_staff", f.OTHER_COUNTY)).call(
        "attendance_event_void", path={"event_id": check_in}, json_body={"reason": "代签"})
    assert elsewhere.status == 404
    staff = _as(w.county_staff)
    voided = staff.call("attendance_event_void", path={"event_id": check_in},
                        json_body={"reason": "代签，核实为他人冒名"})
    assert voided.status == 200, voided.body
    assert voided.body["voided"] is True and voided.body["void_reason"] == "代签，核实为他人冒名"
    assert float(_hours(operator, cls)) == 0.0  # a voided check-in earns nothing
    assert AttendanceEvent.objects.filter(pk=check_in).exists()  # nothing deleted
    again = staff.call("attendance_event_void", path={"event_id": check_in},
                       json_body={"reason": "再次"})
    assert again.status == 200 and again.body["void_reason"] == "代签，核实为他人冒名"
    audit = AuditEvent.objects.filter(entity_type="training.attendanceevent", action="update")
    assert [(a.reason, a.after["voided"], a.actor_username) for a in audit] == [
        ("代签，核实为他人冒名", True, w.county_staff.username)]
    # The institution reads the flag.
    rows = operator.call("attendance_event_list", query={"voided": "true"}).body
    assert [r["id"] for r in rows["items"]] == [check_in]
    # Finishing freezes hours without the voided event.
    services.class_transition(actor=w.operator, training_class=cls, action="finish")
    enrollment.refresh_from_db()
    assert enrollment.attended_hours == 0


def test_attendance_read_api_is_scoped_filtered_and_paged(w, running):
    cls, enrollment, session = running
    services.attendance_ingest(actor=w.operator, events=[
        {"idempotency_key": f"t-{n}", "class_id": cls.pk, "kind": kind,
         "occurred_at": h.at(session.date, hour).isoformat(), "method": "terminal",
         "enrollment_id": enrollment.pk}
        for n, (kind, hour) in enumerate((("check_in", 9), ("check_out", 16),
                                          ("check_in", 22)))])
    api = _as(w.operator)
    page = api.call("attendance_event_list", query={"class_id": cls.pk, "limit": 2})
    assert page.status == 200 and page.body["count"] == 3 and len(page.body["items"]) == 2
    flagged = api.call("attendance_event_list", query={"flagged": "true"}).body["items"]
    assert [(e["kind"], e["outside_window"], e["too_far"]) for e in flagged] == [
        ("check_in", True, False)]
    day = session.date.isoformat()
    assert api.call("attendance_event_list",
                    query={"date_from": day, "date_to": day}).body["count"] == 3
    later = (session.date + dt.timedelta(days=1)).isoformat()
    assert api.call("attendance_event_list", query={"date_from": later}).body["count"] == 0
    assert api.call("attendance_event_list",
                    query={"session_id": session.pk}).body["count"] == 3
    assert api.call("attendance_event_list", query={"limit": 501}).status == 400
    bad = api.call("attendance_event_list", query={"date_from": "9999-12-31"})
    assert bad.status == 400 and bad.error_fields() == ["date_from"]
    assert api.call("attendance_event_list", query={"date_to": "abc"}).status == 400
    body = api.call("attendance_event_list", query={}).body
    assert all("id_number" not in e for e in body["items"])
    assert body["items"][0]["id_masked"].count("*") >= 8
    assert _as(w.other_operator).call("attendance_event_list", query={}).body["count"] == 0


def test_pages_enter_by_hand_and_void(w, running):
    from django.test import Client
    from django.urls import reverse

    cls, enrollment, session = running
    operator = Client()
    operator.force_login(w.operator)
    page = operator.get(reverse("training:class_attendance", args=[cls.pk]))
    assert reverse("training:attendance_manual", args=[cls.pk]) in page.content.decode()
    url = reverse("training:attendance_manual", args=[cls.pk])
    blank = operator.post(url, {"enrollment": enrollment.pk, "session": session.pk,
                                "check_in": "09:00", "check_out": "08:00", "reason": "纸质"})
    assert blank.status_code == 400 and "check_out" in blank.context["form"].errors
    done = operator.post(url, {"enrollment": enrollment.pk, "session": session.pk,
                               "check_in": "09:00", "check_out": "16:00", "reason": "纸质签到表"})
    assert done.status_code == 302
    event = AttendanceEvent.objects.filter(manual=True).order_by("occurred_at").first()
    assert event.manual_reason == "纸质签到表"
    staff = Client()
    staff.force_login(w.county_staff)
    page = staff.get(reverse("training:class_attendance", args=[cls.pk])).content.decode()
    void_url = reverse("training:attendance_void", args=[event.pk])
    assert void_url in page and url not in page
    assert operator.post(void_url, {"reason": "x"}).status_code == 403
    assert staff.post(void_url, {"reason": "冒签"}).status_code == 302
    event.refresh_from_db()
    assert event.voided_at is not None and event.voided_by_id == w.county_staff.pk
    stranger = Client()
    stranger.force_login(w.other_operator)
    assert stranger.get(url).status_code == 404


def test_history_import_page(w):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from tests.training.test_history_import import _file, _rows

    client = Client()
    client.force_login(w.operator)
    url = reverse("training:history_import")
    assert reverse("training:history_import") in client.get(
        reverse("training:class_list")).content.decode()
    bad = _rows(w)
    bad[0][9] = "abc"  # planned size
    answer = client.post(url, {"file": SimpleUploadedFile("past.csv", _file(bad))})
    assert answer.status_code == 400 and "import-errors" in answer.content.decode()
    answer = client.post(url, {"file": SimpleUploadedFile("past.csv", _file(_rows(w)))})
    assert answer.status_code == 200, answer.content.decode()[-2000:]
    assert "import-errors" not in answer.content.decode()
    county = Client()
    county.force_login(w.county_staff)
    assert county.get(url).status_code == 404
