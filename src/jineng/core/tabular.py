"""Reading and writing tables: CSV (UTF-8 with or without BOM, or GBK) and Excel (.xlsx)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from jineng.core.errors import DomainError


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


def read_table(data: bytes, filename: str, headers: dict[str, str]) -> tuple[set[str], list[Row]]:
    """Parse the file once: the canonical columns present in its header row, and its rows keyed
    by canonical field name. `headers` maps every accepted column title (Chinese label or field
    name) to the canonical name. Unknown columns are ignored; missing required columns are the
    caller's check."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _xlsx_table(data)
    elif name.endswith((".csv", ".txt")):
        table = list(csv.reader(io.StringIO(decode_text(data))))
    else:
        raise DomainError(_("Upload a .csv or .xlsx file."), field="file")
    if not table:
        raise DomainError(_("The file is empty."), field="file")
    titles = []
    for t in table[0]:
        key = header_key(t)
        titles.append(headers.get(key, headers.get(key.lower(), "")))
    rows = []
    for index, cells in enumerate(table[1:], start=2):
        if not any(_clean(c) for c in cells):
            continue
        values = {t: _clean(c) for t, c in zip(titles, cells, strict=False) if t}
        rows.append(Row(number=index, values=values))
    return {t for t in titles if t}, rows


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


def write_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A plain workbook: bold header row, frozen, one sheet. Streams rows (write-only mode)."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    header_cells = []
    for h in headers:
        cell = openpyxl.cell.WriteOnlyCell(sheet, value=str(h))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM, which Excel on Chinese Windows opens correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(h) for h in headers])
    writer.writerows(rows)
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
