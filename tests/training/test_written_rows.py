"""The records of written attendance events (training.models.WrittenRows, triggers of migration
0012, PostgreSQL) and the id ranges the risk scan's event cache reads from them
(`risk_event_ranges_written_since`), then the events in them (`risk_events_written_since`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from jineng.training.choices import AttendanceMethod, EventKind
from jineng.training.models import AttendanceEvent, WrittenRows
from jineng.training.selectors import risk as selectors
from tests.supervision.test_scan import planted_class

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the triggers and transaction ids are PostgreSQL's"),
    pytest.mark.django_db,
]


def _xmin() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint "
                       "% 4294967296")
        return int(cursor.fetchone()[0])


def test_an_insert_statement_records_its_range_and_an_update_each_row() -> None:
    planted_class()  # eight check-ins in one INSERT
    ids = sorted(AttendanceEvent.objects.values_list("pk", flat=True))
    assert list(WrittenRows.objects.values_list("table", "first_id", "last_id")) == [
        ("event", ids[0], ids[-1])]
    WrittenRows.objects.all().delete()
    AttendanceEvent.objects.filter(pk__in=ids[:2]).update(voided_at=dt.datetime.now(dt.UTC))
    assert sorted(WrittenRows.objects.values_list("first_id", "last_id")) == [
        (ids[0], ids[0]), (ids[1], ids[1])]
    WrittenRows.objects.all().delete()
    AttendanceEvent.objects.filter(pk=-1).update(device="x")  # no row: nothing recorded
    assert not WrittenRows.objects.exists()


def test_ranges_closer_than_the_gap_are_read_as_one(monkeypatch) -> None:
    xmin = _xmin()
    gap = selectors.WRITTEN_GAP
    WrittenRows.objects.bulk_create([
        WrittenRows(table="event", first_id=a, last_id=b)
        for a, b in [(1, 5), (3, 9), (9 + gap, 9 + gap), (10 + 3 * gap, 20 + 3 * gap),
                     (21 + 5 * gap, 21 + 5 * gap)]]
        + [WrittenRows(table="other", first_id=7 * gap, last_id=7 * gap)])
    assert selectors.risk_event_ranges_written_since(xmin) == [
        (1, 9 + gap), (10 + 3 * gap, 20 + 3 * gap), (21 + 5 * gap, 21 + 5 * gap)]
    monkeypatch.setattr(selectors, "MAX_WRITTEN_RANGES", 2)
    assert selectors.risk_event_ranges_written_since(xmin) is None


def test_the_events_written_since_are_read_by_range_or_by_transaction_id(monkeypatch) -> None:
    _w, cls = planted_class()
    xmin = _xmin()
    enrollment = cls.enrollments.order_by("pk").last()
    session = cls.sessions.order_by("seq").first()
    new = AttendanceEvent.objects.create(
        institution_id=cls.institution_id, training_class=cls, session=session,
        enrollment=enrollment, kind=EventKind.CHECK_IN, method=AttendanceMethod.TERMINAL,
        occurred_at=session.starts_at, received_at=session.starts_at,
        idempotency_key="written-1", device="d")
    voided = AttendanceEvent.objects.exclude(pk=new.pk).order_by("pk").first()
    AttendanceEvent.objects.filter(pk=voided.pk).update(voided_at=dt.datetime.now(dt.UTC))
    by_range = sorted(selectors.risk_events_written_since(xmin))
    monkeypatch.setattr(selectors, "MAX_WRITTEN_RANGES", 0)
    by_xmin = sorted(selectors.risk_events_written_since(xmin))
    # (the test's one transaction wrote the planted check-ins too: all of them are "since")
    assert {new.pk, voided.pk} <= {r[0] for r in by_xmin}
    assert by_range == by_xmin
    assert {r[0]: r[-1] for r in by_range}[voided.pk] is False  # voided: not kept
