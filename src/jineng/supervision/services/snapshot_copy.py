"""The risk scan's snapshot read from PostgreSQL (services.snapshot, which owns the sources):
each source's queryset compiled and wrapped in a converting SELECT. In an exported snapshot
(`Snapshot`: a scan outside a transaction, as every scan in production) the SELECT is read
with Arrow's ADBC PostgreSQL driver (binary COPY straight into Arrow batches: less than half
the client CPU of CSV parsing); inside a transaction, on Django's connection, streamed with
`COPY (…) TO STDOUT (FORMAT csv)` into pyarrow's streaming CSV reader. Producer threads
(`Producer`) read while the caller loads. A source marked `bulk` (the full scan's events) is
read in parallel parts without its joined column, which the reader puts back from a map read
once (docs/supervision.md, "The snapshot")."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from jineng.supervision.analytics.schema import SCHEMAS

if TYPE_CHECKING:
    from jineng.supervision.services.snapshot import Source

COPY_BLOCK = 4 << 20  # bytes of CSV per parsed block
# Streams (PostgreSQL backends) reading a Source marked `parallel` (a full scan's events:
# each stream reads half of the table's pages, _AdbcPlan; an incremental scan's few are read
# in one, as each stream would repeat the whole index scan)
PARALLEL = 2
READER_WORK_MEM = "64MB"  # PostgreSQL's work_mem of each snapshot reader



class _CopyStream(io.RawIOBase):
    """A psycopg COPY … TO STDOUT as a readable binary file (for pyarrow's CSV reader)."""

    def __init__(self, copy) -> None:
        self._copy = copy
        self._buf = memoryview(b"")
        self._done = False

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        while not self._buf and not self._done:
            data = self._copy.read()
            if not data:
                self._done = True
            else:
                self._buf = memoryview(data)

    def empty(self) -> bool:
        """No row at all (pyarrow refuses an empty CSV)."""
        self._fill()
        return not self._buf

    def readinto(self, b) -> int:
        self._fill()
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def copy_sql(source: Source, queryset, part: tuple[int, int] | None = None
             ) -> tuple[str, tuple]:
    """`COPY (SELECT <converted columns> FROM (<the queryset's SQL>) q(c0, …)) TO STDOUT` and
    its parameters (merged client-side by psycopg)."""
    select, params = select_sql(source.name, source.sql, queryset, part)
    return f"COPY ({select}) TO STDOUT (FORMAT csv)", params


def select_sql(name: str, convert: Callable[[list[str]], list[str]] | None, queryset,
               part: tuple[int, int] | None = None,
               pages: tuple[int | None, int | None] | None = None) -> tuple[str, tuple]:
    """`SELECT <converted columns> FROM (<the queryset's SQL>) q(c0, …)` and its parameters
    (psycopg's placeholders): the rows of part `part` = (i, parts), those whose first column
    % parts = i — or, given `pages` = [first, end) (None: open), those stored in that range of
    the queryset's table's pages (`by_pages`)."""
    if pages is not None:
        from django.db import connection

        table = connection.ops.quote_name(queryset.model._meta.db_table)
        first, end = pages
        bounds = ([f"{table}.ctid >= '({int(first)},0)'::tid"] if first is not None else []) + (
            [f"{table}.ctid < '({int(end)},0)'::tid"] if end is not None else [])
        if bounds:
            queryset = queryset.extra(where=[" AND ".join(bounds)])
        part = None
    inner, params = queryset.query.sql_with_params()
    query = queryset.query
    # Name each column values_list answers (queryset._fields) by its place in the SELECT:
    # the order asked (Django ≥ 5.2, query.selected), else extra, fields, annotations.
    selected = list(getattr(query, "selected", None) or ())
    if not selected:
        selected = [*query.extra_select, *query.values_select, *query.annotation_select]
    if not selected or not queryset._fields:
        raise ValueError(f"snapshot source {name}: a values_list queryset is needed")
    width = len(selected)
    cols = [f"q.c{selected.index(field)}" for field in queryset._fields]
    exprs = convert(cols) if convert else cols
    names = ", ".join(f"c{i}" for i in range(width))
    mod = "%%" if params else "%"  # psycopg merges parameters (and unescapes) only if any
    where = f" WHERE {cols[0]} {mod} {part[1]} = {part[0]}" if part else ""
    return f"SELECT {', '.join(exprs)} FROM ({inner}) AS q({names}){where}", tuple(params)


def _copy_batches(source: Source, conn, statements: list[tuple[str, tuple]]
                  ) -> Iterator[pa.RecordBatch]:
    """The converted rows of `source` as record batches straight from the COPY `statements`
    (copy_sql, compiled in the caller's thread) on the psycopg connection `conn`."""
    import pyarrow.csv as pacsv

    schema = source.extra_schema or SCHEMAS[source.name]
    read = pacsv.ReadOptions(column_names=schema.names, block_size=COPY_BLOCK)
    parse = pacsv.ParseOptions(newlines_in_values=source.free_text)
    convert = pacsv.ConvertOptions(column_types=schema, null_values=[""],
                                   strings_can_be_null=True, quoted_strings_can_be_null=False,
                                   true_values=["t"], false_values=["f"])
    for sql, params in statements:
        with conn.cursor() as cur, cur.copy(sql, params) as copy:
            stream = _CopyStream(copy)
            if stream.empty():
                continue
            reader = pacsv.open_csv(io.BufferedReader(stream, COPY_BLOCK),
                                    read_options=read, parse_options=parse,
                                    convert_options=convert)
            for batch in reader:
                if batch.num_rows:
                    yield source.extra(batch) if source.extra else batch.cast(schema)


def copy_batches(source: Source, snapshot: Snapshot) -> Iterator[pa.RecordBatch]:
    """`source`'s batches in the exported `snapshot` (see copy_reader)."""
    return copy_reader(source, snapshot)


def copy_reader(source: Source, snapshot: Snapshot | None) -> Iterator[pa.RecordBatch]:
    """`source`'s batches: in `snapshot` by ADBC (a connection of its own per part, the large
    tables in PARALLEL parts) or by COPY CSV on Django's connection (inside a transaction),
    produced in other threads while the caller loads them."""
    from django.db import connection

    if snapshot is None:
        statements = [copy_sql(source, qs) for qs in source.querysets]
        connection.ensure_connection()
        raw = connection.connection
        return _produce(lambda i: _copy_batches(source, raw, statements), 1)
    plan = _AdbcPlan(source, snapshot)

    def part(i: int) -> Iterator[pa.RecordBatch]:
        conn = snapshot.connect()
        try:
            yield from plan.batches(conn, i)
        finally:
            snapshot.release_reader(conn)

    return _produce(part, plan.parts)


# A map read for a bulk source is an array indexed by key (one gather per row: 0.8 s for
# 23 million rows, where a binary search took 14 s); above this key it would take too much
# memory (8 bytes a key), and the rows are read with PostgreSQL's join instead.
DENSE_MAX_KEY = 50_000_000


def by_pages(queryset) -> bool:
    """Whether the rows of `queryset` can be split by the pages of its table: one row per row
    of that table (no DISTINCT, grouping, set operation or slice), so that each row is in
    exactly one page range."""
    q = queryset.query
    return not (q.distinct or q.group_by is not None or q.combinator or q.is_sliced)


def page_ranges(pages: int, parts: int) -> list[tuple[int | None, int | None]]:
    """`parts` ranges [first, end) of page numbers covering a table of `pages` pages, the
    first open below and the last open above (a page added since its size was read is
    covered; its rows are not in the snapshot anyway)."""
    step = max(1, -(-pages // parts))
    cuts = [step * i for i in range(1, parts)]
    return [(cuts[i - 1] if i else None, cuts[i] if i < parts - 1 else None)
            for i in range(parts)]


class _AdbcPlan:
    """The SELECTs of one source's parts, literal (ADBC's COPY takes no parameters), and for a
    bulk source the map read once by the first part (the others wait for it).

    A part is a range of its table's pages where PostgreSQL can scan just that range (a TID
    range scan, PostgreSQL 14 and later; `by_pages`): each stream reads its half of the
    table. Otherwise the rows whose first column % parts = i, for which every stream reads the
    whole table (46 million check-ins in two streams: 53 s of PostgreSQL alone by key, 38 s by
    pages; docs/benchmarks.md)."""

    def __init__(self, source: Source, snapshot: Snapshot) -> None:
        import threading

        self.source = source
        self.parts = PARALLEL if source.parallel else 1
        bulk = source.bulk if self.parts > 1 else None
        self.bulk = bulk

        def statements(convert, querysets) -> list[list[str]]:
            return [[snapshot.literal(*self._select(snapshot, convert, qs, i))
                     for qs in querysets] for i in range(self.parts)]

        self.statements = statements(source.sql, source.querysets)
        if bulk is not None:
            self.bulk_statements = statements(bulk.sql, bulk.querysets)
            inner, params = bulk.mapping.query.sql_with_params()
            self.mapping_sql = snapshot.literal(inner, tuple(params))
        self._lock = threading.Lock()
        self._dense: Any = None
        self._mapped = False

    def _select(self, snapshot: Snapshot, convert, queryset, i: int) -> tuple[str, tuple]:
        if self.parts == 1:
            return select_sql(self.source.name, convert, queryset)
        pages = snapshot.pages(queryset.model._meta.db_table) if by_pages(queryset) else None
        if pages is None:
            return select_sql(self.source.name, convert, queryset, (i, self.parts))
        return select_sql(self.source.name, convert, queryset,
                          pages=page_ranges(pages, self.parts)[i])

    def _map(self, conn) -> Any:
        """The bulk map as an array indexed by key (-1: no such key), or None (read the rows
        with the join instead: keys too large or values missing)."""
        import numpy as np
        import pyarrow.compute as pc

        with self._lock:
            if not self._mapped:
                table = _adbc_table(conn, self.mapping_sql)
                keys, values = table.column(0), table.column(1)
                top = pc.max(keys).as_py() if table.num_rows else 0
                if keys.null_count or values.null_count or top > DENSE_MAX_KEY:
                    self._dense = None
                else:
                    dense = np.full(top + 1, -1, dtype=np.int64)
                    dense[keys.to_numpy()] = values.to_numpy()
                    self._dense = dense
                self._mapped = True
            return self._dense

    def batches(self, conn, i: int) -> Iterator[pa.RecordBatch]:
        source = self.source
        schema = source.extra_schema or SCHEMAS[source.name]
        dense = self._map(conn) if self.bulk is not None else None
        statements = self.bulk_statements[i] if dense is not None else self.statements[i]
        for sql in statements:
            for batch in _adbc_reader(conn, sql):
                if not batch.num_rows:
                    continue
                columns = list(batch.columns)
                if dense is not None:
                    columns = _mapped(dense, columns, self.bulk.key, self.bulk.at)
                batch = _conform(columns, schema)
                if not batch.num_rows:
                    continue
                yield source.extra(batch) if source.extra else batch


def _mapped(dense: Any, columns: list[pa.Array], key: int, at: int) -> list[pa.Array]:
    """`columns` with the mapped value of column `key` inserted at `at`, the rows whose key is
    not in the map left out — as PostgreSQL's inner join would (check-ins keep their
    enrollment's id without a foreign key: its enrollment may be gone)."""
    import numpy as np

    k = columns[key].fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    inside = (k >= 0) & (k < len(dense))  # the map has at least one place (_map)
    values = dense[np.where(inside, k, 0)]
    found = inside & (values >= 0)
    columns = [*columns[:at], pa.array(values, type=pa.int64()), *columns[at:]]
    if found.all():
        return columns
    keep = pa.array(found)
    return [c.filter(keep) for c in columns]


def _conform(columns: list[pa.Array], schema: pa.Schema) -> pa.RecordBatch:
    """ADBC's columns (PostgreSQL's own types: int2, numeric as an opaque string, …) in the
    table's schema."""
    out = []
    for column, field in zip(columns, schema, strict=True):
        if isinstance(column.type, pa.ExtensionType):
            column = column.storage
        out.append(column if column.type == field.type else column.cast(field.type))
    return pa.RecordBatch.from_arrays(out, schema=schema)


def _adbc_reader(conn, sql: str) -> Iterator[pa.RecordBatch]:
    cursor = conn.cursor()
    try:
        cursor.execute(sql)
        yield from cursor.fetch_record_batch()
    finally:
        cursor.close()


def _adbc_table(conn, sql: str) -> pa.Table:
    cursor = conn.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetch_arrow_table()
    finally:
        cursor.close()


class Snapshot:
    """Connections reading one consistent database snapshot: a REPEATABLE READ transaction
    exports it (pg_export_snapshot) and each reader's transaction adopts it, so the tables
    (and the parts of a large one read in parallel) are of the same moment. Used outside a
    transaction only (inside one, the data may be visible to Django's connection alone)."""

    def __init__(self) -> None:
        from django.db import connection
        from psycopg.conninfo import make_conninfo

        self._params = connection.get_connection_params()
        self._new = connection.get_new_connection
        self._lead = self._open()
        self.id = self._lead.execute("SELECT pg_export_snapshot()").fetchone()[0]
        # the readers' (ADBC's libpq) connection string: the lead's, password included
        info = self._lead.info
        self._conninfo = (make_conninfo(info.dsn, password=info.password) if info.password
                          else info.dsn)

    @property
    def lead(self) -> Any:
        """The connection that exported the snapshot (its transaction sees the same rows)."""
        return self._lead

    def _open(self):
        conn = self._new(self._params)
        conn.autocommit = False
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return conn

    def connect(self):
        """A reader's ADBC connection in the snapshot (release_reader it)."""
        import adbc_driver_postgresql.dbapi as adbc

        conn = adbc.connect(self._conninfo, autocommit=True)
        try:
            cursor = conn.cursor()
            try:
                for statement in (
                    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                    f"SET TRANSACTION SNAPSHOT '{self.id}'",
                    # No parallel workers: the streams are the parallelism, and a Gather would
                    # only funnel rows to the one backend writing the COPY.
                    "SET LOCAL max_parallel_workers_per_gather = 0",
                    # joins and sorts of millions of rows in memory rather than in batches
                    # spilled to disk (a few readers at a time, one scan at a time)
                    f"SET LOCAL work_mem = '{READER_WORK_MEM}'",
                    # No JIT: its compilation (with inlining and optimisation above the cost of
                    # a large table's read) took 1.6 s of a 1.8 s read of one day's events by
                    # primary key; these reads stream rows out, they do not evaluate
                    # expressions for long.
                    "SET LOCAL jit = off",
                ):
                    cursor.execute(statement)
            finally:
                cursor.close()
        except BaseException:
            conn.close()
            raise
        return conn

    def pages(self, table: str) -> int | None:
        """The number of pages of `table` (None: PostgreSQL before 14 cannot scan a range of
        them)."""
        from django.db import connection

        if self._lead.info.server_version < 140000:
            return None
        with self._lead.cursor() as cur:
            cur.execute("SELECT pg_relation_size(%s::regclass) / "
                        "current_setting('block_size')::bigint",
                        (connection.ops.quote_name(table),))
            return int(cur.fetchone()[0])

    def literal(self, sql: str, params: tuple) -> str:
        """`sql` with its parameters merged in, as psycopg would merge them client-side (with
        none, `sql` as it is: its "%" are literal)."""
        from psycopg import ClientCursor

        if not params:
            return sql
        return ClientCursor(self._lead).mogrify(sql, params)

    @staticmethod
    def release_reader(conn) -> None:
        import contextlib

        with contextlib.suppress(Exception):  # closing a reader never fails the scan
            conn.close()

    @staticmethod
    def release(conn) -> None:
        try:
            conn.rollback()
            conn.close()
        except Exception:  # closing the lead never fails the scan
            pass

    def close(self) -> None:
        self.release(self._lead)


class Producer:
    """The batches of `parts` producers (make(i) → batches of part i), each in its own thread,
    started at once, while the caller consumes them (loading DuckDB overlaps reading
    PostgreSQL; the next table's COPY may run while this one loads). `close()` stops the
    threads of one never consumed to the end."""

    def __init__(self, make: Callable[[int], Iterator[pa.RecordBatch]], parts: int) -> None:
        import queue
        import threading

        self._q: queue.Queue = queue.Queue(maxsize=4 * parts)
        self._done = object()
        self._stop = threading.Event()
        self._parts = parts
        self._threads = [threading.Thread(target=self._run, args=(make, i), daemon=True)
                         for i in range(parts)]
        for t in self._threads:
            t.start()

    def _run(self, make: Callable[[int], Iterator[pa.RecordBatch]], i: int) -> None:
        import queue

        try:
            for batch in make(i):
                while not self._stop.is_set():
                    try:
                        self._q.put(batch, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if self._stop.is_set():
                    return
        except BaseException as error:  # handed to the consumer
            self._q.put(error)
        self._q.put(self._done)

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        finished = 0
        try:
            while finished < self._parts:
                item = self._q.get()
                if item is self._done:
                    finished += 1
                elif isinstance(item, BaseException):
                    raise item
                else:
                    yield item
        finally:
            self.close()

    def close(self) -> None:
        import queue

        self._stop.set()
        while True:  # unblock a producer waiting to hand over its last item
            try:
                self._q.get_nowait()
            except queue.Empty:
                break
        for t in self._threads:
            t.join(timeout=30)


class Whole:
    """A Producer's batches through `whole` (a function of the whole stream: a table made from
    every row at once, the contacts); `close()` stops the producer's threads."""

    def __init__(self, producer: Producer,
                 whole: Callable[[Iterator[pa.RecordBatch]], Iterable[pa.RecordBatch]]) -> None:
        self._producer = producer
        self._whole = whole

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        try:
            yield from self._whole(iter(self._producer))
        finally:
            self._producer.close()

    def close(self) -> None:
        self._producer.close()


def _produce(make: Callable[[int], Iterator[pa.RecordBatch]], parts: int) -> Producer:
    return Producer(make, parts)
