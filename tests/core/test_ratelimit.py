"""core.ratelimit: a fixed window per (scope, key), counted in the database so every worker
process sees the same hits; keys stored as keyed hashes; the first refusal of a window audited
once; concurrent hits on PostgreSQL counted exactly."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from jineng.core import ratelimit
from jineng.core.models import AuditAction, AuditEvent, RateCounter

HOUR = dt.timedelta(hours=1)


@pytest.mark.django_db
def test_hits_within_the_limit_are_allowed_and_the_next_is_refused():
    answers = [ratelimit.hit("test.form", "10.0.0.1", limit=3, window=HOUR) for _ in range(5)]
    assert [a.allowed for a in answers] == [True, True, True, False, False]
    assert [a.count for a in answers] == [1, 2, 3, 4, 5]
    assert answers[0].remaining == 2 and answers[3].remaining == 0
    assert 0 < answers[3].retry_after <= 3600 + 1
    assert ratelimit.peek("test.form", "10.0.0.1", window=HOUR) == 5


@pytest.mark.django_db
def test_scopes_and_keys_are_counted_apart():
    for _ in range(3):
        ratelimit.hit("test.form", "10.0.0.1", limit=2, window=HOUR)
    assert ratelimit.hit("test.form", "10.0.0.2", limit=2, window=HOUR).allowed
    assert ratelimit.hit("test.other", "10.0.0.1", limit=2, window=HOUR).allowed
    assert not ratelimit.hit("test.form", "10.0.0.1", limit=2, window=HOUR).allowed


@pytest.mark.django_db
def test_an_unknown_client_is_neither_counted_nor_refused():
    answers = [ratelimit.hit("test.form", "", limit=1, window=HOUR) for _ in range(3)]
    assert all(a.allowed for a in answers)
    assert not RateCounter.objects.exists()
    assert ratelimit.peek("test.form", "", window=HOUR) == 0


@pytest.mark.django_db
def test_keys_are_stored_as_keyed_hashes_never_in_clear():
    ratelimit.hit("test.phone", "13800138000", limit=5, window=HOUR)
    counter = RateCounter.objects.get()
    assert "13800138000" not in counter.key_hash
    assert len(counter.key_hash) == 64


@pytest.mark.django_db
def test_only_the_first_refusal_of_a_window_is_audited():
    for _ in range(6):
        ratelimit.hit("test.flood", "10.9.9.9", limit=2, window=HOUR, ip_address="10.9.9.9")
    events = AuditEvent.objects.filter(action=AuditAction.THROTTLED)
    assert events.count() == 1
    assert events.get().entity_id == "test.flood"
    assert events.get().ip_address == "10.9.9.9"


@pytest.mark.django_db
def test_purge_removes_old_windows_only():
    ratelimit.hit("test.form", "10.0.0.1", limit=3, window=HOUR)
    RateCounter.objects.create(scope="test.form", key_hash="x" * 64, count=1,
                               window_start=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert ratelimit.purge() == 1
    assert RateCounter.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="concurrent writers need PostgreSQL (SQLite serializes writes)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_hits_are_counted_exactly():
    threads, limit = 8, 5
    barrier = threading.Barrier(threads)
    answers: list = []
    lock = threading.Lock()

    def one() -> None:
        try:
            barrier.wait()
            answer = ratelimit.hit("test.race", "10.1.1.1", limit=limit, window=HOUR)
            with lock:
                answers.append(answer)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=one) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(a.count for a in answers) == list(range(1, threads + 1))
    assert sum(a.allowed for a in answers) == limit
    assert RateCounter.objects.get(scope="test.race").count == threads
