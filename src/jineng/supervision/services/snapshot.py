"""The risk scan's snapshot: the operational tables the rules read, from the training,
assessment, outcomes, registry and subsidy selectors into tables of analytics.schema, with
times as integers (seconds / days since the epoch, months as year × 12 + month − 1).

The selectors own the SQL of their tables and answer querysets. Two ways to read them, the
same rows either way (tests/supervision/test_snapshot.py compares them on PostgreSQL):

- PostgreSQL (`load_snapshot_into`; the reading is services.snapshot_copy): each queryset is
  compiled (`query.sql_with_params()`), wrapped in a SELECT that converts its columns in SQL
  (`trunc(date_part('epoch', t))`, `d - date '1970-01-01'`, …) and read as Arrow record
  batches — by ADBC in the scan's exported snapshot (outside a transaction: the full scan's
  events without the join to their enrollment, `Bulk`), by `COPY (…) TO STDOUT (FORMAT csv)`
  and pyarrow's CSV reader inside one — that DuckDB reads as they come, so no table sits
  whole in Python memory. The age limits of R16B are added batch by batch; the contacts'
  keyed hashes are made once the table is read whole (only the values two trainees share are
  hashed). A full scan outside a transaction reads the events and the contacts through the
  cache kept between scans (services.event_cache, services.contact_cache) when it can.
- SQLite and any other database (`build_snapshot`, also `load_snapshot_into` there): the
  querysets' rows in chunks, converted in Python into Arrow tables.

Full scan: everything. Incremental (`since`): only what the rules of new attendance need
(INCREMENTAL_RULES: R02, R03, R05, R06, R07, R17A–C read only `events`, `sessions`, `sites`
and `online`): check-ins/outs and online segments since `since` minus LOOKBACK (so the
check-in before the first new one is there for R02), the sessions ending after that moment
(the sessions of those events and those overlapping them at a site, R05), every site; the
other tables stay empty and the other rules are not run (their inputs are enrollments,
classes, assessments, claims, … that new attendance does not change: the full scan runs
them). The events are found through the index on their time (training migration 0008)."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from jineng.supervision.analytics.schema import SCHEMAS
from jineng.supervision.services.snapshot_copy import (  # noqa: F401 (PARALLEL: the tests)
    PARALLEL,
    Producer,
    Snapshot,
    Whole,
    copy_reader,
)

CHUNK = 100_000
EPOCH_DAY = dt.date(1970, 1, 1)
LOOKBACK = dt.timedelta(days=1)
# The rules an incremental scan runs, and the tables they read (see the module docstring).
INCREMENTAL_RULES = ("R02", "R03", "R05", "R06", "R07", "R17A", "R17B", "R17C")
INCREMENTAL_TABLES = ("events", "sessions", "sites", "online")
COMMIT_ROWS = 1_000_000  # rows appended to DuckDB per transaction (its memory until commit)


def _s(value: dt.datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def _day(value: dt.date | None) -> int | None:
    return None if value is None else (value - EPOCH_DAY).days


def _month(value: dt.date | None) -> int | None:
    return None if value is None else value.year * 12 + value.month - 1


def _f(value) -> float | None:
    return None if value is None else float(value)


def _city(code: str | None) -> str | None:
    """The city (prefecture) code of a region code: its first four digits and "00"."""
    return None if not code or len(code) < 6 else code[:4] + "00"


# SQL twins of the converters above, over a column expression `c` (PostgreSQL).
def _sql_s(c: str) -> str:
    return f"trunc(date_part('epoch', {c}))::bigint"


def _sql_day(c: str) -> str:
    return f"({c} - date '1970-01-01')::bigint"


def _sql_month(c: str) -> str:
    return f"(date_part('year', {c}) * 12 + date_part('month', {c}) - 1)::bigint"


def _sql_f(c: str) -> str:
    return f"{c}::float8"


def _sql_city(c: str) -> str:
    return f"CASE WHEN length({c}) >= 6 THEN substr({c}, 1, 4) || '00' END"


def _sql_year(c: str) -> str:
    return f"date_part('year', {c})::bigint"


@dataclass(frozen=True)
class Source:
    """One snapshot table from one queryset (or several, concatenated): `row` converts a row
    of the queryset in Python, `sql` builds the converted columns in SQL from the queryset's
    column names (c0, c1, …). `extra` post-processes each Arrow batch (columns made in
    Python) and answers the batch in the table's schema; `whole` turns all the batches (of
    `extra_schema`) into the table's, for a table that needs every row at once."""

    name: str
    querysets: tuple
    row: Callable[[tuple], tuple] | None = None
    sql: Callable[[list[str]], list[str]] | None = None
    extra: Callable[[pa.RecordBatch], pa.RecordBatch] | None = None
    extra_schema: pa.Schema | None = None  # the batches `extra` reads (default: the table's)
    whole: Callable[[Iterator[pa.RecordBatch]], Iterable[pa.RecordBatch]] | None = None
    free_text: bool = False  # string columns may hold line breaks
    parallel: bool = False  # read in PARALLEL streams (page ranges or key % PARALLEL)
    bulk: Bulk | None = None  # a parallel read's cheaper form (snapshot_copy)


