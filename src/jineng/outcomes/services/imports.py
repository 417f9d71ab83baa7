"""Importing social-insurance contribution records (参保缴费记录) and business registrations
from the social-insurance and market-regulation systems: files (CSV in UTF-8 or GBK, .xlsx)
of millions of rows, streamed, and API batches.

How a file goes in (docs/outcomes.md, "Imports"):

1. Pass 0 reads the bytes once: size limit, SHA-256 of the content, the encoding (UTF-8 with
   or without BOM, else GB18030/GBK, else a file error), the number of lines (the progress
   total) and the header row. A file already imported (same kind and content) answers that
   import: nothing counts twice.
2. Pass 1 streams the rows through the pure checks (outcomes.rules.records) with caches for
   the per-person and per-employer work, writing every good row to a temporary staging table
   (PostgreSQL: COPY; SQLite: executemany) and every bad one to the report. Rows whose ID
   number is missing or fails its check become RecordLinks (nothing guessed).
3. Duplicates inside the file are found in the staging table (identical: counted once;
   the same person, employer and month with other values: a row error on each).
4. A file with any bad row writes nothing (unless the user asked to skip bad rows); otherwise
   one set-based transaction writes revisions of the records it corrects, upserts the records
   (INSERT … ON CONFLICT DO UPDATE … WHERE the values differ) and creates the links.

Who imports: province and city HRSS staff, for employers (or businesses) registered inside
their own region; county staff and everyone else are refused.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.accounts.models import Role
from jineng.core import audit, pii
from jineng.core.errors import DomainError, Forbidden
from jineng.core.importing import Column, header_map
from jineng.core.models import AuditAction
from jineng.core.tabular import MAX_CELL_CHARS, header_key
from jineng.core.validators import (
    InvalidIdentifier,
    id_check_character,
    parse_credit_code,
    parse_resident_id,
)
from jineng.jobs import services as jobs
from jineng.jobs.tasks import JobRun, job_task
from jineng.outcomes.choices import BusinessKind, ImportKind, ImportSource, ImportStatus, LinkReason
from jineng.outcomes.models import (
    BusinessRegistration,
    InsuranceImport,
    InsuranceRecord,
    InsuranceRecordRevision,
    RecordLink,
)
from jineng.outcomes.rules import records as rules
from jineng.outcomes.services import linkage
from jineng.registry.models import Person, Region

__all__ = [
    "BUSINESS_COLUMNS",
    "MAX_BATCH_ROWS",
    "MAX_STORED_ERRORS",
    "RECORD_COLUMNS",
    "ImportOutcome",
    "insurance_import_file",
    "insurance_import_rows",
    "insurance_import_upload",
]

# Files read from disk (the command line, and uploads once stored): a national export is
# tens of GB split by month; one file of a province-month is well under this. Web uploads are
# held to the request limit (settings.JINENG_MAX_UPLOAD_BYTES) before they get here.
MAX_FILE_BYTES = getattr(settings, "OUTCOMES_IMPORT_MAX_BYTES", 4 * 1024 ** 3)
MAX_STORED_ERRORS = 1000  # InsuranceImport.errors keeps the first ones; error_rows counts all
MAX_BATCH_ROWS = 5000  # one API batch
CHUNK_ROWS = 20_000  # rows per staging write (SQLite) and per progress step
READ_BYTES = 1 << 20
CACHE_LIMIT = 2_000_000  # distinct ID numbers / codes kept per import before the caches reset
# Serializes the apply step of concurrent imports on PostgreSQL (a transaction-level lock):
# two imports touching the same record would otherwise race between revision and upsert.
APPLY_LOCK = 7_311_001
HRSS_IMPORTERS = {Role.PROVINCE_STAFF, Role.CITY_STAFF}

RECORD_COLUMNS = [
    Column("id_number", "公民身份号码", required=True,
           help=gettext_lazy("18 digits (old 15-digit numbers are converted); a missing or "
                             "failing number is kept for linkage, not guessed")),
    Column("name", "姓名", required=True, max_length=50),
    Column("birth_date", "出生日期", help=gettext_lazy("optional; helps linkage")),
    Column("employer_code", "单位统一社会信用代码", required=True),
    Column("employer_region", "单位所在地区划代码", required=True,
           help=gettext_lazy("a county (district) code inside your region")),
    Column("month", "缴费年月", required=True, help=gettext_lazy("YYYY-MM or YYYYMM")),
    Column("pension", "养老保险", help=gettext_lazy("1/0 or 是/否")),
    Column("unemployment", "失业保险", help=gettext_lazy("1/0 or 是/否")),
    Column("injury", "工伤保险", help=gettext_lazy("1/0 or 是/否")),
    Column("wage_base", "缴费工资基数", required=True, help=gettext_lazy("yuan a month")),
]
BUSINESS_COLUMNS = [
    Column("credit_code", "统一社会信用代码", required=True),
    Column("kind", "市场主体类型", required=True,
           help=gettext_lazy("individual (个体工商户) or enterprise (企业)")),
    Column("name", "名称", required=True, max_length=200),
    Column("legal_person_id", "经营者身份号码", required=True),
    Column("legal_person_name", "经营者姓名", required=True, max_length=50),
    Column("legal_person_birth_date", "经营者出生日期"),
    Column("founded_on", "成立日期", required=True),
    Column("closed_on", "注销日期"),
    Column("region", "登记机关区划代码", required=True),
]
COLUMNS = {ImportKind.RECORDS: RECORD_COLUMNS, ImportKind.BUSINESSES: BUSINESS_COLUMNS}

MESSAGES = {
    "required": gettext_lazy("This field is required."),
    "too_long": gettext_lazy("At most %(max)s characters."),
    "employer_invalid": gettext_lazy("Unknown or invalid employer code: not a unified social "
                                     "credit code (GB 32100)."),
    "employer_check": gettext_lazy("Unknown or invalid employer code: its check character "
                                   "does not match (GB 32100)."),
    "credit_invalid": gettext_lazy("Not a valid unified social credit code (GB 32100)."),
    "region_unknown": gettext_lazy("Unknown region code."),
    "region_not_county": gettext_lazy("The region must be a county (district) or below."),
    "region_outside": gettext_lazy("The region is outside your jurisdiction."),
    "month_format": gettext_lazy("The month must be written YYYY-MM or YYYYMM."),
    "month_too_early": gettext_lazy("Months before 1990-01 are not imported."),
    "month_future": gettext_lazy("The month is after the current month."),
    "wage_format": gettext_lazy("The wage base must be an amount in yuan with at most two "
                                "decimals."),
    "wage_not_positive": gettext_lazy("The wage base must be above 0."),
    "wage_too_high": gettext_lazy("The wage base is above 100000 yuan a month: check the "
                                  "amount."),
    "flag_format": gettext_lazy("Write 1 or 0 (是 or 否)."),
    "no_kind": gettext_lazy("At least one insurance kind (pension, unemployment, work injury) "
                            "must be paid."),
    "date_format": gettext_lazy("The date must be written YYYY-MM-DD."),
    "date_future": gettext_lazy("The date is in the future."),
    "kind_format": gettext_lazy("The kind must be individual (个体工商户) or enterprise (企业)."),
    "closed_before_founded": gettext_lazy("Deregistered before it was founded."),
    "conflict": gettext_lazy("The same person, employer and month is in row %(row)s with other "
                             "values."),
    "business_conflict": gettext_lazy("The same credit code is in row %(row)s with other "
                                      "values."),
}

KIND_WORDS = {"INDIVIDUAL": BusinessKind.INDIVIDUAL, "个体工商户": BusinessKind.INDIVIDUAL,
              "个体": BusinessKind.INDIVIDUAL, "ENTERPRISE": BusinessKind.ENTERPRISE,
              "企业": BusinessKind.ENTERPRISE}


@dataclass
class ImportOutcome:
    """What an import call answers: the import (new, or the earlier one with the same
    content when `repeated`)."""

    record: InsuranceImport
    repeated: bool = False


# --- who may import -------------------------------------------------------------------------

def _ensure_importer(actor) -> Region:
    """Province and city HRSS staff import, for their own region; the import belongs to it."""
    if not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("Log in to import social-insurance records."))
    role_ok = getattr(actor, "role", "") in HRSS_IMPORTERS or getattr(actor, "is_superuser",
                                                                       False)
    if not role_ok:
        raise Forbidden(_("Only province and city HRSS staff import social-insurance records "
                          "and business registrations."))
    region = getattr(actor, "region", None)
    if region is None:
        raise Forbidden(_("An import belongs to a region: use an account of a province or city "
                          "office."))
    return region


def _kind(kind: str) -> str:
    if kind not in ImportKind.values:
        raise DomainError(_("Unknown import kind: records or businesses."), field="kind",
                          code="invalid")
    return kind


# --- reading --------------------------------------------------------------------------------

@dataclass
class _Table:
    """A file or batch as a stream of rows: the header's positions of the canonical columns,
    and (row number, cells) with the header as row 1."""

    sha256: str
    total: int
    positions: dict[str, int]
    rows: Callable[[], Iterator[tuple[int, list[str]]]]
    filename: str = ""


def _file_error(message: str, code: str = "file") -> DomainError:
    return DomainError(message, field="file", code=code)


def _positions(titles: Sequence[Any], columns: Sequence[Column]) -> dict[str, int]:
    headers = header_map(columns)
    positions: dict[str, int] = {}
    unknown = []
    for index, title in enumerate(titles):
        key = header_key(title)
        canonical = headers.get(key, headers.get(key.lower(), ""))
        if canonical:
            positions.setdefault(canonical, index)
        elif key:
            unknown.append(key)
    if unknown:
        raise _file_error(
            _("Unknown columns: %(cols)s. Accepted columns: %(accepted)s. Remove or rename "
              "them; nothing was imported.")
            % {"cols": ", ".join(f"“{t}”" for t in unknown),
               "accepted": ", ".join(f"{c.label} ({c.name})" for c in columns)},
            "unknown_columns")
    missing = [c for c in columns if c.required and c.name not in positions]
    if missing:
        raise _file_error(_("Missing required columns: %(cols)s")
                          % {"cols": ", ".join(f"{c.label} ({c.name})" for c in missing)},
                          "missing_columns")
    return positions


def _check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise _file_error(_("The file is larger than %(gb)s GB; split it by month.")
                          % {"gb": round(MAX_FILE_BYTES / 1024 ** 3, 1)}, "too_large")
    if size == 0:
        raise _file_error(_("The file is empty."), "empty")


def _scan(path: Path) -> tuple[str, str | None, int]:
    """SHA-256, encoding (None when not text in UTF-8 or GBK) and the number of lines, in one
    read. UTF-8 is tried first; GB18030 (a superset of GBK) only when UTF-8 fails."""
    digest = hashlib.sha256()
    lines = 0
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    encoding: str | None = "utf-8-sig"
    with path.open("rb") as stream:
        while chunk := stream.read(READ_BYTES):
            digest.update(chunk)
            lines += chunk.count(b"\n")
            if encoding is not None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    encoding = None
        if encoding is not None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                encoding = None
    if encoding is None:
        decoder = codecs.getincrementaldecoder("gb18030")()
        encoding = "gb18030"
        with path.open("rb") as stream:
            try:
                while chunk := stream.read(READ_BYTES):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                encoding = None
    return digest.hexdigest(), encoding, lines


def _csv_table(path: Path, columns: Sequence[Column]) -> _Table:
    sha, encoding, lines = _scan(path)
    if encoding is None:
        raise _file_error(_("The file is neither UTF-8 nor GBK text: save it as CSV in UTF-8 "
                            "(or GBK) and send it again."), "encoding")

    def reader(stream) -> Iterator[list[str]]:
        rows = csv.reader(io.TextIOWrapper(stream, encoding=encoding, newline=""))
        try:
            yield from rows
        except csv.Error as exc:
            raise _file_error(
                _("Line %(line)d of the file cannot be read: a cell is longer than %(limit)d "
                  "characters, or holds a control character.")
                % {"line": rows.line_num, "limit": MAX_CELL_CHARS}, "cell_too_large") from exc

    with path.open("rb") as stream:
        header = next(reader(stream), None)
    if not header:
        raise _file_error(_("The file is empty."), "empty")
    positions = _positions(header, columns)

    def rows() -> Iterator[tuple[int, list[str]]]:
        with path.open("rb") as stream:
            it = reader(stream)
            next(it, None)
            yield from enumerate(it, start=2)

    return _Table(sha256=sha, total=max(lines - 1, 0), positions=positions, rows=rows)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        # A NUL cannot be stored in PostgreSQL text (CSV files refuse it in the csv module).
        return value.replace("\x00", "")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _xlsx_table(path: Path, columns: Sequence[Column]) -> _Table:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(READ_BYTES):
            digest.update(chunk)

    def open_sheet():
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise _file_error(_("The Excel file cannot be read: %(error)s") % {"error": exc},
                              "xlsx") from exc
        return book, book.worksheets[0]

    book, sheet = open_sheet()
    try:
        total = max((sheet.max_row or 1) - 1, 0)
        header = next(sheet.iter_rows(max_row=1, values_only=True), None)
    finally:
        book.close()
    if not header:
        raise _file_error(_("The file is empty."), "empty")
    positions = _positions(header, columns)

    def rows() -> Iterator[tuple[int, list[str]]]:
        book, sheet = open_sheet()
        try:
            for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True),
                                            start=2):
                yield number, [_cell(v) for v in values]
        finally:
            book.close()

    return _Table(sha256=digest.hexdigest(), total=total, positions=positions, rows=rows)


def _file_table(path: Path, filename: str, columns: Sequence[Column]) -> _Table:
    _check_size(path.stat().st_size)
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _xlsx_table(path, columns)
    elif name.endswith((".csv", ".txt")):
        table = _csv_table(path, columns)
    else:
        raise _file_error(_("Upload a .csv or .xlsx file."), "format")
    table.filename = filename
    return table


def _batch_table(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> _Table:
    if not rows:
        raise DomainError(_("The batch holds no rows."), field="rows", code="empty")
    if len(rows) > MAX_BATCH_ROWS:
        raise DomainError(_("At most %(n)s rows in one batch.") % {"n": MAX_BATCH_ROWS},
                          field="rows", code="too_many")
    names = [c.name for c in columns]
    cells = [[_cell(row.get(n)) for n in names] for row in rows]
    # Row n of a batch is its position from 1 (a file's header is row 1; a batch has none).
    digest = hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).hexdigest()
    return _Table(sha256=digest, total=len(cells), positions={n: i for i, n in enumerate(names)},
                  rows=lambda: enumerate(cells, start=1))


# --- the per-row checks -----------------------------------------------------------------------

class _Report:
    """Row errors as they are found: the first MAX_STORED_ERRORS kept, every bad row counted."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []
        self.bad_rows: set[int] = set()

    def add(self, number: int, field_name: str, code: str, /, **params: Any) -> None:
        self.bad_rows.add(number)
        if len(self.errors) < MAX_STORED_ERRORS:
            message = str(MESSAGES[code])
            self.errors.append({"row": number, "field": field_name,
                                "message": message % params if params else message})

    @property
    def count(self) -> int:
        return len(self.bad_rows)


