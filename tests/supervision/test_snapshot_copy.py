"""The risk scan's snapshot: on PostgreSQL inside a transaction the COPY path (each
selector's queryset compiled and streamed into DuckDB, conversions in SQL) answers exactly the
tables the Python path answers (rows read through the ORM, converted in Python), on the demo
province with planted fraud and data issues plus awkward values (quotes, commas, line breaks,
"NULL" in a device, missing coordinates); in a full and an incremental snapshot (outside a
transaction, by ADBC: test_snapshot_adbc.py)."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest
from django.db import connection, transaction

from jineng.supervision.analytics.schema import SCHEMAS
from jineng.supervision.services import snapshot as snap
from jineng.training.choices import AttendanceMethod, EventKind
from jineng.training.models import AttendanceEvent

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="COPY is PostgreSQL's")
AWKWARD = ['a,b', 'say "hi"', "line\nbreak", "NULL", "", "NA", " spaced "]


def _sorted(table) -> list[tuple]:
    return sorted((tuple(r.values()) for r in table.to_pylist()), key=repr)


def _both(since: dt.datetime | None) -> tuple[dict, dict, dict, dict]:
    """(tables, regions) read in Python and through COPY."""
    py, py_regions = snap.build_snapshot(since)
    con = ibis.duckdb.connect()
    try:
        loaded, regions, rows, seconds = snap.load_snapshot_into(con, since, copy=True)
        copied = {name: t.to_pyarrow() for name, t in loaded.items()}
    finally:
        con.disconnect()
    assert set(seconds) >= set(py) and all(rows[n] == copied[n].num_rows for n in copied)
    return py, py_regions, copied, regions


def _awkward_events() -> None:
    """Events with awkward devices and no coordinates on a demo class's first session."""
    event = AttendanceEvent.objects.filter(kind=EventKind.CHECK_IN,
                                           voided_at__isnull=True).first()
    top = AttendanceEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    AttendanceEvent.objects.bulk_create([AttendanceEvent(  # ids given: the demo copies its own
        pk=top + 1 + k,
        institution_id=event.institution_id, training_class_id=event.training_class_id,
        session_id=event.session_id, enrollment_id=event.enrollment_id,
        kind=EventKind.CHECK_IN, method=AttendanceMethod.MOBILE,
        occurred_at=event.occurred_at + dt.timedelta(seconds=k, microseconds=999_999),
        received_at=event.occurred_at, idempotency_key=f"awkward-{k}", device=device,
        latitude=None if k % 2 else 26.123456789012345, longitude=None if k % 2 else -0.1)
        for k, device in enumerate(AWKWARD)])
    # trainees' contacts as typed: quotes, commas, line breaks, full-width digits
    from jineng.registry.models import Person, Region

    people = AttendanceEvent.objects.values("enrollment__person_id").distinct()[:len(AWKWARD)]
    for k, person in enumerate(Person.objects.filter(pk__in=people).order_by("pk")):
        Person.objects.filter(pk=person.pk).update(
            address=f'南明区人民路{k}号 {AWKWARD[k]}，"三"单元', phone=f"+86 １３８-0000-{k:04d}")
    from jineng.supervision.models import ExclusionListEntry

    region = Region.objects.order_by("pk").first()
    ExclusionListEntry.objects.bulk_create([ExclusionListEntry(
        list_kind=kind, region=region, id_hash=f"{k:064d}", id_encrypted="x", id_masked="x",
        valid_from=dt.date(2020, 1, 1), valid_to=end, content_hash="x")
        for k, (kind, end) in enumerate((("pension", None), ("student", dt.date(2031, 2, 3))))])


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from jineng.demo import generator

    with django_db_blocker.unblock(), transaction.atomic():
        generator.generate("XS", seed=1, progress=False, fraud_rate=0.05)
        _awkward_events()
        yield
        transaction.set_rollback(True)


@on_postgres
def test_copy_answers_the_same_tables_as_the_python_reads(demo) -> None:
    py, py_regions, copied, regions = _both(None)
    assert regions == py_regions and regions
    assert set(py) == set(SCHEMAS)
    for name, table in py.items():
        # the engine may store a column narrower (engine.COMPACT): same names, same values
        assert copied[name].schema.names == SCHEMAS[name].names, name
        assert _sorted(copied[name].cast(SCHEMAS[name])) == _sorted(table), name
    # the demo fills (nearly) every table: the comparison is not of empty tables
    filled = {n for n, t in py.items() if t.num_rows}
    assert filled >= {"enrollments", "sessions", "events", "sites", "classes", "persons",
                      "contacts", "claims", "candidates", "certificates", "institutions",
                      "site_cities", "insured_cities", "exclusions", "online", "teaching",
                      "interactions"}, filled
    devices = set(copied["events"].column("device").to_pylist())
    assert set(AWKWARD) <= devices and None not in devices


@on_postgres
def test_incremental_copy_reads_the_same_new_attendance(demo) -> None:
    times = sorted(AttendanceEvent.objects.values_list("occurred_at", flat=True))
    since = times[len(times) // 2]
    py, _r, copied, _regions = _both(since)
    assert set(py) == set(snap.INCREMENTAL_TABLES)
    assert 0 < py["events"].num_rows < len(times)
    # the selector's indexed date bound drops no session ending after the lookback
    from jineng.training.models import ClassSession
    from jineng.training.rules import lifecycle

    ending = ClassSession.objects.filter(
        ends_at__gte=since - snap.LOOKBACK,
        training_class__status__in=lifecycle.HOLDING_STATES).count()
    assert py["sessions"].num_rows == ending > 0
    for name, table in py.items():
        assert _sorted(copied[name]) == _sorted(table), name
    for name in set(SCHEMAS) - set(py):
        assert copied[name].num_rows == 0, name
