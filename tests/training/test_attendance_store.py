"""The attendance hot path's SQL (training.services.attendance_store), on the database the
suite runs on (SQLite and PostgreSQL): reads and the insert that keeps the first event per key."""

import pytest
from django.utils import timezone

from jineng.training import services
from jineng.training.models import AttendanceEvent
from jineng.training.services import attendance_store as store
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


def opened(w, n=2):
    cls = h.declare(w)
    services.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    trainees = [h.enroll(w, cls) for _ in range(n)]
    services.class_transition(actor=w.operator, training_class=cls, action="open")
    return cls, trainees


def test_reads_return_the_sessions_and_enrollments_named():
    w = h.world()
    cls, (a, b) = opened(w)
    sessions = store.sessions_of([cls.pk])
    assert {row[1] for row in sessions} == {cls.pk}
    assert len(sessions) == cls.sessions.count()
    assert all(store.aware(row[2]).tzinfo is not None for row in sessions)
    by_hash = store.enrollments_by_hash([cls.pk], [a.person.id_hash])
    assert [(r[0], r[1], r[2]) for r in by_hash] == [(a.pk, cls.pk, a.person.id_hash)]
    # The reads promise no order (their callers make dicts of them): PostgreSQL may answer
    # an IN list in any order.
    assert sorted(r[0] for r in store.enrollments_by_id([a.pk, b.pk, 999999])) == sorted(
        [a.pk, b.pk])


def test_insert_keeps_the_first_event_per_key_and_reports_what_it_stored():
    w = h.world()
    cls, (a, b) = opened(w)
    at = h.at(h.START, 8, 55)
    now = timezone.now()
    events = [store.NewEvent(class_id=cls.pk, enrollment_id=e.pk, kind=1, method=1,
                             occurred_at=at, idempotency_key=f"k{i}")
              for i, e in enumerate([a, b])]
    stored = store.insert_events(events, w.org.pk, now)
    assert set(stored) == {"k0", "k1"}
    check_out = store.NewEvent(class_id=cls.pk, enrollment_id=a.pk, kind=2, method=1,
                               occurred_at=at, idempotency_key="k2")
    again = store.insert_events([*events, check_out], w.org.pk, now)
    assert set(again) == {"k2"}
    assert AttendanceEvent.objects.filter(training_class=cls).count() == 3
    kept = store.stored_events(w.org.pk, ["k0", "k1", "missing"])
    assert kept["k0"] == (cls.pk, a.pk, 1, at)
    assert set(kept) == {"k0", "k1"}
    # the keys belong to the institution: another institution's "k0" is another event
    assert store.stored_events(w.other_org.pk, ["k0"]) == {}
