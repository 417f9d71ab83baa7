"""Writes of the demand app: enterprise demand lists (企业需求清单). One transaction each, audited.

An enterprise user (or the lead enterprise of an alliance, 就业培训联盟) opens one list per
quarter (idempotent: a second open of the same quarter answers the list already there, also
under concurrent requests — the unique constraint decides), adds lines by hand or from an Excel
file (a per-row report), and submits it; HRSS staff of the list's region return it with a
reason or accept it (rules.demand_lists). Every write locks the list row (select_for_update)
so that the state its checks read cannot change under them; status steps are kept in
DemandListStatusChange (core.history).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.accounts.models import Role
from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.history import record_transition
from jineng.core.importing import Column, ImportReport, RowInvalid, run_import
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.core.tabular import Row, check_file_size
from jineng.demand.models import DemandLine, DemandList, DemandListStatusChange
from jineng.demand.rules import demand_lists as rules
from jineng.demand.selectors import demand_lists as selectors
from jineng.registry import selectors as registry_selectors
from jineng.registry.choices import OrganizationKind
from jineng.registry.models import Occupation, SkillLevel
from jineng.training.choices import Sector

__all__ = [
    "LINE_COLUMNS",
    "DemandLineInput",
    "DemandListInput",
    "demand_line_add",
    "demand_line_remove",
    "demand_line_update",
    "demand_lines_import",
    "demand_lines_template",
    "demand_list_create",
    "demand_list_kinds",
    "demand_list_transition",
    "demand_list_update",
    "line_message",
]

ALLIANCE_MAX, CONTACT_MAX, PHONE_MAX, NOTE_MAX, REASON_MAX = 100, 50, 20, 2000, 2000
MAX_ROWS = 2000


def _username(actor) -> str:
    return getattr(actor, "username", "") or "system"


def demand_list_kinds(actor, demand_list: DemandList) -> frozenset[str]:
    """The lifecycle roles (rules.FILER / rules.HRSS) the actor holds for a list."""
    kinds = set()
    if getattr(actor, "role", "") == Role.ENTERPRISE and \
            getattr(actor, "organization_id", None) == demand_list.organization_id:
        kinds.add(rules.FILER)
    scope = scope_of(actor)
    if getattr(actor, "is_hrss_staff", False) and (
            scope.everything or (scope.region_prefix is not None
                                 and demand_list.region.code.startswith(scope.region_prefix))):
        kinds.add(rules.HRSS)
    return frozenset(kinds)


MESSAGES = {
    "required": gettext_lazy("This field is required."),
    "headcount_out_of_range": gettext_lazy("The number of people needed is from 1 to 100000."),
    "date_outside_quarter": gettext_lazy("The date needed is outside the list's quarter "
                                         "(%(first)s to %(last)s)."),
    "date_past": gettext_lazy("The date needed is in the past."),
    "wage_out_of_range": gettext_lazy("A monthly wage is from 1 to 200000 yuan."),
    "wage_min_above_max": gettext_lazy("The lowest wage is above the highest."),
}


def line_message(code: str, year: int, quarter: int) -> str:
    first, last = rules.quarter_bounds(year, quarter)
    return str(MESSAGES.get(code, code)) % {"first": first.isoformat(), "last": last.isoformat()}


# --- the list ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DemandListInput:
    year: int
    quarter: int
    alliance_name: str = ""
    sector: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    note: str = ""


def _clean_header(data: DemandListInput) -> DemandListInput:
    data = replace(data, alliance_name=data.alliance_name.strip(), sector=data.sector.strip(),
                   contact_name=data.contact_name.strip(),
                   contact_phone=data.contact_phone.strip(), note=data.note.strip())
    for fld, limit in (("alliance_name", ALLIANCE_MAX), ("contact_name", CONTACT_MAX),
                       ("contact_phone", PHONE_MAX), ("note", NOTE_MAX)):
        if len(getattr(data, fld)) > limit:
            raise DomainError(_("At most %(n)s characters.") % {"n": limit}, field=fld,
                              code="too_long")
    if data.sector and data.sector not in Sector.values:
        raise DomainError(_("Unknown sector."), field="sector", code="invalid")
    if data.contact_phone and not data.contact_phone.replace("-", "").isdigit():
        raise DomainError(_("A phone number holds digits (and dashes) only."),
                          field="contact_phone", code="invalid")
    return data


def _ensure_enterprise(actor):
    org = getattr(actor, "organization", None)
    if getattr(actor, "role", "") != Role.ENTERPRISE or org is None \
            or org.kind != OrganizationKind.ENTERPRISE:
        raise Forbidden(_("Only an enterprise's users file demand lists."))
    return org


def _header(data: DemandListInput) -> dict:
    return {"alliance_name": data.alliance_name, "sector": data.sector,
            "contact_name": data.contact_name, "contact_phone": data.contact_phone,
            "note": data.note}


def _same_header(existing: DemandList, data: DemandListInput) -> DemandList:
    if existing.alliance_name != data.alliance_name or (
            data.sector and existing.sector != data.sector):
        raise Conflict(_("Your list of %(year)s Q%(quarter)s was already opened with other "
                         "details: edit that list.") % {"year": data.year,
                                                        "quarter": data.quarter},
                       field="quarter", code="list_exists")
    return existing


def demand_list_create(*, actor, data: DemandListInput,
                       today: dt.date | None = None) -> tuple[DemandList, bool]:
    """Open the enterprise's list of a quarter (a draft). Idempotent: the same quarter again
    answers the list already opened (`created` False); the same quarter with another alliance
    or sector is a Conflict. Two concurrent opens make one list (the unique constraint)."""
    org = _ensure_enterprise(actor)
    data = _clean_header(data)
    today = today or timezone.localdate()
    problem = rules.fileable_quarter(data.year, data.quarter, today)
    if problem:
        raise DomainError({
            "quarter_invalid": _("Not a quarter: the year is 2000–2100 and the quarter 1–4."),
            "quarter_past": _("That quarter has ended: file the current or a coming quarter."),
            "quarter_too_far": _("At most four quarters ahead."),
        }[problem], field="quarter", code=problem)
    existing = DemandList.objects.filter(organization=org, year=data.year,
                                         quarter=data.quarter).first()
    if existing is not None:
        return _same_header(existing, data), False
    sector = data.sector or (org.sector if org.sector in Sector.values else "")
    try:
        with transaction.atomic():
            row = DemandList.objects.create(
                organization=org, region=org.region, year=data.year, quarter=data.quarter,
                status=rules.DRAFT, **{**_header(data), "sector": sector})
            record_transition(DemandListStatusChange, subject_field="demand_list", subject=row,
                              actor=actor, action="create", from_status="",
                              to_status=rules.DRAFT)
            audit.record(actor=actor, action=AuditAction.CREATE, instance=row,
                         after=audit.snapshot(row))
    except IntegrityError:  # opened by a concurrent request: answer that one
        existing = DemandList.objects.filter(organization=org, year=data.year,
                                             quarter=data.quarter).first()
        if existing is None:
            raise
        return _same_header(existing, data), False
    return row, True


def _lock(pk: int) -> DemandList:
    return DemandList.objects.select_for_update().select_related("region", "organization") \
        .get(pk=pk)


def _ensure_editable(actor, locked: DemandList) -> None:
    if rules.FILER not in demand_list_kinds(actor, locked):
        raise Forbidden(_("Only the filing enterprise edits its list."))
    if locked.status not in rules.EDITABLE_STATES:
        raise DomainError(_("The list is %(status)s: it is edited only as a draft or when "
                            "returned.") % {"status": locked.get_status_display()},
                          field="status", code="not_editable")


def demand_list_update(*, actor, demand_list: DemandList, data: DemandListInput) -> DemandList:
    """Change the header (alliance, sector, contact, note) of a draft or returned list."""
    visible = selectors.demand_list_get(actor=actor, pk=demand_list.pk)
    data = _clean_header(data)
    with transaction.atomic():
        locked = _lock(visible.pk)
        _ensure_editable(actor, locked)
        before = audit.snapshot(locked)
        for name, value in _header(data).items():
            setattr(locked, name, value)
        locked.save(update_fields=list(_header(data)))
        old, new = audit.changed(before, audit.snapshot(locked))
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=locked, before=old,
                     after=new)
    return locked


# --- lines ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DemandLineInput:
    occupation: Occupation | None
    headcount: int | None
    needed_by: dt.date | None
    level: SkillLevel | None = None
    order_class_wanted: bool = False
    wage_min: int | None = None
    wage_max: int | None = None


def _line_errors(data: DemandLineInput, dl: DemandList, today: dt.date,
                 ) -> list[tuple[str, str, str]]:
    problems = []
    if data.occupation is None:
        problems.append(("occupation", "required", str(MESSAGES["required"])))
    facts = rules.LineFacts(headcount=data.headcount, needed_by=data.needed_by,
                            wage_min=data.wage_min, wage_max=data.wage_max)
    for fld, code in rules.line_problems(facts, year=dl.year, quarter=dl.quarter, today=today):
        problems.append((fld, code, line_message(code, dl.year, dl.quarter)))
    return problems


def _check_line(data: DemandLineInput, dl: DemandList, today: dt.date) -> None:
    problems = _line_errors(data, dl, today)
    if problems:
        fld, code, message = problems[0]
        raise DomainError(message, field=fld, code=code)


def _duplicate(dl: DemandList, data: DemandLineInput, exclude: int | None = None) -> None:
    qs = DemandLine.objects.filter(demand_list=dl, occupation=data.occupation,
                                   level=data.level)
    if exclude:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise Conflict(_("The list already has a line of this occupation and level: edit that "
                         "line."), field="occupation", code="duplicate_line")


def _line_values(data: DemandLineInput) -> dict:
    return {"occupation": data.occupation, "level": data.level, "headcount": data.headcount,
            "needed_by": data.needed_by, "order_class_wanted": bool(data.order_class_wanted),
            "wage_min": data.wage_min, "wage_max": data.wage_max}


def demand_line_add(*, actor, demand_list: DemandList, data: DemandLineInput,
                    today: dt.date | None = None) -> DemandLine:
    """Add a line to a draft or returned list; one line per occupation × level."""
    visible = selectors.demand_list_get(actor=actor, pk=demand_list.pk)
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock(visible.pk)
        _ensure_editable(actor, locked)
        _check_line(data, locked, today)
        _duplicate(locked, data)
        line = DemandLine.objects.create(demand_list=locked, **_line_values(data))
        audit.record(actor=actor, action=AuditAction.CREATE, instance=line,
                     after=audit.snapshot(line), region_code=locked.region.code,
                     organization_id=locked.organization_id)
    return line


def demand_line_update(*, actor, line: DemandLine, data: DemandLineInput,
                       today: dt.date | None = None) -> DemandLine:
    visible = selectors.demand_line_get(actor=actor, pk=line.pk)
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock(visible.demand_list_id)
        _ensure_editable(actor, locked)
        _check_line(data, locked, today)
        _duplicate(locked, data, exclude=visible.pk)
        row = DemandLine.objects.get(pk=visible.pk)
        before = audit.snapshot(row)
        for name, value in _line_values(data).items():
            setattr(row, name, value)
        row.save()
        old, new = audit.changed(before, audit.snapshot(row))
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=row, before=old,
                     after=new, region_code=locked.region.code,
                     organization_id=locked.organization_id)
    return row


def demand_line_remove(*, actor, line: DemandLine) -> None:
    visible = selectors.demand_line_get(actor=actor, pk=line.pk)
    with transaction.atomic():
        locked = _lock(visible.demand_list_id)
        _ensure_editable(actor, locked)
        row = DemandLine.objects.get(pk=visible.pk)
        audit.record(actor=actor, action=AuditAction.DELETE, instance=row,
                     before=audit.snapshot(row), region_code=locked.region.code,
                     organization_id=locked.organization_id)
        row.delete()


# --- the workflow --------------------------------------------------------------------------------

def demand_list_transition(*, actor, demand_list: DemandList, action: str, reason: str = "",
                           today: dt.date | None = None) -> DemandList:
    """submit (the enterprise: at least one line, no date needed already past), return (HRSS,
    with a reason) or accept (HRSS)."""
    visible = selectors.demand_list_get(actor=actor, pk=demand_list.pk)
    if len(reason) > REASON_MAX:
        raise DomainError(_("At most %(n)s characters.") % {"n": REASON_MAX}, field="reason",
                          code="too_long")
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock(visible.pk)
        kinds = demand_list_kinds(actor, locked)
        try:
            target = rules.plan_transition(action, locked.status, kinds, reason)
        except rules.TransitionRefused as refused:
            if refused.code == "not_permitted":
                raise Forbidden(_("This step is not yours to take.")) from None
            raise DomainError({
                "unknown_action": _("Unknown action."),
                "not_allowed_from": _("Not possible while the list is %(status)s.") % {
                    "status": locked.get_status_display()},
                "reason_required": _("Give the reason for returning the list."),
            }[refused.code], field="reason" if refused.code == "reason_required" else "action",
                code=refused.code) from None
        if action == "submit":
            lines = list(DemandLine.objects.filter(demand_list=locked).order_by("id"))
            if not lines:
                raise DomainError(_("Add at least one line before submitting."),
                                  field="lines", code="no_lines")
            for n, line in enumerate(lines, start=1):
                if line.needed_by < today:
                    raise DomainError(_("Line %(n)s: the date needed is in the past.")
                                      % {"n": n}, field="needed_by", code="date_past")
        before = locked.status
        locked.status = target
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_changed_at"])
        record_transition(DemandListStatusChange, subject_field="demand_list", subject=locked,
                          actor=actor, action=action, from_status=before, to_status=target,
                          reason=reason)
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=locked,
                     before={"status": before}, after={"status": target, "action": action},
                     reason=reason.strip())
    return locked


# --- the Excel import of lines ------------------------------------------------------------------

C = Column
LINE_COLUMNS = (
    C("occupation", "职业（工种）", required=True, max_length=100,
      help=gettext_lazy("The occupation's or work type's code or name (2022 classification).")),
    C("level", "技能等级", max_length=30, help=gettext_lazy("Empty: any level.")),
    C("headcount", "需求人数", required=True, max_length=10,
      help=gettext_lazy("1 to 100000.")),
    C("needed_by", "需求日期", required=True, max_length=12,
      help=gettext_lazy("A day of the list's quarter, not in the past (2026-12-20).")),
    C("order_class_wanted", "接受订单班", max_length=8, help=gettext_lazy("是 or 否 (empty: 否).")),
    C("wage_min", "月薪下限（元）", max_length=10),
    C("wage_max", "月薪上限（元）", max_length=10),
)
LINE_EXAMPLE = {"occupation": "养老护理员", "level": "初级工", "headcount": "20",
                "needed_by": "", "order_class_wanted": "是", "wage_min": "3500",
                "wage_max": "5000"}
YES = {"是", "yes", "y", "true", "1"}
NO = {"否", "no", "n", "false", "0", ""}


def _int(raw: str, name: str) -> int | None:
    text = (raw or "").strip().replace(",", "")
    if not text:
        return None
    try:
        value = float(text) if "." in text else int(text)
    except ValueError:
        raise RowInvalid((name, _("Not a whole number."))) from None
    if isinstance(value, float):
        if not value.is_integer():
            raise RowInvalid((name, _("Not a whole number.")))
        value = int(value)
    return value


def _date(raw: str, name: str) -> dt.date | None:
    text = (raw or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(text[:10], fmt).date()
        except ValueError:
            continue
    raise RowInvalid((name, _("Not a date (write it as 2026-12-20).")))


class _Lookups:
    def __init__(self, actor) -> None:
        self.actor = actor
        self.occupations: dict[str, Occupation | None] = {}
        self.levels = list(registry_selectors.skill_level_list(actor=actor))

    def occupation(self, raw: str) -> Occupation:
        text = (raw or "").strip()
        if text not in self.occupations:
            qs = registry_selectors.occupation_list(actor=self.actor).filter(
                rank__in=("occupation", "work_type"))
            self.occupations[text] = (qs.filter(code=text).first()
                                      or qs.filter(name=text).order_by("pk").first())
        found = self.occupations[text]
        if found is None:
            raise RowInvalid(("occupation", _("Unknown occupation or work type “%(value)s”.")
                              % {"value": text}))
        return found

    def level(self, raw: str) -> SkillLevel | None:
        text = (raw or "").strip()
        if not text:
            return None
        for level in self.levels:
            if text in (level.code, level.name, level.national_grade, str(level)):
                return level
        raise RowInvalid(("level", _("Unknown skill level “%(value)s”.") % {"value": text}))


def _read(file) -> tuple[bytes, str]:
    if file is None:
        raise DomainError(_("Choose a file to upload."), field="file", code="required")
    check_file_size(getattr(file, "size", None))
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    check_file_size(len(data))
    return data, getattr(file, "name", "") or "upload.csv"


def _key(values: dict) -> tuple:
    return (values["occupation"].pk, values["level"].pk if values["level"] else None)


def _content(values: dict) -> tuple:
    return (values["headcount"], values["needed_by"], values["order_class_wanted"],
            values["wage_min"], values["wage_max"])


def demand_lines_import(*, actor, demand_list: DemandList, file, skip_bad_rows: bool = False,
                        today: dt.date | None = None) -> ImportReport:
    """Add the lines of a CSV or .xlsx file (LINE_COLUMNS) to a draft or returned list, with a
    report naming each bad row and column: unknown occupations or levels, absurd numbers,
    dates outside the quarter or past, wage bounds reversed. A line repeated (in the file, or
    already in the list) with the same content counts once (unchanged); with another content
    it is a bad row. Without skipping, a file with a bad row writes nothing."""
    visible = selectors.demand_list_get(actor=actor, pk=demand_list.pk)
    data, filename = _read(file)
    today = today or timezone.localdate()
    lookups = _Lookups(actor)
    with transaction.atomic():
        locked = _lock(visible.pk)
        _ensure_editable(actor, locked)
        existing = {(ln.occupation_id, ln.level_id): ln
                    for ln in DemandLine.objects.filter(demand_list=locked)}
        seen: dict[tuple, tuple[int, tuple]] = {}

        def prepare(rows: list[Row], context: dict) -> None:
            if len(rows) > MAX_ROWS:
                raise DomainError(_("At most %(n)s rows per file; split it into several "
                                    "files.") % {"n": MAX_ROWS}, field="file",
                                  code="too_many_rows")

        def parse_row(row: Row, context: dict):
            v = row.values
            problems: list[tuple[str, str]] = []
            found: dict = {}
            for name, get in (("occupation", lambda: lookups.occupation(v.get("occupation"))),
                              ("level", lambda: lookups.level(v.get("level", ""))),
                              ("headcount", lambda: _int(v.get("headcount", ""), "headcount")),
                              ("needed_by", lambda: _date(v.get("needed_by", ""),
                                                          "needed_by")),
                              ("wage_min", lambda: _int(v.get("wage_min", ""), "wage_min")),
                              ("wage_max", lambda: _int(v.get("wage_max", ""), "wage_max"))):
                try:
                    found[name] = get()
                except RowInvalid as bad:
                    problems.extend(bad.problems)
            flag = (v.get("order_class_wanted") or "").strip().lower()
            if flag not in YES | NO:
                problems.append(("order_class_wanted", _("Write 是 or 否.")))
            found["order_class_wanted"] = flag in YES
            if problems:
                raise RowInvalid(*problems)
            line = DemandLineInput(**found)
            bad = [(fld, message) for fld, _code, message in _line_errors(line, locked, today)]
            if bad:
                raise RowInvalid(*bad)
            values = _line_values(line)
            key, content = _key(values), _content(values)
            if key in seen:
                first_row, first_content = seen[key]
                if first_content != content:
                    raise RowInvalid(("occupation", _(
                        "Row %(row)d has this occupation and level with other numbers.")
                        % {"row": first_row}))
                return None
            seen[key] = (row.number, content)
            old = existing.get(key)
            if old is not None:
                if _content(_line_values(DemandLineInput(
                        occupation=old.occupation, level=old.level, headcount=old.headcount,
                        needed_by=old.needed_by, order_class_wanted=old.order_class_wanted,
                        wage_min=old.wage_min, wage_max=old.wage_max))) != content:
                    raise RowInvalid(("occupation", _(
                        "The list already has a line of this occupation and level with other "
                        "numbers: edit that line.")))
                return None
            return values

        def save(parsed: list) -> tuple[int, int, int]:
            new = [DemandLine(demand_list=locked, **values) for values in parsed if values]
            DemandLine.objects.bulk_create(new)
            if new:
                audit.record(actor=actor, action=AuditAction.IMPORT,
                             entity_type="demand.demandline", label=f"{len(new)} × {locked}",
                             after={"count": len(new), "source": filename,
                                    "demand_list": locked.pk},
                             region_code=locked.region.code,
                             organization_id=locked.organization_id)
            return len(new), 0, len(parsed) - len(new)

        report = run_import(data=data, filename=filename, columns=LINE_COLUMNS,
                            parse_row=parse_row, save=save, skip_bad_rows=skip_bad_rows,
                            prepare=prepare)
    return report


def demand_lines_template(demand_list: DemandList | None = None) -> bytes:
    """The import template: the header row and one example row, text columns as text."""
    import io

    import openpyxl
    from openpyxl.styles import Font

    example = dict(LINE_EXAMPLE)
    if demand_list is not None:
        example["needed_by"] = rules.quarter_bounds(demand_list.year,
                                                    demand_list.quarter)[1].isoformat()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "demand lines"
    for index, column in enumerate(LINE_COLUMNS, start=1):
        head = sheet.cell(row=1, column=index, value=str(column.label))
        head.font = Font(bold=True)
        sheet.column_dimensions[head.column_letter].width = 16
        cell = sheet.cell(row=2, column=index, value=example.get(column.name) or None)
        if column.name in ("occupation", "needed_by", "level"):
            for r in range(2, 502):
                sheet.cell(row=r, column=index).number_format = "@"
            cell.data_type = "s"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
