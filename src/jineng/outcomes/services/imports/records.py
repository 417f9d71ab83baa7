"""Contribution records: the checks of every row, set-based in DuckDB, and the apply step.

A province's month is millions of rows, so no Python code runs per row (docs/outcomes.md,
"Imports"; benchmarks/outcomes_import.py):

- the rows go from the reader's Arrow batches into a DuckDB table (in memory, spilling to a
  temporary directory above the memory limit);
- the values that repeat across rows (employer codes, regions, months, flags, wage bases) are
  checked once per distinct value by the pure rules (`outcomes.rules.records`) and joined back;
- ID numbers are checked in SQL: GB 11643's shape, the 15 → 18 conversion, the check
  character, the birth date, and the keyed hash (HMAC-SHA256, `pii.keyed_hash_pads`). The
  SQL states the same rule as `core.validators.parse_resident_id`; a test compares both on
  valid, converted and garbled numbers. Numbers with non-ASCII characters (full-width digits)
  go through the Python rule, which folds them;
- duplicates inside the file are grouped in SQL; the good rows are left in DuckDB's `final`
  for the apply step (`imports.apply`: staged in PostgreSQL and written set-based).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from jineng.core import pii
from jineng.outcomes.choices import LinkReason
from jineng.outcomes.rules import records as rules
from jineng.outcomes.services.imports.common import (
    RECORD_COLUMNS,
    _add_link,
    _Checks,
    _LinkRow,
    _Pass,
    _row_key,
)
from jineng.outcomes.services.imports.reading import NeedRowNumbers, _Table, arrow_batches

# DuckDB works in memory up to this limit and spills to the import's temporary directory
# beyond it (its tables too): bounded memory without writing a database file, which cost a
# big file ~40 % of the read, checks and duplicates steps (docs/benchmarks.md).
DUCKDB_MEMORY = "1GB"
# Python's str.strip() removes these ASCII characters (str.isspace); the SQL trims the same.
ASCII_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643-1999
# Order of the checks in a row's report (the Python pass's order before it).
FIELD_ORDER = ("employer_code", "employer_region", "month", "wage_base", "pension",
               "unemployment", "injury", "name", "birth_date", "row")

RAW_COLUMNS = ("id_raw", "name", "birth_raw", "employer_raw", "region_raw", "month_raw",
               "p_raw", "u_raw", "i_raw", "wage_raw")


@dataclass
class RecordsPass:
    """What the checks leave for the apply step: the DuckDB connection holding `final` (the
    good rows, one per record key) and where it lives."""

    con: duckdb.DuckDBPyConnection
    workdir: str
    staged: int = 0
    # Seconds per step (read, checks, report, duplicates, stage, upsert): logged, and printed
    # by benchmarks/outcomes_import.py.
    timings: dict[str, float] = field(default_factory=dict)

    def lap(self, step: str, since: float) -> float:
        now = time.perf_counter()
        self.timings[step] = round(self.timings.get(step, 0.0) + now - since, 3)
        return now

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _connect() -> tuple[duckdb.DuckDBPyConnection, str]:
    workdir = tempfile.mkdtemp(prefix="jineng-import-")
    config = {"threads": 2, "memory_limit": DUCKDB_MEMORY, "temp_directory": workdir,
              "preserve_insertion_order": False}
    return duckdb.connect(":memory:", config=config), workdir


def _mapping(con: duckdb.DuckDBPyConnection, name: str, column: str,
             check: Callable[[str], tuple[Any, str]], value_type: pa.DataType,
             source: str = "raw") -> None:
    """Check each distinct value of a column once (the pure rules) into table `name`
    (raw, value, problem)."""
    distinct = con.sql(f"SELECT DISTINCT {column} AS raw FROM {source}").to_arrow_table()
    raws = distinct.column("raw").to_pylist() if distinct.num_rows else []
    values, problems = [], []
    for raw in raws:
        value, problem = check(raw)
        values.append(value)
        problems.append(problem)
    table = pa.table({"raw": pa.array(raws, type=pa.string()),
                      "value": pa.array(values, type=value_type),
                      "problem": pa.array(problems, type=pa.string())})
    con.register(f"{name}_arrow", table)
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")
    con.unregister(f"{name}_arrow")


def _id_sql(today: dt.date) -> str:
    """The identity of each distinct ASCII ID number as given: shape, 18-digit number, check,
    birth date, keyed hash; and for the others the reason and the birth date the digits carry
    (outcomes.rules.records.birth_date_in_id)."""
    digits = " + ".join(f"CAST(substr(first17, {i + 1}, 1) AS INTEGER) * {w}"
                        for i, w in enumerate(ID_WEIGHTS))
    return f"""
    WITH n AS (
        SELECT id_raw, upper(trim(id_raw, $space)) AS v FROM ids
        WHERE strlen(id_raw) = length(id_raw)
    ), s AS (
        SELECT *, CASE
            WHEN v = '' THEN 'empty'
            WHEN length(v) = 15 AND regexp_full_match(v, '[0-9]{{15}}') THEN 'id15'
            WHEN length(v) = 18 AND regexp_full_match(v, '[0-9]{{17}}[0-9X]') THEN 'id18'
            ELSE 'other' END AS shape
        FROM n
    ), f AS (
        SELECT *, CASE shape WHEN 'id15' THEN substr(v, 1, 6) || '19' || substr(v, 7, 9)
                             WHEN 'id18' THEN substr(v, 1, 17) END AS first17
        FROM s
    ), c AS (
        SELECT *, CASE WHEN first17 IS NOT NULL
                       THEN substr('10X98765432', (({digits}) % 11) + 1, 1) END AS check_char
        FROM f
    ), num AS (
        SELECT *, CASE shape WHEN 'id15' THEN first17 || check_char WHEN 'id18' THEN v END
                  AS number
        FROM c
    ), born AS (
        SELECT *, try_strptime(substr(number, 7, 8), '%Y%m%d')::DATE AS birth,
               CASE WHEN length(v) = 18 AND regexp_full_match(substr(v, 7, 8), '[0-9]{{8}}')
                    THEN try_strptime(substr(v, 7, 8), '%Y%m%d')::DATE END AS carried
        FROM num
    ), judged AS (
        SELECT *, coalesce(substr(number, 18, 1) = check_char
                           AND birth BETWEEN DATE '1900-01-01' AND DATE '{today.isoformat()}',
                           false) AS ok
        FROM born
    )
    SELECT id_raw, ok,
           CASE WHEN ok THEN sha256($opad || unhex(sha256($ipad || number::BLOB))) END
               AS id_hash,
           CASE WHEN ok THEN NULL WHEN shape = 'empty' THEN '{LinkReason.MISSING.value}'
                ELSE '{LinkReason.INVALID.value}' END AS reason,
           CASE WHEN ok THEN NULL ELSE v END AS id_value,
           CASE WHEN NOT ok AND carried BETWEEN DATE '1900-01-01' AND current_date
                THEN carried END AS id_birth
    FROM judged
    """


def _identities(con: duckdb.DuckDBPyConnection, checks: _Checks) -> None:
    con.execute("CREATE TABLE ids AS SELECT DISTINCT id_raw FROM raw")
    ipad, opad = pii.keyed_hash_pads()
    con.execute(f"CREATE TABLE identities AS {_id_sql(checks.today)}",
                {"space": ASCII_SPACE, "ipad": ipad, "opad": opad})
    others = con.execute("SELECT id_raw FROM ids WHERE strlen(id_raw) <> length(id_raw)"
                         ).fetchall()
    if not others:
        return
    rows: dict[str, list] = {k: [] for k in ("id_raw", "ok", "id_hash", "reason", "id_value",
                                             "id_birth")}
    for (raw,) in others:
        who = checks.identity(raw)
        rows["id_raw"].append(raw)
        rows["ok"].append(who[0] == "ok")
        rows["id_hash"].append(who[1] if who[0] == "ok" else None)
        rows["reason"].append(None if who[0] == "ok" else str(who[1]))
        rows["id_value"].append(None if who[0] == "ok" else who[2])
        rows["id_birth"].append(None if who[0] == "ok" else who[3])
    table = pa.table({"id_raw": pa.array(rows["id_raw"], pa.string()),
                      "ok": pa.array(rows["ok"], pa.bool_()),
                      "id_hash": pa.array(rows["id_hash"], pa.string()),
                      "reason": pa.array(rows["reason"], pa.string()),
                      "id_value": pa.array(rows["id_value"], pa.string()),
                      "id_birth": pa.array(rows["id_birth"], pa.date32())})
    con.register("others_arrow", table)
    con.execute("INSERT INTO identities SELECT * FROM others_arrow")
    con.unregister("others_arrow")


def _wage(raw: str) -> tuple[str | None, str]:
    if not raw:
        return None, "required"
    try:
        return str(rules.parse_wage(raw)), ""
    except rules.Bad as bad:
        return None, bad.code


def _flag(checks: _Checks) -> Callable[[str], tuple[bool | None, str]]:
    def check(raw: str) -> tuple[bool | None, str]:
        value = checks.flag(raw)
        return value, "" if value is not None else "flag_format"
    return check


def _required(check: Callable[[str], tuple[Any, str]], empty: Any
              ) -> Callable[[str], tuple[Any, str]]:
    def run(raw: str) -> tuple[Any, str]:
        return check(raw) if raw else (empty, "required")
    return run


def _load(con: duckdb.DuckDBPyConnection, table: _Table, state: _Pass,
          progress: Callable[[int], None]) -> None:
    con.execute("CREATE TABLE raw (row_no BIGINT, " + ", ".join(f"{c} VARCHAR"
                                                               for c in RAW_COLUMNS) + ")")
    names = [c.name for c in RECORD_COLUMNS]
    select = ", ".join(f'"{n}"' for n in names)
    blank = " AND ".join(f"\"{n}\" = ''" for n in names)

    def read(threads: bool) -> None:
        done = 0
        for batch in arrow_batches(table, RECORD_COLUMNS, threads=threads):
            con.register("batch", batch)
            con.execute(f"INSERT INTO raw SELECT row_no, {select} FROM batch "
                        f"WHERE NOT ({blank})")
            con.unregister("batch")
            done += batch.num_rows
            progress(done)

    try:
        read(threads=True)
    except NeedRowNumbers:
        con.execute("DELETE FROM raw")
        table.malformed.clear()
        read(threads=False)
    state.rows = con.execute("SELECT count(*) FROM raw").fetchall()[0][0] + len(table.malformed)


CHECKED_SQL = """
CREATE TABLE checked AS
SELECT r.row_no, r.name, r.birth_raw, i.ok, i.id_hash, i.reason, i.id_value, i.id_birth,
       e.value AS employer, e.problem AS employer_problem,
       g.value AS region_id, g.problem AS region_problem,
       TRY_CAST(m.value AS DATE) AS month, m.problem AS month_problem,
       w.value AS wage, w.problem AS wage_problem,
       fp.value AS pension, fu.value AS unemployment, fi.value AS injury,
       length(r.name) > 50 AS name_too_long
