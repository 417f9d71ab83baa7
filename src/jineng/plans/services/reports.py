"""Quarterly reports: prepared from jineng's facts, filled in, submitted, reviewed, exported."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, NotFound
from jineng.core.models import AuditAction
from jineng.plans import actuals
from jineng.plans.choices import (
    ReportStatus,
)
from jineng.plans.models import (
    Plan,
    QuarterlyReport,
    QuarterlyReportLine,
    Target,
)
from jineng.plans.rules import permissions as rules
from jineng.plans.rules.quarters import YEAR_MAX, YEAR_MIN, quarter_bounds
from jineng.plans.services.access import actor_facts, enforce, place
from jineng.plans.services.checks import check_decimal
from jineng.plans.services.decomposition import target_value_for
from jineng.registry.models import Region

# --- quarterly reports -----------------------------------------------------------------------

def _report_targets(plan: Plan, department: str) -> list[Target]:
    targets = [t for t in plan.targets.all() if not t.each]
    if department:
        targets = [t for t in targets if department in t.departments]
    return targets


def plan_departments(plan: Plan) -> list[str]:
    seen: dict[str, None] = {}
    for target in plan.targets.all():
        for name in target.departments:
            seen.setdefault(name, None)
    return list(seen)


def _ensure_reporter(actor, plan: Plan, region: Region, department: str) -> None:
    enforce(rules.ensure_reporter, actor_facts(actor), plan_region=place(plan.region),
            region=place(region), department=department)


def _ensure_reviewer(actor, report: QuarterlyReport) -> None:
    enforce(rules.ensure_reviewer, actor_facts(actor), region=place(report.region),
            department=report.department, submitted_by=report.submitted_by_id)


def may_edit_report(actor, report: QuarterlyReport) -> bool:
    """The report's figures can be changed now, by this actor."""
    return report.is_editable and rules.may_file_report(
        actor_facts(actor), plan_region=place(report.plan.region),
        region=place(report.region), department=report.department)


def may_review_report(actor, report: QuarterlyReport) -> bool:
    """The report waits for review, and this actor may review it."""
    return report.status == ReportStatus.SUBMITTED and rules.may_review_report(
        actor_facts(actor), region=place(report.region), department=report.department,
        submitted_by=report.submitted_by_id)


def prefill_figures(*, plan: Plan, region: Region, targets: list[Target], year: int,
                    quarter: int) -> dict[int, tuple[Decimal | None, Decimal | None]]:
    """jineng's own figures for each target: (this quarter, cumulative to quarter end)."""
    q_start, q_end = quarter_bounds(year, quarter)
    queries: list[actuals.ActualQuery] = []
    for t in targets:
        programs = plan.program_family(t.program) if t.program else ()
        common = {"metric": t.metric, "region_code": region.code, "sector": t.sector,
                  "key_group": t.key_group, "training_type": t.training_type,
                  "programs": programs, "carrier": t.carrier}
        queries.append(actuals.ActualQuery(start=max(q_start, t.period_start),
                                           end=min(q_end, t.period_end), **common))
        queries.append(actuals.ActualQuery(start=t.period_start, end=min(q_end, t.period_end),
                                           **common))
    answers = actuals.actuals(queries)
    out = {}
    for i, t in enumerate(targets):
        quarter_a, cumulative_a = answers[2 * i], answers[2 * i + 1]
        if quarter_a.source != "facts":
            out[t.pk] = (None, None)  # reported metrics are filled in by hand
        else:
            out[t.pk] = (quarter_a.value, cumulative_a.value)
    return out


