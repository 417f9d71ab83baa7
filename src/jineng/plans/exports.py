"""Quarterly reports as documents to circulate: Excel (openpyxl) and PDF (reportlab with the
built-in Chinese CID font STSong-Light, so no font file is shipped).

Both renderers take one `Sheet`: a title, a few heading lines, a table and notes, so the Excel
and the PDF of a report always say the same thing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from jineng.plans.rules import vocabulary as v


@dataclass
class Sheet:
    title: str
    heading: list[str]
    headers: list[str]
    rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)
    numeric_from: int = 4  # columns from this index on are numbers (right-aligned)
    widths: list[int] = field(default_factory=list)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return "" if value is None else value


def _text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal | int | float):
        number = Decimal(str(value))
        if number == number.to_integral_value():
            return f"{int(number):,}"
        return f"{number:,.2f}"
    return str(value)


def to_xlsx(sheet: Sheet) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = _("Report")[:31]
    ncols = len(sheet.headers)
    ws.append([sheet.title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    for line in sheet.heading:
        ws.append([line])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row,
                       end_column=ncols)
    ws.append([])
    header_row = ws.max_row + 1
    ws.append(sheet.headers)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col in range(1, ncols + 1):
        cell = ws.cell(row=header_row, column=col)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF2F6")
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = border
    for row in sheet.rows:
        ws.append([_plain(x) for x in row])
        r = ws.max_row
        for col in range(1, ncols + 1):
            cell = ws.cell(row=r, column=col)
            cell.border = border
            if col - 1 >= sheet.numeric_from and isinstance(cell.value, int | float):
                cell.number_format = "#,##0.##" if isinstance(cell.value, float) else "#,##0"
            else:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    if sheet.notes:
        ws.append([])
        for note in sheet.notes:
            ws.append([note])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row,
                           end_column=ncols)
    widths = sheet.widths or [14] * ncols
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


FONT = "STSong-Light"


def to_pdf(sheet: Sheet) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title_style = ParagraphStyle("t", fontName=FONT, fontSize=15, leading=20, alignment=1,
                                 spaceAfter=4)
    line_style = ParagraphStyle("l", fontName=FONT, fontSize=9.5, leading=13)
    cell_style = ParagraphStyle("c", fontName=FONT, fontSize=8, leading=10)
    num_style = ParagraphStyle("n", parent=cell_style, alignment=2)
    head_style = ParagraphStyle("h", parent=cell_style, alignment=1)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm,
                            rightMargin=12 * mm, topMargin=12 * mm, bottomMargin=12 * mm,
                            title=sheet.title, author="jineng")

    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    story: list[Any] = [Paragraph(esc(sheet.title), title_style)]
    story += [Paragraph(esc(line), line_style) for line in sheet.heading]
    story.append(Spacer(1, 4 * mm))
    data = [[Paragraph(esc(h), head_style) for h in sheet.headers]]
    for row in sheet.rows:
        data.append([Paragraph(esc(_text(x)), num_style if i >= sheet.numeric_from
                               and isinstance(x, Decimal | int | float) else cell_style)
                     for i, x in enumerate(row)])
    widths = sheet.widths or [14] * len(sheet.headers)
    scale = doc.width / sum(widths)
    table = Table(data, colWidths=[w * scale for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF2F6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story.append(table)
    if sheet.notes:
        story.append(Spacer(1, 3 * mm))
        story += [Paragraph(esc(note), line_style) for note in sheet.notes]

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawRightString(document.pagesize[0] - 12 * mm, 7 * mm,
                               _("Page %(page)s") % {"page": document.page})
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def _unit(metric: str) -> str:
    return v.METRICS[metric].unit_zh


def _rate(actual: Decimal | None, target: Decimal | None) -> str:
    if actual is None or not target:
        return ""
    return f"{(Decimal(100) * actual / target).quantize(Decimal('0.1'))}%"


def report_sheet(*, plan, region_name: str, department: str, year: int, quarter: int,
                 status: str, lines: list[dict], summary: str = "", prepared: str = "",
                 reviewed: str = "", preview: bool = False) -> Sheet:
    """A quarterly report. `lines`: dicts with target (Target), target_value,
    prefilled_quarter, reported_quarter, prefilled_cumulative, reported_cumulative, comment."""
    who = department or region_name
    title = _("%(plan)s — quarterly progress report") % {"plan": plan.short_title}
    heading = [
        _("Reporting unit: %(who)s    Quarter: %(year)s Q%(quarter)s    Status: %(status)s")
        % {"who": who, "year": year, "quarter": quarter, "status": status},
        _("Plan: %(title)s (%(issuer)s%(number)s)")
        % {"title": plan.title, "issuer": plan.issuer,
           "number": f"，{plan.document_number}" if plan.document_number else ""},
    ]
    if prepared:
        heading.append(prepared)
    if reviewed:
        heading.append(reviewed)
    headers = [_("No."), _("Target"), _("Clause"), _("Unit"), _("Target value"),
               _("This quarter (jineng)"), _("This quarter (reported)"),
               _("Cumulative (jineng)"), _("Cumulative (reported)"), _("Completion"),
               _("Comment")]
    rows = []
    for i, line in enumerate(lines, start=1):
        t = line["target"]
        rows.append([i, t.title, t.clause, _unit(t.metric), line["target_value"],
                     line["prefilled_quarter"], line["reported_quarter"],
                     line["prefilled_cumulative"], line["reported_cumulative"],
                     _rate(line["reported_cumulative"], line["target_value"])
                     if t.kind == v.COUNT else "",
                     line["comment"]])
    notes = []
    if summary:
        notes.append(_("Summary: %(text)s") % {"text": summary})
    notes.append(_("\"jineng\" columns are counted from the platform's own records; "
                   "\"reported\" columns are the figures the unit submits. Rates are "
                   "percentages."))
    if preview:
        notes.append(_("Preview: this report has not been prepared or submitted yet."))
    return Sheet(title=title, heading=heading, headers=headers, rows=rows, notes=notes,
                 numeric_from=4, widths=[5, 30, 11, 6, 11, 11, 11, 11, 11, 9, 24])


def summary_sheet(*, plan, region_name: str, year: int, quarter: int, rows: list,
                  reports: list) -> Sheet:
    title = _("%(plan)s — quarterly summary") % {"plan": plan.short_title}
    counted = sum(1 for r in reports if r.status in {"submitted", "reviewed"})
    heading = [_("Region: %(region)s    Quarter: %(year)s Q%(quarter)s")
               % {"region": region_name, "year": year, "quarter": quarter},
               _("Reports counted (submitted or reviewed): %(counted)s of %(total)s")
               % {"counted": counted, "total": len(reports)}]
    headers = [_("No."), _("Target"), _("Clause"), _("Unit"), _("Target value"),
               _("This quarter (jineng)"), _("This quarter (reported)"),
               _("Cumulative (reported)"), _("Completion"), _("Reports")]
    table = []
    for i, row in enumerate(rows, start=1):
        t = row.target
        table.append([i, t.title, t.clause, _unit(t.metric), row.target_value,
                      row.prefilled_quarter, row.reported_quarter, row.reported_cumulative,
                      _rate(row.reported_cumulative, row.target_value), row.reports])
    notes = [_("Units: %(list)s") % {"list": "；".join(
        f"{r.region.name}·{r.get_status_display()}" for r in reports) or "—"}]
    return Sheet(title=title, heading=heading, headers=headers, rows=table, notes=notes,
                 numeric_from=4, widths=[5, 34, 11, 6, 12, 12, 12, 12, 9, 7])
