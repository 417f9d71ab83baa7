"""The bulk path of the demo generator: rows as tuples straight into their tables.

Building hundreds of thousands of model instances only to throw them away costs more than
generating the data; here a row is a tuple in the order of `fields`, converted once per value
by the field's own `get_db_prep_save` where the database needs it (dates, decimals), and sent
with `executemany` (PostgreSQL: `COPY`). Primary keys are allocated by the caller in blocks
(`allocate`), so a build knows exactly which rows it made. Used only by the generator, inside
its transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

# Field types whose Python values the database drivers cannot take as they are.
_CONVERTED = (models.DateField, models.DecimalField, models.JSONField)


def next_pk(model: type[models.Model]) -> int:
    """The first primary key after every existing row of `model`."""
    return (model._base_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


class RowWriter:
    """INSERTs of one model's rows; `fields` are attnames, the primary key first."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        opts = model._meta
        by_attname = {f.attname: f for f in opts.concrete_fields}
        self.model = model
        self.fields = [by_attname[name] for name in fields]
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {qn(opts.db_table)} ({columns}) VALUES ({marks})"
        self.copy_sql = f"COPY {qn(opts.db_table)} ({columns}) FROM STDIN"
        # (position, field, cache): dates repeat a lot, so each is converted once.
        self.converters = [
            (i, f, {}) for i, f in enumerate(self.fields) if isinstance(f, _CONVERTED)
        ]

    def prepare(self, row: Sequence) -> tuple:
        if not self.converters:
            return tuple(row)
        values = list(row)
        for i, field, cache in self.converters:
            value = values[i]
            if value is None:
                continue
            try:
                values[i] = cache[value]
            except (KeyError, TypeError):  # TypeError: unhashable (JSON values)
                converted = field.get_db_prep_save(value, connection)
                if len(cache) < 100_000 and not isinstance(value, dict | list):
                    cache[value] = converted
                values[i] = converted
        return tuple(values)

    def write(self, rows: Iterable[Sequence]) -> int:
        """INSERT the rows (`executemany`; on PostgreSQL, `COPY … FROM STDIN`, which is an
        order of magnitude faster than one INSERT per row)."""
        prepared = [self.prepare(r) for r in rows]
        if not prepared:
            return 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in prepared:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, prepared)
        return len(prepared)


def chunked(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def reset_sequences(*models_: type[models.Model]) -> None:
    """After inserting explicit primary keys, move PostgreSQL's sequences past them (SQLite's
    AUTOINCREMENT follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def delete_range(model: type[models.Model], first_pk: int, last_pk: int) -> int:
    """Delete the rows of one allocated block. Dependent demo rows are deleted first by the
    caller; a foreign key from a row the demo did not make stops the whole reset."""
    qn = connection.ops.quote_name
    opts = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {qn(opts.db_table)} WHERE {qn(opts.pk.column)} BETWEEN %s AND %s",
            [first_pk, last_pk],
        )
        return cursor.rowcount


@contextlib.contextmanager
def fast_sqlite_load() -> Iterator[None]:
    """On SQLite, a bigger page cache and in-memory temporary storage for the load; no effect
    on PostgreSQL. (Durability settings stay as configured: the load is one transaction.)"""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield  # (inside a transaction SQLite refuses some of these settings; tests run so)
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB
        cursor.execute("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")
            cursor.execute("PRAGMA temp_store = DEFAULT")
