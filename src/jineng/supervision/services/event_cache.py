"""The full scan's copy of the attendance events, kept between scans (issue 13: a full scan of
tier L under 90 s with the snapshot from PostgreSQL; reading ~46 million check-ins takes a
minute even by ADBC without the enrollment join, most of it PostgreSQL writing out the rows).

Check-ins and check-outs are written once and then at most voided, so a full scan reads only
what was written since the previous full scan and applies it to the events it kept:

- The cache is a DuckDB database file per PostgreSQL database (settings.RISK_CACHE_ROOT, one
  file per host, port and database name) holding `events` (the snapshot table) and `meta`:
  the database's OID, a digest of the events query, and the oldest transaction id still
  running when the kept events were read (`pg_snapshot_xmin` of the scan's exported snapshot).
- The next full scan, in its own snapshot, reads the rows written by transactions not older
  than that id — every insert, void or other update gives a row version a new `xmin`; a
  transaction in progress then (and its savepoints' ids, all newer than it) is not older; a
  person merge moves enrollments, so an enrollment written since brings its events too
  (`training.selectors.risk_events_written_since`: found by primary key in the id ranges
  that triggers record for every INSERT statement and updated row, `WrittenRows`, instead of
  a pass over every event's xmin) — and the check-ins and enrollments deleted
  since, which a trigger records (`training.models.DeletedRow`, read in the same snapshot by
  `risk_rows_deleted_since`). It deletes from the file the events written or deleted since and
  those of the enrollments deleted since, then inserts the written ones not voided.
- Read again whole (counted as "built", with the reason): no file, another database (OID)
  under the same name, another events query (the code changed), an events or enrollments
  table truncated or rewritten since (`pg_relation_filenode` changed: TRUNCATE leaves no
  deleted rows to read), a file older than the deleted rows are kept (DELETED_ROWS_KEPT_DAYS),
  the recorded id too old to compare (over a billion transactions: 32-bit ids wrap), a file
  made before deletes, inserts and updates were recorded, more than MAX_DELETED rows deleted
  since (a demo reset), a file DuckDB cannot open. A file another process holds (two scans at
  once) is not waited for: that scan reads every event without the cache.

The rows written are applied in one DuckDB transaction; a rebuild drops `meta` first and
writes it last. A scan that fails leaves the file as it was, or without `meta` (read again
whole by the next one)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from django.conf import settings

WRAP_LIMIT = 1_000_000_000  # transactions after which a recorded 32-bit id is not compared
# Deleted rows above which the file is read again whole rather than brought up to date (a demo
# reset deletes every demo check-in: tens of millions at tier L, too many to hold as ids).
MAX_DELETED = 1_000_000
ALIAS = "event_cache"


def cache_path() -> Path | None:
    """The cache file of the default database (None: the cache is turned off)."""
    from django.db import connection

    root = settings.RISK_CACHE_ROOT
    if root is None:
        return None
    p = connection.settings_dict
    key = f"{p.get('HOST') or ''}:{p.get('PORT') or ''}/{p['NAME']}"
    return Path(root) / f"events-{hashlib.sha256(key.encode()).hexdigest()[:20]}.duckdb"


def _digest(statements: list[tuple[str, tuple]]) -> str:
    return hashlib.sha256(repr(statements).encode()).hexdigest()


def _attach(raw: Any, path: Path) -> bool:
    """ATTACH the cache file (a new one where DuckDB cannot read it); False when another
    process holds it or its folder cannot be made."""
    import duckdb

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # no place for it: the scan reads without
        return False
    try:
        raw.execute(f"ATTACH '{path}' AS {ALIAS}")
        return True
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            return False
        path.unlink(missing_ok=True)
    except duckdb.Error:
        path.unlink(missing_ok=True)
    raw.execute(f"ATTACH '{path}' AS {ALIAS}")
    return True


def _meta(raw: Any, table: str = "meta") -> dict[str, str]:
    found = raw.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND "
                        "table_name = ?", [ALIAS, table]).fetchone()[0]
    if not found:
        return {}
    return dict(raw.execute(f"SELECT key, value FROM {ALIAS}.{table}").fetchall())


def _pg_all(conn: Any, queryset: Any) -> list[tuple]:
    """Every row of a values_list queryset, read on the psycopg connection `conn` (the
    exported snapshot's lead) instead of Django's."""
    sql, params = queryset.query.sql_with_params()
    with conn.cursor() as cur:
        cur.execute(sql, params or None)
        return cur.fetchall()


def _pg_count(conn: Any, queryset: Any) -> int:
    sql, params = queryset.query.sql_with_params()
    return _pg_one(conn, f"SELECT count(*) FROM ({sql}) AS q", params)


def _pg_one(conn: Any, sql: str, params: tuple = ()) -> Any:
    with conn.cursor() as cur:
        cur.execute(sql, params or None)  # no parameters: a "%" is an operator
        return cur.fetchone()[0]


def load_events(con: Any, snapshot: Any, source: Any) -> tuple[Any, int, dict] | None:
    """Bring the cache up to date in the exported `snapshot` (snapshot_copy.Snapshot) and answer
    (Ibis table `events`: a view of the cached table, rows, report) — or None when the cache is
    off or held by another process (the caller reads the events itself). `source` is the
    snapshot's events Source."""
    import pyarrow as pa

    from jineng.supervision.analytics.schema import SCHEMAS
    from jineng.supervision.services import snapshot as snap
    from jineng.supervision.services.engine import duckdb_columns
    from jineng.supervision.services.snapshot_copy import copy_batches, copy_sql, select_sql
    from jineng.training.selectors import (
        RISK_DELETED_ROWS_KEPT_DAYS,
        risk_event_tables,
        risk_events_written_since,
        risk_rows_deleted_since,
    )

    path = cache_path()
    if path is None:
        return None
    raw = con.con
    if not _attach(raw, path):
        return None
    report: dict[str, Any] = {"file": path.name}
    t0 = time.perf_counter()
    lead = snapshot.lead
    oid = str(_pg_one(lead, "SELECT oid FROM pg_database WHERE datname = current_database()"))
    xmin = str(_pg_one(lead, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
                             " % 4294967296"))
    nodes = ",".join(str(_pg_one(lead, "SELECT pg_relation_filenode(%s)", (table,)))
                     for table in risk_event_tables())
    read_at = float(_pg_one(lead, "SELECT extract(epoch FROM now())"))
    statements = [copy_sql(source, qs) for qs in source.querysets]
    if source.bulk is not None:  # the rows a built cache is read from (snapshot_copy)
        statements += [select_sql(source.name, source.bulk.sql, qs)
                       for qs in source.bulk.querysets]
        statements.append(source.bulk.mapping.query.sql_with_params())
    digest = _digest(statements)
    meta = _meta(raw)
    reason = ""
    if not meta:
        reason = "no cache"
    elif meta.get("database_oid") != oid:
        reason = "another database"
    elif meta.get("query") != digest:
        reason = "the events query changed"
    elif "file_nodes" not in meta or "writes" not in meta:
        # made before deletes (or inserts and updates) were recorded: some may be missed
        reason = "made by an earlier version"
    elif meta.get("file_nodes") != nodes:
        reason = "a table was truncated or rewritten"
    elif read_at - float(meta.get("read_at") or 0) > RISK_DELETED_ROWS_KEPT_DAYS * 86400:
        reason = "older than the deleted rows are kept"
    elif _pg_one(lead, "SELECT age(%s::text::xid)", (meta["xmin"],)) > WRAP_LIMIT:
        reason = "too old to compare"
    elif _pg_count(lead, risk_rows_deleted_since(int(meta["xmin"]))) > MAX_DELETED:
        reason = "more rows deleted since than are applied"
    events = SCHEMAS["events"]
    written_schema = pa.schema([*events, pa.field("kept", pa.bool_())])
    cols = ", ".join(f'"{n}"' for n in events.names)
    rows = 0
    new_meta = {"database_oid": oid, "query": digest, "xmin": xmin, "file_nodes": nodes,
                "read_at": repr(read_at), "writes": "recorded"}
    if not reason:
        written = snap.Source("events_written", (risk_events_written_since(int(meta["xmin"])),),
                              sql=lambda c: [*source.sql(c[:-1]), c[-1]], free_text=True,
                              extra_schema=written_schema)
        raw.execute(f"CREATE OR REPLACE TEMPORARY TABLE __events_written "
                    f"({duckdb_columns('events')}, kept BOOLEAN)")
        written_rows = snap.append_batches(con, "__events_written", written_schema,
                                           copy_batches(written, snapshot))
        deleted = _pg_all(lead, risk_rows_deleted_since(int(meta["xmin"])))
        report["read_s"] = round(time.perf_counter() - t0, 3)
        raw.register("__deleted", pa.table(
            {"kind": pa.array([k for k, _pk in deleted], pa.string()),
             "row_id": pa.array([pk for _k, pk in deleted], pa.int64())}))
        raw.execute("BEGIN TRANSACTION")
        try:
            raw.execute(f"DELETE FROM {ALIAS}.events WHERE event_id IN "
                        "(SELECT event_id FROM __events_written) "
                        "OR event_id IN (SELECT row_id FROM __deleted WHERE kind = 'event') "
                        "OR enrollment_id IN "
                        "(SELECT row_id FROM __deleted WHERE kind = 'enrollment')")
            raw.execute(f"INSERT INTO {ALIAS}.events SELECT {cols} FROM __events_written "
                        "WHERE kept")
            rows = raw.execute(f"SELECT count(*) FROM {ALIAS}.events").fetchone()[0]
            _write_meta(raw, new_meta)
            raw.execute("COMMIT")
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        finally:
            raw.unregister("__deleted")
        report.update(mode="updated", written=written_rows, deleted=len(deleted))
        raw.execute("DROP TABLE __events_written")
    if reason:
        report.update(mode="built", reason=reason)
        raw.execute(f"DROP TABLE IF EXISTS {ALIAS}.meta")  # invalid until the end
        raw.execute(f"CREATE OR REPLACE TABLE {ALIAS}.events ({duckdb_columns('events')})")
        rows = snap.append_batches(con, f"{ALIAS}.events", events,
                                   copy_batches(source, snapshot))
        raw.execute("BEGIN TRANSACTION")
        _write_meta(raw, new_meta)
        raw.execute("COMMIT")
    raw.execute(f"CREATE OR REPLACE VIEW events AS SELECT {cols} FROM {ALIAS}.events")
    report["seconds"] = round(time.perf_counter() - t0, 3)
    return con.table("events"), rows, report


def _write_meta(raw: Any, meta: dict[str, str], table: str = "meta") -> None:
    raw.execute(f"CREATE OR REPLACE TABLE {ALIAS}.{table} (key VARCHAR, value VARCHAR)")
    raw.executemany(f"INSERT INTO {ALIAS}.{table} VALUES (?, ?)", list(meta.items()))