class _Checks:
    """Cached checks of the values that repeat across rows (the same person every month, the
    same employers, regions and months)."""

    def __init__(self, importer_region: Region, today: dt.date) -> None:
        self.prefix = importer_region.scope_prefix
        self.latest = (today.year, today.month)
        self.today = today
        self.ids: dict[str, tuple] = {}
        self.codes: dict[str, tuple[str, str]] = {}
        self.regions: dict[str, tuple[int, str]] = {}
        self.months: dict[str, tuple[str, str]] = {}
        self.flags: dict[str, bool | None] = {}
        self.known: dict[str, tuple[int, str]] | None = None

    def identity(self, raw: str) -> tuple:
        """("ok", keyed hash) or ("link", reason, number as given, birth date or None)."""
        hit = self.ids.get(raw)
        if hit is not None:
            return hit
        if len(self.ids) > CACHE_LIMIT:
            self.ids.clear()
        value = rules.normalize(raw)
        shape = rules.id_shape(value)
        result: tuple
        if shape == "empty":
            result = ("link", LinkReason.MISSING, "", None)
        else:
            number = rules.upgrade_id15(value, id_check_character) if shape == "id15" else value
            try:
                parsed = parse_resident_id(number, today=self.today) if shape != "other" \
                    else None
            except InvalidIdentifier:
                parsed = None
            if parsed is None:
                result = ("link", LinkReason.INVALID, value, rules.birth_date_in_id(value))
            else:
                result = ("ok", pii.keyed_hash(parsed.number))
        self.ids[raw] = result
        return result

    def credit_code(self, raw: str, *, employer: bool) -> tuple[str, str]:
        """(code, "") or ("", error code)."""
        hit = self.codes.get(raw)
        if hit is None:
            try:
                parsed = parse_credit_code(raw)
            except InvalidIdentifier:
                hit = ("", "invalid")
            else:
                hit = (parsed.code, "") if parsed.check_ok else ("", "check")
            if len(self.codes) > CACHE_LIMIT:
                self.codes.clear()
            self.codes[raw] = hit
        if hit[1]:
            prefix = "employer" if employer else "credit"
            return "", "employer_check" if hit[1] == "check" and employer else f"{prefix}_invalid"
        return hit

    def region(self, raw: str) -> tuple[int, str]:
        """(region id, "") or (0, error code). The importer's regions are read once before the
        pass (no query while a COPY is open)."""
        hit = self.regions.get(raw)
        if hit is None:
            if self.known is None:
                self.known = {code: (pk, level) for code, pk, level in Region.objects.filter(
                    code__startswith=self.prefix).values_list("code", "id", "level")}
            code = rules.normalize(raw)
            found = self.known.get(code)
            if found is None:
                hit = (0, "region_outside" if len(code) >= 6 and code.isdigit()
                       and not code.startswith(self.prefix) else "region_unknown")
            else:
                problem = rules.region_importable(code, found[1], self.prefix)
                hit = (0, problem) if problem else (found[0], "")
            self.regions[raw] = hit
        return hit

    def month(self, raw: str) -> tuple[str, str]:
        hit = self.months.get(raw)
        if hit is None:
            try:
                hit = (rules.parse_month(raw, latest=self.latest).isoformat(), "")
            except rules.Bad as bad:
                hit = ("", bad.code)
            self.months[raw] = hit
        return hit

    def flag(self, raw: str) -> bool | None:
        hit = self.flags.get(raw, 0)
        if hit == 0:
            try:
                hit = rules.parse_flag(raw)
            except rules.Bad:
                hit = None
            self.flags[raw] = hit
        return hit  # type: ignore[return-value]

    def date(self, raw: str) -> tuple[dt.date | None, str]:
        try:
            value = rules.parse_date(raw)
        except rules.Bad as bad:
            return None, bad.code
        return (None, "date_future") if value > self.today else (value, "")


