"""考培分离 under concurrent requests, on PostgreSQL (real row locks): a trainee added as a
candidate and the trainee's teacher added as an examiner at the same moment. Each check reads
the other's table; the sitting's row lock makes one wait for the other, so exactly one gets in.
Without the lock both checks pass before either insert commits."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from jineng.assessment import services
from jineng.assessment.models import Candidate, SittingExaminer
from jineng.core.errors import DomainError
from tests import factories as f
from tests.assessment import sittings_support as ss

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks (select_for_update) need PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TABLES = (Candidate._meta.db_table, SittingExaminer._meta.db_table)


@pytest.fixture
def slow_inserts():
    """Hold each insert for a moment after its checks, as a busy server does."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE OR REPLACE FUNCTION jineng_test_slow_sitting() RETURNS trigger "
                       "AS $$ BEGIN PERFORM pg_sleep(0.4); RETURN NEW; END $$ "
                       "LANGUAGE plpgsql")
        for table in TABLES:
            cursor.execute(f"CREATE TRIGGER jineng_test_slow_{table} BEFORE INSERT ON {table} "
                           "FOR EACH ROW EXECUTE FUNCTION jineng_test_slow_sitting()")
    yield
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TRIGGER jineng_test_slow_{table} ON {table}")
        cursor.execute("DROP FUNCTION jineng_test_slow_sitting()")


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


def test_a_teacher_and_their_trainee_never_both_get_in(slow_inserts):
    w = ss.world(trainees=2, completed=2)
    teacher = f.PersonFactory(id_hash=w.training.teacher.id_hash)
    for e in w.trainees:
        sitting = ss.approved(w, training_class_id=w.cls.pk)
        results = _in_threads(
            lambda s=sitting, e=e: services.candidate_add(
                actor=w.operator, sitting=s, person=e.person, route="class_completed",
                enrollment=e),
            lambda s=sitting: services.examiner_add(actor=w.operator, sitting=s,
                                                    person=teacher))
        refused = [r for r in results if isinstance(r, DomainError)]
        assert len(refused) == 1, results
        assert refused[0].code == "examiner_taught_class"
        assert Candidate.objects.filter(sitting=sitting).count() \
            + SittingExaminer.objects.filter(sitting=sitting).count() == 1
