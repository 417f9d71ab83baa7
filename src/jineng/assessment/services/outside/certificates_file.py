"""`certificates_import`: outside certificates from a CSV or .xlsx file, and its template."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.assessment.choices import (
    CertificateKind,
    CertificateOrigin,
)
from jineng.assessment.models import (
    Certificate,
)
from jineng.assessment.rules import numbering
from jineng.assessment.services.outside.files import (
    KIND_NAMES,
    ORIGIN_NAMES,
    _cap,
    _choice,
    _file_date,
    _Lookups,
    _read,
    _whole_numbers,
    _yes_no,
)
from jineng.assessment.services.outside.records import (
    CONTENT_FIELDS,
    OutsideCertificateInput,
    _bulk_save,
    _ensure_governs,
    _ensure_may_record,
    _new,
    _plain,
    _same_or_conflict,
    _validated,
    content_fingerprint,
)
from jineng.core.errors import DomainError
from jineng.core.importing import Column, ImportReport, RowInvalid, run_import
from jineng.core.tabular import Row

# --- certificates_import -------------------------------------------------------------------

C = Column
CERTIFICATE_COLUMNS = (
    C("kind", "证书类型", required=True, max_length=40,
      help=gettext_lazy("skill_level, special_ability, training, entrepreneurship, "
                        "special_operation or qualification (or the kind's name).")),
    C("number", "证书编号", required=True, max_length=40),
    C("origin", "证书来源", required=True, max_length=40,
      help=gettext_lazy("other_province, national, other_authority or legacy (or the "
                        "origin's name).")),
    C("id_number", "身份证号", required=True, max_length=18),
    C("holder_name", "姓名", required=True, max_length=50),
    C("occupation", "职业（工种）", max_length=100,
      help=gettext_lazy("The occupation's or work type's code or name.")),
    C("work_type", "工种/职业方向", max_length=100),
    C("level", "技能等级", max_length=30),
    C("special_ability_item", "专项能力项目", max_length=100),
    C("title", "培训项目/作业类别", max_length=200),
    C("issuer_name", "发证机构", required=True, max_length=200),
    C("issued_on", "发证日期", required=True, max_length=12),
    C("training_start", "培训开始日期", max_length=12),
    C("training_end", "培训结束日期", max_length=12),
    C("verified", "已核验", max_length=8, help=gettext_lazy("是 or 否 (empty: 否).")),
    C("note", "核验说明", max_length=500),
)
CERTIFICATE_EXAMPLE = {
    "kind": "职业技能等级证书", "number": "S000052000001255000001", "origin": "other_province",
    "id_number": "520102199001011234", "holder_name": "张三", "occupation": "4-03-02-01",
    "level": "初级工", "issuer_name": "某职业技能等级认定机构", "issued_on": "2025-06-30",
    "verified": "否",
}


def _certificate_input(row: Row, lookups: _Lookups) -> OutsideCertificateInput:
    v = row.values
    problems: list[tuple[str, str]] = []
    found: dict[str, Any] = {}
    for name, get in (("occupation", lambda: lookups.occupation(v.get("occupation", ""))),
                      ("level", lambda: lookups.level(v.get("level", ""))),
                      ("issued_on", lambda: _file_date(v.get("issued_on", ""), "issued_on")),
                      ("training_start",
                       lambda: _file_date(v.get("training_start", ""), "training_start")),
                      ("training_end",
                       lambda: _file_date(v.get("training_end", ""), "training_end")),
                      ("verified", lambda: _yes_no(v.get("verified", ""), "verified"))):
        try:
            found[name] = get()
        except RowInvalid as bad:
            problems.extend(bad.problems)
    if problems:
        raise RowInvalid(*problems)
    return OutsideCertificateInput(
        kind=_choice(v.get("kind", ""), CertificateKind, KIND_NAMES),
        number=v.get("number", ""),
        origin=_choice(v.get("origin", ""), CertificateOrigin, ORIGIN_NAMES),
        id_number=v.get("id_number", ""), holder_name=v.get("holder_name", ""),
        issuer_name=v.get("issuer_name", ""), issued_on=found["issued_on"],
        occupation=found["occupation"], work_type=v.get("work_type", ""), level=found["level"],
        special_ability_item=v.get("special_ability_item", ""), title=v.get("title", ""),
        training_start=found["training_start"], training_end=found["training_end"],
        verified=found["verified"], note=v.get("note", ""))


@dataclass
class _Seen:
    """Numbers met earlier in the same file: the row and the content's fingerprint."""

    rows: dict[str, tuple[int, str, dict]] = field(default_factory=dict)


