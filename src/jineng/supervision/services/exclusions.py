"""Importing exclusion lists: people who may not be subsidized trainees (pension drawers,
full-time students, public-payroll staff), as a region's HRSS office receives them from the
pension, education and payroll authorities — a CSV or .xlsx file (`exclusion_list_import`,
size checked before it is read) or an API batch (`exclusion_list_import_rows`).

- One list kind and one region per import; every row names a person by ID number, with the
  day the entry is in force from (and until, when known).
- Idempotent by (list kind, region, ID keyed hash): the same person again with the same
  content is `unchanged`; with another name or dates a row error (conflict) naming the field
  that differs — as is a person twice in one file with two contents.
- Every bad row is reported with its row number, field and a Chinese sentence; an import with
  any bad row writes nothing (unless the caller asks to skip bad rows).
- The ID number is stored encrypted, found by keyed hash, shown masked (core.pii); never
  logged. One audit event per import."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit, pii
from jineng.core.errors import DomainError, Forbidden
from jineng.core.importing import Column, ImportReport, RowInvalid, batch_rows_csv, run_import
from jineng.core.scoping import scope_of
from jineng.core.tabular import Row, check_file_size
from jineng.registry import selectors as registry
from jineng.supervision.models import ExclusionListEntry, ExclusionListKind

__all__ = ["EXCLUSION_COLUMNS", "MAX_BATCH_ROWS", "MAX_FILE_ROWS", "exclusion_list_import",
           "exclusion_list_import_rows", "exclusion_template", "may_import_exclusions"]

MAX_FILE_ROWS = 100_000
MAX_BATCH_ROWS = 5_000
EARLIEST = dt.date(1950, 1, 1)
ENTITY = "supervision.exclusionlistentry"

EXCLUSION_COLUMNS = [
    Column("id_number", "身份证号", required=True, max_length=30),
    Column("name", "姓名", max_length=50),
    Column("valid_from", "起始日期", required=True, max_length=10,
           help="the day the person is on the list from (YYYY-MM-DD)"),
    Column("valid_to", "截止日期", max_length=10, help="the last day on the list, if known"),
]
CONTENT = ("name", "valid_from", "valid_to")


def may_import_exclusions(actor, region=None) -> bool:
    """HRSS staff (or a system administrator) whose jurisdiction holds the region."""
    scope = scope_of(actor)
    if scope.everything:
        return True
    if not getattr(actor, "is_hrss_staff", False) or scope.region_prefix is None:
        return False
    return region is None or region.code.startswith(scope.region_prefix)


def _checked(actor, list_kind: str, region_code: str):
    if list_kind not in ExclusionListKind.values:
        raise DomainError(_("Unknown list “%(value)s”; use one of: %(accepted)s.")
                          % {"value": list_kind, "accepted": ", ".join(ExclusionListKind.values)},
                          field="list_kind", code="invalid")
    region = registry.region_list(actor=None).filter(code=(region_code or "").strip()).first()
    if region is None:
        raise DomainError(_("No region with the code %(code)s.") % {"code": region_code or "—"},
                          field="region", code="invalid")
    if not may_import_exclusions(actor, region):
        raise Forbidden(_("Exclusion lists are imported by the HRSS office of the region."))
    return region


def _day(value: str, name: str, *, required: bool = False) -> dt.date | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise RowInvalid((name, _("This field is required.")))
        return None
    try:
        day = dt.date.fromisoformat(text[:10].replace("/", "-"))
    except ValueError:
        raise RowInvalid((name, _("“%(value)s” is not a date (YYYY-MM-DD).")
                          % {"value": text})) from None
    if day < EARLIEST or day > timezone.localdate() + dt.timedelta(days=3660):
        raise RowInvalid((name, _("The date %(day)s is out of range.") % {"day": day}))
    return day


def _parse(row: Row) -> dict[str, Any]:
    v = row.values
    problems: list[tuple[str, str]] = []
    out: dict[str, Any] = {"row": row.number, "name": v.get("name", "").strip()}
    whole = registry.whole_id_number(v.get("id_number", ""))
    if whole is None:
        problems.append(("id_number", _("Not a valid resident ID number (18 characters with "
                                        "its check digit).")))
    else:
        out["whole"] = whole
        out["id_hash"] = pii.keyed_hash(whole)
    for name, required in (("valid_from", True), ("valid_to", False)):
        try:
            out[name] = _day(v.get(name, ""), name, required=required)
        except RowInvalid as bad:
            problems.extend(bad.problems)
            out[name] = None
    if out.get("valid_from") and out.get("valid_to") and out["valid_to"] < out["valid_from"]:
        problems.append(("valid_to", _("The last day %(to)s is before the first day %(from)s.")
                         % {"to": out["valid_to"], "from": out["valid_from"]}))
    if problems:
        raise RowInvalid(*problems)
    out["content"] = {n: "" if out.get(n) is None else str(out[n]) for n in CONTENT}
    return out


def _content_of(entry: ExclusionListEntry) -> dict[str, str]:
    return {n: "" if getattr(entry, n) is None else str(getattr(entry, n)) for n in CONTENT}


def _hash(content: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _run(actor, *, list_kind: str, region, data: bytes, filename: str, source: str,
         skip_bad_rows: bool, max_rows: int, row_offset: int = 0) -> ImportReport:
    """`row_offset`: subtracted from the file's row numbers in messages (an API batch counts
    its rows from 1, the CSV built from it has a header row)."""
    existing: dict[str, ExclusionListEntry] = {}

    def prepare(rows: list[Row], context: dict) -> None:
        if len(rows) > max_rows:
            raise DomainError(_("At most %(max)d rows at once; this has %(n)d. Split it.")
                              % {"max": max_rows, "n": len(rows)}, field="file",
                              code="too_many_rows")
        hashes = set()
        for r in rows:
            whole = registry.whole_id_number(r.values.get("id_number", ""))
            if whole:
                hashes.add(pii.keyed_hash(whole))
        for entry in ExclusionListEntry.objects.filter(list_kind=list_kind, region=region,
                                                       id_hash__in=hashes):
            existing[entry.id_hash] = entry

    def parse_row(row: Row, context: dict) -> dict:
        parsed = _parse(row)
        seen = context.setdefault("seen", {})
        key = parsed["id_hash"]
        if key in seen:
            first_row, first = seen[key]
            if first != parsed["content"]:
                field = next(n for n in CONTENT if first[n] != parsed["content"][n])
                raise RowInvalid((field, _(
                    "This person is also in row %(row)d with another %(field)s.")
                    % {"row": first_row, "field": field}))
            parsed["repeat"] = True
            return parsed
        seen[key] = (row.number - row_offset, parsed["content"])
        before = existing.get(key)
        if before is not None:
            stored = _content_of(before)
            if stored != parsed["content"]:
                field = next(n for n in CONTENT if stored[n] != parsed["content"][n])
                raise RowInvalid((field, _(
                    "This person is on the list already with another %(field)s (%(before)s): "
                    "conflict, nothing changed.") % {"field": field,
                                                     "before": stored[field] or "—"}))
            parsed["unchanged"] = True
        return parsed

    def save(parsed: list[dict]) -> tuple[int, int, int]:
        user = actor if getattr(actor, "is_authenticated", False) else None
        new = [ExclusionListEntry(
            list_kind=list_kind, region=region, id_hash=p["id_hash"],
            id_encrypted=pii.encrypt(p["whole"]), id_masked=pii.mask_id_number(p["whole"]),
            name=p["name"], valid_from=p["valid_from"], valid_to=p["valid_to"],
            content_hash=_hash(p["content"]), source=source[:200], imported_by=user)
            for p in parsed if not p.get("repeat") and not p.get("unchanged")]
        ExclusionListEntry.objects.bulk_create(new, batch_size=2000)
        unchanged = sum(1 for p in parsed if p.get("unchanged") or p.get("repeat"))
        if new:
            audit.record_bulk_import(actor=actor, entity_type=ENTITY, count=len(new),
                                     source=f"{list_kind}:{source}"[:200],
                                     region_code=region.code)
        return len(new), 0, unchanged

    return run_import(data=data, filename=filename, columns=EXCLUSION_COLUMNS,
                      parse_row=parse_row, save=save, prepare=prepare,
                      skip_bad_rows=skip_bad_rows)


def exclusion_list_import(*, actor, list_kind: str, region_code: str, file,
                          skip_bad_rows: bool = False) -> ImportReport:
    """Import one region's list of one kind from a CSV or .xlsx file (`EXCLUSION_COLUMNS`);
    see the module's docstring. created: entries recorded now; unchanged: entries imported
    before with the same content (and repeats inside the file)."""
    region = _checked(actor, list_kind, region_code)
    if file is None:
        raise DomainError(_("Choose a file."), field="file", code="required")
    check_file_size(getattr(file, "size", None))
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    filename = getattr(file, "name", "") or "list.csv"
    with transaction.atomic():
        return _run(actor, list_kind=list_kind, region=region, data=data, filename=filename,
                    source=filename, skip_bad_rows=skip_bad_rows, max_rows=MAX_FILE_ROWS)


def exclusion_list_import_rows(*, actor, list_kind: str, region_code: str,
                               rows: list[dict[str, Any]],
                               skip_bad_rows: bool = False) -> ImportReport:
    """The same from an API batch (at most MAX_BATCH_ROWS rows, keys as the column names);
    rows are numbered from 1 in the report."""
    region = _checked(actor, list_kind, region_code)
    data = batch_rows_csv(rows, EXCLUSION_COLUMNS, MAX_BATCH_ROWS)
    with transaction.atomic():
        report = _run(actor, list_kind=list_kind, region=region,
                      data=data, filename="api.csv", source="api",
                      skip_bad_rows=skip_bad_rows, max_rows=MAX_BATCH_ROWS, row_offset=1)
    for error in report.errors:  # the header was row 1 of the CSV: batch rows count from 1
        error.row -= 1
    return report


def exclusion_template() -> bytes:
    """An empty CSV with the column titles (Chinese) and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.label for c in EXCLUSION_COLUMNS])
    writer.writerow(["520102199001011237", "张三", "2024-09-01", ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