def _getter(positions: dict[str, int], columns: Sequence[Column]) -> Callable[[list[str]], list]:
    """cells → the canonical columns' values in column order ("" where absent)."""
    order = [positions.get(c.name, -1) for c in columns]

    def get(cells: list[str]) -> list[str]:
        n = len(cells)
        return [cells[i] if 0 <= i < n else "" for i in order]

    return get


def _row_key(*parts: Any) -> str:
    text = "|".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class _LinkRow:
    row: int
    reason: str
    name: str
    birth_date: dt.date | None
    region_id: int
    id_given: str
    payload: dict[str, Any]
    key: str = ""


@dataclass
class _Pass:
    report: _Report = field(default_factory=_Report)
    rows: int = 0
    staged: int = 0
    duplicates: int = 0
    links: dict[str, _LinkRow] = field(default_factory=dict)


def _add_link(state: _Pass, link: _LinkRow, conflict_code: str) -> None:
    seen = state.links.get(link.key)
    if seen is None:
        state.links[link.key] = link
    elif seen.payload == link.payload:
        state.duplicates += 1
    else:
        state.report.add(link.row, "row", conflict_code, row=seen.row)


# --- records: staging ---------------------------------------------------------------------------

STAGE_COLUMNS = ("row_number", "id_hash", "employer_code", "month", "region_id", "pension",
                 "unemployment", "injury", "wage_base", "content")


