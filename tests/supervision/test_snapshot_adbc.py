"""The risk scan's snapshot outside a transaction (as every scan in production): read by ADBC
in one exported snapshot, the events in parts without their enrollment's person (put back from
the map read once), it answers exactly the tables the Python path answers (a module of its own:
test_snapshot_copy's demo is held in a transaction for its whole module)."""

from __future__ import annotations

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
    for dense_max in (snapshot_copy.DENSE_MAX_KEY, 0):
        monkeypatch.setattr(snapshot_copy, "DENSE_MAX_KEY", dense_max)
        mapped.clear()
        assert not connection.in_atomic_block
        py, py_regions, read, regions = _both(None)
        assert mapped == [dense_max > 0] * snap.PARALLEL
        assert regions == py_regions and regions
        for name, table in py.items():
            assert read[name].schema.names == SCHEMAS[name].names, name
            assert _sorted(read[name].cast(SCHEMAS[name])) == _sorted(table), name
        events = read["events"]
        assert events.num_rows > len(AWKWARD)
        assert gone.enrollment_id not in set(events.column("enrollment_id").to_pylist())
        assert set(AWKWARD) <= set(events.column("device").to_pylist())
