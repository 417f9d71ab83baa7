"""Importing catalog entries from the Excel (or CSV) layout provincial offices circulate: one row
per entry, the columns of `kinds.py`, a downloadable template. Every row is checked on its own
(figures, registry look-ups) and against the others (no two rows for the same entry overlap in
time; a supplement row that differs from the base catalog must say so); a file with errors
writes nothing unless the user asks to skip bad rows (`core.importing.run_import`).

Called by `services.entries_import`, which checks permissions, locks the draft and audits."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _

from jineng.catalog.choices import PUBLIC_STATUSES
from jineng.catalog.kinds import KindSpec, ParsedEntry, spec_for
from jineng.catalog.messages import message
from jineng.catalog.models import CatalogVersion
from jineng.catalog.parsing import ParseContext
from jineng.catalog.rules.entries import (
    EntryFacts,
    supplement_problems,
    within_version_problems,
)
from jineng.catalog.rules.periods import Period
from jineng.catalog.rules.values import DEFAULT_AMOUNT_CAP
from jineng.core.importing import ImportReport, RowInvalid, run_import
from jineng.core.tabular import Row

REPLACE = "replace"
APPEND = "append"
MODES = (REPLACE, APPEND)


def amount_cap() -> Decimal:
    """The plausibility cap for amounts; settings.JINENG_CATALOG_AMOUNT_CAP overrides it."""
    return Decimal(str(getattr(settings, "JINENG_CATALOG_AMOUNT_CAP", DEFAULT_AMOUNT_CAP)))


def version_period(version: CatalogVersion) -> Period:
    return Period(version.effective_from, version.declared_effective_to)


def stored_facts(spec: KindSpec, version: CatalogVersion) -> list[EntryFacts]:
    period = version_period(version)
    return [spec.facts(e, period) for e in spec.entries(version.pk)]


def base_facts(version: CatalogVersion) -> list[EntryFacts]:
    """For a supplement version: the base catalog's entries in force at any time during the
    supplement version's period, each with its period cut to its base version's."""
    catalog = version.catalog
    if catalog.base_id is None:
        return []
    spec = spec_for(catalog.kind)
    mine = version_period(version)
    facts = []
    for base_version in CatalogVersion.objects.filter(catalog_id=catalog.base_id,
                                                      status__in=PUBLIC_STATUSES):
        period = Period(base_version.effective_from, base_version.effective_to)
        if not period.overlaps(mine):
            continue
        for entry in spec.entries(base_version.pk):
            fact = spec.facts(entry, period)
            cut = fact.period.intersect(period)
            if cut is not None:
                facts.append(EntryFacts(**{**fact.__dict__, "period": cut}))
    return facts


def build_context(version: CatalogVersion, *, mode: str) -> ParseContext:
    catalog = version.catalog
    spec = spec_for(catalog.kind)
    base_region = catalog.base.region if catalog.base_id else catalog.region
    return ParseContext(
        catalog=catalog, version=version, spec=spec, amount_cap=amount_cap(),
        version_period=version_period(version), province_prefix=base_region.scope_prefix,
        base_facts=base_facts(version),
        existing=stored_facts(spec, version) if mode == APPEND else [],
    )


def check_row(parsed: ParsedEntry, ctx: ParseContext) -> ParsedEntry:
    """The rules across rows: inside the version's period, no overlap with earlier rows or
    with entries already in the draft, and no silent contradiction of the base catalog."""
    spec, facts = ctx.spec, parsed.facts
    labels = spec.labels
    slot = ctx.overlaps.slots.get((facts.key, facts.region_code), [])
    identical = [e for e in slot if id(e) in ctx.overlaps.existing_ids
                 and e.period == facts.period and e.values == facts.values]
    if identical:
        parsed.unchanged = True
        return parsed
    problems = within_version_problems(facts, ctx.version_period)
    if ctx.catalog.is_supplement:
        problems += supplement_problems(facts, ctx.base_by_key.get(facts.key, []))
    overlap = ctx.overlaps.problem(facts)
    if overlap is not None:
        problems.append(overlap)
    if problems:
        raise RowInvalid(*[(p.field, message(p, labels)) for p in problems])
    return parsed


def parse_rows(version: CatalogVersion, *, mode: str):
    ctx = build_context(version, mode=mode)

    def parse_row(row: Row, _context: dict) -> ParsedEntry:
        return check_row(ctx.spec.parse(row.number, row.values, ctx), ctx)

    return ctx, parse_row


def save_entries(version: CatalogVersion, spec: KindSpec, parsed: list[ParsedEntry], *,
                 mode: str) -> tuple[int, int, int]:
    """Write the parsed rows into the draft (the caller holds the draft locked)."""
    if mode == REPLACE:
        delete_entries(spec, version)
    new = [p for p in parsed if not p.unchanged]
    objects = spec.model.objects.bulk_create(
        [spec.model(version=version, **p.fields) for p in new], batch_size=500)
    if hasattr(spec.model, "sites"):
        through = spec.model.sites.through
        links = [through(institutioncatalogentry_id=obj.pk, trainingsite_id=site_id)
                 for obj, p in zip(objects, new, strict=True) for site_id in p.sites]
        through.objects.bulk_create(links, batch_size=1000)
    return len(new), 0, len(parsed) - len(new)


def delete_entries(spec: KindSpec, version: CatalogVersion, ids: list[int] | None = None) -> int:
    qs = spec.model.objects.filter(version=version)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if hasattr(spec.model, "sites"):
        spec.model.sites.through.objects.filter(institutioncatalogentry__in=qs).delete()
    deleted, _detail = qs.delete()
    return deleted


def import_entries(version: CatalogVersion, *, data: bytes, filename: str, mode: str,
                   skip_bad_rows: bool) -> ImportReport:
    spec = spec_for(version.catalog.kind)
    _ctx, parse_row = parse_rows(version, mode=mode)
    data = strip_title_rows(data, filename, spec)
    return run_import(
        data=data, filename=filename, columns=spec.columns, parse_row=parse_row,
        save=lambda parsed: save_entries(version, spec, parsed, mode=mode),
        skip_bad_rows=skip_bad_rows,
    )


def strip_title_rows(data: bytes, filename: str, spec: KindSpec) -> bytes:
    """Exports carry a title row (catalog, version, dates) above the header; drop such rows so
    an exported file can be imported again."""
    if not filename.lower().endswith(".xlsx"):
        return data
    try:
        book = openpyxl.load_workbook(io.BytesIO(data))
    except Exception:  # core.tabular reports a damaged file with the proper message
        return data
    sheet = book.worksheets[0]
    titles = {c.label for c in spec.columns} | {c.name for c in spec.columns}
    drop = 0
    for row in sheet.iter_rows(min_row=1, max_row=5, values_only=True):
        cells = {str(v).strip() for v in row if v not in (None, "")}
        if cells & titles:
            break
        drop += 1
    if drop == 0 or drop == 5:
        return data
    sheet.delete_rows(1, drop)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_workbook(kind: str) -> bytes:
    """The import template: the header row, and a second sheet explaining every column."""
    spec = spec_for(kind)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = str(_("Entries"))[:31]
    sheet.append([c.label for c in spec.columns])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(spec.columns, start=1):
        sheet.cell(row=1, column=index).font = openpyxl.styles.Font(bold=True)
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(
            12, len(column.label) * 2 + 2)
    notes = book.create_sheet(str(_("Columns"))[:31])
    notes.append([str(_("Column")), str(_("Field name")), str(_("Required")),
                  str(_("Explanation"))])
    for column in spec.columns:
        notes.append([column.label, column.name, "是" if column.required else "",
                      str(column.help)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