@dataclass(frozen=True)
class Bulk:
    """The rows of a Source read in parallel without one column that PostgreSQL would join in
    (`querysets`, converted by `sql`), and the (key, value) rows of `mapping`: the reader puts
    the value of each row's key (column `key` of the bulk rows) back at place `at`."""

    querysets: tuple
    sql: Callable[[list[str]], list[str]]
    mapping: Any
    key: int
    at: int


def _sources(since: dt.datetime | None) -> tuple[list, Any]:
    """The snapshot's sources (Source or (name, rows iterable factory)) and the queryset of
    (class id, region id) that scopes the alerts."""
    from jineng.assessment.selectors.risk import risk_snapshot as assessment_snapshot
    from jineng.outcomes.selectors.risk import records_at_employers
    from jineng.registry.selectors import institution_codes_for_risk, sites_for_risk
    from jineng.training.selectors import risk_snapshot as training_snapshot

    tr = training_snapshot(since - LOOKBACK if since is not None else None)
    src: list = [
        Source("sessions", (tr["sessions"],),
               row=lambda r: (*r[:4], _s(r[4]), _s(r[5])),
               sql=lambda c: [*c[:4], _sql_s(c[4]), _sql_s(c[5])]),
        Source("events", (tr["events"],),
               row=lambda r: (*r[:8], _s(r[8]), *r[9:13], r[13] or ""),
               sql=lambda c: [*c[:8], _sql_s(c[8]), *c[9:13], f"coalesce({c[13]}, '')"],
               free_text=True, parallel=since is None,
               bulk=Bulk((tr["events_unjoined"],),
                         sql=lambda c: [*c[:7], _sql_s(c[7]), *c[8:12],
                                        f"coalesce({c[12]}, '')"],
                         mapping=tr["enrollment_persons"], key=1, at=2)),
        Source("sites", (sites_for_risk(),),
               row=lambda r: (r[0], r[1], _f(r[2]), _f(r[3])),
               sql=lambda c: [c[0], c[1], _sql_f(c[2]), _sql_f(c[3])]),
        Source("online", (tr["online"],),
               row=lambda r: (*r[:5], _s(r[5]), r[6]),
               sql=lambda c: [*c[:5], _sql_s(c[5]), c[6]]),
    ]
    classes = tr["classes"]
    if since is not None:
        held = tr["sessions"].values("training_class_id")
        return src, classes.filter(pk__in=held).values_list("pk", "region_id")
    asmt = assessment_snapshot()
    codes = institution_codes_for_risk()
    trainees = tr["enrollments"].values("person_id")
    src += [
        Source("enrollments", (tr["enrollments"],)),
        Source("teaching", (tr["teaching"],)),
        Source("classes", (classes,),
               row=lambda r: (r[0], r[1], r[2], _day(r[3]), r[4], r[5], _month(r[7]),
                              _month(r[3]), _day(r[7])),
               sql=lambda c: [c[0], c[1], c[2], _sql_day(c[3]), c[4], c[5], _sql_month(c[7]),
                              _sql_month(c[3]), _sql_day(c[7])]),
        Source("candidates", (asmt["candidates"],),
               row=lambda r: (r[0], r[1], r[2], r[3] or r[4], r[5], _day(r[6]), _f(r[7]),
                              _f(r[8]), r[9], r[10], r[11]),
               sql=lambda c: [c[0], c[1], c[2], f"coalesce({c[3]}, {c[4]})", c[5],
                              _sql_day(c[6]), _sql_f(c[7]), _sql_f(c[8]), c[9], c[10], c[11]]),
        Source("institutions", (codes,)),
        Source("employment", (records_at_employers(codes.values("credit_code")),),
               row=lambda r: (r[0], r[1], _month(r[2])),
               sql=lambda c: [c[0], c[1], _sql_month(c[2])]),
        Source("examiners", (asmt["examiners"],)),
        Source("certificates", (asmt["certificates"],),
               row=lambda r: (r[0], r[1], r[2], _day(r[3])),
               sql=lambda c: [c[0], c[1], c[2], _sql_day(c[3])]),
        # R17D weighs a class's whole online hours against its interactions: full scans only
        Source("interactions", (tr["interactions"],),
               row=lambda r: (*r[:5], _s(r[5])), sql=lambda c: [*c[:5], _sql_s(c[5])]),
        *_people_sources(trainees),
    ]
    return src, classes.values_list("pk", "region_id")


