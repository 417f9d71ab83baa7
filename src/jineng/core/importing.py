"""The import pipeline every importer uses: parse every row, report every bad one, and write
nothing from a file with errors unless the user asked to skip bad rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from jineng.core.errors import DomainError
from jineng.core.tabular import Row, read_table

T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    name: str  # canonical field name
    label: str  # Chinese column title in templates and exports
    required: bool = False
    help: str = ""
    max_length: int | None = None  # the model field's length: longer cells are row errors


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class ImportReport(Generic[T]):
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "total_rows": self.total_rows, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "skipped": self.skipped, "written": self.written,
            "errors": [e.as_dict() for e in self.errors],
        }


class RowInvalid(Exception):
    """Raised by a row parser; carries one or more (field, message) pairs."""

    def __init__(self, *problems: tuple[str, str]) -> None:
        super().__init__("; ".join(m for _, m in problems))
        self.problems = list(problems)


def header_map(columns: Sequence[Column]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for c in columns:
        mapping[c.name] = c.name
        mapping[c.name.lower()] = c.name
        mapping[str(c.label)] = c.name
    return mapping


def run_import(
    *,
    data: bytes,
    filename: str,
    columns: Sequence[Column],
    parse_row: Callable[[Row, dict], T],
    save: Callable[[list[T]], tuple[int, int, int]],
    skip_bad_rows: bool = False,
    prepare: Callable[[list[Row], dict], None] | None = None,
    context: dict | None = None,
    ignored_titles: Collection[str] = (),
) -> ImportReport[T]:
    """Parse every row with `parse_row(row, context)` (context is shared, e.g. for duplicate
    detection inside the file); if all good (or skipping), call `save(parsed)` in one transaction,
    which returns (created, updated, unchanged).

    `prepare(rows, context)`, if given, runs once after the file is read and before any row is
    parsed: importers use it to look up every key the file mentions in a few queries instead of
    one per row. `context` seeds the shared dict (e.g. with the actor).

    A column whose title matches no column is a file error naming it (an ignored column is
    data lost without a word), except `ignored_titles`: titles known to carry nothing to
    import (e.g. the region name an export writes next to the region code). A cell longer than
    its column's `max_length` is a row error."""
    headers = header_map(columns)
    present, rows, unknown = read_table(data, filename, headers)
    ignored = {str(t) for t in ignored_titles}
    unknown = [t for t in unknown if t not in ignored]
    if unknown:
        raise DomainError(
            _("Unknown columns: %(cols)s. Accepted columns: %(accepted)s. Remove or rename "
              "them; nothing was imported.")
            % {"cols": ", ".join(f"“{t}”" for t in unknown),
               "accepted": ", ".join(f"{c.label} ({c.name})" for c in columns)},
            field="file", code="unknown_columns",
        )
    missing = [c for c in columns if c.required and c.name not in present]
    if missing:
        raise DomainError(
            _("Missing required columns: %(cols)s")
            % {"cols": ", ".join(f"{c.label} ({c.name})" for c in missing)},
            field="file",
        )
    report: ImportReport[T] = ImportReport(total_rows=len(rows))
    parsed: list[T] = []
    context = {} if context is None else context
    if prepare is not None:
        prepare(rows, context)
    for row in rows:
        absent = [c for c in columns if c.required and not row.values.get(c.name)]
        if absent:
            report.errors.extend(RowError(row.number, c.name, _("This field is required."))
                                 for c in absent)
            continue
        too_long = [(c, len(row.values[c.name])) for c in columns
                    if c.max_length and len(row.values.get(c.name, "")) > c.max_length]
        if too_long:
            report.errors.extend(
                RowError(row.number, c.name,
                         _("At most %(max)d characters (this cell has %(n)d).")
                         % {"max": c.max_length, "n": n})
                for c, n in too_long)
            continue
        try:
            parsed.append(parse_row(row, context))
        except RowInvalid as bad:
            report.errors.extend(RowError(row.number, f, m) for f, m in bad.problems)
        except DomainError as bad:
            report.errors.append(RowError(row.number, bad.field, bad.message))
    if report.errors and not skip_bad_rows:
        return report
    report.skipped = len({e.row for e in report.errors})
    with transaction.atomic():
        report.created, report.updated, report.unchanged = save(parsed)
    report.written = True
    return report


def batch_rows_csv(rows: Any, columns: Sequence[Column], max_rows: int) -> bytes:
    """An API batch (a list of objects keyed by the columns' names) as the CSV a file import
    reads, so both take one path; refused whole when empty, too long or naming unknown fields.
    The report then counts the header as row 1: subtract one for the batch's numbering."""
    if not isinstance(rows, list) or not rows:
        raise DomainError(_("Send at least one row."), field="rows", code="required")
    if len(rows) > max_rows:
        raise DomainError(_("At most %(max)d rows at once; this has %(n)d. Split it.")
                          % {"max": max_rows, "n": len(rows)}, field="rows",
                          code="too_many_rows")
    names = [c.name for c in columns]
    unknown = sorted({k for r in rows for k in (r or {}) if k not in names})
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)},
                          field="rows", code="unknown_columns")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(names)
    for r in rows:
        writer.writerow(["" if (r or {}).get(n) is None else str(r[n]) for n in names])
    return out.getvalue().encode()