class _Stage:
    """The temporary staging table of one import (dropped with the transaction's end or by
    `drop`). PostgreSQL: COPY in text format; SQLite: executemany."""

    def __init__(self, import_id: int) -> None:
        self.name = f"outcomes_stage_{import_id}_{uuid.uuid4().hex[:8]}"
        self.pg = connection.vendor == "postgresql"
        self.buffer: list[Any] = []
        self._file = None
        with connection.cursor() as cursor:
            if self.pg:
                cursor.execute(
                    f"CREATE TEMP TABLE {self.name} (row_number integer, id_hash varchar(64), "
                    "employer_code varchar(18), month date, region_id bigint, pension boolean, "
                    "unemployment boolean, injury boolean, wage_base numeric(10,2), "
                    "content text) ON COMMIT DROP")
            else:
                cursor.execute(
                    f"CREATE TEMP TABLE {self.name} (row_number integer, id_hash text, "
                    "employer_code text, month text, region_id integer, pension integer, "
                    "unemployment integer, injury integer, wage_base numeric, content text)")

    def open(self) -> None:
        if self.pg:
            # The pass writes COPY text into a temporary file first and COPYs it afterwards:
            # the connection stays free meanwhile for the job's progress writes (psycopg holds
            # the connection for the whole of an open COPY).
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()

    def add(self, row: tuple) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        if self.pg:
            # Every value is digits, hex, a code of GB 32100 letters, an ISO date or t/f: no
            # tab, newline or backslash to escape.
            self._file.write("".join("\t".join(r) + "\n" for r in self.buffer).encode())
        else:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {self.name} VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [(int(r[0]), r[1], r[2], r[3], int(r[4]), r[5] == "t", r[6] == "t",
                      r[7] == "t", r[8], r[9]) for r in self.buffer])
        self.buffer = []

    def close(self) -> None:
        self.flush()
        if self._file is None:
            return
        try:
            self._file.seek(0)
            with connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {self.name} FROM STDIN") as copy:
                    while chunk := self._file.read(READ_BYTES):
                        copy.write(chunk)
                cursor.execute(f"ANALYZE {self.name}")
        finally:
            self._file.close()
            self._file = None

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")


