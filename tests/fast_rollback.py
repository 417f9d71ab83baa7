"""Serialized rollback in bulk.

A transactional test with `serialized_rollback=True` empties the database after it and loads
back what the migrations wrote (3,400 regions, occupations, permissions, content types).
Django loads it one `save()` per object: about 3 s per test on PostgreSQL, and this suite has
over a hundred such tests (browser, concurrency, background jobs). This loads the same objects
with one INSERT … ON CONFLICT DO UPDATE per model and batch (an upsert, as `save()` is), in
the same transaction with the same deferred constraint checks, then checks the constraints as
Django does; models Django cannot bulk-create (multi-table inheritance) and many-to-many data
go through `save()` as before.
"""

from __future__ import annotations

from collections import defaultdict
from io import StringIO

from django.core import serializers
from django.db import transaction
from django.db.backends.base.creation import BaseDatabaseCreation

BATCH = 2_000


def deserialize_in_bulk(self: BaseDatabaseCreation, data: str) -> None:
    alias = self.connection.alias
    by_model: dict[type, list] = defaultdict(list)
    one_by_one = []
    with transaction.atomic(using=alias):
        with self.connection.constraint_checks_disabled():
            for obj in serializers.deserialize("json", StringIO(data), using=alias):
                model = type(obj.object)
                if obj.m2m_data or model._meta.parents:
                    one_by_one.append(obj)
                else:
                    by_model[model].append(obj.object)
            for model, objects in by_model.items():
                # An upsert, as save() is: the first such test finds the migrations' rows
                # still there.
                pk = model._meta.pk
                fields = [f.name for f in model._meta.concrete_fields if f is not pk]
                model._base_manager.using(alias).bulk_create(
                    objects, batch_size=BATCH, update_conflicts=bool(fields),
                    ignore_conflicts=not fields, unique_fields=[pk.name] if fields else None,
                    update_fields=fields or None)
            for obj in one_by_one:
                obj.save()
        tables = {m._meta.db_table for m in by_model}
        tables.update(type(o.object)._meta.db_table for o in one_by_one)
        self.connection.check_constraints(table_names=sorted(tables))


def install() -> None:
    BaseDatabaseCreation.deserialize_db_from_string = deserialize_in_bulk  # type: ignore[method-assign]
