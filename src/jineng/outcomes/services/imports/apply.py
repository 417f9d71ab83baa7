"""Contribution records: the apply step. The good rows a records pass left in DuckDB's `final`
(`records.records_pass`), sorted by the record key, are COPYed into a PostgreSQL staging table
in the binary format (`pgcopy`; SQLite: executemany) and applied set-based, rows identical to
the stored ones left untouched (`apply_records`; docs/outcomes.md, "Imports")."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from pathlib import Path

from django.db import IntegrityError, connection, transaction

from jineng.outcomes.models import InsuranceImport, InsuranceRecord, InsuranceRecordRevision
from jineng.outcomes.services.imports import pgcopy
from jineng.outcomes.services.imports.common import APPLY_LOCK, READ_BYTES
from jineng.outcomes.services.imports.records import RecordsPass
from jineng.registry.models import Person

SQLITE_CHUNK = 20_000
BINARY_BATCH = 100_000  # rows per binary COPY write
WAGE_CENTS = "CAST(round(CAST(wage AS DECIMAL(12, 2)) * 100) AS BIGINT)"


class _Stage:
    """The temporary staging table of one import (dropped with the transaction's end or by
    `drop`), filled from DuckDB's `final` sorted by the record key (the upsert then walks the
    unique index in order). PostgreSQL: COPY; SQLite: executemany."""

    def __init__(self, import_id: int) -> None:
        self.name = f"outcomes_stage_{import_id}_{uuid.uuid4().hex[:8]}"
        self.pg = connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            if self.pg:
                cursor.execute(
                    f"CREATE TEMP TABLE {self.name} (id_hash varchar(64), "
                    "employer_code varchar(18), month date, region_id bigint, pension boolean, "
                    "unemployment boolean, injury boolean, wage_base numeric(10,2)) "
                    "ON COMMIT DROP")
            else:
                cursor.execute(
                    f"CREATE TEMP TABLE {self.name} (id_hash text, employer_code text, "
                    "month text, region_id integer, pension integer, unemployment integer, "
                    "injury integer, wage_base numeric)")

    def fill(self, prepared: RecordsPass) -> None:
        select = ("SELECT id_hash, employer, month, region_id, pension, unemployment, injury, "
                  "wage FROM final ORDER BY id_hash, employer, month")
        if self.pg:
            if not self._fill_binary(prepared):
                self._fill_text(prepared, select)
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {self.name}")
            return
        cursor_in = prepared.con.execute(select)
        with connection.cursor() as cursor:
            while chunk := cursor_in.fetchmany(SQLITE_CHUNK):
                cursor.executemany(
                    f"INSERT INTO {self.name} VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    [(h, e, m.isoformat(), r, int(p), int(u), int(i), w)
                     for h, e, m, r, p, u, i, w in chunk])

    def _fill_binary(self, prepared: RecordsPass) -> bool:
        """COPY in PostgreSQL's binary format (pgcopy), streamed batch by batch; False, with
        nothing sent, when a value does not fit the fixed widths (then the text format)."""
        con = prepared.con
        misfits = con.execute(
            f"SELECT count(*) FROM (SELECT *, {WAGE_CENTS} AS cents FROM final) WHERE "
            f"strlen(id_hash) <> {pgcopy.HASH_CHARS} OR strlen(employer) <> {pgcopy.CODE_CHARS} "
            f"OR cents IS NULL OR cents < 0 OR cents > {pgcopy.MAX_CENTS} OR month IS NULL "
            "OR region_id IS NULL OR pension IS NULL OR unemployment IS NULL OR injury IS NULL"
        ).fetchall()[0][0]
        if misfits:
            return False
        reader = con.sql(
            "SELECT id_hash, employer, month, region_id, pension, unemployment, injury, "
            f"{WAGE_CENTS} AS wage_cents FROM final ORDER BY id_hash, employer, month"
        ).to_arrow_reader(BINARY_BATCH)
        sql = f"COPY {self.name} FROM STDIN (FORMAT binary)"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.write(pgcopy.HEADER)
            for batch in reader:
                data = pgcopy.encode(batch)
                if data is None:  # the count above rules this out
                    raise RuntimeError("a staged row does not fit the binary COPY")
                copy.write(data)
            copy.write(pgcopy.TRAILER)
        return True

    def _fill_text(self, prepared: RecordsPass, select: str) -> None:
        path = Path(prepared.workdir) / "stage.tsv"
        # Every value is hex, a code of GB 32100 characters, a date, a number or a boolean:
        # nothing to quote or escape in COPY's text format.
        prepared.con.execute(f"COPY ({select}) TO '{path}' "
                             "(FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '')")
        with path.open("rb") as stream, connection.cursor() as cursor, \
                cursor.cursor.copy(f"COPY {self.name} FROM STDIN") as copy:
            while chunk := stream.read(READ_BYTES):
                copy.write(chunk)
        path.unlink()

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")


def apply_records(prepared: RecordsPass, imp: InsuranceImport, now: dt.datetime
                  ) -> tuple[int, int]:
    """Stage the good rows and write them set-based: (created, corrected). A record whose
    values change leaves its earlier values as a revision (the database's trigger, migration
    0003). PostgreSQL: the rows identical to the stored ones are left out before anything is
    written (`_apply_pg`); SQLite: one INSERT … ON CONFLICT DO UPDATE … WHERE values differ."""
    t = time.perf_counter()
    stage = _Stage(imp.pk)
    stage.fill(prepared)
    t = prepared.lap("stage", t)
    if stage.pg:
        counts = _apply_pg(stage, prepared, imp, now)
    else:
        changed = _upsert(stage, imp, now)
        corrected = InsuranceRecordRevision.objects.filter(replaced_by=imp).count()
        counts = (changed - corrected, corrected)
        prepared.lap("upsert", t)
    stage.drop()
    return counts


RECORD = InsuranceRecord._meta.db_table
PERSON = Person._meta.db_table
VALUES_DIFFER = ("{r}.employer_region_id <> {s}.region_id OR {r}.pension <> {s}.pension OR "
                 "{r}.unemployment <> {s}.unemployment OR {r}.injury <> {s}.injury OR "
                 "{r}.wage_base <> {s}.wage_base")

# PostgreSQL, in three statements (`_apply_pg`): one join of the staged rows with the records
# keeps the rows that are new or differ from the stored record (`todo`); unchanged rows are not
# touched at all (not even locked: their xmin and updated_at stay). The new ones are INSERTed
# without ON CONFLICT (speculative insertion costs ~40 % more per row), the differing ones
# UPDATEd by primary key (the trigger writes their revisions); each statement runs only when it
# has rows, with the statistics of `todo` (a re-sent file costs one join and nothing else). A
# record inserted meanwhile by another writer (linkage does not take the import lock) makes the
# INSERT fail on the unique key, and the upsert runs instead.
TODO_PG = f"""
CREATE TEMP TABLE {{todo}} ON COMMIT DROP AS
SELECT s.*, r.id AS record_id, p.id AS person_id FROM {{stage}} s
LEFT JOIN {RECORD} r ON r.id_hash = s.id_hash AND r.employer_code = s.employer_code
                     AND r.month = s.month