def _records_pass(table: _Table, checks: _Checks, stage: _Stage, state: _Pass,
                  progress: Callable[[int], None]) -> None:
    """Pass 1 over a records table: every row checked; good rows staged, bad ones reported,
    rows without a usable ID number kept for linkage."""
    get = _getter(table.positions, RECORD_COLUMNS)
    report = state.report
    identity, credit, region, month, flag = (checks.identity, checks.credit_code,
                                            checks.region, checks.month, checks.flag)
    wages: dict[str, str] = {}
    for number, cells in table.rows():
        values = get(cells)
        (id_raw, name, birth_raw, employer_raw, region_raw, month_raw, p_raw, u_raw, i_raw,
         wage_raw) = values
        if not any(values):
            continue
        state.rows += 1
        if state.rows % CHUNK_ROWS == 0:
            progress(state.rows)
        bad = False
        employer, problem = credit(employer_raw, employer=True) if employer_raw else ("",
                                                                                      "required")
        if problem:
            report.add(number, "employer_code", problem)
            bad = True
        region_id, problem = region(region_raw) if region_raw else (0, "required")
        if problem:
            report.add(number, "employer_region", problem)
            bad = True
        month_iso, problem = month(month_raw) if month_raw else ("", "required")
        if problem:
            report.add(number, "month", problem)
            bad = True
        wage = wages.get(wage_raw)
        if wage is None:
            if not wage_raw:
                report.add(number, "wage_base", "required")
                bad = True
            else:
                try:
                    wage = str(rules.parse_wage(wage_raw))
                    if len(wages) < 100_000:
                        wages[wage_raw] = wage
                except rules.Bad as error:
                    report.add(number, "wage_base", error.code)
                    bad = True
        kinds = [flag(p_raw), flag(u_raw), flag(i_raw)]
        for fname, value in zip(("pension", "unemployment", "injury"), kinds, strict=True):
            if value is None:
                report.add(number, fname, "flag_format")
                bad = True
        if not bad and not any(kinds):
            report.add(number, "pension", "no_kind")
            bad = True
        if len(name) > 50:
            report.add(number, "name", "too_long", max=50)
            bad = True
        who = identity(id_raw)
        if who[0] == "link":
            birth = None
            if birth_raw:
                birth, problem = checks.date(birth_raw)
                if problem:
                    report.add(number, "birth_date", problem)
                    bad = True
            if bad:
                continue
            name = rules.normalize(name) if not name.isascii() else name.strip()
            birth = birth or who[3]
            payload = {"employer_code": employer, "employer_region_id": region_id,
                       "month": month_iso, "pension": bool(kinds[0]),
                       "unemployment": bool(kinds[1]), "injury": bool(kinds[2]),
                       "wage_base": wage}
            link = _LinkRow(row=number, reason=who[1], name=name, birth_date=birth,
                            region_id=region_id, id_given=who[2], payload=payload)
            link.key = _row_key("records", name, birth, who[2], employer, month_iso)
            _add_link(state, link, "conflict")
            continue
        if bad:
            continue
        flags = "".join("t" if k else "f" for k in kinds)
        stage.add((str(number), who[1], employer, month_iso, str(region_id), flags[0], flags[1],
                   flags[2], wage, f"{region_id}|{flags}|{wage}"))
        state.staged += 1
    progress(state.rows)


def _stage_duplicates(stage: _Stage, state: _Pass) -> None:
    """Rows of the file with the same person, employer and month: identical ones are counted
    once (the later copies leave the staging table), different ones are errors on each."""
    key = "s.id_hash = g.id_hash AND s.employer_code = g.employer_code AND s.month = g.month"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.row_number, g.first, g.variants FROM {stage.name} s JOIN ("
            f"SELECT id_hash, employer_code, month, MIN(row_number) AS first, "
            f"COUNT(DISTINCT content) AS variants FROM {stage.name} "
            f"GROUP BY id_hash, employer_code, month HAVING COUNT(*) > 1) g ON {key} "
            f"ORDER BY s.row_number")
        found = cursor.fetchall()
        if not found:
            return
        drop = []
        groups: dict[int, list[int]] = {}
        for row, first, variants in found:
            if variants > 1:
                groups.setdefault(first, []).append(row)
                drop.append(row)
            elif row != first:
                state.duplicates += 1
                drop.append(row)
        for first, rows in groups.items():
            others = [r for r in rows if r != first]
            for row in rows:
                state.report.add(row, "row", "conflict",
                                 row=first if row != first else others[0])
        for start in range(0, len(drop), 5000):
            part = drop[start:start + 5000]
            cursor.execute(f"DELETE FROM {stage.name} WHERE row_number IN "
                           f"({', '.join(['%s'] * len(part))})", part)
        state.staged -= len(drop)


