"""The risk scan's snapshot in a scan: an incremental scan reads only the new attendance and
runs the rules that read it; a full scan records rows and seconds per table; the events' time
has an index the incremental read uses (PostgreSQL). The COPY path's tables are compared with
the Python reads in test_snapshot_copy.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from jineng.supervision.analytics.schema import SCHEMAS
from jineng.supervision.choices import RunMode, RunStatus
from jineng.supervision.models import RiskAlert, RiskRun
from jineng.supervision.services import runs
from jineng.supervision.services import snapshot as snap
from jineng.training.models import AttendanceEvent
from tests.supervision.test_scan import planted_class

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="an index PostgreSQL's planner uses")


def test_incremental_scan_runs_the_rules_of_new_attendance() -> None:
    _w, cls = planted_class()
    first = AttendanceEvent.objects.order_by("occurred_at").first().occurred_at
    run = runs.risk_scan_compute(RiskRun.objects.create(mode=RunMode.INCREMENTAL,
                                                        since=first))
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert set(run.rule_versions) == set(snap.INCREMENTAL_RULES)
    assert run.counts["events"] == 8 and run.counts["enrollments"] == 0
    assert set(run.timings["snapshot_tables"]) >= set(snap.INCREMENTAL_TABLES)
    assert sorted(RiskAlert.objects.values_list("rule_code", flat=True)) == ["R06", "R07"]
    assert RiskAlert.objects.get(rule_code="R06").region_id == cls.region_id
    # a day later nothing is new: nothing read, nothing found
    later = runs.risk_scan_compute(RiskRun.objects.create(
        mode=RunMode.INCREMENTAL, since=timezone.now() + dt.timedelta(days=2)))
    assert later.counts["events"] == 0 and later.alerts_found == 0


def test_full_scan_records_rows_and_seconds_per_table() -> None:
    planted_class()
    run = runs.risk_scan_compute(RiskRun.objects.create())
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert set(run.timings["snapshot_tables"]) >= set(SCHEMAS)
    assert run.counts["events"] == 8 and run.counts["enrollments"] == 9
    assert run.counts["sessions"] > 0 and run.counts["persons"] == 9


@on_postgres
def test_the_incremental_read_of_events_uses_the_time_index() -> None:
    from jineng.training.selectors import risk_snapshot

    qs = risk_snapshot(timezone.now())["events"]
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        plan = qs.explain()
    assert "attendance_time" in plan, plan


@on_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outside_a_transaction_copy_reads_one_snapshot_with_events_in_parts() -> None:
    import ibis

    planted_class()
    assert not connection.in_atomic_block and snap.PARALLEL > 1
    py, py_regions = snap.build_snapshot()
    con = ibis.duckdb.connect()
    try:
        loaded, regions, rows, _seconds = snap.load_snapshot_into(con, copy=True)
        assert regions == py_regions and rows["events"] == 8
        for name, table in py.items():
            got = loaded[name].to_pyarrow()
            assert sorted(map(repr, got.to_pylist())) == sorted(map(repr, table.to_pylist()))
    finally:
        con.disconnect()
    with connection.cursor() as cur:  # every reader's connection is closed again
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid()")
        assert cur.fetchone()[0] == 0


def test_age_limits_are_those_of_each_persons_birth_date_and_gender() -> None:
    """The persons' minimum-age and retirement days, computed once per distinct birth date
    and gender, are each row's own (repeated, missing and both genders)."""
    import pyarrow as pa

    from jineng.training.selectors import age_limits_for_risk

    births = [dt.date(1965, 3, 1), dt.date(1990, 7, 9), None, dt.date(1965, 3, 1),
              dt.date(2010, 1, 31), dt.date(1990, 7, 9)]
    genders = ["F", "M", "F", "M", "F", "M"]
    batch = pa.RecordBatch.from_arrays(
        [pa.array(range(6), pa.int64()), pa.array([f"h{k}" for k in range(6)]),
         pa.array([None if b is None else (b - snap.EPOCH_DAY).days for b in births],
                  pa.int64()), pa.array(genders)], schema=snap._PERSONS_RAW)
    got = snap._with_age_limits(batch).to_pylist()
    for row, birth, gender in zip(got, births, genders, strict=True):
        if birth is None:
            assert row["adult_day"] is None and row["retire_day"] is None
            continue
        adult, retire = age_limits_for_risk(birth, gender)
        assert (row["adult_day"], row["retire_day"]) == (
            (adult - snap.EPOCH_DAY).days, (retire - snap.EPOCH_DAY).days)
    assert got[0]["retire_day"] != got[3]["retire_day"]  # same day, other gender