FROM raw r
JOIN identities i ON i.id_raw = r.id_raw
JOIN m_employer e ON e.raw = r.employer_raw
JOIN m_region g ON g.raw = r.region_raw
JOIN m_month m ON m.raw = r.month_raw
JOIN m_wage w ON w.raw = r.wage_raw
JOIN m_flag fp ON fp.raw = r.p_raw
JOIN m_flag fu ON fu.raw = r.u_raw
JOIN m_flag fi ON fi.raw = r.i_raw
"""

FIELDS_OK = ("employer_problem = '' AND region_problem = '' AND month_problem = '' AND "
             "wage_problem = '' AND pension IS NOT NULL AND unemployment IS NOT NULL AND "
             "injury IS NOT NULL")
NO_KIND = f"({FIELDS_OK}) AND NOT (pension OR unemployment OR injury)"
BAD = f"(NOT ({FIELDS_OK}) OR ({NO_KIND}) OR name_too_long)"

ERRORS_SQL = f"""
SELECT row_no, field, code FROM (
    SELECT row_no, 0 AS seq, 'employer_code' AS field, employer_problem AS code FROM checked
        WHERE employer_problem <> ''
    UNION ALL SELECT row_no, 1, 'employer_region', region_problem FROM checked
        WHERE region_problem <> ''
    UNION ALL SELECT row_no, 2, 'month', month_problem FROM checked WHERE month_problem <> ''
    UNION ALL SELECT row_no, 3, 'wage_base', wage_problem FROM checked WHERE wage_problem <> ''
    UNION ALL SELECT row_no, 4, 'pension', 'flag_format' FROM checked WHERE pension IS NULL
    UNION ALL SELECT row_no, 5, 'unemployment', 'flag_format' FROM checked
        WHERE unemployment IS NULL
    UNION ALL SELECT row_no, 6, 'injury', 'flag_format' FROM checked WHERE injury IS NULL
    UNION ALL SELECT row_no, 7, 'pension', 'no_kind' FROM checked WHERE {NO_KIND}
    UNION ALL SELECT row_no, 8, 'name', 'too_long' FROM checked WHERE name_too_long
) ORDER BY row_no, seq
"""


def records_pass(table: _Table, checks: _Checks, state: _Pass,
                 progress: Callable[[int], None]) -> RecordsPass:
    """Pass 1 over a records table: every row checked, set-based; bad rows reported, rows
    without a usable ID number kept for linkage, duplicates inside the file grouped; the good
    rows left in DuckDB's `final` for `stage_records`."""
    con, workdir = _connect()
    result = RecordsPass(con=con, workdir=workdir)
    try:
        t = time.perf_counter()
        _load(con, table, state, progress)
        t = result.lap("read", t)
        for number, cells in table.malformed:
            state.report.add(number, "row", "cells", cells=cells, width=table.width)
        _mapping(con, "m_employer", "employer_raw",
                 _required(lambda raw: checks.credit_code(raw, employer=True), ""), pa.string())
        _mapping(con, "m_region", "region_raw", _required(checks.region, 0), pa.int64())
        _mapping(con, "m_month", "month_raw", _required(checks.month, ""), pa.string())
        _mapping(con, "m_wage", "wage_raw", _wage, pa.string())
        con.execute("CREATE TABLE flags AS SELECT p_raw AS f FROM raw UNION "
                    "SELECT u_raw FROM raw UNION SELECT i_raw FROM raw")
        _mapping(con, "m_flag", "f", _flag(checks), pa.bool_(), source="flags")
        con.execute("DROP TABLE flags")
        _identities(con, checks)
        con.execute(CHECKED_SQL)
        con.execute("DROP TABLE raw")
        t = result.lap("checks", t)
        _report_errors(con, state)
        _links(con, checks, state)
        t = result.lap("report", t)
        result.staged = _duplicates(con, state)
        result.lap("duplicates", t)
        state.staged = result.staged
    except BaseException:
        result.close()
        raise
    return result