def report_prepare(*, actor, plan: Plan, region: Region, year: int, quarter: int,
                   department: str = "") -> QuarterlyReport:
    """A draft report pre-filled from jineng. Asking again returns the same report."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise DomainError(_("Give a year from %(first)s to %(last)s.")
                          % {"first": YEAR_MIN, "last": YEAR_MAX}, field="year")
    if quarter not in (1, 2, 3, 4):
        raise DomainError(_("A quarter is 1 to 4."), field="quarter")
    q_start, q_end = quarter_bounds(year, quarter)
    if q_end < plan.period_start or (plan.period_end and q_start > plan.period_end):
        raise DomainError(_("That quarter is outside the plan's period."), field="quarter")
    if not plan.region.contains(region):
        raise NotFound()
    if department and department not in plan_departments(plan):
        raise DomainError(_("No target of this plan names the department %(name)s.")
                          % {"name": department}, field="department")
    _ensure_reporter(actor, plan, region, department)
    return _create_report(actor=actor, plan=plan, region=region, year=year, quarter=quarter,
                          department=department)


def _create_report(*, actor, plan: Plan, region: Region, year: int, quarter: int,
                   department: str) -> QuarterlyReport:
    with transaction.atomic():
        report, created = QuarterlyReport.objects.get_or_create(
            plan=plan, region=region, department=department, year=year, quarter=quarter,
            defaults={"prepared_by": actor if getattr(actor, "is_authenticated", False)
                      else None})
        if not created:
            return report
        targets = _report_targets(plan, department)
        figures = prefill_figures(plan=plan, region=region if not department else plan.region,
                                  targets=targets, year=year, quarter=quarter)
        QuarterlyReportLine.objects.bulk_create([
            QuarterlyReportLine(
                report=report, target=t, target_value=target_value_for(t, region),
                prefilled_quarter=figures[t.pk][0], prefilled_cumulative=figures[t.pk][1],
                reported_quarter=figures[t.pk][0], reported_cumulative=figures[t.pk][1])
            for t in targets])
        audit.record(actor=actor, action=AuditAction.CREATE, instance=report,
                     after={"lines": len(targets), "year": year, "quarter": quarter})
    return report


@dataclass(frozen=True)
class LineInput:
    reported_quarter: Decimal | None
    reported_cumulative: Decimal | None
    comment: str = ""


def report_update(*, actor, report: QuarterlyReport, lines: Mapping[int, LineInput],
                  summary: str | None = None) -> QuarterlyReport:
    """Change the reported figures and comments of a draft (or returned) report."""
    _ensure_reporter(actor, report.plan, report.region, report.department)
    with transaction.atomic():
        report = QuarterlyReport.objects.select_for_update().get(pk=report.pk)
        if not report.is_editable:
            raise Conflict(_("Only a draft or returned report can be changed."))
        by_id = {line.pk: line for line in report.lines.select_related("target")}
        changes = {}
        for line_id, data in lines.items():  # every line checked before any is written
            line = by_id.get(line_id)
            if line is None:
                raise DomainError(_("Unknown report line."), field=f"line-{line_id}")
            for name in ("reported_quarter", "reported_cumulative"):
                label = QuarterlyReportLine._meta.get_field(name).verbose_name
                check_decimal(getattr(data, name), model=QuarterlyReportLine, column=name,
                              field=f"line-{line_id}-{name}",
                              label=f"{line.target.title} · {label}", allow_negative=False)
        for line_id, data in lines.items():
            line = by_id[line_id]
            new = (data.reported_quarter, data.reported_cumulative, data.comment.strip())
            old = (line.reported_quarter, line.reported_cumulative, line.comment)
            if new != old:
                (line.reported_quarter, line.reported_cumulative, line.comment) = new
                line.save(update_fields=["reported_quarter", "reported_cumulative",
                                         "comment"])
                changes[line.target.key] = [str(x) if x is not None else None for x in new]
        if summary is not None and summary != report.summary:
            report.summary = summary
            changes["summary"] = summary
        report.save(update_fields=["summary", "updated_at"])
        if changes:
            audit.record(actor=actor, action=AuditAction.UPDATE, instance=report,
                         after=changes)
    return report


def _transition(*, actor, report: QuarterlyReport, allowed: set[str], to: str,
                reason: str = "", **fields) -> QuarterlyReport:
    with transaction.atomic():
        locked = QuarterlyReport.objects.select_for_update().get(pk=report.pk)
        if locked.status not in allowed:
            raise Conflict(_("The report is %(status)s and cannot be changed this way.")
                           % {"status": locked.get_status_display()})
        before = locked.status
        locked.status = to
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=locked,
                     before={"status": before}, after={"status": to}, reason=reason)
    return locked


def report_submit(*, actor, report: QuarterlyReport) -> QuarterlyReport:
    _ensure_reporter(actor, report.plan, report.region, report.department)
    missing = [line.target.title for line in report.lines.select_related("target")
               if line.reported_quarter is None and not line.comment.strip()]
    if missing:
        raise DomainError(_("Give a figure or a comment for: %(items)s.")
                          % {"items": "、".join(missing[:5])}, field="lines")
    return _transition(actor=actor, report=report,
                       allowed={ReportStatus.DRAFT, ReportStatus.RETURNED},
                       to=ReportStatus.SUBMITTED, submitted_at=timezone.now(),
                       submitted_by=actor if getattr(actor, "is_authenticated", False)
                       else None)


def report_review(*, actor, report: QuarterlyReport, approve: bool,
                  comment: str = "") -> QuarterlyReport:
    """The level above accepts a submitted report, or returns it with a comment."""
    _ensure_reviewer(actor, report)
    if not approve and not comment.strip():
        raise DomainError(_("Say why the report is returned."), field="comment")
    return _transition(
        actor=actor, report=report, allowed={ReportStatus.SUBMITTED},
        to=ReportStatus.REVIEWED if approve else ReportStatus.RETURNED, reason=comment,
        review_comment=comment.strip(), reviewed_at=timezone.now(),
        reviewed_by=actor if getattr(actor, "is_authenticated", False) else None)


@transaction.atomic  # an audit failure must not break the caller's transaction
def report_export_recorded(*, actor, report: QuarterlyReport | None, fmt: str,
                           label: str = "", region_code: str = "") -> None:
    """Exports are audited (they leave the system)."""
    audit.record(actor=actor, action=AuditAction.EXPORT, instance=report,
                 entity_type="plans.quarterlyreport" if report is None else "",
                 label=label, region_code=region_code, after={"format": fmt})
