"""The full scan's event cache (supervision.services.event_cache), on PostgreSQL outside a
transaction (the scan's exported snapshot): after any write the cached events are exactly the
events PostgreSQL answers — new check-ins, a void, a person merge, a check-in written in a
savepoint of a transaction still open at the previous scan, a deleted check-in or enrollment, a
truncated table — and the cache says whether it was brought up to date or read again whole,
and why."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest
from django.db import connection

from jineng.supervision.services import event_cache
from jineng.supervision.services import snapshot as snap
from jineng.training.choices import AttendanceMethod, EventKind
from jineng.training.models import AttendanceEvent
from tests.supervision.test_scan import planted_class

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the cache follows PostgreSQL's transaction ids"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def cache_dir(settings, tmp_path):
    settings.RISK_CACHE_ROOT = tmp_path / "risk-cache"
    return settings.RISK_CACHE_ROOT


def _load() -> tuple[list, dict]:
    """(the events the scan loads, the cache's report), checked against the Python read."""
    con = ibis.duckdb.connect()
    try:
        loaded, _regions, rows, seconds = snap.load_snapshot_into(con, copy=True)
        events = sorted(map(repr, loaded["events"].to_pyarrow().to_pylist()))
    finally:
        con.disconnect()
    py, _ = snap.build_snapshot()
    assert events == sorted(map(repr, py["events"].to_pylist()))
    assert rows["events"] == len(events)
    return events, seconds.get("events_cache")


def _check_in(cls, enrollment, k: int, **kw) -> AttendanceEvent:
    session = cls.sessions.order_by("seq").first()
    at = session.starts_at - dt.timedelta(minutes=k)
    return AttendanceEvent(
        institution_id=cls.institution_id, training_class=cls, session=session,
        enrollment=enrollment, kind=EventKind.CHECK_IN, method=AttendanceMethod.TERMINAL,
        occurred_at=at, received_at=at, idempotency_key=f"cache-{k}", device=f"d{k}", **kw)


def test_written_and_deleted_events_are_applied_and_a_truncate_rebuilds(cache_dir,
                                                                        monkeypatch) -> None:
    _w, cls = planted_class()
    events, report = _load()
    assert len(events) == 8 and report["mode"] == "built" and report["reason"] == "no cache"
    assert event_cache.cache_path().parent == cache_dir

    # nothing written: brought up to date (what is read again depends on the transactions
    # running anywhere on the server when the last scan read: none of them is older)
    events, report = _load()
    assert len(events) == 8 and report["mode"] == "updated" and report["written"] >= 0

    # a new check-in and a void
    enrollment = cls.enrollments.order_by("pk").last()
    AttendanceEvent.objects.bulk_create([_check_in(cls, enrollment, 30)])
    voided = AttendanceEvent.objects.order_by("pk").first()
    AttendanceEvent.objects.filter(pk=voided.pk).update(voided_at=dt.datetime.now(dt.UTC))
    events, report = _load()
    assert len(events) == 8 and report["mode"] == "updated" and report["written"] >= 2
    assert not any(f"'event_id': {voided.pk}," in e for e in events)

    # a deleted check-in leaves no row to read: the trigger's record of it does
    AttendanceEvent.objects.filter(pk=AttendanceEvent.objects.order_by("pk").last().pk).delete()
    events, report = _load()
    assert len(events) == 7 and report["mode"] == "updated" and report["deleted"] >= 1

    # a deleted enrollment takes its check-ins out of the events (they join it)
    from jineng.training.models import Enrollment

    gone = AttendanceEvent.objects.filter(voided_at__isnull=True).order_by("pk").first()
    Enrollment.objects.filter(pk=gone.enrollment_id).delete()
    events, report = _load()
    assert report["mode"] == "updated" and report["deleted"] >= 1
    assert len(events) < 7 and not any(
        f"'enrollment_id': {gone.enrollment_id}," in e for e in events)

    # more deleted rows than are applied (a demo reset): read again whole
    monkeypatch.setattr(event_cache, "MAX_DELETED", 0)
    AttendanceEvent.objects.filter(pk=AttendanceEvent.objects.order_by("pk").last().pk).delete()
    events, report = _load()
    assert report["mode"] == "built"
    assert report["reason"] == "more rows deleted since than are applied"
    monkeypatch.undo()

    # TRUNCATE leaves no record: the table's new file node shows it
    with connection.cursor() as cur:
        cur.execute("TRUNCATE training_attendanceevent")
    events, report = _load()
    assert events == [] and report["mode"] == "built"
    assert report["reason"] == "a table was truncated or rewritten"


def test_a_cache_older_than_the_deleted_rows_kept_is_read_again(cache_dir) -> None:
    import duckdb

    from jineng.training.models import DELETED_ROWS_KEPT_DAYS, DeletedRow, WrittenRows
    from jineng.training.services import deleted_rows_prune

    planted_class()
    _load()
    path = event_cache.cache_path()
    with duckdb.connect(str(path)) as con:
        read_at = float(con.execute("SELECT value FROM meta WHERE key = 'read_at'").fetchone()[0])
        con.execute("UPDATE meta SET value = ? WHERE key = 'read_at'",
                    [repr(read_at - DELETED_ROWS_KEPT_DAYS * 86400 - 60)])
    events, report = _load()
    assert len(events) == 8 and report["reason"] == "older than the deleted rows are kept"
    # the records a cache of that age would need are the ones pruned
    AttendanceEvent.objects.filter(pk=AttendanceEvent.objects.order_by("pk").last().pk).delete()
    recorded = DeletedRow.objects.get()
    now = recorded.deleted_at + dt.timedelta(days=DELETED_ROWS_KEPT_DAYS)
    written = WrittenRows.objects.count()  # the planted check-ins' INSERT
    assert written >= 1
    assert deleted_rows_prune(now=now) == 0 and DeletedRow.objects.count() == 1
    assert deleted_rows_prune(now=now + dt.timedelta(days=1, seconds=1)) == 1 + written
    assert not DeletedRow.objects.exists() and not WrittenRows.objects.exists()


def test_an_enrollment_moved_to_another_person_brings_its_events(cache_dir) -> None:
    _w, cls = planted_class()
    _load()
    from jineng.training.models import Enrollment

    enrollment = AttendanceEvent.objects.order_by("pk").first().enrollment
    # the trainee without check-ins leaves; their person takes over the first enrollment,
    # as a merge moves a duplicate's enrollments (registry.hooks)
    other = Enrollment.objects.filter(training_class=cls).exclude(
        pk__in=AttendanceEvent.objects.values("enrollment_id")).get()
    person = other.person_id
    other.delete()
    Enrollment.objects.filter(pk=enrollment.pk).update(person_id=person)
    events, report = _load()
    assert report["mode"] == "updated" and report["written"] >= 1
    assert any(f"'person_id': {person}," in e for e in events)


def test_a_savepoint_of_a_transaction_open_at_the_last_scan_is_not_lost(cache_dir) -> None:
    _w, cls = planted_class()
    enrollment = cls.enrollments.order_by("pk").last()
    row = _check_in(cls, enrollment, 40)
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        other.autocommit = False
        other.execute("SELECT 1 FROM training_attendanceevent LIMIT 1")  # holds a snapshot
        other.execute("SELECT txid_current()")  # and an xid, older than what follows
        other.execute("SAVEPOINT s1")
        other.execute(
            "INSERT INTO training_attendanceevent (institution_id, training_class_id, "
            "session_id, enrollment_id, kind, method, occurred_at, received_at, latitude, "
            "longitude, distance_m, online_seconds, outside_window, too_far, idempotency_key, "
            "device, manual, manual_reason, void_reason) VALUES (%s, %s, %s, %s, %s, %s, %s, "
            "%s, NULL, NULL, NULL, 0, false, false, 'cache-40', 'd40', false, '', '')",
            (row.institution_id, row.training_class_id, row.session_id, row.enrollment_id,
             row.kind, row.method, row.occurred_at, row.received_at))
        other.execute("RELEASE SAVEPOINT s1")
        events, report = _load()  # the insert is not committed: not there
        assert len(events) == 8 and report["mode"] == "built"
        other.commit()
    finally:
        other.close()
    events, report = _load()
    assert len(events) == 9 and report["mode"] == "updated"
    assert any("'device': 'd40'" in e for e in events)


def test_another_database_or_query_reads_every_event_and_off_reads_without(
        cache_dir, settings) -> None:
    planted_class()
    _load()
    path = event_cache.cache_path()
    import duckdb

    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE meta SET value = '1' WHERE key = 'database_oid'")
    events, report = _load()
    assert len(events) == 8 and report["reason"] == "another database"
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE meta SET value = 'x' WHERE key = 'query'")
    _events, report = _load()
    assert report["reason"] == "the events query changed"
    with duckdb.connect(str(path)) as con:  # a file made before deletes were recorded
        con.execute("DELETE FROM meta WHERE key = 'file_nodes'")
    _events, report = _load()
    assert report["reason"] == "made by an earlier version"
    path.write_bytes(b"not a database")
    _events, report = _load()
    assert report["reason"] == "no cache"
    settings.RISK_CACHE_ROOT = None
    events, report = _load()
    assert len(events) == 8 and report is None


def test_a_cache_another_process_holds_is_not_waited_for(cache_dir) -> None:
    import subprocess
    import sys

    planted_class()
    _load()
    path = event_cache.cache_path()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('ready', flush=True); time.sleep(60)", str(path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        events, report = _load()  # every event read, without the cache
        assert len(events) == 8 and report is None
    finally:
        holder.kill()
        holder.wait()
    _events, report = _load()
    assert report["mode"] == "updated"