LEFT JOIN {PERSON} p ON p.id_hash = s.id_hash
WHERE r.id IS NULL OR {VALUES_DIFFER.format(r="r", s="s")}
ORDER BY s.ctid
"""
# `todo` keeps the staged (key) order (ORDER BY the staging rows' physical order, a cheap
# sort): new rows reach the unique index in key order, not in the join's hash order (which
# costs random index page reads and writes: 2× slower on a 1-million-row table).
INSERT_PG = f"""
INSERT INTO {RECORD} (id_hash, person_id, employer_code, employer_region_id, month, pension,
                      unemployment, injury, wage_base, source_import_id, link_id, updated_at)
SELECT t.id_hash, t.person_id, t.employer_code, t.region_id, t.month, t.pension,
       t.unemployment, t.injury, t.wage_base, %(import)s, NULL, %(now)s
FROM {{todo}} t WHERE t.record_id IS NULL
"""
UPDATE_PG = f"""
UPDATE {RECORD} r SET employer_region_id = t.region_id, pension = t.pension,
    unemployment = t.unemployment, injury = t.injury, wage_base = t.wage_base,
    source_import_id = %(import)s, updated_at = %(now)s,
    person_id = COALESCE(t.person_id, r.person_id)
FROM {{todo}} t WHERE r.id = t.record_id
"""
# Enough memory for the join of a province-month (a million staged rows) in one batch rather
# than 128 spilled to disk; this transaction only.
APPLY_WORK_MEM = "256MB"


def _apply_pg(stage: _Stage, prepared: RecordsPass, imp: InsuranceImport, now: dt.datetime
              ) -> tuple[int, int]:
    """Timed as "join" (finding what is new or changed) and "write"."""
    todo = f"{stage.name}_todo"
    params = {"import": imp.pk, "now": now}
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPLY_LOCK])
        # No JIT (its compilation took ~0.1 s per statement here): these statements spend
        # their time in index and heap writes, not in expression evaluation.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"SET LOCAL work_mem = '{APPLY_WORK_MEM}'")
        cursor.execute(TODO_PG.format(todo=todo, stage=stage.name))
        pending = cursor.rowcount
        t = prepared.lap("join", t)
        created = corrected = 0
        if pending:
            try:
                with transaction.atomic():
                    cursor.execute(INSERT_PG.format(todo=todo), params)
                    created = cursor.rowcount
            except IntegrityError:
                # Another writer inserted one of these records after the join: the upsert
                # settles each row against what is there now.
                changed = _upsert(stage, imp, now)
                corrected = InsuranceRecordRevision.objects.filter(replaced_by=imp).count()
                prepared.lap("write", t)
                return changed - corrected, corrected
            if created < pending:
                # Statistics, so that a few corrections are found by primary key.
                cursor.execute(f"ANALYZE {todo}")
                cursor.execute(UPDATE_PG.format(todo=todo), params)
                corrected = cursor.rowcount
        cursor.execute(f"DROP TABLE {todo}")
    prepared.lap("write", t)
    return created, corrected


def _upsert(stage: _Stage, imp: InsuranceImport, now: dt.datetime) -> int:
    """INSERT … ON CONFLICT DO UPDATE … WHERE the values differ: how many rows it wrote."""
    update_where = VALUES_DIFFER.format(r=RECORD, s="excluded").replace(
        "excluded.region_id", "excluded.employer_region_id")
    with connection.cursor() as cursor:
        if stage.pg:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPLY_LOCK])
        cursor.execute(
            f"INSERT INTO {RECORD} (id_hash, person_id, employer_code, employer_region_id, "
            f"month, pension, unemployment, injury, wage_base, source_import_id, link_id, "
            f"updated_at) SELECT s.id_hash, p.id, s.employer_code, s.region_id, s.month, "
            f"s.pension, s.unemployment, s.injury, s.wage_base, %s, NULL, %s "
            f"FROM {stage.name} s LEFT JOIN {PERSON} p ON p.id_hash = s.id_hash WHERE true "
            f"ON CONFLICT (id_hash, employer_code, month) DO UPDATE SET "
            f"employer_region_id = excluded.employer_region_id, pension = excluded.pension, "
            f"unemployment = excluded.unemployment, injury = excluded.injury, "
            f"wage_base = excluded.wage_base, source_import_id = excluded.source_import_id, "
            f"updated_at = excluded.updated_at, "
            f"person_id = COALESCE(excluded.person_id, {RECORD}.person_id) "
            f"WHERE {update_where}", [imp.pk, now])
        return cursor.rowcount
