"""The columnar snapshot the outcomes job computes over (MEASURES.md "Snapshot tables").

`load_arrow` puts an Arrow table into an Ibis connection (DuckDB: registered and copied;
PostgreSQL: a temporary table filled by COPY). Ibis' own `create_table` is not used: with the
installed sqlglot (30.x) it emits `DROP TABLE IF EXISTS` without the table's name.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

# Arrow type → SQL type for the PostgreSQL scratch tables.
_PG_TYPES = {
    pa.int64(): "bigint", pa.int32(): "integer", pa.float64(): "double precision",
    pa.string(): "text", pa.large_string(): "text", pa.bool_(): "boolean",
}


def _pg_type(t: pa.DataType) -> str:
    try:
        return _PG_TYPES[t]
    except KeyError:
        raise TypeError(f"no PostgreSQL type for {t}") from None


def load_arrow(con: Any, name: str, table: pa.Table) -> Any:
    """Create (or replace) table `name` in the Ibis connection `con` from `table`; answer the
    Ibis table. On PostgreSQL the table is TEMPORARY (gone with the connection)."""
    backend = con.name
    if backend == "duckdb":
        raw = con.con
        view = f"__arrow_{name}"
        raw.register(view, table)
        try:
            raw.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM "{view}"')
        finally:
            raw.unregister(view)
        return con.table(name)
    if backend == "postgres":
        cols = ", ".join(f'"{f.name}" {_pg_type(f.type)}' for f in table.schema)
        with con.con.cursor() as cur:
            cur.execute(f'DROP TABLE IF EXISTS "{name}"')
            cur.execute(f'CREATE TEMPORARY TABLE "{name}" ({cols})')
            names = ", ".join(f'"{f}"' for f in table.column_names)
            with cur.copy(f'COPY "{name}" ({names}) FROM STDIN') as copy:
                for batch in table.to_batches(max_chunksize=50_000):
                    for row in zip(*(c.to_pylist() for c in batch.columns), strict=True):
                        copy.write_row(row)
        con.con.commit()
        return con.table(name)
    raise ValueError(f"unsupported backend {backend}")