def _report_errors(con: duckdb.DuckDBPyConnection, state: _Pass) -> None:
    report = state.report
    cursor = con.execute(ERRORS_SQL)
    while chunk := cursor.fetchmany(10_000):
        for row_no, field_name, code in chunk:
            if code == "too_long":
                report.add(row_no, field_name, code, max=50)
            else:
                report.add(row_no, field_name, code)


def _links(con: duckdb.DuckDBPyConnection, checks: _Checks, state: _Pass) -> None:
    """Rows without a usable ID number: RecordLinks to be (nothing guessed)."""
    cursor = con.execute(
        f"SELECT row_no, name, birth_raw, reason, id_value, id_birth, employer, region_id, "
        f"month, pension, unemployment, injury, wage, {BAD} AS bad FROM checked "
        f"WHERE NOT ok ORDER BY row_no")
    report = state.report
    while chunk := cursor.fetchmany(10_000):
        for (number, name, birth_raw, reason, id_value, id_birth, employer, region_id, month,
             pension, unemployment, injury, wage, bad) in chunk:
            birth = None
            if birth_raw:
                birth, problem = checks.date(birth_raw)
                if problem:
                    report.add(number, "birth_date", problem)
                    bad = True
            if bad:
                continue
            name = (rules.normalize(name) if not name.isascii() else name.strip()
                    ).replace("\x00", "")
            birth = birth or id_birth
            id_given = (id_value or "").replace("\x00", "")
            month = month.isoformat()
            payload = {"employer_code": employer, "employer_region_id": region_id,
                       "month": month, "pension": bool(pension),
                       "unemployment": bool(unemployment), "injury": bool(injury),
                       "wage_base": wage}
            link = _LinkRow(row=number, reason=reason, name=name, birth_date=birth,
                            region_id=region_id, id_given=id_given, payload=payload)
            link.key = _row_key("records", name, birth, id_given, employer, month)
            _add_link(state, link, "conflict")


