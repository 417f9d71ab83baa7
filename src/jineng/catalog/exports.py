"""Downloads of a catalog version: Excel in the import layout (a title row with the version and
its dates above the header, so the file can be imported again) and PDF for printing and
posting (reportlab with its built-in Chinese CID font STSong-Light: no font file to ship)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from jineng.catalog.kinds import COLUMN_TITLES, spec_for
from jineng.catalog.models import CatalogVersion
from jineng.core.tabular import xlsx_cell

PDF_FONT = "STSong-Light"


def version_heading(version: CatalogVersion) -> str:
    """"贵州省…目录 · 第 2 版 · 2025-01-01 起施行 · 发布于 …" in the active language."""
    parts = [version.catalog.title,
             _("version %(n)s") % {"n": version.number},
             _("status: %(status)s") % {"status": version.get_status_display()}]
    if version.effective_to:
        parts.append(_("in force %(start)s – %(end)s") % {
            "start": version.effective_from.isoformat(), "end": version.effective_to.isoformat()})
    else:
        parts.append(_("in force from %(start)s") % {"start": version.effective_from.isoformat()})
    if version.published_at:
        published = timezone.localtime(version.published_at).date().isoformat()
        parts.append(_("published %(day)s") % {"day": published})
    return " · ".join(str(p) for p in parts)


def export_filename(version: CatalogVersion, extension: str) -> str:
    return f"catalog-{version.catalog_id}-v{version.number}-{version.effective_from}.{extension}"


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal | int | dt.date):
        return value
    return "" if value is None else str(value)


def version_xlsx(version: CatalogVersion, entries=None) -> bytes:
    spec = spec_for(version.catalog.kind)
    entries = spec.entries(version.pk) if entries is None else entries
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = f"v{version.number}"
    width = len(spec.columns)
    sheet.append([xlsx_cell(sheet, version_heading(version))])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="left")
    sheet.append([xlsx_cell(sheet, str(c.label)) for c in spec.columns])
    for index in range(1, width + 1):
        sheet.cell(row=2, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(
            10, len(spec.columns[index - 1].label) * 2 + 2)
    sheet.freeze_panes = "A3"
    for entry in entries:  # text as text: a note "=HYPERLINK(…)" is shown, never run
        sheet.append([xlsx_cell(sheet, _cell(v)) for v in spec.export_row(entry)])
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def version_pdf(version: CatalogVersion, entries=None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    spec = spec_for(version.catalog.kind)
    entries = spec.entries(version.pk) if entries is None else entries
    columns = list(spec.display_columns)
    heading = ParagraphStyle("h", fontName=PDF_FONT, fontSize=14, leading=18)
    small = ParagraphStyle("s", fontName=PDF_FONT, fontSize=9, leading=12)
    cell = ParagraphStyle("c", fontName=PDF_FONT, fontSize=8, leading=10, wordWrap="CJK")
    head = ParagraphStyle("th", parent=cell, textColor=colors.black)

    def para(value: Any, style=cell):
        text = "" if value in (None, "") else str(value)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return Paragraph(text, style)

    data = [[para(COLUMN_TITLES.get(c, spec.labels[c]), head) for c in columns]]
    for entry in entries:
        cells = spec.cells(entry)
        data.append([para(cells.get(c, "")) for c in columns])
    page = landscape(A4)
    usable = page[0] - 24 * mm
    table = LongTable(data, repeatRows=1, colWidths=[usable / len(columns)] * len(columns))
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    title = version_heading(version)
    footer = _("Page %(n)s")

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(PDF_FONT, 8)
        canvas.drawString(12 * mm, 8 * mm, title[:120])
        canvas.drawRightString(page[0] - 12 * mm, 8 * mm, footer % {"n": doc.page})
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=page, leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=14 * mm,
                            title=title, author="jineng")
    story = [Paragraph(title, heading), Spacer(1, 3 * mm)]
    if version.change_note:
        story += [para(version.change_note, small), Spacer(1, 3 * mm)]
    story.append(table if len(data) > 1 else para(_("No entries."), small))
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()
