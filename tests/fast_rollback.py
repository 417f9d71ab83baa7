"""Serialized rollback in bulk.

A transactional test with `serialized_rollback=True` empties the database after it and loads
back what the migrations wrote (3,400 regions, occupations, permissions, content types).
Django loads it one `save()` per object: about 3 s per test on PostgreSQL, and this suite has
over a hundred such tests (browser, concurrency, background jobs). This loads the same objects
with one INSERT … ON CONFLICT DO UPDATE per model and batch (an upsert, as `save()` is), in
the same transaction with the same deferred constraint checks, then checks the constraints as
Django does; models Django cannot bulk-create (multi-table inheritance) and many-to-many data
go through `save()` as before.

The flush before it empties only the tables that hold rows, on PostgreSQL: Django truncates
every table in one statement, about 1.1 s on the 2-core machines (a new file for each of some
300 tables and their indexes), after each of about a hundred transactional tests. Deleting the
rows of the dozen or so tables that have any takes a few hundredths of a second; the tables'
own triggers (audit events are append-only) and foreign keys are set aside meanwhile by a
replication role, which needs a superuser: without one, or when sequences are to be reset, the
flush truncates as before.
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


def flush_filled_tables(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if reset_sequences or not tables or not _superuser(self.connection):
        return _truncate_all(self, style, tables, reset_sequences=reset_sequences,
                             allow_cascade=allow_cascade)
    qn = self.quote_name
    probe = " UNION ALL ".join(f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {qn(table)})"
                               for i, table in enumerate(tables))
    with self.connection.cursor() as cursor:
        cursor.execute(probe)
        filled = [tables[i] for (i,) in cursor.fetchall()]
    if not filled:
        return []
    return ["SET LOCAL session_replication_role = replica",
            *(f"DELETE FROM {qn(table)}" for table in filled),
            "SET LOCAL session_replication_role = DEFAULT"]


def _superuser(connection) -> bool:
    if not hasattr(connection, "_jineng_superuser"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
            connection._jineng_superuser = cursor.fetchone()[0]
    return connection._jineng_superuser


_truncate_all = None


def install() -> None:
    global _truncate_all
    BaseDatabaseCreation.deserialize_db_from_string = deserialize_in_bulk  # type: ignore[method-assign]
    from django.db.backends.postgresql.operations import DatabaseOperations

    if _truncate_all is None:
        _truncate_all = DatabaseOperations.sql_flush
        DatabaseOperations.sql_flush = flush_filled_tables  # type: ignore[method-assign]
