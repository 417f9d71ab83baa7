"""The training API through its OpenAPI document: ingestion (single, batch, xAPI), classes and
completion, authentication, scope and query budgets."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jineng.accounts.models import ApiToken
from jineng.core import pii
from jineng.training import services
from jineng.training.models import AttendanceEvent
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    w = h.world()
    cls = h.declare(w, online_share=h.Decimal("0.2"))
    services.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    trainees = [h.enroll(w, cls) for _ in range(3)]
    services.class_transition(actor=w.operator, training_class=cls, action="open")
    _row, token = ApiToken.issue(w.operator, "terminal")
    return w, cls, trainees, OpenApiClient().bearer(token)


def ev(cls, e, key, kind="check_in", hour=8, day=None):
    return {"idempotency_key": key, "class_id": cls.pk, "kind": kind, "method": "qr",
            "id_number": pii.decrypt(e.person.id_encrypted),
            "occurred_at": h.at(day or h.START, hour, 50).isoformat(),
            "latitude": 26.5701, "longitude": 106.7102, "device": "qr-1"}


def test_single_event(setup):
    _w, cls, (a, *_), api = setup
    first = api.call("attendance_event_create", json_body=ev(cls, a, "one"))
    assert first.status == 201 and first.body["status"] == "accepted"
    assert first.body["event_id"] == AttendanceEvent.objects.get().pk
    replay = api.call("attendance_event_create", json_body=ev(cls, a, "one"))
    assert replay.status == 200 and replay.body["status"] == "duplicate"
    bad = api.call("attendance_event_create", json_body={**ev(cls, a, "two"), "kind": "nap"})
    assert bad.status == 400 and bad.error_fields() == ["kind"]
    assert AttendanceEvent.objects.count() == 1


def test_a_key_reused_for_another_trainee_answers_409(setup):
    _w, cls, (a, b, *_), api = setup
    assert api.call("attendance_event_create", json_body=ev(cls, a, "k")).status == 201
    reused = api.call("attendance_event_create", json_body=ev(cls, b, "k"))
    assert reused.status == 409 and reused.error_fields() == ["idempotency_key"]
    assert AttendanceEvent.objects.count() == 1


def test_batch_replay_gives_the_same_counts(setup):
    _w, cls, trainees, api = setup
    batch = [ev(cls, e, f"{e.pk}-{k}", k, hr) for e in trainees
             for k, hr in (("check_in", 8), ("check_out", 16))] + [{"kind": "check_in"}]
    first = api.call("attendance_event_batch", json_body={"events": batch})
    second = api.call("attendance_event_batch", json_body={"events": batch})
    assert first.status == second.status == 200
    assert (first.body["accepted"], first.body["duplicates"], first.body["rejected"]) == (6, 0, 1)
    assert (second.body["accepted"], second.body["duplicates"],
            second.body["rejected"]) == (0, 6, 1)
    assert first.body["results"][-1]["errors"]
    assert AttendanceEvent.objects.count() == 6


def test_batch_must_be_a_list(setup):
    *_, api = setup
    result = api.call("attendance_event_batch", json_body={"events": "x"})
    assert result.status == 422 and result.error_fields() == ["events"]


def test_xapi(setup):
    _w, cls, (a, _b, _c), api = setup
    s = {"id": str(uuid.uuid4()), "actor": {"account": {"homePage": "https://lms.example",
                                                         "name": str(a.pk)}},
         "verb": {"id": "http://adlnet.gov/expapi/verbs/progressed"},
         "object": {"id": f"urn:jineng:class:{cls.pk}"}, "result": {"duration": "PT50M"},
         "timestamp": "2026-03-02T21:00:00+08:00"}
    one = api.call("xapi_statements", json_body=s)
    assert one.status == 200 and one.body["accepted"] == 1
    both = api.call("xapi_statements", json_body=[s, {**s, "id": str(uuid.uuid4())}])
    assert (both.body["accepted"], both.body["duplicates"]) == (1, 1)
    done = api.call("training_class_completion", path={"class_id": cls.pk})
    row = next(r for r in done.body if r["enrollment_id"] == a.pk)
    assert row["online_hours"] == "1.67" and "结业" in row["rule"]


def test_staff_cannot_send_attendance_and_anonymous_is_refused(setup):
    w, cls, (a, *_), _api = setup
    _row, token = ApiToken.issue(w.county_staff, "x")
    staff = OpenApiClient().bearer(token)
    assert staff.call("attendance_event_create", json_body=ev(cls, a, "s")).status == 403
    assert OpenApiClient().call("attendance_event_batch",
                                json_body={"events": []}).status == 401
    assert not AttendanceEvent.objects.exists()


def test_another_institution_is_told_the_class_is_unknown(setup):
    w, cls, (a, *_), _api = setup
    _row, token = ApiToken.issue(w.other_operator, "x")
    other = OpenApiClient().bearer(token)
    result = other.call("attendance_event_batch", json_body={"events": [ev(cls, a, "o")]})
    assert result.body["results"][0]["errors"][0]["code"] == "unknown_class"
    assert other.call("training_class_get", path={"class_id": cls.pk}).status == 404


def test_classes_and_detail(setup):
    _w, cls, _t, api = setup
    listed = api.call("training_class_list")
    assert [c["id"] for c in listed.body["items"]] == [cls.pk]
    detail = api.call("training_class_get", path={"class_id": cls.pk})
    assert len(detail.body["sessions"]) == 5 and detail.body["status"] == "open"
    staff = OpenApiClient().login(f.staff("county_staff", f.OTHER_COUNTY))
    assert staff.call("training_class_list").body["items"] == []
    assert staff.call("training_class_completion", path={"class_id": cls.pk}).status == 404


def test_query_budget_does_not_grow_with_the_batch(setup):
    _w, cls, trainees, api = setup
    days = [s.date for s in cls.sessions.all()]

    def queries(n_days):
        batch = [ev(cls, e, f"{n_days}-{d}-{e.pk}-{k}", k, hr, day=d) for d in days[:n_days]
                 for e in trainees for k, hr in (("check_in", 8), ("check_out", 16))]
        with CaptureQueriesContext(connection) as ctx:
            result = api.call("attendance_event_batch", json_body={"events": batch})
        assert result.body["accepted"] == len(batch)
        return len(ctx.captured_queries)

    # The token's "last used" stamp is written at most once a minute: stamp it now, so
    # neither measured call pays for it.
    ApiToken.objects.update(last_used_at=timezone.now())
    small, large = queries(1), queries(5)
    assert small == large <= 12
