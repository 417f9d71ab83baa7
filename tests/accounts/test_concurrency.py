"""Account writes sent twice at the same moment, on PostgreSQL (real row locks): they count
once. Each call runs in its own thread with its own connection; a barrier releases them
together."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from jineng.accounts import services
from jineng.accounts.models import ApiToken, Role, User
from jineng.core.errors import Conflict
from jineng.core.models import AuditAction, AuditEvent
from tests import factories as f

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks (select_for_update) need PostgreSQL; SQLite "
                              "serializes every write and cannot show the race"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROUNDS = 3


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


def test_the_same_account_created_twice_at_once_exists_once():
    city = f.staff(Role.CITY_STAFF, f.CITY)
    for n in range(ROUNDS):
        name = f"twin-clerk-{n}"

        def create(name=name):
            return services.user_create(actor=city, username=name, role=Role.COUNTY_STAFF,
                                        region_code=f.COUNTY, reason="新入职")

        results = _in_threads(create, create)
        assert sorted(type(r).__name__ for r in results) == ["Conflict", "tuple"], results
        assert User.objects.filter(username=name).count() == 1
        assert AuditEvent.objects.filter(action=AuditAction.CREATE, entity_type="accounts.user",
                                         entity_label=name).count() == 1


def test_the_token_cap_holds_under_concurrent_issuing():
    user = f.operator(f.OrganizationFactory())
    for i in range(services.MAX_ACTIVE_TOKENS - 1):
        ApiToken.issue(user, f"t{i}")

    def issue():
        return services.api_token_create(actor=user, name="last")

    results = _in_threads(issue, issue, issue)
    assert sum(isinstance(r, Conflict) for r in results) == 2, results
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == (
        services.MAX_ACTIVE_TOKENS)