def _people_sources(trainees) -> list:
    """The tables about the trainees (`trainees`: a queryset of person ids) and their
    subsidies: contacts (keyed hashes of phones and payee accounts, R08), claims and imported
    history (R12, R14), social-insurance months with the employer's city and the sites' cities
    (R15), ID hashes with the age limits and the exclusion lists (R16)."""
    from jineng.outcomes.selectors.risk import insured_months_with_city
    from jineng.registry.selectors import (
        contact_hashes_for_risk,
        contact_rows_schema_for_risk,
        person_contacts_for_risk,
        persons_for_risk,
        site_cities_for_risk,
    )
    from jineng.subsidy.selectors_risk import claim_querysets_for_risk, payee_accounts_for_risk
    from jineng.supervision.selectors.exclusions import exclusions_for_risk

    def claim_row(r):
        return (*r[:8], _day(r[8]), r[8].year if r[8] else None)

    return [
        # Phones and addresses are hashed in memory once all are read, those two trainees or
        # more share (the key never reaches the database, the values never the snapshot); the
        # bank accounts are hashes already. Both querysets give the same four columns:
        # (person, phone, address) and (person, account hash) padded with nulls. A full scan
        # on PostgreSQL keeps every person's hashes between scans instead (contact_cache).
        Source("contacts", (person_contacts_for_risk(trainees), payee_accounts_for_risk()),
               row=lambda r: (*r, None) if len(r) == 3 else (r[0], None, None, r[1]),
               sql=lambda c: [*c, "NULL"] if len(c) == 3 else [c[0], "NULL", "NULL", c[1]],
               whole=lambda batches: contact_hashes_for_risk(batches).to_batches(),
               extra_schema=contact_rows_schema_for_risk(), free_text=True, parallel=True),
        Source("persons", (persons_for_risk(trainees),),
               row=lambda r: (r[0], r[1], _day(r[2]), r[3]),
               sql=lambda c: [c[0], c[1], _sql_day(c[2]), c[3]],
               extra=_with_age_limits, extra_schema=_PERSONS_RAW),
        Source("claims", claim_querysets_for_risk(), row=claim_row,
               sql=lambda c: [*c[:8], _sql_day(c[8]), _sql_year(c[8])], free_text=True),
        Source("site_cities", (site_cities_for_risk(),),
               row=lambda r: (r[0], _city(r[1])), sql=lambda c: [c[0], _sql_city(c[1])]),
        Source("insured_cities", (insured_months_with_city(trainees),),
               row=lambda r: (r[0], _month(r[1]), _city(r[2])),
               sql=lambda c: [c[0], _sql_month(c[1]), _sql_city(c[2])]),
        Source("exclusions", (exclusions_for_risk(),),
               row=lambda r: (r[0], r[1], _day(r[2]), _day(r[3])),
               sql=lambda c: [c[0], c[1], _sql_day(c[2]), _sql_day(c[3])]),
    ]


