"""The same outside certificate recorded by two requests at the same moment, on PostgreSQL:
one record, and the other request answers it (same content) or a Conflict (other content),
never an error page."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from jineng.assessment import services
from jineng.assessment.models import Certificate
from jineng.core.errors import Conflict
from tests import factories as f
from tests.assessment import outside_helpers as h

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrent inserts need PostgreSQL; SQLite serializes writes"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def slow_certificate_inserts():
    """Hold each insert for a moment (a trigger sleeps), so that both requests pass their
    "not recorded yet" check before either commits."""
    table = Certificate._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE OR REPLACE FUNCTION jineng_test_slow_cert() RETURNS trigger "
                       "AS $$ BEGIN PERFORM pg_sleep(0.4); RETURN NEW; END $$ "
                       "LANGUAGE plpgsql")
        cursor.execute(f"CREATE TRIGGER jineng_test_slow_cert BEFORE INSERT ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION jineng_test_slow_cert()")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER jineng_test_slow_cert ON {table}")
        cursor.execute("DROP FUNCTION jineng_test_slow_cert()")


def _together(*calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except Exception as error:  # handed back to the test
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_same_certificate_twice_at_once(slow_certificate_inserts):
    clerk = f.staff("city_staff", f.CITY)
    p = h.person()

    def record(**kw):
        return lambda: services.certificate_record_outside(actor=clerk, data=h.data(p, **kw))

    results = _together(record(), record())
    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(created for _cert, created in results) == [False, True]
    assert len({cert.pk for cert, _ in results}) == 1
    results = _together(record(number=h.number(2)),
                        record(number=h.number(2), issuer_name="另一机构"))
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1 and conflicts[0].field == "issuer_name", results
    assert Certificate.objects.count() == 2