def _duplicates(con: duckdb.DuckDBPyConnection, state: _Pass) -> int:
    """Rows of the file with the same person, employer and month: identical ones count once
    (the later copies are left out), different ones are an error on each. Answers how many
    good rows remain (table `final`)."""
    con.execute(f"""
        CREATE TABLE good AS
        SELECT row_no, id_hash, employer, month, region_id, pension, unemployment, injury,
               wage, concat_ws('|', region_id, pension, unemployment, injury, wage) AS content
        FROM checked WHERE ok AND NOT {BAD}""")
    con.execute("DROP TABLE checked")
    # Grouped on a 64-bit hash of the key first (cheap), then exactly within those buckets.
    con.execute("""
        CREATE TABLE groups AS
        WITH buckets AS (
            SELECT hash(id_hash, employer, month) AS h FROM good GROUP BY h
            HAVING count(*) > 1)
        SELECT id_hash, employer, month, min(row_no) AS first, count(*) AS n,
               count(DISTINCT content) AS variants
        FROM good WHERE hash(id_hash, employer, month) IN (SELECT h FROM buckets)
        GROUP BY id_hash, employer, month HAVING count(*) > 1""")
    state.duplicates += con.execute(
        "SELECT coalesce(sum(n - 1), 0) FROM groups WHERE variants = 1").fetchall()[0][0]
    conflicts = con.execute("""
        SELECT g.first, list(s.row_no ORDER BY s.row_no) FROM groups g
        JOIN good s USING (id_hash, employer, month) WHERE g.variants > 1
        GROUP BY g.first ORDER BY g.first""").fetchall()
    for first, rows in conflicts:
        for row in rows:
            state.report.add(row, "row", "conflict", row=first if row != first else rows[1])
    con.execute("""
        CREATE TABLE final AS
        SELECT s.id_hash, s.employer, s.month, s.region_id, s.pension, s.unemployment,
               s.injury, s.wage
        FROM good s LEFT JOIN groups g USING (id_hash, employer, month)
        WHERE g.first IS NULL OR (g.variants = 1 AND s.row_no = g.first)""")
    con.execute("DROP TABLE good")
    return con.execute("SELECT count(*) FROM final").fetchall()[0][0]
