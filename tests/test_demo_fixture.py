"""The shared demo build (tests/demo_fixture.py): the rows a module gets written back are the
rows the build made, the database's guards hold afterwards, and the copy is in effect (if the
generator starts changing rows it found, every module builds for real again: this says so)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import DatabaseError, connection, transaction

from jineng.core.models import AuditEvent
from tests import factories as f
from tests.demo_fixture import _COPIES, _copyable, _read, _tables, shared_build

pytestmark = pytest.mark.django_db


def _contents() -> dict[str, Counter]:
    return {table: Counter(_read(table)) for table in _tables()}


def test_a_written_back_build_is_the_built_one_and_the_guards_still_hold():
    if not _copyable():
        pytest.skip("the write-back sets triggers aside with a replication role: PostgreSQL "
                    "allows that to a superuser only (every module builds for real)")
    with transaction.atomic():
        counts = shared_build()  # builds, or writes back an earlier module's build
        first = _contents()
        transaction.set_rollback(True)
    assert _COPIES[connection.settings_dict["NAME"]] is not None, (
        "the demo build changed or deleted rows it found, so every module builds the demo for "
        "real: see tests/demo_fixture.py")
    with transaction.atomic():
        assert shared_build() == counts  # written back
        assert _contents() == first
        # The triggers set aside while writing are back: audit events stay append-only.
        event = AuditEvent.objects.order_by("-pk").first()
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET entity_label = 'x' WHERE id = %s",
                           [event.pk])
        # New rows get keys after the written ones.
        organization = f.OrganizationFactory()
        assert organization.pk > max(first_pk for first_pk in
                                     type(organization).objects.exclude(
                                         pk=organization.pk).values_list("pk", flat=True))
        transaction.set_rollback(True)
