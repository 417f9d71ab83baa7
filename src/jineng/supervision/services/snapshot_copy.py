"""The risk scan's snapshot read from PostgreSQL (services.snapshot, which owns the sources):
each source's queryset compiled and wrapped in a converting SELECT, streamed with
`COPY (…) TO STDOUT (FORMAT csv)` into pyarrow's streaming CSV reader; readers in one exported
snapshot (`Snapshot`), producer threads (`Producer`) so that reading overlaps loading."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from jineng.supervision.analytics.schema import SCHEMAS

if TYPE_CHECKING:
    from jineng.supervision.services.snapshot import Source

COPY_BLOCK = 4 << 20  # bytes of CSV per parsed block
# COPY streams (PostgreSQL backends) reading a Source marked `parallel` (a full scan's events:
# each stream joins and writes out half; an incremental scan's few are read in one, as each
# stream would repeat the whole index scan and join)
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
    inner, params = queryset.query.sql_with_params()
    query = queryset.query
    # Name each column values_list answers (queryset._fields) by its place in the SELECT:
    # the order asked (Django ≥ 5.2, query.selected), else extra, fields, annotations.
    selected = list(getattr(query, "selected", None) or ())
    if not selected:
        selected = [*query.extra_select, *query.values_select, *query.annotation_select]
    if not selected or not queryset._fields:
        raise ValueError(f"snapshot source {source.name}: a values_list queryset is needed")
    width = len(selected)
    cols = [f"q.c{selected.index(name)}" for name in queryset._fields]
    exprs = source.sql(cols) if source.sql else cols
    names = ", ".join(f"c{i}" for i in range(width))
    mod = "%%" if params else "%"  # psycopg merges parameters (and unescapes) only if any
    where = f" WHERE {cols[0]} {mod} {part[1]} = {part[0]}" if part else ""
    sql = (f"COPY (SELECT {', '.join(exprs)} FROM ({inner}) AS q({names}){where}) "
           "TO STDOUT (FORMAT csv)")
    return sql, tuple(params)


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
    """`source`'s batches by COPY in the exported `snapshot` (see copy_reader)."""
    return copy_reader(source, snapshot)


def copy_reader(source: Source, snapshot: Snapshot | None) -> Iterator[pa.RecordBatch]:
    """`source`'s batches by COPY: in `snapshot` (a connection of its own per part, the large
    tables in PARALLEL parts) or on Django's connection (inside a transaction), produced in
    other threads while the caller loads them."""
    from django.db import connection

    parts = PARALLEL if snapshot is not None and source.parallel else 1
    statements = [[copy_sql(source, qs, (i, parts) if parts > 1 else None)
                   for qs in source.querysets] for i in range(parts)]
    if snapshot is None:
        connection.ensure_connection()
        raw = connection.connection
        return _produce(lambda i: _copy_batches(source, raw, statements[i]), 1)

    def part(i: int) -> Iterator[pa.RecordBatch]:
        conn = snapshot.connect()
        try:
            yield from _copy_batches(source, conn, statements[i])
        finally:
            snapshot.release(conn)

    return _produce(part, parts)


class Snapshot:
    """Connections reading one consistent database snapshot: a REPEATABLE READ transaction
    exports it (pg_export_snapshot) and each reader's transaction adopts it, so the tables
    (and the parts of a large one read in parallel) are of the same moment. Used outside a
    transaction only (inside one, the data may be visible to Django's connection alone)."""

    def __init__(self) -> None:
        from django.db import connection

        self._params = connection.get_connection_params()
        self._new = connection.get_new_connection
        self._lead = self._open()
        self.id = self._lead.execute("SELECT pg_export_snapshot()").fetchone()[0]

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
        """A connection in the snapshot (release it). No parallel workers: the streams are
        the parallelism, and a Gather would only funnel rows to the one backend writing the
        COPY."""
        conn = self._open()
        conn.execute("SET TRANSACTION SNAPSHOT %s", (self.id,))
        conn.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        # joins of a snapshot read hash millions of rows (the events' enrollments): in memory
        # rather than in batches spilled to disk (a few readers at a time, one scan at a time)
        conn.execute(f"SET LOCAL work_mem = '{READER_WORK_MEM}'")
        # No JIT: its compilation (with inlining and optimisation above the cost of a large
        # table's read) took 1.6 s of a 1.8 s read of one day's events by primary key; these
        # reads stream rows out, they do not evaluate expressions for long.
        conn.execute("SET LOCAL jit = off")
        return conn

    @staticmethod
    def release(conn) -> None:
        try:
            conn.rollback()
            conn.close()
        except Exception:  # closing a reader never fails the scan
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
