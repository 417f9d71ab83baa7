"""The migration import of past classes from a file (CSV or .xlsx; docs/training.md):
one row per trainee and session, the class's columns repeated on each of its rows. Rows are
checked through `core.importing` (every bad row and field reported, unknown columns refused);
then each class goes through `services.class_history_import`, every class of the file in one
transaction: a class refused by the rules is reported on its first row and nothing at all is
written. A class already imported with the same content counts as unchanged."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.core import pii
from jineng.core.errors import DomainError, Forbidden
from jineng.core.importing import Column, ImportReport, RowError, RowInvalid, run_import
from jineng.core.scoping import scope_of
from jineng.core.tabular import Row
from jineng.registry import selectors as registry_selectors
from jineng.registry import services as registry_services
from jineng.registry.choices import KeyGroup
from jineng.training import selectors, services
from jineng.training.choices import FundingSource, OrderForm, Sector, TrainingType

C = Column
COLUMNS = (
    C("class_ref", "机构班级编号", required=True, max_length=100,
      help=gettext_lazy("The institution's own reference of the class: a class imported twice "
                        "counts once.")),
    C("class_name", "班级名称", required=True, max_length=200),
    C("institution_credit_code", "机构统一社会信用代码", max_length=18,
      help=gettext_lazy("Required when HRSS staff import; an institution imports its own.")),
    C("site_name", "培训场地", required=True, max_length=200),
    C("occupation", "职业（工种）", required=True, max_length=200),
    C("level", "技能等级", required=True, max_length=50),
    C("training_type", "培训类型", required=True, max_length=40),
    C("sector", "领域", required=True, max_length=40),
    C("funding_source", "资金来源", required=True, max_length=40),
    C("planned_size", "计划人数", required=True, max_length=6),
    C("target_group", "目标重点群体", max_length=40),
    C("order_form", "订单形式", max_length=20),
    C("employer_credit_code", "用人单位统一社会信用代码", max_length=18),
    C("online_share", "线上学时占比", max_length=6),
    C("teacher_id_numbers", "教师身份证号", max_length=400,
      help=gettext_lazy("The institution's teachers, separated by ; (registered first).")),
    C("session_date", "课次日期", required=True, max_length=12),
    C("session_start", "开始时间", required=True, max_length=8),
    C("session_end", "结束时间", required=True, max_length=8),
    C("session_hours", "课次学时", max_length=6),
    C("id_number", "学员身份证号", required=True, max_length=18),
    C("name", "学员姓名", required=True, max_length=50),
    C("key_group", "重点群体", max_length=40),
    C("key_group_start", "群体认定日期", max_length=12),
    C("key_group_end", "群体截止日期", max_length=12),
    C("withdrawn_reason", "退出原因", max_length=500),
    C("check_in", "签到时间", max_length=8),
    C("check_out", "签退时间", max_length=8),
)
CLASS_FIELDS = ("class_name", "institution_credit_code", "site_name", "occupation", "level",
                "training_type", "sector", "funding_source", "planned_size", "target_group",
                "order_form", "employer_credit_code", "online_share", "teacher_id_numbers")
TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def _date(raw: str, name: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"):
        try:
            day = dt.datetime.strptime(raw.strip()[:10], fmt).date()
        except ValueError:
            continue
        if not 2000 <= day.year <= 2100:
            raise RowInvalid((name, _("The date is out of range.")))
        return day
    raise RowInvalid((name, _("Not a date (write it as 2024-07-01).")))


def _at(day: dt.date, raw: str, name: str) -> dt.datetime:
    text = raw.strip()
    if "T" in text or " " in text:  # a full timestamp from a spreadsheet cell
        text = text.replace("T", " ").split(" ")[-1]
    m = TIME.match(text)
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise RowInvalid((name, _("Not a time (write it as 09:00).")))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(int(m[1]), int(m[2]))))


@dataclass
class _Class:
    first_row: int
    values: dict[str, str]
    sessions: dict[tuple, services.SessionInput] = field(default_factory=dict)
    trainees: dict[str, services.PastTrainee] = field(default_factory=dict)
    groups: dict[str, set] = field(default_factory=dict)
    events: list[services.PastEvent] = field(default_factory=list)


class _Refused(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("refused")
        self.errors = errors


def _resolve(actor, values: dict[str, str], cache: dict) -> dict[str, Any]:
    """The records a class's columns name, through the selectors (a record the actor may not
    see is unknown); DomainError naming the column."""
    scope = scope_of(actor)
    code = values.get("institution_credit_code", "").strip().upper()
    if scope.organization_id:
        org = actor.organization
        if code and code != org.credit_code:
            raise DomainError(_("An institution imports only its own past classes."),
                              field="institution_credit_code")
    else:
        if not code:
            raise DomainError(_("This field is required."), field="institution_credit_code")
        org = registry_selectors.organization_list(actor=actor).filter(credit_code=code).first()
        if org is None:
            raise DomainError(_("No institution with this credit code."),
                              field="institution_credit_code")
    site = (registry_selectors.site_list(actor=actor, organization_id=org.pk)
            .select_related("region").filter(name=values["site_name"].strip()).first())
    if site is None:
        raise DomainError(_("The institution has no site with this name."), field="site_name")
    occupation = (registry_selectors.occupation_list(actor=actor)
                  .filter(rank__in=("occupation", "work_type"),
                          name=values["occupation"].strip()).order_by("pk").first())
    if occupation is None:
        raise DomainError(_("Choose an occupation or work type."), field="occupation")
    raw_level = values["level"].strip()
    level = (registry_selectors.skill_level_list(actor=actor).filter(code=raw_level).first()
             or registry_selectors.skill_level_list(actor=actor).filter(name=raw_level).first())
    if level is None:
        raise DomainError(_("Unknown skill level."), field="level")
    teachers = []
    for number in filter(None, re.split(r"[;；,，\s]+", values.get("teacher_id_numbers", ""))):
        try:
            ident = registry_services.parse_id_number(number).number
        except DomainError as bad:
            raise DomainError(bad.message, field="teacher_id_numbers") from None
        teacher = (selectors.teacher_list(actor=actor, organization_id=org.pk)
                   .filter(id_hash=pii.keyed_hash(ident)).first())
        if teacher is None:
            raise DomainError(_("No teacher of the institution with the ID number %(n)s.")
                              % {"n": number[:6] + "…"}, field="teacher_id_numbers")
        teachers.append(teacher)
    employer = None
    if values.get("employer_credit_code", "").strip():
        employer = selectors.enterprise_by_credit_code(values["employer_credit_code"])
        if employer is None:
            raise DomainError(_("No enterprise with this credit code."),
                              field="employer_credit_code")
    try:
        planned = int(values["planned_size"])
        share = Decimal(values.get("online_share") or "0")
    except (ValueError, InvalidOperation):
        raise DomainError(_("Not a number."), field="planned_size") from None
    if not 0 < planned <= 100_000:
        raise DomainError(_("The planned size must be a positive number."),
                          field="planned_size")
    return {"org": org, "site": site, "occupation": occupation, "level": level,
            "teachers": tuple(teachers), "employer": employer, "planned_size": planned,
            "online_share": share}


def parse_row(row: Row, context: dict) -> tuple[int, dict]:
    v = row.values
    day = _date(v["session_date"], "session_date")
    starts, ends = _at(day, v["session_start"], "session_start"), \
        _at(day, v["session_end"], "session_end")
    problems = []
    hours = None
    if v.get("session_hours"):
        try:
            hours = Decimal(v["session_hours"])
            if not hours.is_finite() or not 0 < hours <= 24:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(("session_hours", _("Must be between %(low)s and %(high)s.")
                             % {"low": 0, "high": 24}))
    key_group = None
    if v.get("key_group"):
        start = _date(v.get("key_group_start") or "", "key_group_start") \
            if v.get("key_group_start") else None
        if start is None:
            problems.append(("key_group_start", _("This field is required.")))
        end = _date(v["key_group_end"], "key_group_end") if v.get("key_group_end") else None
        key_group = (_choice(v["key_group"], KeyGroup), start, end)
    try:
        registry_services.parse_id_number(v["id_number"])
    except DomainError as bad:
        problems.append(("id_number", bad.message))
    check_in = _at(day, v["check_in"], "check_in") if v.get("check_in") else None
    check_out = _at(day, v["check_out"], "check_out") if v.get("check_out") else None
    if problems:
        raise RowInvalid(*problems)
    return row.number, {"values": v, "session": (starts, ends, hours), "key_group": key_group,
                        "check_in": check_in, "check_out": check_out}


def _group(parsed: list[tuple[int, dict]]) -> tuple[dict[str, _Class], list[RowError]]:
    classes: dict[str, _Class] = {}
    errors: list[RowError] = []
    for number, p in parsed:
        v = p["values"]
        ref = v["class_ref"].strip()
        cls = classes.get(ref)
        if cls is None:
            cls = classes[ref] = _Class(first_row=number, values=v)
        else:
            differs = [f for f in CLASS_FIELDS if v.get(f, "") != cls.values.get(f, "")]
            if differs:
                errors.extend(RowError(number, f, _("Differs from row %(row)d of the same "
                                                    "class.") % {"row": cls.first_row})
                              for f in differs)
                continue
        starts, ends, hours = p["session"]
        if (starts, ends) not in cls.sessions:
            cls.sessions[(starts, ends)] = services.SessionInput(starts, ends, hours)
        elif cls.sessions[(starts, ends)].hours != hours and hours is not None:
            errors.append(RowError(number, "session_hours",
                                   _("Differs from another row of the same session.")))
        number_id = v["id_number"].strip().upper()
        groups = cls.groups.setdefault(number_id, set())
        if p["key_group"]:
            groups.add(p["key_group"])
        cls.trainees[number_id] = services.PastTrainee(
            id_number=number_id, name=v["name"].strip(),
            key_groups=tuple(sorted(groups, key=str)),
            withdrawn_reason=v.get("withdrawn_reason", "").strip())
        for kind, at in (("check_in", p["check_in"]), ("check_out", p["check_out"])):
            if at is not None:
                cls.events.append(services.PastEvent(id_number=number_id, kind=kind,
                                                     occurred_at=at))
    return classes, errors


def run(*, actor, data: bytes, filename: str,
        progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import a file of past classes (see the module's docstring)."""
    if not scope_of(actor).organization_id and not getattr(actor, "is_hrss_staff", False) \
            and not scope_of(actor).everything:
        raise Forbidden(_("Past classes are imported by the province's or a city's HRSS "
                          "office, or by the institution itself."))
    outcome: dict[str, Any] = {}

    def save(parsed: list) -> tuple[int, int, int]:
        outcome["rows"] = len(parsed)
        classes, errors = _group(parsed)
        created = unchanged = 0
        cache: dict = {}
        for done, (ref, cls) in enumerate(classes.items(), start=1):
            try:
                found = _resolve(actor, cls.values, cache)
                past = services.PastClass(
                    institution=found["org"], source=filename,
                    klass=services.ClassInput(
                        name=cls.values["class_name"], site=found["site"],
                        occupation=found["occupation"], level=found["level"],
                        training_type=_choice(cls.values["training_type"], TrainingType),
                        sector=_choice(cls.values["sector"], Sector),
                        planned_size=found["planned_size"],
                        funding_source=_choice(cls.values["funding_source"], FundingSource),
                        sessions=tuple(cls.sessions.values()), teachers=found["teachers"],
                        target_group=_choice(cls.values.get("target_group", ""), KeyGroup),
                        order_form=_choice(cls.values.get("order_form", ""), OrderForm),
                        employer=found["employer"], online_share=found["online_share"],
                        client_ref=ref),
                    trainees=tuple(cls.trainees.values()), events=tuple(cls.events))
                _row, new = services.class_history_import(actor=actor, data=past)
            except DomainError as bad:
                errors.append(RowError(cls.first_row, _column(bad.field), bad.message))
            else:
                created += new
                unchanged += not new
            if progress is not None:
                progress(done, len(classes))
        if errors:
            raise _Refused(errors)
        return created, 0, unchanged

    try:
        return run_import(data=data, filename=filename, columns=COLUMNS, parse_row=parse_row,
                          save=save)
    except _Refused as refused:
        return ImportReport(total_rows=outcome.get("rows", 0), errors=refused.errors)


def _choice(raw: str, choices) -> str:
    """A choice written as its code or its label (Chinese or English); unknown values pass
    through to the service, which names the field."""
    text = raw.strip()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value, label in choices.choices:
                if text in (str(value), str(label)):
                    return str(value)
    return text


def _column(field_name: str) -> str:
    """The file's column for a service's field (trainees[3].id_number → id_number)."""
    field_name = field_name or ""
    name = field_name.split(".")[-1]
    if field_name.startswith("trainees["):
        return {"key_groups": "key_group"}.get(name, name if "." in field_name else "id_number")
    if field_name.startswith("events["):
        return "check_in"
    return {"site": "site_name", "teachers": "teacher_id_numbers", "sessions": "session_date",
            "client_ref": "class_ref", "name": "class_name", "employer": "employer_credit_code",
            "trainees": "id_number", "key_groups": "key_group", "events": "check_in",
            "occurred_at": "check_in"}.get(name, name)
