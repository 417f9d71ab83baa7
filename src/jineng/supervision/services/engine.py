"""Running the risk rules (analytics.risk) on an Ibis backend: load the snapshot's Arrow tables
into the connection, evaluate each rule's expression, answer its alert rows as Arrow with the
seconds each rule took. DuckDB is the default; PostgreSQL (`ibis.postgres`, temporary tables)
and PySpark (`ibis.pyspark`, temporary views of a SparkSession) take the same expressions.
R08 (rings) is a GraphRule: its edge and node tables are Ibis expressions evaluated on the
backend, the connected components are taken in networkx in this process (the edges are one
row per trainee sharing a value, small beside the events); on a Spark cluster GraphFrames'
connectedComponents over the same edge table would keep them there.

Memory (issue 13: tier L, 50 M events, within 6 GB): `load_table` takes an Arrow table or a
`pyarrow.RecordBatchReader`; a reader is streamed into DuckDB batch by batch, so the whole
snapshot never sits in Arrow. `duckdb_connect(database=<scratch file>)` stores the loaded
tables in DuckDB's compressed format (the tier-L snapshot takes about 1 GB instead of about
6.5 GB in an in-memory database), evictable within `memory_limit`, spilling to the temporary
directory: a scan's memory stays bounded whatever the province's size."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from jineng.supervision.analytics.risk import ALERT_COLUMNS, GraphRule, rule_expressions
from jineng.supervision.analytics.schema import SCHEMAS

ALERT_SCHEMA = pa.schema([("rule", pa.string()), ("subject_kind", pa.string()),
                          ("subject_ref", pa.string()), ("class_id", pa.int64()),
                          ("institution_id", pa.int64()), ("ref_a", pa.int64()),
                          ("ref_b", pa.int64()), ("measure", pa.float64())])
# Columns stored narrower in DuckDB than the snapshot's int64: choice codes (the operational
# columns are small positive integers, so SMALLINT holds every value they can hold).
COMPACT = {("events", "kind"): "SMALLINT", ("events", "method"): "SMALLINT"}
# Arrow type → column type of the PostgreSQL temporary tables.
PG_TYPES = {pa.int64(): "bigint", pa.int32(): "integer", pa.int16(): "smallint",
            pa.float64(): "double precision", pa.string(): "text", pa.large_string(): "text",
            pa.bool_(): "boolean"}

ArrowSource = pa.Table | pa.RecordBatchReader


def duckdb_connect(database: str | Path = ":memory:", *, memory_limit: str | None = None,
                   temp_directory: str | Path | None = None,
                   threads: int | None = None) -> Any:
    """An Ibis DuckDB connection for a scan. `database` a scratch file (which the caller
    removes after the scan) keeps the loaded tables compressed and evictable; `memory_limit`
    caps DuckDB's buffers (operators spill to `temp_directory` beyond it). Tier L (50 M
    events) with memory_limit "4GB": the process peaks at about 4.1 GB, the rules take about
    12 s on the 2-core machine (benchmarks/supervision_scan.py)."""
    import ibis

    con = ibis.duckdb.connect(str(database))
    settings = ["SET preserve_insertion_order = false"]
    if memory_limit:
        settings.append(f"SET memory_limit = '{memory_limit}'")
    if temp_directory:
        settings.append(f"SET temp_directory = '{Path(temp_directory)}'")
    if threads:
        settings.append(f"SET threads = {int(threads)}")
    con.raw_sql("; ".join(settings))
    return con


def load_table(con: Any, name: str, table: ArrowSource) -> Any:
    """Create table (or temporary view) `name` in `con` from `table` (an Arrow table or a
    RecordBatchReader, read once, batch by batch); answer the Ibis table."""
    if con.name == "pyspark":
        from pyspark.sql.pandas.types import from_arrow_schema

        if isinstance(table, pa.RecordBatchReader):
            table = table.read_all()
        session = con._session
        df = session.createDataFrame(table.to_pylist(), schema=from_arrow_schema(table.schema))
        df.createOrReplaceTempView(name)
        return con.table(name)
    if con.name == "duckdb":
        return _load_duckdb(con, name, table)
    if con.name == "postgres":
        return _load_postgres(con, name, table)
    raise ValueError(f"unsupported backend {con.name}")


DUCKDB_TYPES = {pa.int64(): "BIGINT", pa.float64(): "DOUBLE", pa.string(): "VARCHAR",
                pa.bool_(): "BOOLEAN"}


def duckdb_columns(name: str) -> str:
    """The column definitions of snapshot table `name` as `_load_duckdb` creates them."""
    return ", ".join(f'"{f.name}" {COMPACT.get((name, f.name)) or DUCKDB_TYPES[f.type]}'
                     for f in SCHEMAS[name])


def _load_duckdb(con: Any, name: str, table: ArrowSource) -> Any:
    raw = con.con
    view = f"__arrow_{name}"
    cols = ", ".join(
        f'CAST("{f.name}" AS {COMPACT[(name, f.name)]}) AS "{f.name}"'
        if (name, f.name) in COMPACT else f'"{f.name}"' for f in table.schema)
    raw.register(view, table)
    try:
        raw.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT {cols} FROM "{view}"')
    finally:
        raw.unregister(view)
    return con.table(name)


def _load_postgres(con: Any, name: str, table: ArrowSource) -> Any:
    """A TEMPORARY table (gone with the connection) filled by COPY … CSV, batch by batch.
    Every valid value is quoted, so an empty string stays an empty string and only nulls are
    empty fields; floats are written as their shortest round-trip text."""
    batches = table if isinstance(table, pa.RecordBatchReader) else table.to_batches(
        max_chunksize=200_000)
    options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
    cols = ", ".join(f'"{f.name}" {PG_TYPES[f.type]}' for f in table.schema)
    names = ", ".join(f'"{f.name}"' for f in table.schema)
    with con.con.cursor() as cur:
        cur.execute(f'DROP TABLE IF EXISTS "{name}"')
        cur.execute(f'CREATE TEMPORARY TABLE "{name}" ({cols})')
        with cur.copy(f'COPY "{name}" ({names}) FROM STDIN (FORMAT csv)') as copy:
            for batch in batches:
                if batch.num_rows:
                    buf = io.BytesIO()
                    pacsv.write_csv(batch, buf, options)
                    copy.write(buf.getvalue())
        cur.execute(f'ANALYZE "{name}"')
    con.con.commit()
    return con.table(name)


def load_snapshot(con: Any, tables: dict[str, ArrowSource]) -> dict[str, Any]:
    """Every snapshot table (an empty one where `tables` has none) as Ibis tables; a table
    may be a RecordBatchReader (read once)."""
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
