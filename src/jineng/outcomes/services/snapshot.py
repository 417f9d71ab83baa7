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


# --- Building the snapshot from the operational database ------------------------------------

import datetime as dt  # noqa: E402
from dataclasses import dataclass  # noqa: E402

CHUNK = 100_000  # rows per Arrow batch read from the database


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class SnapshotCounts:
    exits: int = 0
    records: int = 0
    businesses: int = 0
    persons_linked: int = 0  # records given their person_id by this snapshot
    # class id → (region id, end date): what storing a measure needs besides the snapshot
    classes: dict | None = None


def link_persons_by_hash() -> int:
    """Give records and business registrations without a person the person registered with the
    same keyed ID hash (one UPDATE each, set-based)."""
    from django.db.models import OuterRef, Subquery

    from jineng.outcomes.models import BusinessRegistration, InsuranceRecord
    from jineng.registry.models import Person

    person = Person.objects.filter(id_hash=OuterRef("id_hash")).values("pk")[:1]
    n = (InsuranceRecord.objects.filter(person__isnull=True,
                                        id_hash__in=Person.objects.values("id_hash"))
         .update(person_id=Subquery(person)))
    legal = Person.objects.filter(id_hash=OuterRef("legal_person_hash")).values("pk")[:1]
    (BusinessRegistration.objects.filter(person__isnull=True,
                                         legal_person_hash__in=Person.objects.values("id_hash"))
     .update(person_id=Subquery(legal)))
    return n


def _batches(rows, names: list[str], schema: pa.Schema):
    """Arrow batches of CHUNK rows from an iterator of tuples."""
    buf: list[tuple] = []
    for row in rows:
        buf.append(row)
        if len(buf) >= CHUNK:
            yield pa.RecordBatch.from_arrays(
                [pa.array(col, schema.field(i).type) for i, col in enumerate(zip(*buf,
                                                                                 strict=True))],
                schema=schema)
            buf = []
    if buf:
        yield pa.RecordBatch.from_arrays(
            [pa.array(col, schema.field(i).type) for i, col in enumerate(zip(*buf, strict=True))],
            schema=schema)


def _table(rows, schema: pa.Schema) -> pa.Table:
    return pa.Table.from_batches(list(_batches(rows, schema.names, schema)), schema=schema)


RAW_EXITS = pa.schema([
    ("enrollment_id", pa.int64()), ("person_id", pa.int64()), ("class_id", pa.int64()),
    ("institution_id", pa.int64()), ("region_code", pa.string()),
    ("training_type", pa.string()), ("occupation_code", pa.string()),
    ("level_code", pa.string()), ("level_rank", pa.int32()), ("start_date", pa.date32()),
    ("end_date", pa.date32()), ("completed", pa.bool_()), ("order_employer_code", pa.string()),
    ("occupation_id", pa.int64()), ("region_id", pa.int64())])
CERTS = pa.schema([("person_id", pa.int64()), ("class_id", pa.int64()),
                   ("level_rank", pa.int32()), ("issued_on", pa.date32())])
RECORDS = pa.schema([("person_id", pa.int64()), ("employer_code", pa.string()),
                     ("year", pa.int32()), ("mon", pa.int32()), ("wage_base", pa.float64())])
BUSINESSES = pa.schema([("person_id", pa.int64()), ("founded_on", pa.date32()),
                        ("closed_on", pa.date32())])
MATCHED = pa.schema([("class_id", pa.int64())])


def _matched_classes(raw: pa.Table) -> set[int]:
    """Classes in a needed occupation: on the urgently-needed catalog at the class start
    (catalog selector, asked once per distinct occupation × region × start day), or on a
    demand list (the demand app, through the `demand_matched_classes` hook)."""
    from jineng.catalog import selectors as catalog
    from jineng.outcomes import hooks

    classes: dict[int, tuple] = {}
    for cid, occ, region, start in zip(raw.column("class_id").to_pylist(),
                                       raw.column("occupation_id").to_pylist(),
                                       raw.column("region_code").to_pylist(),
                                       raw.column("start_date").to_pylist(), strict=True):
        classes.setdefault(cid, (cid, occ, region, start))
    matched: set[int] = set()
    asked: dict[tuple, bool] = {}
    for cid, occ, region, start in classes.values():
        if occ is None:
            continue
        key = (occ, region, start)
        if key not in asked:
            asked[key] = catalog.urgent_occupation_as_of(occ, region, start) is not None
        if asked[key]:
            matched.add(cid)
    for _name, answer in hooks.demand_matched_classes.call(list(classes.values())):
        matched |= set(answer or ())
    return matched


