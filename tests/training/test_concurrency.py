"""Enrollment and withdrawal under concurrent requests, on PostgreSQL (real row locks).

Each request runs in its own thread with its own database connection; a barrier releases
them together. Before the person was locked, the same person sent to two classes with the
same hours at two institutions at the same moment got into both in 28 of 30 trials."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction

from jineng.core import pii
from jineng.core.errors import DomainError
from jineng.registry.models import Person
from jineng.training import services
from jineng.training.models import Enrollment, TrainingClass
from tests import factories as f
from tests.training import helpers as h

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks (select_for_update) need PostgreSQL; SQLite "
                              "serializes every write and cannot show the race"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROUNDS = 3


@pytest.fixture
def slow_enrollment_writes():
    """Hold each enrollment's transaction open for a moment after its checks (a database
    trigger sleeps before the insert), as a busy server does: without a lock on what the
    checks read, both requests pass their checks before either commits."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE OR REPLACE FUNCTION jineng_test_slow_insert() RETURNS trigger "
                       "AS $$ BEGIN PERFORM pg_sleep(0.4); RETURN NEW; END $$ "
                       "LANGUAGE plpgsql")
        cursor.execute("CREATE TRIGGER jineng_test_slow_enrollment BEFORE INSERT ON "
                       f"{Enrollment._meta.db_table} FOR EACH ROW "
                       "EXECUTE FUNCTION jineng_test_slow_insert()")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER jineng_test_slow_enrollment ON "
                       f"{Enrollment._meta.db_table}")
        cursor.execute("DROP FUNCTION jineng_test_slow_insert()")


def _in_threads(*calls, timeout: float = 60) -> list:
    """Run each call in its own thread (its own connection), released together by a
    barrier; the results or the exceptions, in order."""
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


def _twin_classes(w, week: int) -> tuple[TrainingClass, TrainingClass]:
    """Two classes with the same hours at two institutions, in two counties."""
    sessions = h.sessions(h.START + dt.timedelta(weeks=2 * week))
    mine = h.declare(w, sessions=sessions, teachers=(), name=f"甲机构第{week}期")
    site = f.SiteFactory(organization=w.other_org, capacity=60,
                         region=f.region(f.OTHER_COUNTY))
    theirs = services.class_declare(actor=w.other_operator, data=h.class_input(
        w, site=site, sessions=sessions, teachers=(), name=f"乙机构第{week}期"))
    assert mine.region_id != theirs.region_id
    return mine, theirs


def _enroll(operator, cls, number, name):
    def call():
        return services.enrollment_create(actor=operator, training_class=cls,
                                          data=services.EnrollmentInput(id_number=number,
                                                                        name=name))
    return call


def _one_in_one_refused(results) -> None:
    enrolled = [r for r in results if isinstance(r, Enrollment)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(enrolled) == 1, results
    assert len(refused) == 1 and isinstance(refused[0], services.Ineligible), results
    assert [c.code for c in refused[0].eligibility.failed] == ["schedule_overlap"]


def test_a_registered_person_sent_to_two_clashing_classes_at_once_gets_one(
        slow_enrollment_writes):
    w = h.world()
    for week in range(ROUNDS):
        mine, theirs = _twin_classes(w, week)
        person = h.enroll(w, h.declare(w, teachers=(), name=f"早先的班{week}",
                                       sessions=h.sessions(h.START + dt.timedelta(
                                           weeks=2 * week + 1)))).person
        number = pii.decrypt(person.id_encrypted)
        _one_in_one_refused(_in_threads(_enroll(w.operator, mine, number, person.name),
                                        _enroll(w.other_operator, theirs, number,
                                                person.name)))
        assert Enrollment.objects.filter(person=person,
                                         training_class__in=(mine, theirs)).count() == 1


def test_a_newcomer_sent_to_two_clashing_classes_at_once_is_registered_once_and_gets_one(
        slow_enrollment_writes):
    w = h.world()
    for week in range(ROUNDS):
        mine, theirs = _twin_classes(w, week)
        number = f.id_number_for(birth=dt.date(1991, 2, 3 + week))
        _one_in_one_refused(_in_threads(_enroll(w.operator, mine, number, "新学员"),
                                        _enroll(w.other_operator, theirs, number, "新学员")))
        person = Person.objects.get(id_hash=pii.keyed_hash(number))
        assert Enrollment.objects.filter(person=person).count() == 1


def test_a_withdrawal_waits_for_the_class_being_finished_and_is_then_refused():
    w = h.world()
    cls = h.open_class(w)
    enrollment = h.enroll(w, cls, late_reason="补录")

    def finish_slowly():
        with transaction.atomic():
            TrainingClass.objects.select_for_update().get(pk=cls.pk)
            time.sleep(0.2)  # the withdrawal is under way meanwhile
            TrainingClass.objects.filter(pk=cls.pk).update(status="finished")
            time.sleep(0.8)
        return "finished"

    def withdraw():
        time.sleep(0.1)  # after the class is locked
        return services.enrollment_withdraw(actor=w.operator, enrollment=enrollment,
                                            reason="外出务工")

    finished, withdrawn = _in_threads(finish_slowly, withdraw)
    assert finished == "finished"
    assert isinstance(withdrawn, DomainError) and withdrawn.code == "roster_closed", withdrawn
    assert Enrollment.objects.get(pk=enrollment.pk).status == "enrolled"
