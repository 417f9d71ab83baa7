"""Two sittings issuing at once, on PostgreSQL (real row locks): their numbers never collide and
leave no gap, their status-list places are distinct, a class with both sittings is assessed
exactly once, and a sitting issued twice at once is issued once.

Each issue runs in its own thread with its own connection; a barrier releases them together.
A database trigger holds every certificate insert for a moment, so both issuers are inside
their transactions at the same time (without the sequence lock they would read the same
"last" number and collide on the unique number)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from jineng.assessment import services
from jineng.assessment.models import Certificate, SittingStatusChange
from jineng.assessment.rules import numbering
from jineng.core.errors import DomainError
from jineng.training.models import ClassStatusChange, TrainingClass
from tests import factories as f
from tests.assessment import factories as af
from tests.assessment import issuance_support as s
from tests.training import helpers as h

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks (select_for_update) need PostgreSQL; SQLite "
                              "serializes every write and cannot show the race"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _slow_inserts(model, seconds: float):
    """Hold every insert into `model`'s table for a moment (a busy server)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE OR REPLACE FUNCTION jineng_test_slow() RETURNS trigger "
                       f"AS $$ BEGIN PERFORM pg_sleep({seconds}); RETURN NEW; END $$ "
                       "LANGUAGE plpgsql")
        cursor.execute(f"CREATE TRIGGER jineng_test_slow BEFORE INSERT ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION jineng_test_slow()")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER jineng_test_slow ON {table}")
        cursor.execute("DROP FUNCTION jineng_test_slow()")


@pytest.fixture
def slow_certificate_writes():
    yield from _slow_inserts(Certificate, 0.05)


@pytest.fixture
def slow_sitting_closing():
    """Each sitting's closing step (its history row) is slow: two sittings without a pass
    take no number and sign nothing, so nothing else serializes them."""
    yield from _slow_inserts(SittingStatusChange, 0.5)


def _in_threads(*calls, timeout: float = 120) -> list:
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


def _issue(operator, sitting):
    return lambda: services.certificates_issue_for_sitting(actor=operator, sitting=sitting)


def _sequences(numbers: list[str]) -> list[int]:
    return sorted(int(n[-6:]) for n in numbers)


def test_two_sittings_issuing_at_once_share_one_gapless_sequence(slow_certificate_writes):
    code = af.EvaluatorCodeFactory()
    s.publish_evaluation_catalog(s.listing_rows(code.organization))
    operator = f.operator(code.organization)
    # An earlier sitting: the sequence rows exist (a first insert of a row would serialize
    # the two issuers by itself and hide a missing lock).
    earlier = s.results_sitting(code.organization, passed=1, failed=0,
                                second_certificate_kind="special_ability",
                                special_ability_item=s.ITEM)
    _issue(operator, earlier)()
    one = s.results_sitting(code.organization, passed=6, failed=1,
                            second_certificate_kind="special_ability",
                            special_ability_item=s.ITEM)
    two = s.results_sitting(code.organization, passed=5, failed=0,
                            second_certificate_kind="special_ability",
                            special_ability_item=s.ITEM)
    results = _in_threads(_issue(operator, one), _issue(operator, two))
    assert all(isinstance(r, list) for r in results), results
    skill = list(Certificate.objects.filter(kind="skill_level").values_list("number", flat=True))
    special = list(Certificate.objects.filter(kind="special_ability")
                   .values_list("number", flat=True))
    assert _sequences(skill) == list(range(1, 13))  # no collision, no gap
    assert sorted(int(n[-7:]) for n in special) == list(range(1, 13))
    for n in skill:
        assert isinstance(numbering.parse_skill_level_number(n), numbering.SkillLevelNumber)
    # Each sitting's numbers are one block (its prefix lock held through its transaction).
    for sitting in (one, two):
        mine = _sequences(list(Certificate.objects.filter(
            candidate__sitting=sitting, kind="skill_level").values_list("number", flat=True)))
        assert mine == list(range(mine[0], mine[0] + len(mine)))
    indices = list(Certificate.objects.values_list("status_index", flat=True))
    assert sorted(indices) == list(range(min(indices), min(indices) + 24))


def test_the_same_sitting_issued_twice_at_once_is_issued_once(slow_certificate_writes):
    code = af.EvaluatorCodeFactory()
    operator = f.operator(code.organization)
    sitting = s.results_sitting(code.organization, passed=4, failed=0)
    results = _in_threads(_issue(operator, sitting), _issue(operator, sitting))
    issued = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(issued) == 1 and len(refused) == 1, results
    assert isinstance(refused[0], DomainError) and refused[0].code == "no_results"
    assert _sequences(list(Certificate.objects.values_list("number", flat=True))) == [1, 2, 3, 4]


@pytest.mark.parametrize("passed", [0, 3])
def test_a_class_whose_two_sittings_close_at_once_is_assessed_once(passed,
                                                                   slow_sitting_closing):
    tw = h.world()
    cls = h.declare(tw)
    TrainingClass.objects.filter(pk=cls.pk).update(status="finished")
    first, second = af.EvaluatorCodeFactory(), af.EvaluatorCodeFactory()
    a = s.results_sitting(first.organization, passed=passed, failed=2, training_class=cls)
    b = s.results_sitting(second.organization, passed=passed, failed=2, training_class=cls)
    results = _in_threads(_issue(f.operator(first.organization), a),
                          _issue(f.operator(second.organization), b))
    assert all(isinstance(r, list) for r in results), results
    cls.refresh_from_db()
    assert cls.status == "assessed"
    assert ClassStatusChange.objects.filter(training_class=cls, action="assess").count() == 1
