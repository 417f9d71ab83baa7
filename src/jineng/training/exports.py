"""Exports of training: the classes the actor sees, a class's roster and its attendance, as
CSV or .xlsx (core.tabular: text written as text, never a formula). ID numbers are masked.
Scoped through the selectors (an institution: its own; staff: their region) and audited.

Exports run inline up to MAX_ROWS rows (a province's classes of a year, a class's attendance
log); a larger one is refused with a message asking to narrow the filter."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import DomainError, NotFound
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.core.tabular import write_csv, write_xlsx
from jineng.training import selectors
from jineng.training.choices import EnrollmentStatus

MAX_ROWS = 50_000
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes
    count: int


def _fmt(fmt: str) -> str:
    if fmt not in FORMATS:
        raise NotFound()
    return fmt


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _yes(value) -> str:
    return "是" if value else ("否" if value is not None else "")


def _write(kind: str, fmt: str, headers: list[str], rows: Iterable[list[Any]],
           count: int, actor, entity_type: str, label: str, region_code: str = "",
           organization_id: int | None = None) -> ExportFile:
    if count > MAX_ROWS:
        raise DomainError(_("The export has %(n)s rows, more than %(max)s: narrow the filter.")
                          % {"n": count, "max": MAX_ROWS}, code="too_many_rows")
    content = write_csv(headers, rows) if fmt == "csv" else write_xlsx(label, headers, rows)
    with transaction.atomic():
        audit.record(actor=actor, action=AuditAction.EXPORT, entity_type=entity_type,
                     label=f"{count} × {label} ({fmt})",
                     after={"count": count, "format": fmt, "what": kind},
                     region_code=region_code or (actor.region.code
                                                 if getattr(actor, "region_id", None) else ""),
                     organization_id=organization_id or getattr(actor, "organization_id", None))
    day = timezone.localdate().isoformat()
    return ExportFile(filename=f"{kind}-{day}.{fmt}", content_type=FORMATS[fmt],
                      content=content, count=count)


CLASS_HEADERS = ["班级编号", "机构班级编号", "班级名称", "培训机构", "地区代码", "地区",
                 "职业（工种）", "技能等级", "培训类型", "领域", "资金来源", "状态", "开班日期",
                 "结业日期", "计划人数", "在册人数", "结业人数", "规定学时"]


def export_classes(*, actor, fmt: str, status: str | None = None,
                   region_code: str | None = None) -> ExportFile:
    fmt = _fmt(fmt)
    qs = (selectors.class_list(actor=actor, status=status, region_code=region_code)
          .annotate(completed_n=Count("enrollments", filter=Q(
              enrollments__completed=True, enrollments__status=EnrollmentStatus.ENROLLED))))
    count = qs.count()

    def rows() -> Iterator[list[Any]]:
        for c in qs.iterator(chunk_size=2000):
            yield [c.pk, c.client_ref, c.name, c.institution.name, c.region.code,
                   c.region.name, c.occupation.name, c.level.name, c.get_training_type_display(),
                   c.get_sector_display(), c.get_funding_source_display(),
                   c.get_status_display(), c.start_date.isoformat(), c.end_date.isoformat(),
                   c.planned_size, c.enrolled, c.completed_n, str(c.required_hours)]

    return _write("classes", fmt, CLASS_HEADERS, rows(), count, actor,
                  "training.trainingclass", "培训班级")


ROSTER_HEADERS = ["报名编号", "姓名", "身份证号码", "性别", "状态", "报名时间", "补录原因",
                  "退出原因", "累计学时", "是否结业"]


def _class_for_persons(actor, class_id: int):
    cls = selectors.class_get(actor=actor, pk=class_id)
    if not scope_of(actor).sees_persons:
        raise NotFound()
    return cls


def export_roster(*, actor, class_id: int, fmt: str) -> ExportFile:
    fmt = _fmt(fmt)
    cls = _class_for_persons(actor, class_id)
    rows_ = list(selectors.enrollment_list(actor=actor, training_class=cls))
    completion = {r.enrollment.pk: r.completion for r in
                  selectors.class_completion(actor=actor, training_class=cls)}

    def rows() -> Iterator[list[Any]]:
        for e in rows_:
            hours = e.attended_hours if e.attended_hours is not None else (
                completion[e.pk].attended_hours if e.pk in completion else None)
            done = e.completed if e.completed is not None else None
            yield [e.pk, e.person.name, e.person.id_masked, e.person.get_gender_display(),
                   e.get_status_display(), _local(e.enrolled_at), e.late_reason,
                   e.withdrawn_reason, "" if hours is None else str(hours),
                   _yes(done and e.status == EnrollmentStatus.ENROLLED) if done is not None
                   else ""]

    return _write(f"roster-{cls.pk}", fmt, ROSTER_HEADERS, rows(), len(rows_), actor,
                  "training.enrollment", "花名册", cls.region.code, cls.institution_id)


ATTENDANCE_HEADERS = ["事件编号", "时间", "姓名", "身份证号码", "类型", "方式", "课次",
                      "距离（米）", "线上秒数", "时段外", "距离过远", "手工补录", "补录原因",
                      "已作废", "作废原因", "作废时间"]


def export_attendance(*, actor, class_id: int, fmt: str) -> ExportFile:
    fmt = _fmt(fmt)
    cls = _class_for_persons(actor, class_id)
    qs = selectors.attendance_events(actor=actor, class_id=cls.pk)
    count = qs.count()

    def rows() -> Iterator[list[Any]]:
        for e in qs.iterator(chunk_size=2000):
            yield [e.pk, _local(e.occurred_at), e.enrollment.person.name,
                   e.enrollment.person.id_masked, e.get_kind_display(), e.get_method_display(),
                   e.session.seq if e.session_id else "",
                   "" if e.distance_m is None else e.distance_m, e.online_seconds,
                   _yes(e.outside_window), _yes(e.too_far), _yes(e.manual), e.manual_reason,
                   _yes(e.voided_at is not None), e.void_reason, _local(e.voided_at)]

    return _write(f"attendance-{cls.pk}", fmt, ATTENDANCE_HEADERS, rows(), count, actor,
                  "training.attendanceevent", "考勤记录", cls.region.code, cls.institution_id)
