"""Writing and reading rows: INSERT (COPY on PostgreSQL) with explicit primary keys, sequences
reset after, occupations by id, unsaved instances for the signing service."""

from __future__ import annotations

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.db.models.base import ModelState


def _next_pk(model: type[models.Model]) -> int:
    return (model._base_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def _insert(model: type[models.Model], fields: list[str], rows: list[tuple]) -> None:
    """INSERT rows with explicit primary keys (COPY on PostgreSQL); values converted by the
    fields themselves."""
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


def _reset_sequences(*models_: type[models.Model]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _occupations(pks: set) -> list:
    from jineng.registry.models import Occupation

    return list(Occupation.objects.filter(pk__in={p for p in pks if p}))


_DEFAULTS: dict[type, dict] = {}


def _unsaved(model: type[models.Model], related: dict, **values) -> models.Model:
    """An unsaved instance built without `Model.__init__` (tens of thousands of them are only
    read by the signing service): every concrete field its default or the value given, and
    the related objects given put in the instance's cache, as a query would leave them."""
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = _DEFAULTS[model] = {
            f.attname: f.get_default() for f in model._meta.concrete_fields}
    obj = model.__new__(model)
    obj.__dict__.update(defaults)
    obj.__dict__.update(values)
    obj._state = ModelState()
    obj._state.adding = True
    obj._state.fields_cache.update(related)
    return obj
