"""Reading a file or an API batch: size, hash, encoding and header first (pass 0), then the
rows as Arrow batches (CSV through pyarrow's streaming reader; .xlsx and batches in chunks)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.csv as pacsv
from django.utils.translation import gettext as _

from jineng.core.errors import DomainError
from jineng.core.importing import Column, header_map
from jineng.core.tabular import MAX_CELL_CHARS, header_key
from jineng.outcomes.services.imports.common import (
    MAX_BATCH_ROWS,
    MAX_FILE_BYTES,
    READ_BYTES,
    _file_error,
)

# --- reading --------------------------------------------------------------------------------

@dataclass
class _Table:
    """A file or batch as a stream of rows: the header's positions of the canonical columns,
    and (row number, cells) with the header as row 1; `batches` gives the same rows as Arrow
    tables (see `arrow_batches`)."""

    sha256: str
    total: int
    positions: dict[str, int]
    rows: Callable[[], Iterator[tuple[int, list[str]]]]
    filename: str = ""
    # CSV only: the path, its encoding and the header's width, for pyarrow's reader.
    path: Path | None = None
    encoding: str = ""
    width: int = 0
    # Rows whose number of cells differs from the header's: (row number, cells), found while
    # the batches are read (pyarrow skips them; the pass reports each one).
    malformed: list[tuple[int, int]] = field(default_factory=list)


ARROW_CHUNK_ROWS = 100_000
CSV_BLOCK_BYTES = 8 << 20


def _valid_numbers(count: int, start: int, skipped: np.ndarray) -> np.ndarray:
    """Row numbers of the `count` rows read after `start` rows, where the file's numbering
    (from 2; the header is row 1) also counted the rows in `skipped` (sorted row numbers that
    pyarrow left out). The k-th kept row's number is k + 2 + (skipped rows before it)."""
    index = np.arange(start, start + count, dtype=np.int64)
    if not len(skipped):
        return index + 2
    kept_before = skipped - 2 - np.arange(len(skipped), dtype=np.int64)
    return index + 2 + np.searchsorted(kept_before, index, side="right")


class NeedRowNumbers(Exception):
    """pyarrow's threaded reader met a malformed row without knowing its number: read again
    on one thread, which numbers every row."""


def arrow_batches(table: _Table, columns: Sequence[Column], *, threads: bool = True
                  ) -> Iterator[pa.Table]:
    """The rows as Arrow tables: `row_no` (the row number of the reports) and one string
    column per canonical column, "" where the file has no such column or cell. A CSV file is
    read on all cores; when it holds a malformed row the threaded reader cannot number, this
    raises NeedRowNumbers and the caller reads again with `threads=False`."""
    names = [c.name for c in columns]
    if table.path is None:
        yield from _chunked(table, names)
        return
    width = table.width
    titles = [f"c{i}" for i in range(width)]
    skipped: list[int] = []
    unnumbered = False
    done = 0

    def invalid(row) -> str:
        # A row with more or fewer cells than the header (blank lines are rows of "").
        nonlocal unnumbered
        if row.number is None:
            unnumbered = True
            return "error"
        table.malformed.append((int(row.number), int(row.actual_columns)))
        skipped.append(int(row.number))
        return "skip"

    try:
        reader = pacsv.open_csv(
            table.path,
            read_options=pacsv.ReadOptions(
                use_threads=threads, encoding=_arrow_encoding(table.encoding), skip_rows=1,
                column_names=titles, block_size=CSV_BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                                             invalid_row_handler=invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={t: pa.string() for t in titles}, strings_can_be_null=False,
                quoted_strings_can_be_null=False, null_values=[]))
        empty = None
        for batch in reader:
            n = batch.num_rows
            if n == 0:
                continue
            numbers = _valid_numbers(n, done, np.array(sorted(skipped), dtype=np.int64))
            done += n
            arrays: list[pa.Array] = [pa.array(numbers)]
            for name in names:
                position = table.positions.get(name, -1)
                if 0 <= position < width:
                    arrays.append(batch.column(position))
                else:
                    if empty is None or len(empty) != n:
                        empty = pa.array([""] * n, type=pa.string())
                    arrays.append(empty)
            yield pa.Table.from_arrays(arrays, names=["row_no", *names])
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        if unnumbered:
            raise NeedRowNumbers from exc
        raise _file_error(
            _("The file cannot be read as CSV after row %(row)s (an unclosed quotation mark, "
              "or text in another encoding): %(error)s")
            % {"row": done + 1 + len(skipped), "error": str(exc)[:200]}, "csv") from exc


def _chunked(table: _Table, names: list[str]) -> Iterator[pa.Table]:
    order = [table.positions.get(n, -1) for n in names]
    numbers: list[int] = []
    cells: list[list[str]] = [[] for _ in names]

    def flush() -> pa.Table:
        data = {"row_no": pa.array(numbers, type=pa.int64())}
        for name, values in zip(names, cells, strict=True):
            data[name] = pa.array(values, type=pa.string())
        return pa.table(data)

    for number, row in table.rows():
        numbers.append(number)
        width = len(row)
        for i, position in enumerate(order):
            value = row[position] if 0 <= position < width else ""
            cells[i].append(value.replace("\x00", "") if isinstance(value, str) else _cell(value))
        if len(numbers) >= ARROW_CHUNK_ROWS:
            yield flush()
            numbers = []
            cells = [[] for _ in names]
    if numbers:
        yield flush()


def _arrow_encoding(encoding: str) -> str:
    # pyarrow skips a UTF-8 byte-order mark itself.
    return "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding


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

    return _Table(sha256=sha, total=max(lines - 1, 0), positions=positions, rows=rows,
                  path=path, encoding=encoding, width=len(header))


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