_PERSONS_RAW = pa.schema([("person_id", pa.int64()), ("id_hash", pa.string()),
                          ("birth_day", pa.int64()), ("gender", pa.string())])


def _with_age_limits(batch: pa.RecordBatch) -> pa.RecordBatch:
    """(person, ID hash, birth day, gender) → persons with the days of the minimum age and
    the statutory retirement age: computed once per distinct birth date and gender (a few
    tens of thousands among millions of people), then taken for every row."""
    import pyarrow.compute as pc

    from jineng.training.selectors import age_limits_for_risk

    birth = batch.column(2)
    genders = batch.column(3).cast(pa.string()).fill_null("").dictionary_encode()
    # one integer per (birth day, gender): day × 2¹⁶ + the gender's place in the dictionary
    keys = pc.add(pc.multiply(birth, 1 << 16), genders.indices.cast(pa.int64()))
    distinct = pc.unique(keys)
    adult, retire = [], []
    for key in distinct.to_pylist():
        if key is None:
            adult.append(None)
            retire.append(None)
            continue
        day, g = divmod(key, 1 << 16)
        gender = genders.dictionary[g].as_py()
        cached = _LIMITS.get((day, gender))
        if cached is None:
            a, r = age_limits_for_risk(EPOCH_DAY + dt.timedelta(days=day), gender)
            cached = _LIMITS[(day, gender)] = (_day(a), _day(r))
        adult.append(cached[0])
        retire.append(cached[1])
    where = pc.index_in(keys, value_set=distinct)
    return pa.RecordBatch.from_arrays(
        [batch.column(0), batch.column(1), birth,
         pc.take(pa.array(adult, pa.int64()), where), pc.take(pa.array(retire, pa.int64()), where)],
        schema=SCHEMAS["persons"])


_LIMITS: dict[tuple, tuple] = {}


# --- Rows in Python (SQLite, and the tables made in Python) -----------------------------------

def _batches(schema: pa.Schema, rows: Iterable[tuple]) -> Iterator[pa.RecordBatch]:
    for chunk in _chunks(rows):
        cols = list(zip(*chunk, strict=True))
        yield pa.RecordBatch.from_arrays(
            [pa.array(c, schema.field(i).type) for i, c in enumerate(cols)], schema=schema)


def _chunks(rows: Iterable[tuple]) -> Iterator[list]:
    it = iter(rows)
    while chunk := list(itertools.islice(it, CHUNK)):
        yield chunk


def _python_batches(source) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    if not isinstance(source, Source):
        name, rows = source
        return SCHEMAS[name], _batches(SCHEMAS[name], rows())
    row = source.row or (lambda r: r)
    schema = source.extra_schema or SCHEMAS[source.name]
    rows = (row(r) for qs in source.querysets for r in qs.iterator(chunk_size=CHUNK))
    batches = _batches(schema, rows)
    if source.extra is not None:
        batches = map(source.extra, batches)
    if source.whole is not None:
        batches = iter(source.whole(batches))
    return SCHEMAS[source.name], batches


