"""Results entered at the same moment, on PostgreSQL (real row locks): the sitting's row is
locked while the rows are checked and written, so two entries of its last candidates move it
to "results" exactly once (without the lock each counted the other's candidate as missing and
neither moved it), and two corrections of one candidate are applied one after the other, each
audited with the value it really replaced.

Each entry runs in its own thread with its own connection; a barrier releases them together
and a database trigger holds every candidate update for a moment."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from jineng.assessment import services
from jineng.assessment.choices import SittingStatus
from jineng.assessment.models import AssessmentSitting, Candidate, SittingStatusChange
from jineng.core.models import AuditEvent
from tests import factories as f
from tests.assessment.results_support import D, reload, results_world, row

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks (select_for_update) need PostgreSQL; SQLite "
                              "serializes every write and cannot show the race"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def slow_candidate_writes():
    table = Candidate._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE OR REPLACE FUNCTION jineng_test_slow_result() RETURNS trigger "
                       "AS $$ BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$ "
                       "LANGUAGE plpgsql")
        cursor.execute(f"CREATE TRIGGER jineng_test_slow_result BEFORE UPDATE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION jineng_test_slow_result()")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER jineng_test_slow_result ON {table}")
        cursor.execute("DROP FUNCTION jineng_test_slow_result()")


def _in_threads(*calls, timeout: float = 60) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=timeout)
            results[i] = call()
        except Exception as error:  # handed back to the test
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results


def _enter(actor, sitting, rows):
    return lambda: services.results_enter(actor=actor, sitting=sitting, rows=rows)


def test_the_last_two_results_at_once_move_the_sitting_once(slow_candidate_writes):
    w = results_world()
    a, b, c = w.candidates
    services.results_enter(actor=w.operator, sitting=w.sitting, rows=[row(a, "70", "70")])
    colleague = f.operator(w.sitting.evaluator)
    reports = _in_threads(_enter(w.operator, w.sitting, [row(b, "80", "80")]),
                          _enter(colleague, w.sitting, [row(c, "50", "80")]))
    assert not [r for r in reports if isinstance(r, Exception)], reports
    assert sorted(r.moved_to_results for r in reports) == [False, True]
    assert AssessmentSitting.objects.get(pk=w.sitting.pk).status == SittingStatus.RESULTS
    assert SittingStatusChange.objects.filter(sitting=w.sitting).count() == 1


def test_two_corrections_at_once_apply_in_turn(slow_candidate_writes):
    w = results_world(candidates=1)
    (a,) = w.candidates
    services.results_enter(actor=w.operator, sitting=w.sitting, rows=[row(a, "50", "80")])
    reports = _in_threads(_enter(w.operator, w.sitting, [row(a, "65", "80")]),
                          _enter(w.operator, w.sitting, [row(a, "70", "80")]))
    assert not [r for r in reports if isinstance(r, Exception)], reports
    assert sorted(r.updated for r in reports) == [1, 1]
    final = reload(a).theory_score
    assert final in (D("65"), D("70"))
    corrections = list(AuditEvent.objects.filter(entity_type="assessment.candidate",
                                                 entity_id=str(a.pk)).order_by("id"))
    # Each correction replaced what the other wrote before it: a chain 50 → x → final.
    assert corrections[0].before["theory_score"] == "50.00"
    assert corrections[1].before["theory_score"] == corrections[0].after["theory_score"]
    assert f"{final:.2f}" == corrections[1].after["theory_score"]
