"""The same person's wish sent twice at the same moment, on PostgreSQL: one wish (the keyed
hash is unique), the second submission updates it, neither request fails."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections

from jineng.demand import services
from jineng.demand.models import TrainingWish
from tests import factories as f
from tests.demand import factories as df

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrent inserts need PostgreSQL; SQLite serializes writes"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def slow_wish_inserts():
    """Hold each insert for a moment, so both requests pass "no wish yet" before either
    commits."""
    table = TrainingWish._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE OR REPLACE FUNCTION jineng_test_slow_wish() RETURNS trigger "
                       "AS $$ BEGIN PERFORM pg_sleep(0.4); RETURN NEW; END $$ "
                       "LANGUAGE plpgsql")
        cursor.execute(f"CREATE TRIGGER jineng_test_slow_wish BEFORE INSERT ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION jineng_test_slow_wish()")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER jineng_test_slow_wish ON {table}")
        cursor.execute("DROP FUNCTION jineng_test_slow_wish()")


def test_two_identical_submissions_at_once_make_one_wish(slow_wish_inserts):
    poster = df.PosterFactory()
    occ = df.occupation()
    data = {"poster_token": str(poster.token), "name": "并发", "consent": True,
            "id_number": f.id_number_for(n=431), "occupation_ids": [occ.pk]}
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = services.wish_submit(
                actor=AnonymousUser(), data=services.WishInput(phone=f"1390000000{i}", **data),
                client_address=f"10.8.0.{i}")
        except Exception as error:  # handed back to the test
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(r, services.WishReceived) for r in results), results
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].wish_id == results[1].wish_id
    wish = TrainingWish.objects.get()
    assert wish.times_submitted == 2 and wish.occupations.count() == 1