def _apply_records(stage: _Stage, imp: InsuranceImport, now: dt.datetime) -> tuple[int, int]:
    """Revisions of the records this import changes, then one upsert: (created, corrected)."""
    record = InsuranceRecord._meta.db_table
    revision = InsuranceRecordRevision._meta.db_table
    person = Person._meta.db_table
    def differs(t: str, x: str, region: str) -> str:
        return (f"{t}.employer_region_id <> {x}.{region} OR {t}.pension <> {x}.pension OR "
                f"{t}.unemployment <> {x}.unemployment OR {t}.injury <> {x}.injury OR "
                f"{t}.wage_base <> {x}.wage_base")

    with connection.cursor() as cursor:
        if stage.pg:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPLY_LOCK])
        cursor.execute(
            f"INSERT INTO {revision} (record_id, employer_region_id, pension, unemployment, "
            f"injury, wage_base, previous_import_id, replaced_by_id, replaced_at) "
            f"SELECT t.id, t.employer_region_id, t.pension, t.unemployment, t.injury, "
            f"t.wage_base, t.source_import_id, %s, %s FROM {stage.name} s JOIN {record} t "
            f"ON t.id_hash = s.id_hash AND t.employer_code = s.employer_code "
            f"AND t.month = s.month WHERE {differs('t', 's', 'region_id')}", [imp.pk, now])
        corrected = cursor.rowcount
        update_where = differs(record, "excluded", "employer_region_id")
        cursor.execute(
            f"INSERT INTO {record} (id_hash, person_id, employer_code, employer_region_id, "
            f"month, pension, unemployment, injury, wage_base, source_import_id, link_id, "
            f"updated_at) SELECT s.id_hash, p.id, s.employer_code, s.region_id, s.month, "
            f"s.pension, s.unemployment, s.injury, s.wage_base, %s, NULL, %s "
            f"FROM {stage.name} s LEFT JOIN {person} p ON p.id_hash = s.id_hash WHERE true "
            f"ON CONFLICT (id_hash, employer_code, month) DO UPDATE SET "
            f"employer_region_id = excluded.employer_region_id, pension = excluded.pension, "
            f"unemployment = excluded.unemployment, injury = excluded.injury, "
            f"wage_base = excluded.wage_base, source_import_id = excluded.source_import_id, "
            f"updated_at = excluded.updated_at, "
            f"person_id = COALESCE(excluded.person_id, {record}.person_id) "
            f"WHERE {update_where}", [imp.pk, now])
        changed = cursor.rowcount
    return changed - corrected, corrected


# --- businesses ---------------------------------------------------------------------------------

BUSINESS_FIELDS = ("kind", "name", "legal_person_hash", "founded_on", "closed_on", "region_id")


def _businesses_pass(table: _Table, checks: _Checks, state: _Pass,
                     progress: Callable[[int], None]) -> dict[str, tuple[int, dict]]:
    """Pass 1 over business registrations: {credit code: (row, values)} of the good rows
    (registrations are far fewer than contribution months: held in memory)."""
    get = _getter(table.positions, BUSINESS_COLUMNS)
    report = state.report
    good: dict[str, tuple[int, dict]] = {}
    for number, cells in table.rows():
        values = get(cells)
        if not any(values):
            continue
        (code_raw, kind_raw, name, id_raw, person_name, birth_raw, founded_raw, closed_raw,
         region_raw) = values
        state.rows += 1
        if state.rows % CHUNK_ROWS == 0:
            progress(state.rows)
        bad = False

        def fail(fname: str, code: str, **params: Any) -> None:
            nonlocal bad
            report.add(number, fname, code, **params)  # noqa: B023 - called in this iteration
            bad = True

        code, problem = checks.credit_code(code_raw, employer=False) if code_raw else ("",
                                                                                      "required")
        if problem:
            fail("credit_code", problem)
        kind = KIND_WORDS.get(rules.normalize(kind_raw))
        if kind is None:
            fail("kind", "kind_format" if kind_raw else "required")
        name = name.strip()
        if not name:
            fail("name", "required")
        elif len(name) > 200:
            fail("name", "too_long", max=200)
        person_name = person_name.strip()
        if len(person_name) > 50:
            fail("legal_person_name", "too_long", max=50)
        founded, problem = checks.date(founded_raw) if founded_raw else (None, "required")
        if problem:
            fail("founded_on", problem)
        closed = None
        if closed_raw:
            closed, problem = checks.date(closed_raw)
            if problem:
                fail("closed_on", problem)
            elif founded and closed < founded:
                fail("closed_on", "closed_before_founded")
        region_id, problem = checks.region(region_raw) if region_raw else (0, "required")
        if problem:
            fail("region", problem)
        birth = None
        if birth_raw:
            birth, problem = checks.date(birth_raw)
            if problem:
                fail("legal_person_birth_date", problem)
        if bad:
            continue
        who = checks.identity(id_raw)
        row = {"kind": kind, "name": name, "legal_person_hash": who[1] if who[0] == "ok" else "",
               "founded_on": founded, "closed_on": closed, "region_id": region_id}
        seen = good.get(code)
        if seen is not None:
            if seen[1] == row:
                state.duplicates += 1
            else:
                report.add(number, "row", "business_conflict", row=seen[0])
            continue
        good[code] = (number, row)
        if who[0] == "link":
            link = _LinkRow(row=number, reason=who[1], name=person_name,
                            birth_date=birth or who[3], region_id=region_id, id_given=who[2],
                            payload={"credit_code": code})
            link.key = _row_key("businesses", person_name, link.birth_date, who[2], code)
            state.links[link.key] = link
    progress(state.rows)
    return good


