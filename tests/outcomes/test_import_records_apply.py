"""The apply step of a records import (issue 11's speed work): rows identical to the stored
ones are left untouched, new and corrected rows in one file, the values that go through the
binary COPY come back exact, and a record inserted by another writer during the import is
settled by the upsert."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pyarrow as pa
import pytest
from django.db import connection, connections, transaction

from jineng.core import pii
from jineng.outcomes.models import InsuranceImport, InsuranceRecord, InsuranceRecordRevision
from jineng.outcomes.services.imports import pgcopy
from tests import factories as f
from tests.outcomes.test_import_records import PG, employer, line, run, write


@pytest.fixture
def staff(db):
    return f.staff()


def _xmin(pk: int) -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text::bigint FROM outcomes_insurancerecord WHERE id = %s",
                       [pk])
        return cursor.fetchone()[0]


def _record(id_number: str, month: str = "2025-03") -> InsuranceRecord:
    return InsuranceRecord.objects.get(id_hash=pii.keyed_hash(id_number),
                                       month=dt.date.fromisoformat(month + "-01"))


def test_unchanged_rows_are_not_rewritten_new_and_corrected_ones_are(staff, tmp_path):
    a, b, c = (f.id_number_for(n=n) for n in (501, 502, 503))
    first = run(staff, write(tmp_path, [line(a), line(b)])).record
    kept, corrected = _record(a), _record(b)
    before = (kept.updated_at, kept.source_import_id, _xmin(kept.pk))
    person = f.PersonFactory(plain_id=c)

    second = run(staff, write(tmp_path, [line(a), line(b, wage="4300.10"), line(c)],
                              name="r2.csv")).record
    assert (second.status, second.created, second.corrected, second.unchanged) == \
        ("succeeded", 1, 1, 1)
    kept.refresh_from_db()
    # Not updated, not even locked: PostgreSQL's row version (xmin) is the same.
    assert (kept.updated_at, kept.source_import_id, _xmin(kept.pk)) == before
    corrected.refresh_from_db()
    assert (corrected.wage_base, corrected.source_import_id) == (Decimal("4300.10"), second.pk)
    revision = InsuranceRecordRevision.objects.get(record=corrected)
    assert (revision.wage_base, revision.previous_import_id, revision.replaced_by_id) == \
        (Decimal("4200.00"), first.pk, second.pk)
    assert _record(c).person_id == person.pk and _record(c).source_import_id == second.pk
    assert InsuranceRecordRevision.objects.count() == 1

    # The same rows once more (another file: another order): nothing written, no revision.
    third = run(staff, write(tmp_path, [line(c), line(a), line(b, wage="4300.10")],
                             name="r3.csv")).record
    assert third.pk != second.pk
    assert (third.created, third.corrected, third.unchanged) == (0, 0, 3)
    assert InsuranceRecordRevision.objects.count() == 1
    corrected.refresh_from_db()
    assert corrected.source_import_id == second.pk


def test_a_correction_of_the_kinds_or_region_is_kept_in_history(staff, tmp_path):
    a = f.id_number_for(n=511)
    first = run(staff, write(tmp_path, [line(a, kinds="1,1,0")])).record
    second = run(staff, write(tmp_path, [line(a, kinds="1,0,1", region=f.OTHER_COUNTY)],
                              name="r2.csv")).record
    assert (second.created, second.corrected, second.unchanged) == (0, 1, 0)
    record = _record(a)
    assert (record.unemployment, record.injury, record.employer_region.code) == \
        (False, True, f.OTHER_COUNTY)
    revision = InsuranceRecordRevision.objects.get(record=record)
    assert (revision.unemployment, revision.injury, revision.employer_region.code,
            revision.previous_import_id) == (True, False, f.COUNTY, first.pk)


@pytest.mark.parametrize("wage", ["0.01", "1", "9999.99", "10000", "12345.67", "100000"])
def test_wage_bases_and_months_arrive_exactly(staff, tmp_path, wage):
    a = f.id_number_for(n=520)
    months = ["1990-01", "1999-12", "2000-01", "2000-02", "2024-02"]
    outcome = run(staff, write(tmp_path, [line(a, month=m, wage=wage) for m in months]))
    assert outcome.record.created == len(months)
    stored = sorted(InsuranceRecord.objects.values_list("month", "wage_base"))
    assert stored == [(dt.date.fromisoformat(m + "-01"), Decimal(wage).quantize(Decimal("0.01")))
                      for m in months]


def test_binary_copy_encoding_refuses_what_does_not_fit():
    def batch(**overrides) -> pa.Table:
        columns = {"id_hash": pa.array(["a" * 64]), "employer": pa.array(["9" * 18]),
                   "month": pa.array([dt.date(2025, 3, 1)], pa.date32()),
                   "region_id": pa.array([7], pa.int64()), "pension": pa.array([True]),
                   "unemployment": pa.array([False]), "injury": pa.array([True]),
                   "wage_cents": pa.array([420000], pa.int64())}
        columns.update(overrides)
        return pa.table(columns)

    encoded = pgcopy.encode(batch())
    assert encoded is not None and len(encoded) == pgcopy.ROW.itemsize
    # 4,200.00 yuan: digits 0, 4200, 0 with weight 1 and two decimals.
    assert encoded[-14:] == bytes.fromhex("0003 0001 0000 0002 0000 1068 0000")
    assert pgcopy.encode(batch(employer=pa.array(["9" * 17]))) is None
    assert pgcopy.encode(batch(id_hash=pa.array(["a" * 63]))) is None
    assert pgcopy.encode(batch(wage_cents=pa.array([-1], pa.int64()))) is None
    assert pgcopy.encode(batch(region_id=pa.array([None], pa.int64()))) is None


@PG
def test_a_record_inserted_by_another_writer_during_the_import_is_settled(tmp_path):
    """Linkage writes records without the import lock: one inserted between the import's join
    and its INSERT makes the INSERT fail on the unique key; the upsert then runs, so the row
    becomes a correction of that record (with its revision), not a failed import."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL")
    staff = f.staff()
    a, b = f.id_number_for(n=531), f.id_number_for(n=532)
    earlier = run(staff, write(tmp_path, [line(a, month="2025-01")], name="r0.csv")).record
    region = InsuranceRecord.objects.get().employer_region
    inserted, go = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def other_writer() -> None:
        try:
            with transaction.atomic():
                InsuranceRecord.objects.create(
                    id_hash=pii.keyed_hash(b), employer_code=employer(), month=dt.date(2025, 3, 1),
                    employer_region=region, pension=True, unemployment=True,
                    wage_base=Decimal("3000"), source_import=earlier)
                inserted.set()
                go.wait(60)
        finally:
            connections.close_all()

    def importer() -> None:
        try:
            results["outcome"] = run(staff, write(tmp_path, [line(a), line(b)], name="r1.csv"))
        except Exception as error:  # handed back to the test
            results["outcome"] = error
        finally:
            connections.close_all()

    writer = threading.Thread(target=other_writer)
    writer.start()
    assert inserted.wait(60)
    worker = threading.Thread(target=importer)
    worker.start()
    waiting = False
    deadline = time.monotonic() + 60
    with connections["default"].cursor() as cursor:
        while not waiting and time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND query LIKE '%%INSERT INTO outcomes_insurancerecord%%'")
            waiting = cursor.fetchone()[0] > 0
            time.sleep(0.05)
    go.set()
    writer.join(60)
    worker.join(120)
    assert waiting, "the import never waited on the other writer's record"
    outcome = results["outcome"]
    assert not isinstance(outcome, Exception), outcome
    imp = outcome.record
    assert (imp.status, imp.created, imp.corrected, imp.unchanged) == ("succeeded", 1, 1, 0)
    record = _record(b)
    assert (record.wage_base, record.source_import_id) == (Decimal("4200.00"), imp.pk)
    revision = InsuranceRecordRevision.objects.get(record=record)
    assert (revision.wage_base, revision.previous_import_id, revision.replaced_by_id) == \
        (Decimal("3000.00"), earlier.pk, imp.pk)
    assert InsuranceImport.objects.count() == 2
