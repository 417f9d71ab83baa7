"""Attendance ingestion: per-event outcomes, flags, idempotent replays, xAPI online hours and
completion with the rule used."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from jineng.core import pii
from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditEvent
from jineng.training import selectors, services
from jineng.training.models import AttendanceEvent, TrainingClass
from jineng.training.rules.xapi import VERB_COMPLETED, VERB_PROGRESSED
from tests import factories as f
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


def open_with_trainees(w, n=2, **overrides):
    cls = h.declare(w, **overrides)
    services.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    trainees = [h.enroll(w, cls) for _ in range(n)]
    services.class_transition(actor=w.operator, training_class=cls, action="open")
    return cls, trainees


def event(cls, enrollment, key, kind="check_in", hour=8, minute=55, day=None, **kw):
    day = day or h.START
    e = {"idempotency_key": key, "class_id": cls.pk, "kind": kind, "method": "terminal",
         "id_number": pii.decrypt(enrollment.person.id_encrypted),
         "occurred_at": h.at(day, hour, minute).isoformat()}
    e.update(kw)
    return e


def full_day(cls, enrollment, day, prefix):
    return [event(cls, enrollment, f"{prefix}-in", day=day),
            event(cls, enrollment, f"{prefix}-out", "check_out", 16, 5, day=day)]


def test_good_and_bad_events_in_one_batch():
    w = h.world()
    cls, (a, b) = open_with_trainees(w)
    other_cls, _ = open_with_trainees(h.World(w.other_org, w.other_site, w.other_operator, None,
                                              w.org, w.site, w.operator, w.county_staff),
                                      n=1, site=w.other_site, teachers=())
    stranger = f.PersonFactory()
    future = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    batch = [
        event(cls, a, "k1"),  # 0 good
        "not an object",  # 1
        {"idempotency_key": "k2"},  # 2 malformed: many fields
        event(cls, a, "k3", class_id=999999),  # 3 unknown class
        event(cls, a, "k4", class_id=other_cls.pk),  # 4 another institution's class
        event(cls, a, "k5", id_number=pii.decrypt(stranger.id_encrypted)),  # 5 not enrolled
        event(cls, a, "k6", occurred_at=future),  # 6 clock in the future
        event(cls, a, "k7", method="mobile"),  # 7 mobile without location
        event(cls, a, "k8", occurred_at="2026-03-02 08:55"),  # 8 no time zone
        event(cls, b, "k9", id_number="520102"),  # 9 bad ID number
        event(cls, b, "k10", kind="check_out", hour=16),  # 10 good
    ]
    report = services.attendance_ingest(actor=w.operator, events=batch)
    status = [r.status for r in report.results]
    assert status == ["accepted"] + ["rejected"] * 9 + ["accepted"]
    reasons = {r.index: {e["code"] for e in r.errors} for r in report.results}
    assert reasons[1] == {"invalid"}
    assert {"required", "invalid"} <= reasons[2]
    assert {e["field"] for e in report.results[2].errors} >= {"class_id", "kind", "method",
                                                              "occurred_at", "id_number"}
    assert reasons[3] == reasons[4] == {"unknown_class"}
    assert reasons[5] == {"not_enrolled"}
    assert reasons[6] == {"clock_future"}
    assert reasons[7] == {"required"}
    assert reasons[8] == {"invalid"}
    assert reasons[9] == {"length"}
    assert all(e["message"] for r in report.results for e in r.errors)
    assert AttendanceEvent.objects.count() == 2
    audit = AuditEvent.objects.filter(entity_type="training.attendanceevent").latest("id")
    assert audit.after == {"source": "api", "accepted": 2, "duplicates": 0, "rejected": 9}


def test_same_batch_twice_gives_the_same_counts():
    w = h.world()
    cls, (a, b) = open_with_trainees(w)
    batch = (full_day(cls, a, h.START, "a1") + full_day(cls, b, h.START, "b1")
             + [event(cls, a, "bad", class_id=123456)])
    first = services.attendance_ingest(actor=w.operator, events=batch)
    second = services.attendance_ingest(actor=w.operator, events=batch)
    assert (first.accepted, first.duplicates, first.rejected) == (4, 0, 1)
    assert (second.accepted, second.duplicates, second.rejected) == (0, 4, 1)
    assert first.accepted + first.duplicates == second.accepted + second.duplicates
    assert AttendanceEvent.objects.count() == 4
    assert [r.event_id for r in second.results if r.status == "duplicate"] == [None] * 4
    # a key repeated inside one batch counts once too
    again = services.attendance_ingest(
        actor=w.operator, events=[event(cls, a, "x"), event(cls, a, "x")])
    assert [r.status for r in again.results] == ["accepted", "duplicate"]


def test_keys_are_per_institution():
    w = h.world()
    cls, (a,) = open_with_trainees(w, n=1)
    w2 = h.World(w.other_org, w.other_site, w.other_operator, None, w.org, w.site, w.operator,
                 w.county_staff)
    cls2, (b,) = open_with_trainees(w2, n=1, site=w.other_site, teachers=())
    assert services.attendance_ingest(actor=w.operator, events=[event(cls, a, "same")]).accepted
    assert services.attendance_ingest(actor=w.other_operator,
                                      events=[event(cls2, b, "same")]).accepted


def test_flags_are_stored_and_such_events_earn_no_hours():
    w = h.world()
    cls, (a, b) = open_with_trainees(w)
    far = {"method": "mobile", "latitude": 26.60, "longitude": 106.71}  # ~3.3 km north
    near = {"method": "mobile", "latitude": 26.5701, "longitude": 106.7101}
    report = services.attendance_ingest(actor=w.operator, events=[
        event(cls, a, "a-in", **far), event(cls, a, "a-out", "check_out", 16, **near),
        event(cls, b, "b-in", **near), event(cls, b, "b-out", "check_out", 16),
        event(cls, b, "late-evening", "check_out", 21),  # outside the window
        event(cls, b, "saturday", day=dt.date(2026, 3, 7)),  # no session that day
    ])
    flags = [r.flags for r in report.results]
    assert flags == [["too_far"], [], [], [], ["outside_window"], ["outside_window"]]
    stored = {e.idempotency_key: e for e in AttendanceEvent.objects.all()}
    assert stored["a-in"].too_far and stored["a-in"].distance_m > 3000
    assert stored["b-in"].distance_m < 50 and stored["saturday"].session_id is None
    rows = {r.enrollment.pk: r for r in selectors.completion_rows(cls)}
    assert rows[a.pk].completion.offline_hours == 0  # the far check-in does not count
    assert rows[b.pk].completion.offline_hours == Decimal(6)


def test_explicit_session():
    w = h.world()
    cls, (a,) = open_with_trainees(w, n=1)
    second = cls.sessions.order_by("seq")[1]
    report = services.attendance_ingest(actor=w.operator, events=[
        event(cls, a, "s1", session_id=second.pk, day=second.date),
        event(cls, a, "s2", session_id=second.pk),  # a day early: outside the window
        event(cls, a, "s3", session_id=987654)])
    assert [r.status for r in report.results] == ["accepted", "accepted", "rejected"]
    assert report.results[1].flags == ["outside_window"]
    assert report.results[2].errors[0]["code"] == "unknown_session"


def test_only_open_classes_record_attendance():
    w = h.world()
    cls, (a,) = open_with_trainees(w, n=1)
    TrainingClass.objects.filter(pk=cls.pk).update(status="finished")
    report = services.attendance_ingest(actor=w.operator, events=[event(cls, a, "late")])
    assert report.results[0].errors[0]["code"] == "class_not_open"


def test_withdrawn_trainee():
    w = h.world()
    cls, (a,) = open_with_trainees(w, n=1)
    services.enrollment_withdraw(actor=w.operator, enrollment=a, reason="退学")
    report = services.attendance_ingest(actor=w.operator, events=[event(cls, a, "w")])
    assert report.results[0].errors[0]["code"] == "not_enrolled"


def test_enrollment_id_of_another_class_is_not_enough():
    w = h.world()
    cls, (a,) = open_with_trainees(w, n=1)
    _other, (b,) = open_with_trainees(w, n=1, teachers=(), site=f.SiteFactory(organization=w.org))
    e = event(cls, a, "e")
    del e["id_number"]
    e["enrollment_id"] = b.pk
    report = services.attendance_ingest(actor=w.operator, events=[e])
    assert report.results[0].errors[0]["code"] == "not_enrolled"


def test_only_institution_operators_send_attendance():
    w = h.world()
    with pytest.raises(Forbidden):
        services.attendance_ingest(actor=w.county_staff, events=[])


def test_batch_size_limit():
    w = h.world()
    with pytest.raises(DomainError):
        services.attendance_ingest(actor=w.operator, events=[{}] * (services.MAX_BATCH + 1))


def statement(cls, enrollment, minutes, verb=VERB_COMPLETED, **kw):
    s = {"id": str(uuid.uuid4()), "actor": {"account": {"homePage": "https://lms.example",
                                                         "name": str(enrollment.pk)}},
         "verb": {"id": verb}, "object": {"id": f"urn:jineng:class:{cls.pk}"},
         "result": {"duration": f"PT{minutes}M"}, "timestamp": "2026-03-03T20:00:00+08:00"}
    s.update(kw)
    return s


def test_xapi_online_hours_count_up_to_the_online_share():
    w = h.world(required_hours=30)
    cls, (a, b) = open_with_trainees(w, online_share=Decimal("0.2"),
                                     sessions=h.sessions(n=4))
    statements = [statement(cls, a, 240), statement(cls, a, 240, VERB_PROGRESSED),
                  statement(cls, b, 90)]
    report = services.attendance_ingest_xapi(actor=w.operator, statements=statements)
    assert (report.accepted, report.rejected) == (3, 0)
    again = services.attendance_ingest_xapi(actor=w.operator, statements=statements)
    assert (again.accepted, again.duplicates) == (0, 3)
    online = AttendanceEvent.objects.filter(kind=3)
    assert online.count() == 3 and {e.method for e in online} == {4}
    assert all(e.session_id is None for e in online)
    services.attendance_ingest(actor=w.operator, events=[
        x for s in cls.sessions.all() for x in full_day(cls, a, s.date, f"a{s.pk}")])
    rows = {r.enrollment.pk: r.completion for r in selectors.completion_rows(cls)}
    # 8 h online, capped at 30 × 0.2 = 6 h; 4 × 6 h on site
    assert (rows[a.pk].online_hours, rows[a.pk].offline_hours) == (6, 24)
    assert rows[a.pk].completed and rows[a.pk].attended_hours == 30
    assert rows[b.pk].online_hours == Decimal("1.50") and not rows[b.pk].completed


def test_xapi_by_id_number_and_refusals():
    w = h.world()
    cls, (a,) = open_with_trainees(w, online_share=Decimal("0.2"), n=1)
    plain, _ = open_with_trainees(w, n=1, teachers=(), site=f.SiteFactory(organization=w.org))
    by_id = statement(cls, a, 30)
    by_id["actor"]["account"]["name"] = pii.decrypt(a.person.id_encrypted)
    report = services.attendance_ingest_xapi(actor=w.operator, statements=[
        by_id,
        statement(cls, a, 30, verb={"id": "http://adlnet.gov/expapi/verbs/experienced"}),
        statement(cls, a, 30, result={"duration": "P1M"}),
        statement(plain, a, 30),  # a is not in that class
        statement(plain, plain.enrollments.get(), 30),  # no online share
        statement(cls, a, 30, timestamp=(timezone.now() + dt.timedelta(days=1)).isoformat()),
        {"id": "x"},
    ])
    assert [r.status for r in report.results] == ["accepted"] + ["rejected"] * 6
    codes = [r.errors[0]["code"] for r in report.results[1:]]
    assert codes == ["unsupported_verb", "invalid", "not_enrolled", "no_online_learning",
                     "clock_future", "required"]


def test_xapi_interactions_are_kept_without_hours():
    """Interaction statements (R17D's evidence) are stored as kind INTERACTION with no
    learning time, idempotent by statement id, and never count as hours."""
    w = h.world(required_hours=30)
    cls, (a, b) = open_with_trainees(w, online_share=Decimal("0.2"),
                                     sessions=h.sessions(n=4))
    answered = "http://adlnet.gov/expapi/verbs/answered"
    plain, _ = open_with_trainees(w, n=1, teachers=(), site=f.SiteFactory(organization=w.org))
    statements = [statement(cls, a, 60), statement(cls, a, 600, answered),
                  statement(cls, a, 0, "http://adlnet.gov/expapi/verbs/interacted", result={}),
                  statement(cls, b, 30, "http://adlnet.gov/expapi/verbs/commented"),
                  statement(plain, plain.enrollments.get(), 5, answered)]
    report = services.attendance_ingest_xapi(actor=w.operator, statements=statements)
    assert [r.status for r in report.results] == ["accepted"] * 4 + ["rejected"]
    assert report.results[4].errors[0]["code"] == "no_online_learning"
    again = services.attendance_ingest_xapi(actor=w.operator, statements=statements[:4])
    assert (again.accepted, again.duplicates) == (0, 4)
    # the same statement id now as learning time: another event, a conflict
    reused = statement(cls, a, 30, id=statements[1]["id"])
    (conflict,) = services.attendance_ingest_xapi(actor=w.operator, statements=[reused]).results
    assert conflict.errors[0]["code"] == "key_reused"
    kinds = sorted(AttendanceEvent.objects.values_list("kind", "online_seconds", "session_id"))
    assert kinds == [(3, 3600, None), (4, 0, None), (4, 0, None), (4, 0, None)]
    rows = {r.enrollment.pk: r.completion for r in selectors.completion_rows(cls)}
    assert rows[a.pk].online_hours == 1 and rows[b.pk].online_hours == 0
    snap = selectors.risk_snapshot()
    assert snap["online"].count() == 1 and snap["events"].count() == 0


def test_completion_list_is_scoped():
    w = h.world()
    cls, _ = open_with_trainees(w)
    assert len(selectors.class_completion(actor=w.operator, training_class=cls)) == 2
    assert len(selectors.class_completion(actor=w.county_staff, training_class=cls)) == 2
    with pytest.raises(DomainError):
        selectors.class_completion(actor=w.other_operator, training_class=cls)
    with pytest.raises(DomainError):
        selectors.class_completion(actor=f.staff("industry_staff", f.CITY),
                                   training_class=cls)


def test_today_board():
    w = h.world(required_hours=6)
    today = timezone.localdate()
    cls, (a, _b) = open_with_trainees(w, sessions=(services.SessionInput(
        h.at(today, 0), h.at(today, 23), Decimal(6)),))
    now = timezone.now()
    services.attendance_ingest(actor=w.operator, events=[
        event(cls, a, "t1", day=today, hour=0, minute=5)] if now.astimezone(h.TZ).hour
        else [])
    board = selectors.today_board(actor=w.county_staff)
    assert len(board) == 1 and board[0]["enrolled"] == 2
    assert board[0]["checked_in"] == (1 if now.astimezone(h.TZ).hour else 0)
    assert selectors.today_board(actor=f.staff("county_staff", f.OTHER_COUNTY)) == []


def test_a_key_reused_for_another_trainee_is_a_conflict_not_a_silent_drop():
    w = h.world()
    cls, (a, b) = open_with_trainees(w)
    first = services.attendance_ingest(actor=w.operator, events=[event(cls, a, "same")])
    assert first.accepted == 1
    # a replay of the same event counts once
    again = services.attendance_ingest(actor=w.operator, events=[event(cls, a, "same")])
    assert [r.status for r in again.results] == ["duplicate"]
    # the same key carrying another trainee's check-in is refused, naming the key
    other = services.attendance_ingest(actor=w.operator, events=[event(cls, b, "same")])
    assert [r.status for r in other.results] == ["rejected"]
    assert other.results[0].errors[0]["field"] == "idempotency_key"
    assert other.results[0].errors[0]["code"] == "key_reused"
    # the same within one batch
    batch = services.attendance_ingest(actor=w.operator, events=[
        event(cls, a, "twin", hour=9), event(cls, b, "twin", hour=9),
        event(cls, a, "pair", hour=10), event(cls, a, "pair", hour=10)])
    assert [r.status for r in batch.results] == ["accepted", "rejected", "accepted",
                                                 "duplicate"]
    assert AttendanceEvent.objects.filter(idempotency_key__in=["same", "twin", "pair"]
                                          ).count() == 3


def test_events_stamped_in_1900_or_before_the_class_are_refused():
    w = h.world()
    cls, (a, _b) = open_with_trainees(w)
    report = services.attendance_ingest(actor=w.operator, events=[
        event(cls, a, "old", occurred_at="1900-01-01T08:55:00+08:00"),
        event(cls, a, "early", day=h.START - dt.timedelta(days=3))])
    assert [(r.status, r.errors[0]["code"]) for r in report.results] == [
        ("rejected", "too_old"), ("rejected", "before_class")]
    assert not AttendanceEvent.objects.filter(training_class=cls).exists()
