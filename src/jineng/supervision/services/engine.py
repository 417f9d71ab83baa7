"""Running the risk rules (analytics.risk) on an Ibis backend: load the snapshot's Arrow tables
into the connection, evaluate each rule's expression, answer its alert rows as Arrow with the
seconds each rule took. DuckDB is the default; PostgreSQL (`ibis.postgres`, temporary tables)
and PySpark (`ibis.pyspark`, temporary views of a SparkSession) take the same expressions.
R08 (rings) is a GraphRule: its edge and node tables are Ibis expressions evaluated on the
backend, the connected components are taken in networkx in this process (the edges are one
row per trainee sharing a value, small beside the events); on a Spark cluster GraphFrames'
connectedComponents over the same edge table would keep them there."""

from __future__ import annotations

import time
from typing import Any

import pyarrow as pa

from jineng.outcomes.services.snapshot import load_arrow as _load_sql
from jineng.supervision.analytics.risk import ALERT_COLUMNS, GraphRule, rule_expressions
from jineng.supervision.analytics.schema import SCHEMAS

ALERT_SCHEMA = pa.schema([("rule", pa.string()), ("subject_kind", pa.string()),
                          ("subject_ref", pa.string()), ("class_id", pa.int64()),
                          ("institution_id", pa.int64()), ("ref_a", pa.int64()),
                          ("ref_b", pa.int64()), ("measure", pa.float64())])


def load_table(con: Any, name: str, table: pa.Table) -> Any:
    """Create table (or temporary view) `name` in `con` from `table`; answer the Ibis table."""
    if con.name == "pyspark":
        from pyspark.sql.pandas.types import from_arrow_schema

        session = con._session
        df = session.createDataFrame(table.to_pylist(), schema=from_arrow_schema(table.schema))
        df.createOrReplaceTempView(name)
        return con.table(name)
    return _load_sql(con, name, table)


def load_snapshot(con: Any, tables: dict[str, pa.Table]) -> dict[str, Any]:
    """Every snapshot table (an empty one where `tables` has none) as Ibis tables."""
    out = {}
    for name, schema in SCHEMAS.items():
        table = tables.get(name)
        out[name] = load_table(con, name, table if table is not None else schema.empty_table())
    return out


def run_rules(ibis_tables: dict[str, Any], parameters: dict[str, dict]) -> tuple[pa.Table,
                                                                                dict[str, float]]:
    """All rules of `parameters`: their alert rows (ALERT_SCHEMA) and seconds per rule."""
    parts, seconds = [], {}
    for code, expr in rule_expressions(ibis_tables, parameters).items():
        t0 = time.perf_counter()
        if isinstance(expr, GraphRule):
            # Edges and nodes on the backend (also on PySpark), components in networkx here.
            result = expr.finish(expr.edges.to_pyarrow(), expr.nodes.to_pyarrow())
        else:
            result = expr.select(*ALERT_COLUMNS).to_pyarrow()
        seconds[code] = round(time.perf_counter() - t0, 4)
        parts.append(result.cast(ALERT_SCHEMA))
    if not parts:
        return ALERT_SCHEMA.empty_table(), seconds
    return pa.concat_tables(parts), seconds