def _repeat_in_file(seen: _Seen, row: int, values: dict[str, Any]) -> bool:
    """True if an earlier row of the file has this number with the same content; an earlier
    row with another content is a row error naming the field."""
    number, fingerprint = values["number"], content_fingerprint(values)
    earlier = seen.rows.get(number)
    if earlier is None:
        seen.rows[number] = (row, fingerprint, values)
        return False
    first_row, first_print, first_values = earlier
    if first_print == fingerprint:
        return True
    for name, input_name in CONTENT_FIELDS.items():
        if _plain(first_values, name) != _plain(values, name):
            raise DomainError(_("Row %(row)d has this number with another %(field)s.")
                              % {"row": first_row, "field": str(Certificate._meta.get_field(
                                  name.removesuffix("_id")).verbose_name)},
                              field=input_name, code="duplicate_number")
    return True


def certificates_import(*, actor, file, skip_bad_rows: bool = False) -> ImportReport:
    """Record the certificates of a CSV or .xlsx file (CERTIFICATE_COLUMNS); see the module's
    docstring. created: recorded now; unchanged: recorded before (or repeated in the file)
    with the same content."""
    _ensure_may_record(actor)
    data, filename = _read(file)
    lookups = _Lookups(actor)
    seen = _Seen()

    def prepare(rows: list[Row], context: dict) -> None:
        _cap(rows, context)
        lookups.load_persons(_whole_numbers(rows, "id_number"))
        numbers = [numbering.normalize(r.values.get("number", "")) for r in rows]
        context["existing"] = {c.number: c for c in Certificate.objects.filter(
            number__in=[n for n in numbers if n])}

    def parse_row(row: Row, context: dict):
        values = _validated(actor, _certificate_input(row, lookups), persons=lookups.persons)
        _ensure_governs(actor, values["person"].region)
        existing = context["existing"].get(values["number"])
        if existing is not None:
            _same_or_conflict(existing, values)
            return None
        if _repeat_in_file(seen, row.number, values):
            return None
        return values

    def save(parsed: list) -> tuple[int, int, int]:
        now = timezone.now()
        new = [_new(actor, values, now=now) for values in parsed if values is not None]
        _bulk_save(actor, new, filename)
        return len(new), 0, len(parsed) - len(new)

    return run_import(data=data, filename=filename, columns=CERTIFICATE_COLUMNS,
                      parse_row=parse_row, save=save, skip_bad_rows=skip_bad_rows,
                      prepare=prepare)


# Columns kept as text in the templates: Excel turns a long number typed into a General cell
# into a float (a 16- or 18-digit number loses its last digits) and a date into its own form.
TEXT_COLUMNS = {"number", "id_number", "evaluator_credit_code", "issued_on", "sitting_date",
                "training_start", "training_end", "occupation", "sitting_ref"}
TEMPLATE_ROWS = 1000


def _template(title: str, columns, example: dict[str, str]) -> bytes:
    """The header row, one example row, and the text columns formatted as text."""
    import io

    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for index, column in enumerate(columns, start=1):
        head = sheet.cell(row=1, column=index, value=str(column.label))
        head.font = Font(bold=True)
        sheet.column_dimensions[head.column_letter].width = max(
            12, 2 * len(str(column.label)) + 4)
        sheet.cell(row=2, column=index, value=example.get(column.name, "") or None)
        if column.name in TEXT_COLUMNS:
            for r in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=r, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def certificates_template() -> bytes:
    """The import template: the header row and one example row."""
    return _template("certificates", CERTIFICATE_COLUMNS, CERTIFICATE_EXAMPLE)