def _table(name: str, batches: Iterable[pa.RecordBatch]) -> pa.Table:
    return pa.Table.from_batches(list(batches), schema=SCHEMAS[name])


def build_snapshot(since: dt.datetime | None = None) -> tuple[dict[str, pa.Table], dict]:
    """The snapshot tables, read in Python (every database), and class id → region id (to
    scope the alerts). Tables an incremental scan does not read are left out."""
    sources, regions = _sources(since)
    tables = {}
    for source in sources:
        _schema, batches = _python_batches(source)
        name = source.name if isinstance(source, Source) else source[0]
        tables[name] = _table(name, batches)
    return tables, dict(regions.iterator(chunk_size=CHUNK))


def _uses_copy() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def snapshot_readers(since: dt.datetime | None = None, *, copy: bool | None = None,
                     snapshot: Snapshot | None = None
                     ) -> tuple[list[tuple[str, Callable[[], Iterator[pa.RecordBatch]]]], Any]:
    """(table name, factory of its batches) for each snapshot table — ADBC or COPY streams on
    PostgreSQL (or when `copy` says; in `snapshot` when given), rows read in Python otherwise
    — and the queryset of (class id, region id)."""
    copy = _uses_copy() if copy is None else copy
    sources, regions = _sources(since)
    out = []
    for source in sources:
        if isinstance(source, Source) and copy:
            out.append((source.name, lambda source=source: copy_reader(source, snapshot)
                        if source.whole is None
                        else Whole(copy_reader(source, snapshot), source.whole)))
        else:
            name = source.name if isinstance(source, Source) else source[0]
            out.append((name, lambda source=source: _python_batches(source)[1]))
    return out, regions


def _load_batches(con: Any, name: str, schema: pa.Schema,
                  batches: Iterable[pa.RecordBatch]) -> tuple[Any, int]:
    """Create table `name` in the DuckDB connection `con` and append `batches` to it
    (append_batches)."""
    from jineng.supervision.services.engine import load_table

    load_table(con, name, schema.empty_table())  # the engine's column types
    return con.table(name), append_batches(con, f'"{name}"', schema, batches)


def append_batches(con: Any, target: str, schema: pa.Schema,
                   batches: Iterable[pa.RecordBatch]) -> int:
    """Append `batches` to the DuckDB table `target` (quoted, maybe qualified) of `con`; answer
    the rows appended. Batches made in other threads (a Producer's: the PostgreSQL readers) go
    in as one INSERT from a stream that DuckDB pulls itself (`_append_stream`); the others
    (rows read through Django's connection as they are pulled, which must stay in this
    thread) one INSERT per batch, committing every COMMIT_ROWS rows."""
    raw = con.con
    if isinstance(batches, Producer | Whole):
        return _append_stream(raw, target, schema, batches)
    view = "__snapshot_batch"
    rows = pending = 0
    raw.execute("BEGIN TRANSACTION")
    try:
        for batch in batches:
            raw.register(view, pa.Table.from_batches([batch], schema=schema))
            raw.execute(f'INSERT INTO {target} SELECT * FROM "{view}"')
            raw.unregister(view)
            rows += batch.num_rows
            pending += batch.num_rows
            if pending >= COMMIT_ROWS:  # DuckDB holds a transaction's appends in memory
                raw.execute("COMMIT")
                raw.execute("BEGIN TRANSACTION")
                pending = 0
        raw.execute("COMMIT")
    except BaseException:
        raw.execute("ROLLBACK")
        raw.unregister(view)
        raise
    return rows


