"""The plans app's raw SQL, in one place: set-based fact inserts and rollup rebuilds.

Django's ORM has no INSERT … SELECT and no bulk insert that skips conflicts without model
instances; these statements do, in SQL that SQLite and PostgreSQL both accept (ON CONFLICT DO
NOTHING, substr, ||). Only codes from the vocabulary and fixed column names are put into the
text; every value is a parameter. tests/plans/test_store.py runs each statement on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection

from jineng.plans.models import ActualFact, ActualRollup

# Columns of a row given to insert_fact_rows, in this order.
FACT_COLUMNS = ("metric", "day", "region_code", "county_code", "organization_id", "sector",
                "key_group", "training_type", "program", "value", "source", "source_ref",
                "recorded_at")

# What a SELECT given to insert_facts_from_select yields, in this order.
FACT_SELECT_COLUMNS = ("metric", "day", "region_code", "county_code", "organization_id",
                       "sector", "key_group", "training_type", "program", "value", "source_ref")

LEVELS = ("county", "city", "province")


def insert_fact_rows(rows: list[tuple]) -> None:
    """Plain INSERTs (executemany): hundreds of thousands of facts without model instances.
    A source_ref already recorded is skipped (ON CONFLICT DO NOTHING)."""
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(ActualFact._meta.db_table)} "
           f"({', '.join(qn(c) for c in FACT_COLUMNS)}) "
           f"VALUES ({', '.join(['%s'] * len(FACT_COLUMNS))}) ON CONFLICT DO NOTHING")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def insert_facts_from_select(*, source: str, recorded_at, select_sql: str,
                             params: Sequence) -> int:
    """Insert the rows a SELECT yields (FACT_SELECT_COLUMNS) in one statement; a source_ref
    already recorded is skipped. Returns the rows inserted."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in (*FACT_SELECT_COLUMNS, "source", "recorded_at"))
    picked = ", ".join(f"s.{qn(c)}" for c in FACT_SELECT_COLUMNS)
    # "WHERE 1 = 1": SQLite needs a WHERE before ON CONFLICT in an INSERT … SELECT.
    sql = (f"INSERT INTO {qn(ActualFact._meta.db_table)} ({columns}) "
           f"SELECT {picked}, %s, %s FROM ({select_sql}) s WHERE 1 = 1 ON CONFLICT DO NOTHING")
    now = connection.ops.adapt_datetimefield_value(recorded_at)
    with connection.cursor() as cursor:
        cursor.execute(sql, [source, now, *params])  # in the order they appear
        return max(cursor.rowcount, 0)


def rollup_sql(level: str, dim: str) -> str:
    """INSERT … SELECT … GROUP BY of one level (and one dimension, or none); `{metrics}` is
    left for the caller's metric condition, the dates are two parameters."""
    fact = ActualFact._meta.db_table
    rollup = ActualRollup._meta.db_table
    code_len, parent_len = {"county": (6, 4), "city": (4, 2), "province": (2, 0)}[level]
    code = f"substr(region_code, 1, {code_len})" + {6: "", 4: " || '00'", 2: " || '0000'"}[
        code_len]
    parent = "''" if parent_len == 0 else f"substr(region_code, 1, {parent_len})" + {
        4: " || '00'", 2: " || '0000'"}[parent_len]
    dim_col, dim_value = ("''", "''") if not dim else (f"'{dim}'", dim)
    group = f"metric, day, {code}" + ("" if parent_len == 0 else f", {parent}") + (
        f", {dim}" if dim else "")
    where = "day >= %s AND day <= %s" + (f" AND {dim} <> ''" if dim else "")
    return (
        f"INSERT INTO {rollup} (metric, day, level, region_code, parent_code, dimension, "
        f"dimension_value, value) "
        f"SELECT metric, day, '{level}', {code}, {parent}, {dim_col}, {dim_value}, SUM(value) "
        f"FROM {fact} WHERE {where} {{metrics}} GROUP BY {group}")


def rollup_cut_sql(level: str, cuts: Sequence[tuple[str, tuple[str, ...]]],
                   dimensions: Sequence[str]) -> str:
    """Rows of one registered combination of cuts (dimension "cut") at a level."""
    base = rollup_sql(level, "")
    base = base.replace("'', '', SUM(value)", "'cut', %s, SUM(value)")
    conditions = "".join(
        f" AND {name} IN ({', '.join(['%s'] * len(values))})" for name, values in cuts
        if name in dimensions)
    return base.replace(" {metrics} ", " {metrics}" + conditions + " ")


def rollup_insert(*, start: dt.date, end: dt.date, metrics: Sequence[str],
                  dimensions: Sequence[str], cuts: dict | None,
                  whole: bool = True) -> None:
    """Insert the rollup rows of [start, end] for `metrics` (codes of the vocabulary): every
    level and dimension when `whole`, then each combination of `cuts` (key → cuts)."""
    metric_sql = "AND metric IN (" + ", ".join(f"'{m}'" for m in metrics) + ")"
    with connection.cursor() as cursor:
        if whole:
            for level in LEVELS:
                dims = [""] if level == "county" else ["", *dimensions]
                for dim in dims:
                    cursor.execute(rollup_sql(level, dim).format(metrics=metric_sql),
                                   [start, end])
        for key, combination in (cuts or {}).items():
            values = [value for name, vals in combination if name in dimensions
                      for value in vals]
            for level in ("city", "province"):
                cursor.execute(rollup_cut_sql(level, combination, dimensions).format(
                    metrics=metric_sql), [key, start, end, *values])
