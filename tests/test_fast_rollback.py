"""The bulk serialized rollback (tests/fast_rollback.py) puts back exactly what the migrations
wrote: rows deleted come back, rows changed get their values back, nothing is duplicated."""

from __future__ import annotations

import pytest
from django.db import connection

from jineng.registry.models import Region
from tests import fast_rollback

# Transactional with serialized rollback, so that the test database keeps its serialized rows.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_migrations_rows_come_back_as_they_were():
    assert type(connection.creation).deserialize_db_from_string is \
        fast_rollback.deserialize_in_bulk
    data = connection._test_serialized_contents
    before = sorted(Region.objects.values_list("pk", "code", "name", "parent_id"))
    first = Region.objects.order_by("pk").first()
    Region.objects.filter(pk=first.pk).update(name="改过的名字")
    leaves = list(Region.objects.filter(children__isnull=True).order_by("pk")
                  .values_list("pk", flat=True)[:5])
    Region.objects.filter(pk__in=leaves).delete()
    assert Region.objects.count() == len(before) - 5

    connection.creation.deserialize_db_from_string(data)

    assert sorted(Region.objects.values_list("pk", "code", "name", "parent_id")) == before
