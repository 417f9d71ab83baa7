"""Concurrent answers and declarations of one order-class proposal (PostgreSQL row locks): two
declarations at once make one class; two answers at once are both counted."""

from __future__ import annotations

import pytest
from django.db import connection

from jineng.core.errors import Conflict
from jineng.demand import services
from jineng.demand.choices import ProposalStatus
from jineng.demand.models import OrderClassProposal
from jineng.training.models import TrainingClass
from tests.concurrency import in_threads
from tests.demand import matching_support as ms

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks (select_for_update) need PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def slow_class_inserts():
    """Hold each class insert for a moment after its checks, as a busy server does."""
    table = TrainingClass._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE OR REPLACE FUNCTION jineng_test_slow_order() RETURNS trigger "
                       "AS $$ BEGIN PERFORM pg_sleep(0.4); RETURN NEW; END $$ "
                       "LANGUAGE plpgsql")
        cursor.execute(f"CREATE TRIGGER jineng_test_slow_order BEFORE INSERT ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION jineng_test_slow_order()")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER jineng_test_slow_order ON {table}")
        cursor.execute("DROP FUNCTION jineng_test_slow_order()")



def test_two_declarations_at_once_make_one_class(slow_class_inserts):
    w = ms.world()
    p = services.order_class_propose(actor=w.enterprise_user, demand_line=w.line)[0]
    services.order_proposal_answer(actor=w.enterprise_user, proposal=p, agree=True)
    services.order_proposal_answer(actor=w.training.operator, proposal=p, agree=True)
    first = ms.order_input(w)
    second = ms.order_input(w, name="养老护理员订单班（另一份）")
    results = in_threads(
        lambda: services.order_proposal_declare(actor=w.training.operator, proposal=p,
                                                data=first),
        lambda: services.order_proposal_declare(actor=w.training.operator, proposal=p,
                                                data=second))
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], Conflict), results
    assert TrainingClass.objects.filter(employer=w.enterprise).count() == 1
    p.refresh_from_db()
    assert p.status == ProposalStatus.DECLARED and p.training_class_id is not None


def test_both_parties_agreeing_at_once_are_both_counted():
    w = ms.world()
    p = services.order_class_propose(actor=w.enterprise_user, demand_line=w.line)[0]
    results = in_threads(
        lambda: services.order_proposal_answer(actor=w.enterprise_user, proposal=p,
                                               agree=True),
        lambda: services.order_proposal_answer(actor=w.training.operator, proposal=p,
                                               agree=True))
    assert not [r for r in results if isinstance(r, Exception)], results
    p = OrderClassProposal.objects.get(pk=p.pk)
    assert p.status == ProposalStatus.AGREED
    assert p.enterprise_agreed_at and p.institution_agreed_at
