"""Bulk rows: INSERT (COPY on PostgreSQL), values converted by the model's fields. The demo
builders give explicit primary keys and reset the sequences after; the risk scan's store leaves
the key to the sequence."""

from __future__ import annotations

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max


def next_pk(model: type[models.Model]) -> int:
    return (model._base_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def insert_rows(model: type[models.Model], fields: list[str], rows: list[tuple]) -> None:
    """INSERT rows (COPY on PostgreSQL) of the named fields, by attname; values converted by
    the fields themselves. Without the primary key among `fields` the database numbers them."""
    if not rows:
        return
    opts = model._meta
    by_name = {f.attname: f for f in opts.concrete_fields}
    cols = [by_name[n] for n in fields]
    # Columns not named take their model default (a field added later needs no change here).
    extra = [f for f in opts.concrete_fields if f.attname not in fields and not f.primary_key
             and (f.has_default() or f.null or f.empty_strings_allowed)]
    if extra:
        cols += extra
        defaults = tuple(f.get_default() if f.has_default() else None if f.null else ""
                         for f in extra)
        rows = [(*row, *defaults) for row in rows]
    qn = connection.ops.quote_name
    table, columns = qn(opts.db_table), ", ".join(qn(c.column) for c in cols)
    convert = [(i, c) for i, c in enumerate(cols)
               if isinstance(c, models.DateField | models.DecimalField | models.JSONField)]
    caches: list[dict] = [{} for _ in convert]  # dates and times repeat: convert each once
    prepared = []
    for row in rows:
        values = list(row)
        for (i, c), cache in zip(convert, caches, strict=True):
            value = values[i]
            if value is None:
                continue
            if isinstance(value, dict | list):
                values[i] = c.get_db_prep_save(value, connection)
                continue
            converted = cache.get(value)
            if converted is None:
                converted = cache[value] = c.get_db_prep_save(value, connection)
            values[i] = converted
        prepared.append(values)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in prepared:
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(cols))
            for start in range(0, len(prepared), 20_000):
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                                   prepared[start:start + 20_000])


def reset_sequences(*models_: type[models.Model]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
