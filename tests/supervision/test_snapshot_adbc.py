"""The risk scan's snapshot outside a transaction (as every scan in production): read by ADBC
in one exported snapshot, the events in parts without their enrollment's person (put back from
the map read once), it answers exactly the tables the Python path answers (a module of its own:
test_snapshot_copy's demo is held in a transaction for its whole module)."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection

from jineng.supervision.analytics.schema import SCHEMAS
from jineng.supervision.services import snapshot as snap
from jineng.training.models import AttendanceEvent
from tests.supervision.test_snapshot_copy import (
    AWKWARD,
    _awkward_events,
    _both,
    _sorted,
    on_postgres,
)


@on_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_snapshot_read_by_adbc_answers_the_same_tables(settings, monkeypatch) -> None:
    """Outside a transaction every table is read by ADBC in one exported snapshot, the events
    in parts without their enrollment's person (put back from the map read once); the same
    tables as the Python reads, awkward values included — with the map, without it (keys
    above DENSE_MAX_KEY: PostgreSQL's join), and with an enrollment gone (its check-ins keep
    its id: left out, as the join leaves them out)."""
    from jineng.demo import generator
    from jineng.supervision.services import snapshot_copy
    from jineng.training.models import Enrollment

    settings.RISK_CACHE_ROOT = None  # the events read directly, not through the cache
    generator.generate("XS", seed=1, progress=False, fraud_rate=0.05)
    _awkward_events()
    gone = AttendanceEvent.objects.filter(voided_at__isnull=True).order_by("pk").first()
    Enrollment.objects.filter(pk=gone.enrollment_id).delete()
    assert AttendanceEvent.objects.filter(enrollment_id=gone.enrollment_id).exists()
    mapped = []
    real_map = snapshot_copy._AdbcPlan._map

    def watch(plan, conn):  # which reads the map served (the events' parts)
        dense = real_map(plan, conn)
        mapped.append(dense is not None)
        return dense

    monkeypatch.setattr(snapshot_copy._AdbcPlan, "_map", watch)
    real_batches = snapshot_copy._AdbcPlan.batches
    parts: dict[int, int] = {}  # the events read per part

    def count(plan, conn, i):
        for batch in real_batches(plan, conn, i):
            if plan.source.name == "events":
                sql = (plan.bulk_statements if plan._dense is not None else plan.statements)[i]
                assert all("ctid" in s and "%" not in s[-40:] for s in sql), sql
                parts[i] = parts.get(i, 0) + batch.num_rows
            yield batch

    monkeypatch.setattr(snapshot_copy._AdbcPlan, "batches", count)
    for dense_max in (snapshot_copy.DENSE_MAX_KEY, 0):
        monkeypatch.setattr(snapshot_copy, "DENSE_MAX_KEY", dense_max)
        mapped.clear()
        parts.clear()
        assert not connection.in_atomic_block
        py, py_regions, read, regions = _both(None)
        assert mapped == [dense_max > 0] * snap.PARALLEL
        # each part read its own range of the table's pages, every one of them some rows;
        # together exactly the Python read's rows (compared below)
        assert len(parts) == snap.PARALLEL and all(parts.values()), parts
        assert sum(parts.values()) == read["events"].num_rows
        assert regions == py_regions and regions
        for name, table in py.items():
            assert read[name].schema.names == SCHEMAS[name].names, name
            assert _sorted(read[name].cast(SCHEMAS[name])) == _sorted(table), name
        events = read["events"]
        assert events.num_rows > len(AWKWARD)
        assert gone.enrollment_id not in set(events.column("enrollment_id").to_pylist())
        assert set(AWKWARD) <= set(events.column("device").to_pylist())


def test_page_ranges_cover_every_page_once() -> None:
    """The parts' page ranges: adjacent, open at both ends (pages added since their count was
    read are covered), as many as the parts even for a table of fewer pages."""
    from jineng.supervision.services.snapshot_copy import page_ranges

    assert page_ranges(947_101, 2) == [(None, 473_551), (473_551, None)]
    assert page_ranges(10, 3) == [(None, 4), (4, 8), (8, None)]
    assert page_ranges(0, 2) == [(None, 1), (1, None)]
    assert page_ranges(7, 1) == [(None, None)]
    for pages in range(0, 40):
        for n in range(1, 5):
            ranges = page_ranges(pages, n)
            assert len(ranges) == n and ranges[0][0] is None and ranges[-1][1] is None
            assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))


def test_only_one_row_per_table_row_is_split_by_pages() -> None:
    """A DISTINCT, grouped or sliced read may gather rows of several pages into one: split by
    its first column instead."""
    from django.db.models import Count

    from jineng.supervision.services.snapshot_copy import by_pages

    events = AttendanceEvent.objects.order_by().values_list("pk", "enrollment_id")
    assert by_pages(events)
    assert not by_pages(events.distinct())
    assert not by_pages(events.values("enrollment_id").annotate(n=Count("pk"))
                        .values_list("enrollment_id", "n"))
    assert not by_pages(events[:10])
