"""Opening a quarter's list under concurrent requests, on PostgreSQL: two requests of the same
enterprise for the same quarter make one list (the unique constraint decides; the loser answers
the list the winner made), and two HRSS staff deciding the same submitted list at once take one
step (the list row is locked)."""

from __future__ import annotations

import pytest
from django.db import connection

from jineng.core.errors import DomainError
from jineng.demand import services
from jineng.demand.models import DemandList, DemandListStatusChange
from tests.concurrency import in_threads
from tests.demand import lists_support as s

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrent transactions need PostgreSQL; SQLite serializes "
                              "every write"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]



@pytest.fixture
def slow_list_inserts():
    """Hold each insert of a list a moment (a trigger sleeps), so both requests pass the
    "is it there?" read before either commits."""
    table = DemandList._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE OR REPLACE FUNCTION jineng_test_slow_list() RETURNS trigger AS "
                       "$$ BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$ LANGUAGE plpgsql")
        cursor.execute(f"CREATE TRIGGER jineng_test_slow_list BEFORE INSERT ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION jineng_test_slow_list()")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER jineng_test_slow_list ON {table}")
        cursor.execute("DROP FUNCTION jineng_test_slow_list()")


def test_two_concurrent_opens_make_one_list(slow_list_inserts):
    w = s.world()
    for round_ in range(3):
        year, quarter = (2027, round_ + 1)

        def open_it(year=year, quarter=quarter):
            return services.demand_list_create(
                actor=w.user, data=s.list_input(year=year, quarter=quarter), today=s.TODAY)
        results = in_threads(open_it, open_it)
        assert not [r for r in results if isinstance(r, Exception)], results
        assert sorted(created for _row, created in results) == [False, True]
        assert results[0][0].pk == results[1][0].pk
        assert DemandList.objects.filter(organization=w.enterprise, year=year,
                                         quarter=quarter).count() == 1


def test_two_concurrent_decisions_take_one_step():
    w = s.world()
    dl = s.submitted(w)

    def accept():
        return services.demand_list_transition(actor=w.county_staff, demand_list=dl,
                                               action="accept")

    def give_back():
        return services.demand_list_transition(actor=w.city_staff, demand_list=dl,
                                               action="return", reason="核实人数")
    results = in_threads(accept, give_back)
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1, results
    assert DemandListStatusChange.objects.filter(
        demand_list=dl, action__in=("accept", "return")).count() == 1
