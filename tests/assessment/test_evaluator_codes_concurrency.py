"""Two province staff giving the same 6-digit code to two evaluators at the same moment, on
PostgreSQL (real row locks): the province's region row is locked while the code's uniqueness
is checked and the row written, so exactly one gets it. Without the lock both checks pass before
either insert commits."""

from __future__ import annotations

import pytest
from django.db import connection

from jineng.assessment import services
from jineng.assessment.models import EvaluatorCode
from jineng.core.errors import Conflict
from tests import factories as f
from tests.assessment import factories as af
from tests.assessment.test_sittings_concurrency import _in_threads

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks (select_for_update) need PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TABLE = EvaluatorCode._meta.db_table


@pytest.fixture
def slow_inserts():
    with connection.cursor() as cursor:
        cursor.execute("CREATE OR REPLACE FUNCTION jineng_test_slow_code() RETURNS trigger "
                       "AS $$ BEGIN PERFORM pg_sleep(0.4); RETURN NEW; END $$ "
                       "LANGUAGE plpgsql")
        cursor.execute(f"CREATE TRIGGER jineng_test_slow_code BEFORE INSERT ON {TABLE} "
                       "FOR EACH ROW EXECUTE FUNCTION jineng_test_slow_code()")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER jineng_test_slow_code ON {TABLE}")
        cursor.execute("DROP FUNCTION jineng_test_slow_code()")


def test_one_site_code_goes_to_one_evaluator(slow_inserts):
    first, second = af.EvaluatorFactory(), af.EvaluatorFactory()
    staff_a, staff_b = f.staff(), f.staff()

    def give(actor, org):
        return lambda: services.evaluator_code_set(
            actor=actor, organization=org.pk, letter="S", filed_with="province",
            site_code="000888")

    results = _in_threads(give(staff_a, first), give(staff_b, second))
    won = [r for r in results if isinstance(r, EvaluatorCode)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1, results
    assert EvaluatorCode.objects.filter(site_code="000888").count() == 1