def _append_stream(raw: Any, target: str, schema: pa.Schema,
                   batches: Iterable[pa.RecordBatch]) -> int:
    """One INSERT of every batch, DuckDB pulling them from a RecordBatchReader, where an
    INSERT per batch took 2.3× the CPU (10 million check-ins into memory: 5.7 against 2.5 s;
    46 million read from PostgreSQL into the event cache's file: 75 against 63 s wall,
    docs/benchmarks.md). One statement: nothing is appended if it fails, and an error of the
    batches' reader is raised as it was."""
    rows = 0
    failed: list[BaseException] = []

    def counted() -> Iterator[pa.RecordBatch]:
        nonlocal rows
        try:
            for batch in batches:
                rows += batch.num_rows
                yield batch
        except BaseException as error:
            failed.append(error)
            raise

    view = "__snapshot_stream"
    raw.register(view, pa.RecordBatchReader.from_batches(schema, counted()))
    try:
        raw.execute(f'INSERT INTO {target} SELECT * FROM "{view}"')
    except Exception:
        if failed:
            raise failed[0] from None
        raise
    finally:
        raw.unregister(view)
        close = getattr(batches, "close", None)
        if close is not None:  # the producer's threads, when DuckDB stopped early
            close()
    return rows


def _cached(name: str, con: Any, snapshot: Snapshot) -> tuple[Any, int, dict] | None:
    """A full scan's events or contacts through the cache kept between scans (event_cache,
    contact_cache), or None (then read as the other tables)."""
    from jineng.supervision.services import contact_cache, event_cache

    source = next(s for s in _sources(None)[0] if isinstance(s, Source) and s.name == name)
    if name == "events":
        return event_cache.load_events(con, snapshot, source)
    return contact_cache.load_contacts(con, snapshot, source)


def load_snapshot_into(con: Any, since: dt.datetime | None = None, *,
                       copy: bool | None = None) -> tuple[dict[str, Any], dict[int, int],
                                                          dict[str, int], dict[str, float]]:
    """Stream every snapshot table into the Ibis connection `con` (DuckDB): answers the Ibis
    tables (an empty one for each table the scan does not read), class id → region id, rows
    per table and seconds per table (reading and loading)."""
    from django.db import connection

    copy = _uses_copy() if copy is None else copy
    # Outside a transaction, every table is read in one exported snapshot (the large ones in
    # parallel parts); inside one, on Django's connection (what it sees may be uncommitted).
    snapshot = Snapshot() if copy and not connection.in_atomic_block else None
    loaded: dict[str, Any] = {}
    rows: dict[str, int] = {}
    seconds: dict[str, float] = {}
    started: dict[int, Any] = {}

    def cached(name: str) -> bool:  # a full scan's events and contacts: through the cache
        return name in ("events", "contacts") and snapshot is not None and since is None

    def read_ahead(i: int) -> None:
        """Start table i's read (its own connection in the snapshot) before it is loaded."""
        if snapshot is not None and i < len(readers) and i not in started:
            name, factory = readers[i]
            if not cached(name):
                started[i] = factory()

    try:
        readers, regions = snapshot_readers(since, copy=copy, snapshot=snapshot)
        for i, (name, factory) in enumerate(readers):
            t0 = time.perf_counter()
            batches = started.pop(i, None)
            read_ahead(i + 1)
            if cached(name):
                from_cache = _cached(name, con, snapshot)
                if from_cache is not None:
                    loaded[name], rows[name], seconds[f"{name}_cache"] = from_cache
                    seconds[name] = round(time.perf_counter() - t0, 3)
                    continue
            batches = batches if batches is not None else factory()
            loaded[name], rows[name] = _load_batches(con, name, SCHEMAS[name], batches)
            seconds[name] = round(time.perf_counter() - t0, 3)
    finally:
        for batches in started.values():  # read ahead, never loaded (a failed scan)
            if isinstance(batches, Producer | Whole):
                batches.close()
        if snapshot is not None:
            snapshot.close()
    for name, schema in SCHEMAS.items():
        if name not in loaded:
            loaded[name], rows[name] = _load_batches(con, name, schema, ())
    t0 = time.perf_counter()
    class_regions = dict(regions.iterator(chunk_size=CHUNK))
    seconds["class_regions"] = round(time.perf_counter() - t0, 3)
    return loaded, class_regions, rows, seconds