def _apply_businesses(good: dict[str, tuple[int, dict]], imp: InsuranceImport,
                      now: dt.datetime, links: dict[str, RecordLink]) -> tuple[int, int, int]:
    """Create, correct (earlier values appended to `history`) or leave each registration."""
    created = corrected = unchanged = 0
    codes = list(good)
    by_code_link = {link.payload.get("credit_code"): link for link in links.values()}
    for start in range(0, len(codes), 2000):
        part = codes[start:start + 2000]
        existing = {b.credit_code: b for b in
                    BusinessRegistration.objects.select_for_update().filter(credit_code__in=part)}
        hashes = {row["legal_person_hash"] for _n, row in (good[c] for c in part)} - {""}
        persons = dict(Person.objects.filter(id_hash__in=hashes).values_list("id_hash", "id"))
        new, changed = [], []
        for code in part:
            row = good[code][1]
            link = by_code_link.get(code)
            person_id = persons.get(row["legal_person_hash"])
            current = existing.get(code)
            if current is None:
                new.append(BusinessRegistration(
                    credit_code=code, source_import=imp, person_id=person_id,
                    link=link, **row))
                continue
            before = {f: getattr(current, f) for f in BUSINESS_FIELDS}
            if before == row:
                unchanged += 1
                continue
            entry = {"import": current.source_import_id, "at": now.isoformat(),
                     **{f: (v.isoformat() if isinstance(v, dt.date) else v)
                        for f, v in before.items()}}
            current.history = [*current.history, entry]
            for f, v in row.items():
                setattr(current, f, v)
            current.person_id = person_id or (current.person_id if row["legal_person_hash"]
                                              == before["legal_person_hash"] else None)
            current.link = link or current.link
            current.source_import = imp
            current.updated_at = now
            changed.append(current)
        BusinessRegistration.objects.bulk_create(new)
        BusinessRegistration.objects.bulk_update(
            changed, [*BUSINESS_FIELDS, "person_id", "link", "source_import", "history",
                      "updated_at"])
        created += len(new)
        corrected += len(changed)
    return created, corrected, unchanged


# --- links ----------------------------------------------------------------------------------------

def _write_links(state: _Pass, imp: InsuranceImport, kind: str) -> dict[str, RecordLink]:
    """The rows without a usable ID number as RecordLinks; a row sent again finds its link."""
    if not state.links:
        return {}
    keys = list(state.links)
    found: dict[str, RecordLink] = {}
    for start in range(0, len(keys), 2000):
        part = keys[start:start + 2000]
        known = {link.row_key: link for link in RecordLink.objects.filter(row_key__in=part)}
        fresh = []
        for key in part:
            if key in known:
                continue
            row = state.links[key]
            fresh.append(RecordLink(
                kind=kind, source_import=imp, row_number=row.row, row_key=key,
                reason=row.reason, name=row.name[:50], birth_date=row.birth_date,
                region_id=row.region_id,
                id_given_masked=pii.mask_id_number(row.id_given)[:18] if row.id_given else "",
                id_given_encrypted=pii.encrypt(row.id_given) if row.id_given else "",
                payload=row.payload))
        RecordLink.objects.bulk_create(fresh, ignore_conflicts=True)
        found.update(known)
        found.update({link.row_key: link for link in
                      RecordLink.objects.filter(row_key__in=[r.row_key for r in fresh])})
    return found


# --- the import ---------------------------------------------------------------------------------

class _Rejected(Exception):
    """Rolls back everything staged when the file has errors and bad rows are not skipped."""


def _start(actor, kind: str, source: str, table: _Table, region: Region,
           job_id: int | None) -> ImportOutcome | None:
    """The import's row, committed at once so that the same content sent at the same time by
    someone else finds it (the unique constraint on kind + content); None when it is new."""
    try:
        with transaction.atomic():
            imp = InsuranceImport.objects.create(
                kind=kind, source=source, filename=table.filename[:255],
                content_sha256=table.sha256, region=region, requested_by=actor,
                status=ImportStatus.RUNNING, job_id=job_id, total_rows=0)
    except IntegrityError:
        earlier = (InsuranceImport.objects.exclude(status__in=[ImportStatus.FAILED,
                                                               ImportStatus.REJECTED])
                   .filter(kind=kind, content_sha256=table.sha256).first())
        if earlier is None:
            raise
        return ImportOutcome(record=earlier, repeated=True)
    return ImportOutcome(record=imp)


def _run(*, actor, kind: str, source: str, table: _Table, skip_bad_rows: bool,
         progress: Callable[[int, int | None], None] | None, job_id: int | None = None,
         ) -> ImportOutcome:
    region = _ensure_importer(actor)
    earlier = (InsuranceImport.objects.exclude(status__in=[ImportStatus.FAILED,
                                                           ImportStatus.REJECTED])
               .filter(kind=kind, content_sha256=table.sha256).first())
    if earlier is not None:
        return ImportOutcome(record=earlier, repeated=True)
    started = _start(actor, kind, source, table, region, job_id)
    if started.repeated:
        return started
    imp = started.record
    began = time.monotonic()
    report = (progress or (lambda done, total=None: None))
    report(0, table.total)

    def step(done: int) -> None:
        report(min(done, table.total) if table.total else done)

    checks = _Checks(region, timezone.localdate())
    checks.region("")  # loads the importer's regions before any COPY starts
    state = _Pass()
    now = timezone.now()
    counts: tuple[int, int, int] = (0, 0, 0)
    try:
        with transaction.atomic():
            if kind == ImportKind.RECORDS:
                stage = _Stage(imp.pk)
                stage.open()
                try:
                    _records_pass(table, checks, stage, state, step)
                finally:
                    stage.close()
                _stage_duplicates(stage, state)
            else:
                good = _businesses_pass(table, checks, state, step)
            if state.report.count and not skip_bad_rows:
                raise _Rejected
            links = _write_links(state, imp, kind)
            if kind == ImportKind.RECORDS:
                created, corrected = _apply_records(stage, imp, now)
                counts = (created, corrected, state.staged - created - corrected)
                stage.drop()
            else:
                counts = _apply_businesses(good, imp, now, links)
            _finish(imp, actor, state, counts, ImportStatus.SUCCEEDED, began)
    except _Rejected:
        _finish(imp, actor, state, (0, 0, 0), ImportStatus.REJECTED, began)
    except BaseException:
        InsuranceImport.objects.filter(pk=imp.pk).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(),
            seconds=time.monotonic() - began)
        raise
    report(table.total if table.total else state.rows, None)
    if imp.status == ImportStatus.SUCCEEDED and imp.unlinked:
        linkage.link_pending(actor=actor, source_import_id=imp.pk)
    return ImportOutcome(record=imp)


