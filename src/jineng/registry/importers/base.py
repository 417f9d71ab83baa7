"""The base class of the registry importers: who may import, the pipeline through
`core.importing.run_import`, the helpers the importers share (regions, a key seen twice in a
file), and the downloadable template."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Font

from jineng.core.errors import Forbidden
from jineng.core.importing import Column, ImportReport, RowInvalid, run_import
from jineng.core.scoping import Scope, scope_of
from jineng.core.tabular import Row, iter_chunks
from jineng.registry import exports, selectors, services
from jineng.registry.models import Region
from jineng.registry.rules import permissions as may

LOOKUP_CHUNK = 900  # keeps `IN (...)` lists under SQLite's variable limit


class _Unchanged:
    """Marker returned by `parse_row` for a row that matches an existing record."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


class Importer:
    """One kind of registry file. Subclasses set the class attributes and implement
    `prepare` (optional), `parse_row` and `save_new`."""

    kind: str = ""
    title = gettext_lazy("records")
    entity_type: str = ""
    sheet_title: str = "数据"
    columns: tuple[Column, ...] = ()
    text_columns: tuple[str, ...] = ()  # formatted as text in the template (long digit codes)
    example: dict[str, str] = {}
    # Extra text inputs an importer needs besides the file (e.g. "source", where the file comes
    # from): the pages, the API and the CLI collect them and pass them to `run` by name.
    options: tuple[str, ...] = ()

    # -- who may import at all
    def check_actor(self, actor) -> None:
        """Raise Forbidden if the actor may not import this kind at all."""
        if not _is_staff(actor):
            raise Forbidden(_("Only HRSS staff may import this registry."))

    # -- the pipeline
    def run(self, *, actor, data: bytes, filename: str,
            skip_bad_rows: bool = False) -> ImportReport:
        self.check_actor(actor)
        context: dict[str, Any] = {"actor": actor, "scope": scope_of(actor),
                                   "source": filename, "seen": {}}

        def save(parsed: list) -> tuple[int, int, int]:
            new = [p for p in parsed if p is not UNCHANGED]
            created = self.save_new(new, context) if new else 0
            return created, 0, len(parsed) - len(new)

        return run_import(data=data, filename=filename, columns=self.columns,
                          parse_row=self.parse_row, save=save, skip_bad_rows=skip_bad_rows,
                          prepare=self.prepare, context=context,
                          ignored_titles=self.ignored_titles())

    def ignored_titles(self) -> set[str]:
        """Columns our own export of this registry writes for reading only (region names,
        status, …): a re-imported export is accepted, any other unknown column is reported."""
        exporter = exports.EXPORTERS.get(self.kind)
        return set(exporter.headers) if exporter else set()

    def prepare(self, rows: list[Row], context: dict) -> None:
        """Look up, in a few queries, the existing records every row refers to."""

    def parse_row(self, row: Row, context: dict) -> Any:
        raise NotImplementedError

    def save_new(self, items: list, context: dict) -> int:
        raise NotImplementedError

    # -- helpers for subclasses
    @staticmethod
    def once_in_file(context: dict, key: Any, row: Row, field: str) -> None:
        """Report a second row with the same key."""
        first = context["seen"].setdefault(key, row.number)
        if first != row.number:
            raise RowInvalid((field, _("Same as row %(row)d of this file.") % {"row": first}))

    @staticmethod
    def load_regions(context: dict, codes: Iterable[str]) -> None:
        regions = context.setdefault("regions", {})
        wanted = sorted({c for c in codes if c and c not in regions})
        for chunk in iter_chunks(wanted, LOOKUP_CHUNK):
            regions.update({r.code: r for r in
                            selectors.region_list(actor=None).filter(code__in=chunk)})

    @staticmethod
    def region(context: dict, raw: str, field: str = "region_code") -> Region:
        """The region a cell names, which must be inside a staff actor's subtree."""
        region = context["regions"].get(raw.strip())
        if region is None:
            raise RowInvalid((field, _("Unknown region code %(code)s.") % {"code": raw.strip()}))
        scope: Scope = context["scope"]
        if not scope.everything and not scope.organization_id and not region.code.startswith(
                scope.region_prefix or "#"):
            raise RowInvalid((field, _("This region is outside your jurisdiction.")))
        return region

    def column_label(self, name: str) -> str:
        return next((str(c.label) for c in self.columns if c.name == name), name)

    # -- the downloadable template
    def template_xlsx(self) -> bytes:
        """A workbook with the header row and one example row, and a sheet “说明” describing
        every column."""
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = self.sheet_title
        bold = Font(bold=True)
        for index, column in enumerate(self.columns, start=1):
            head = sheet.cell(row=1, column=index, value=str(column.label))
            head.font = bold
            sheet.cell(row=2, column=index, value=self.example.get(column.name, ""))
            letter = head.column_letter
            sheet.column_dimensions[letter].width = max(12, 2 * len(str(column.label)) + 4)
            if column.name in self.text_columns:
                for r in range(2, 1002):
                    sheet.cell(row=r, column=index).number_format = "@"
        sheet.freeze_panes = "A2"
        notes = book.create_sheet("说明")
        for index, title in enumerate(("列名", "字段名", "必填", "说明"), start=1):
            notes.cell(row=1, column=index, value=title).font = bold
        for r, column in enumerate(self.columns, start=2):
            notes.cell(row=r, column=1, value=str(column.label))
            notes.cell(row=r, column=2, value=column.name)
            notes.cell(row=r, column=3, value="是" if column.required else "否")
            notes.cell(row=r, column=4, value=str(column.help))
        last = len(self.columns) + 3
        notes.cell(row=last, column=1, value=str(_(
            "The first sheet is read; the header row may use the column titles or the field "
            "names. CSV files may be UTF-8 (with or without BOM) or GBK. A file with errors "
            "writes nothing unless you choose to skip bad rows.")))
        for letter, width in (("A", 20), ("B", 26), ("C", 8), ("D", 90)):
            notes.column_dimensions[letter].width = width
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def _is_staff(actor) -> bool:
    return may.is_staff(services.actor_facts(actor))
