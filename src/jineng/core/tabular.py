"""Reading and writing tables: CSV (UTF-8 with or without BOM, or GBK) and Excel (.xlsx)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from jineng.core.errors import DomainError

# Upload limit for every importer (pages, API, CLI): checked on the declared size before a
# byte is read. The largest files a province sends (20,000 persons) are a few MB. The same
# limit as the requests that carry them (settings: JINENG_MAX_UPLOAD_BYTES, core.middleware).
MAX_FILE_BYTES = settings.JINENG_MAX_UPLOAD_BYTES
# Largest CSV cell: the csv module's own default limit (128 KiB), answered as a row error.
MAX_CELL_CHARS = csv.field_size_limit()
# A cell starting with one of these is a formula (or becomes one) in Excel and LibreOffice:
# OWASP "CSV injection".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class FileTooLarge(DomainError):
    status = 413


def check_file_size(size: int | None) -> None:
    """Refuse a file over MAX_FILE_BYTES before reading it."""
    if size is not None and size > MAX_FILE_BYTES:
        raise FileTooLarge(_("The file is larger than %(mb)d MB; split it into several files.")
                           % {"mb": MAX_FILE_BYTES // (1024 * 1024)}, field="file",
                           code="too_large")


@dataclass(frozen=True)
class Row:
    number: int  # as the user sees it in the file: the header is row 1
    values: dict[str, str]


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not) first; Chinese office software often saves CSV as GBK."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(_("The file is neither UTF-8 nor GBK text."), field="file")


def _clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        value = value.isoformat()[:10] if not hasattr(value, "hour") or (
            value.hour == value.minute == value.second == 0) else value.isoformat()
    return str(value).strip()


def header_key(title: Any) -> str:
    """A column title as matched against the accepted titles: trimmed, without the "*" that
    templates often put on required columns."""
    return _clean(title).rstrip("*＊").strip()


def _csv_table(text: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text))
    try:
        return list(reader)
    except csv.Error as exc:
        # Today's only csv.Error on decoded text is a cell over the field size limit (or a NUL).
        raise DomainError(
            _("Line %(line)d of the file cannot be read: a cell is longer than %(limit)d "
              "characters, or holds a control character.")
            % {"line": reader.line_num, "limit": MAX_CELL_CHARS},
            field="file", code="cell_too_large") from exc


def unknown_columns(data: bytes, filename: str, headers: dict[str, str]) -> list[str]:
    """Titles in the header row that name no accepted column (see `read_table`)."""
    return read_table(data, filename, headers)[2]


def read_table(data: bytes, filename: str, headers: dict[str, str],
               ) -> tuple[set[str], list[Row], list[str]]:
    """Parse the file once: the canonical columns present in its header row, its rows keyed
    by canonical field name, and the titles of unknown columns (the caller reports them: a
    column that is silently ignored is data lost). `headers` maps every accepted column title
    (Chinese label or field name) to the canonical name. Missing required columns are the
    caller's check."""
    check_file_size(len(data))
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _xlsx_table(data)
    elif name.endswith((".csv", ".txt")):
        table = _csv_table(decode_text(data))
    else:
        raise DomainError(_("Upload a .csv or .xlsx file."), field="file")
    if not table:
        raise DomainError(_("The file is empty."), field="file")
    titles = []
    unknown = []
    for t in table[0]:
        key = header_key(t)
        canonical = headers.get(key, headers.get(key.lower(), ""))
        titles.append(canonical)
        if key and not canonical:
            unknown.append(key)
    rows = []
    for index, cells in enumerate(table[1:], start=2):
        if not any(_clean(c) for c in cells):
            continue
        values = {t: _clean(c) for t, c in zip(titles, cells, strict=False) if t}
        rows.append(Row(number=index, values=values))
    return {t for t in titles if t}, rows, unknown


def read_rows(data: bytes, filename: str, headers: dict[str, str]) -> list[Row]:
    """Rows keyed by canonical field name (see `read_table`)."""
    return read_table(data, filename, headers)[1]


def present_columns(data: bytes, filename: str, headers: dict[str, str]) -> set[str]:
    return read_table(data, filename, headers)[0]


def _xlsx_table(data: bytes) -> list[list[Any]]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DomainError(_("The Excel file cannot be read: %(error)s") % {"error": exc},
                          field="file") from exc
    try:
        sheet = book.worksheets[0]
        return [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_cell(value: Any) -> Any:
    """A value as written to CSV: text that a spreadsheet would run as a formula gets a leading
    apostrophe (OWASP), so `=HYPERLINK(...)` in a name is shown, never evaluated."""
    return "'" + value if is_formula_like(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def xlsx_cell(sheet, value: Any):
    """A write-only cell; text is stored as text (type "s") even when it starts with "=",
    which openpyxl would otherwise write as a live formula."""
    cell = openpyxl.cell.WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def write_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A plain workbook: bold header row, frozen, one sheet. Streams rows (write-only mode).
    Text cells are always text (no formula from a name starting with "=")."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    header_cells = []
    for h in headers:
        cell = xlsx_cell(sheet, str(h))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM, which Excel on Chinese Windows opens correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_row(str(h) for h in headers))
    writer.writerows(csv_row(r) for r in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def iter_chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
