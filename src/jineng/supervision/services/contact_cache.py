"""The full scan's keyed hashes of every person's phone and address, kept between scans beside
the events (issue 13: reading and normalising four million values every night was a fifth of
the nightly scan; services.event_cache keeps the events the same way).

- In the event cache's file (attached as `event_cache.ALIAS` when the scan read its events
  through it; without it the contacts are read as before): `contact_hashes` (person_id, kind,
  value_hash) — the keyed hash of every phone and address that can link, of every person, not
  only the trainees (a person enrolled later is there already) — and `contact_meta`: the
  database's OID, the digest of the hashing (the key and the normalisation:
  registry.selectors.contact_hashes_version_for_risk) and of the query, the persons table's
  file node, and the oldest transaction id still running when the rows were read.
- The next full scan reads, in its snapshot, the persons written since (any update: a changed
  phone, a cleared address; registry.selectors.person_contacts_written_since), hashes them
  alone and replaces their rows. A person deleted since keeps their rows: they have no
  enrollment, and the scan's table holds only its trainees' hashes.
- The scan's table (`contacts`, analytics.schema) is then made in DuckDB: the cached hashes of
  the trainees (a semi-join with the snapshot's `enrollments`, loaded before) that two
  trainees or more share, and the payee account hashes read as before — the same rows as the
  scan reads without the cache (tests/supervision/test_contact_cache.py compares them).
- Made again whole (counted as "built", with the reason): no table, another database, another
  hashing or query, the persons table truncated or rewritten (its file node), the recorded id
  too old to compare.

The keyed hashes are HMAC-SHA256 under the deployment's key (core.pii): the file holds no phone
number and no address, and the values one person holds cannot be looked up without the key.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

META = "contact_meta"
HASHES = "contact_hashes"


def _attached(raw: Any) -> bool:
    from jineng.supervision.services.event_cache import ALIAS

    return bool(raw.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = ?",
                            [ALIAS]).fetchall()[0][0])


def load_contacts(con: Any, snapshot: Any, source: Any) -> tuple[Any, int, dict] | None:
    """Bring the kept hashes up to date in the exported `snapshot` and make the snapshot's
    `contacts` table from them: (Ibis table, rows, report), or None when the event cache's
    file is not attached (the caller reads the contacts itself). `source` is the snapshot's
    contacts Source: its first queryset the trainees' phones and addresses, the others the
    payee accounts (read as they are)."""
    from jineng.registry.selectors import (
        contact_hashes_version_for_risk,
        every_contact_hash_for_risk,
        person_contacts_for_risk,
        person_contacts_table_for_risk,
        person_contacts_written_since,
    )
    from jineng.supervision.analytics.schema import SCHEMAS
    from jineng.supervision.services import snapshot as snap
    from jineng.supervision.services.engine import load_table
    from jineng.supervision.services.event_cache import (
        ALIAS,
        WRAP_LIMIT,
        _digest,
        _meta,
        _pg_one,
        _write_meta,
    )
    from jineng.supervision.services.snapshot_copy import copy_batches, copy_sql

    raw = con.con
    if not _attached(raw):
        return None
    t0 = time.perf_counter()
    lead = snapshot.lead
    oid = str(_pg_one(lead, "SELECT oid FROM pg_database WHERE datname = current_database()"))
    xmin = str(_pg_one(lead, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
                             " % 4294967296"))
    node = str(_pg_one(lead, "SELECT pg_relation_filenode(%s)",
                       (person_contacts_table_for_risk(),)))
    every = replace(source, name="contacts_every", querysets=(person_contacts_for_risk(),),
                    whole=None, parallel=True)
    meta = _meta(raw, META)
    new_meta = {"database_oid": oid, "version": contact_hashes_version_for_risk(),
                "query": _digest([copy_sql(every, qs) for qs in every.querysets]),
                "xmin": xmin, "file_node": node}
    reason = ""
    if not meta:
        reason = "no cache"
    elif meta.get("database_oid") != oid:
        reason = "another database"
    elif meta.get("version") != new_meta["version"]:
        reason = "the key or the normalisation changed"
    elif meta.get("query") != new_meta["query"]:
        reason = "the contacts query changed"
    elif meta.get("file_node") != node:
        reason = "the persons table was truncated or rewritten"
    elif _pg_one(lead, "SELECT age(%s::text::xid)", (meta["xmin"],)) > WRAP_LIMIT:
        reason = "too old to compare"
    report: dict[str, Any] = {}
    hashes = f"{ALIAS}.{HASHES}"
    if reason:
        report.update(mode="built", reason=reason)
        hashed = every_contact_hash_for_risk(copy_batches(every, snapshot))
        raw.execute(f"DROP TABLE IF EXISTS {ALIAS}.{META}")  # invalid until the end
        raw.register("__contact_hashes", hashed)
        raw.execute("BEGIN TRANSACTION")
        try:
            raw.execute(f"CREATE OR REPLACE TABLE {hashes} AS "
                        "SELECT person_id, kind, value_hash FROM __contact_hashes")
            _write_meta(raw, new_meta, META)
            raw.execute("COMMIT")
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        finally:
            raw.unregister("__contact_hashes")
        report["hashed"] = hashed.num_rows
    else:
        written = replace(every, name="contacts_written", parallel=False,
                          querysets=(person_contacts_written_since(int(meta["xmin"])),))
        ids: list = []

        def noting_ids(batches):  # every person written since, with contacts or without
            for batch in batches:
                ids.append(batch.column(0))
                yield batch

        hashed = every_contact_hash_for_risk(noting_ids(copy_batches(written, snapshot)))
        import pyarrow as pa

        raw.register("__contact_hashes", hashed)
        raw.register("__written", pa.table({"person_id": pa.chunked_array(ids, pa.int64())}))
        raw.execute("BEGIN TRANSACTION")
        try:
            raw.execute(f"DELETE FROM {hashes} WHERE person_id IN "
                        "(SELECT person_id FROM __written)")
            raw.execute(f"INSERT INTO {hashes} SELECT person_id, kind, value_hash "
                        "FROM __contact_hashes")
            _write_meta(raw, new_meta, META)
            raw.execute("COMMIT")
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        finally:
            raw.unregister("__contact_hashes")
            raw.unregister("__written")
        report.update(mode="updated", written=sum(len(a) for a in ids),
                      hashed=hashed.num_rows)
    report["read_s"] = round(time.perf_counter() - t0, 3)
    accounts = replace(source, name="contacts_accounts", querysets=source.querysets[1:],
                       whole=None, parallel=False)
    rows_schema = source.extra_schema
    raw.execute("CREATE OR REPLACE TEMPORARY TABLE __accounts (person_id BIGINT, "
                "phone VARCHAR, address VARCHAR, account_hash VARCHAR)")
    snap.append_batches(con, "__accounts", rows_schema, copy_batches(accounts, snapshot))
    load_table(con, "contacts", SCHEMAS["contacts"].empty_table())
    # The trainees' values two of them or more share (as registry.rules.contacts._SHARED, over
    # hashes instead of the values: equal exactly when the values are), then the accounts.
    raw.execute(f"""
        INSERT INTO contacts
        WITH c AS (
            SELECT person_id, kind, value_hash FROM {hashes}
            SEMI JOIN enrollments USING (person_id)
        ), shared AS (
            SELECT kind, value_hash FROM c GROUP BY kind, value_hash
            HAVING min(person_id) < max(person_id)
        )
        SELECT person_id, kind, value_hash FROM c SEMI JOIN shared USING (kind, value_hash)
        UNION ALL
        SELECT person_id, 'account', account_hash FROM __accounts WHERE account_hash <> ''
        """)
    raw.execute("DROP TABLE __accounts")
    rows = raw.execute("SELECT count(*) FROM contacts").fetchall()[0][0]
    report["seconds"] = round(time.perf_counter() - t0, 3)
    return con.table("contacts"), rows, report