def build_snapshot(con, *, data_through: int, progress=None) -> SnapshotCounts:
    """Read exits, certificates, records and business registrations from the operational
    database (values_list streamed in chunks into Arrow) and create the snapshot tables
    `exits`, `records`, `businesses` of MEASURES.md in the DuckDB Ibis connection `con`."""
    from django.db.models import FloatField
    from django.db.models.functions import Cast, ExtractMonth, ExtractYear

    from jineng.assessment.selectors import records as assessment
    from jineng.outcomes.models import BusinessRegistration, InsuranceRecord
    from jineng.training import selectors as training

    counts = SnapshotCounts()
    last_day = month_start(data_through)
    # Classes ending by the end of data_through's month.
    end_of_month = (month_start(data_through + 1) - dt.timedelta(days=1))
    counts.persons_linked = link_persons_by_hash()
    raw = _table(training.exits_for_outcomes(end_of_month).iterator(chunk_size=CHUNK), RAW_EXITS)
    certs = _table(assessment.certificates_for_outcomes().iterator(chunk_size=CHUNK), CERTS)
    matched = pa.table({"class_id": pa.array(sorted(_matched_classes(raw)), pa.int64())})
    if progress:
        progress("exits")
    recs = (InsuranceRecord.objects.filter(person__isnull=False, month__lte=last_day)
            .order_by().annotate(y=ExtractYear("month"), mo=ExtractMonth("month"),
                                 w=Cast("wage_base", FloatField()))
            .values_list("person_id", "employer_code", "y", "mo", "w"))
    records = _table(recs.iterator(chunk_size=CHUNK), RECORDS)
    if progress:
        progress("records")
    bus = (BusinessRegistration.objects.filter(person__isnull=False, founded_on__lte=end_of_month)
           .order_by().values_list("person_id", "founded_on", "closed_on"))
    businesses = _table(bus.iterator(chunk_size=CHUNK), BUSINESSES)

    raw_con = con.con
    for name, table in (("raw_exits", raw), ("raw_certs", certs), ("raw_matched", matched),
                        ("raw_records", records), ("raw_businesses", businesses)):
        load_arrow(con, name, table)
    month = "(year(%s) * 12 + month(%s) - 1)"
    raw_con.execute(f"""
        CREATE OR REPLACE TABLE exits AS
        WITH prior AS (  -- the highest level each trainee held before the class start
            SELECT e.enrollment_id, max(c.level_rank) AS rank_before
            FROM raw_exits e JOIN raw_certs c
              ON c.person_id = e.person_id AND c.issued_on < e.start_date
            GROUP BY e.enrollment_id),
        this AS (  -- certificates issued for the class
            SELECT e.enrollment_id, max(c.level_rank) AS rank_now, count(*) AS n
            FROM raw_exits e JOIN raw_certs c
              ON c.person_id = e.person_id AND c.class_id = e.class_id
            GROUP BY e.enrollment_id)
        SELECT e.enrollment_id, e.person_id, e.class_id, e.institution_id,
               substr(e.region_code, 1, 4) || '00' AS city_code, e.training_type,
               e.occupation_code, e.level_code,
               CAST({month % ('e.start_date', 'e.start_date')} AS INTEGER) AS start_month,
               CAST({month % ('e.end_date', 'e.end_date')} AS INTEGER) AS exit_month,
               coalesce(e.completed, false) AS completed,
               coalesce(t.n, 0) > 0 AS certified,
               coalesce(t.rank_now > coalesce(p.rank_before, -1), false) AS level_up,
               (m.class_id IS NOT NULL OR e.order_employer_code IS NOT NULL) AS demand_matched,
               e.order_employer_code
        FROM raw_exits e
        LEFT JOIN this t USING (enrollment_id)
        LEFT JOIN prior p USING (enrollment_id)
        LEFT JOIN raw_matched m ON m.class_id = e.class_id
    """)
    raw_con.execute("""
        CREATE OR REPLACE TABLE records AS
        SELECT person_id, employer_code, CAST(year * 12 + mon - 1 AS INTEGER) AS month,
               wage_base FROM raw_records""")
    raw_con.execute(f"""
        CREATE OR REPLACE TABLE businesses AS
        SELECT person_id,
               CAST({month % ('founded_on', 'founded_on')} AS INTEGER) AS founded_month,
               CAST({month % ('closed_on', 'closed_on')} AS INTEGER) AS closed_month
        FROM raw_businesses""")
    for name in ("raw_exits", "raw_certs", "raw_matched", "raw_records", "raw_businesses"):
        raw_con.execute(f"DROP TABLE {name}")
    counts.classes = {cid: (rid, end) for cid, rid, end in zip(
        raw.column("class_id").to_pylist(), raw.column("region_id").to_pylist(),
        raw.column("end_date").to_pylist(), strict=True)}
    counts.exits, counts.records, counts.businesses = raw.num_rows, records.num_rows, \
        businesses.num_rows
    return counts