def _finish(imp: InsuranceImport, actor, state: _Pass, counts: tuple[int, int, int],
            status: str, began: float) -> None:
    written = status == ImportStatus.SUCCEEDED
    imp.status = status
    imp.total_rows = state.rows
    imp.created, imp.corrected, imp.unchanged = counts
    imp.unlinked = len(state.links) if written else 0
    imp.duplicates = state.duplicates
    imp.error_rows = state.report.count
    imp.errors = sorted(state.report.errors, key=lambda e: (e["row"], e["field"]))
    imp.finished_at = timezone.now()
    imp.seconds = round(time.monotonic() - began, 3)
    with transaction.atomic():
        imp.save()
        audit.record(actor=actor, action=AuditAction.CREATE, instance=imp, after={
            "kind": imp.kind, "source": imp.source, "file": imp.filename,
            "status": imp.status, "rows": imp.total_rows, "created": imp.created,
            "corrected": imp.corrected, "unchanged": imp.unchanged, "unlinked": imp.unlinked,
            "duplicates": imp.duplicates, "error_rows": imp.error_rows,
            "sha256": imp.content_sha256, "job": imp.job_id})


def insurance_import_file(*, actor, kind: str, path: str | os.PathLike, filename: str = "",
                          skip_bad_rows: bool = False,
                          progress: Callable[[int, int | None], None] | None = None,
                          job_id: int | None = None, source: str = ImportSource.FILE,
                          ) -> ImportOutcome:
    """Import a CSV (UTF-8 or GBK) or .xlsx file of records or business registrations from
    disk, streamed. The file's errors (size, encoding, columns) raise DomainError and write
    nothing; row errors are the import's report (status `rejected`: nothing written, unless
    `skip_bad_rows`). The same content imported before answers that import (`repeated`).
    `progress(done, total)` is called as rows pass (total once, at the start)."""
    _ensure_importer(actor)
    kind = _kind(kind)
    path = Path(path)
    table = _file_table(path, filename or path.name, COLUMNS[kind])
    return _run(actor=actor, kind=kind, source=source, table=table,
                skip_bad_rows=skip_bad_rows, progress=progress, job_id=job_id)


def insurance_import_rows(*, actor, kind: str, rows: Sequence[dict[str, Any]],
                          skip_bad_rows: bool = False) -> ImportOutcome:
    """Import one API batch (at most MAX_BATCH_ROWS rows keyed by the columns' field names),
    exactly as a file: a batch sent again (same rows in the same order) answers the earlier
    import, and every row is idempotent on its own (person, employer, month)."""
    _ensure_importer(actor)
    kind = _kind(kind)
    table = _batch_table(rows, COLUMNS[kind])
    return _run(actor=actor, kind=kind, source=ImportSource.API, table=table,
                skip_bad_rows=skip_bad_rows, progress=None)


# --- a page or API upload becomes a background job ------------------------------------------

UPLOAD_DIR = "outcomes-uploads"


def insurance_import_upload(*, actor, kind: str, upload, filename: str,
                            skip_bad_rows: bool = False, ip_address: str | None = None):
    """Keep an uploaded file (in the jobs storage, never served) and start the background job
    that imports it; answers the job (its page shows progress, then links to the import)."""
    _ensure_importer(actor)
    kind = _kind(kind)
    name = (filename or "").lower()
    if not name.endswith((".csv", ".txt", ".xlsx")):
        raise _file_error(_("Upload a .csv or .xlsx file."), "format")
    size = getattr(upload, "size", None)
    if size is not None:
        _check_size(size)
    storage = jobs.result_storage()
    stored = storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}{Path(name).suffix}", File(upload))
    try:
        title = (_("Import of social-insurance records: %(file)s") if kind == ImportKind.RECORDS
                 else _("Import of business registrations: %(file)s")) % {"file": filename}
        return jobs.job_start(actor=actor, task=outcomes_import_job, kind=f"outcomes.import_{kind}",
                              title=title, params={"kind": kind, "path": stored,
                                                   "filename": filename[:200],
                                                   "skip_bad_rows": bool(skip_bad_rows)},
                              ip_address=ip_address)
    except BaseException:
        storage.delete(stored)
        raise


@job_task
def outcomes_import_job(run: JobRun) -> None:
    """The background import of an uploaded file; the stored upload is deleted afterwards."""
    storage = jobs.result_storage()
    stored = run.params["path"]
    try:
        outcome = insurance_import_file(
            actor=run.actor, kind=run.params["kind"], path=storage.path(stored),
            filename=run.params.get("filename", ""),
            skip_bad_rows=bool(run.params.get("skip_bad_rows")),
            progress=lambda done, total=None: run.progress(done, total), job_id=run.job.pk)
    finally:
        storage.delete(stored)
    run.rows = outcome.record.total_rows
