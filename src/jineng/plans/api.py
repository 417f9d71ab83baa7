"""Plans API: plans and their targets, progress by region and date, quarterly reports, and
checking a policy pack. Every operation parses, calls a selector or service, and shapes the
answer. Plans, regions and reports outside the caller's branch of the region tree answer 404.
The pack schema itself is public at /plans/schema.json.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from jineng.core.api import InRegion, error_responses
from jineng.plans import selectors, services
from jineng.plans.rules.packs import PACK_MAX_CHARS, check_pack
from jineng.plans.rules.quarters import DAY_MAX, DAY_MIN, YEAR_MAX, YEAR_MIN

router = Router(tags=["plans"])


class PlanOut(InRegion):
    key: str
    title: str
    short_title: str
    issuer: str
    document_number: str
    region_code: str
    region_name: str
    period_start: dt.date
    period_end: dt.date | None
    is_demo: bool


class TargetOut(Schema):
    key: str
    title: str
    metric: str
    kind: str
    value: Decimal
    comparator: str
    period_start: dt.date
    period_end: dt.date
    sector: str
    key_group: str
    training_type: str
    program: str
    carrier: str
    each: str
    part_of: str
    of_which: str
    clause: str
    quote: str
    departments: list[str]
    brands: list[str]


class ProgressItemOut(Schema):
    key: str
    title: str
    metric: str
    target: Decimal | None
    actual: Decimal | None
    actual_this_year: Decimal | None
    source: str
    share: Decimal | None
    elapsed: Decimal
    expected: Decimal | None
    projected_year_end: Decimal | None
    projected_end: Decimal | None
    status: str


class ProgressOut(Schema):
    plan: str
    region_code: str
    region_name: str
    as_of: dt.date
    targets: list[ProgressItemOut]


class ReportLineOut(Schema):
    target: str
    target_value: Decimal | None
    prefilled_quarter: Decimal | None
    prefilled_cumulative: Decimal | None
    reported_quarter: Decimal | None
    reported_cumulative: Decimal | None
    comment: str


class ReportOut(Schema):
    id: int
    region_code: str
    department: str
    year: int
    quarter: int
    status: str
    summary: str
    review_comment: str
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None


class ReportDetailOut(ReportOut):
    lines: list[ReportLineOut]


class PackIn(Schema):
    text: str = Field(max_length=PACK_MAX_CHARS)


class PackIssueOut(Schema):
    line: int | None
    path: str
    code: str
    message: str


class PackCheckOut(Schema):
    ok: bool
    key: str | None
    targets: int
    issues: list[PackIssueOut]


def _report_out(report, lines=None) -> dict:
    out = {"id": report.pk, "region_code": report.region.code,
           "department": report.department, "year": report.year, "quarter": report.quarter,
           "status": report.status, "summary": report.summary,
           "review_comment": report.review_comment, "submitted_at": report.submitted_at,
           "reviewed_at": report.reviewed_at}
    if lines is not None:
        out["lines"] = [{"target": line.target.key, "target_value": line.target_value,
                         "prefilled_quarter": line.prefilled_quarter,
                         "prefilled_cumulative": line.prefilled_cumulative,
                         "reported_quarter": line.reported_quarter,
                         "reported_cumulative": line.reported_cumulative,
                         "comment": line.comment} for line in lines]
    return out


@router.get("/", response=list[PlanOut])
def plan_list(request):
    return list(selectors.plan_list(actor=request.auth))


@router.get("/{key}/targets", response={200: list[TargetOut], **error_responses(404)})
def plan_targets(request, key: str):
    plan = selectors.plan_get(actor=request.auth, key=key)
    return list(plan.targets.all())


RegionCode = Annotated[str, Field(pattern=r"^(\d{6,12})?$",
                                   description="a region code (default: your own region)")]
Day = Annotated[dt.date | None, Field(ge=DAY_MIN, le=DAY_MAX)]
Year = Annotated[int | None, Field(ge=YEAR_MIN, le=YEAR_MAX)]
Quarter = Annotated[int | None, Field(ge=1, le=4)]


@router.get("/{key}/progress", response={200: ProgressOut, **error_responses(404, 422)})
def plan_progress(request, key: str, region: RegionCode = "", as_of: Day = None):
    """Every target's standing in a region (default: the caller's own) on a day (default:
    today): actual, share of target and of time, projections and status."""
    plan = selectors.plan_get(actor=request.auth, key=key)
    where = selectors.dashboard_region(actor=request.auth, plan=plan, code=region or None)
    day = as_of or timezone.localdate()
    rows = selectors.progress(actor=request.auth, plan=plan, region=where, as_of=day)
    return {"plan": plan.key, "region_code": where.code, "region_name": where.name,
            "as_of": day, "targets": [{
                "key": r.target.key, "title": r.target.title, "metric": r.target.metric,
                "target": r.target_value, "actual": r.actual.value,
                "actual_this_year": r.actual_this_year, "source": r.actual.source,
                "share": r.progress.share, "elapsed": r.progress.elapsed,
                "expected": r.progress.expected,
                "projected_year_end": r.progress.projected_year_end,
                "projected_end": r.progress.projected_end, "status": r.status}
                for r in rows]}


@router.get("/{key}/reports", response={200: list[ReportOut], **error_responses(404, 422)})
def report_list(request, key: str, region: RegionCode = "", year: Year = None,
                quarter: Quarter = None):
    plan = selectors.plan_get(actor=request.auth, key=key)
    where = (selectors.dashboard_region(actor=request.auth, plan=plan, code=region)
             if region else None)
    return [_report_out(r) for r in selectors.report_list(
        actor=request.auth, plan=plan, region=where, year=year, quarter=quarter)]


@router.get("/{key}/reports/{report_id}", response={200: ReportDetailOut,
                                                    **error_responses(404)})
def report_detail(request, key: str, report_id: int):
    plan = selectors.plan_get(actor=request.auth, key=key)
    report = selectors.report_get(actor=request.auth, plan=plan, pk=report_id)
    return _report_out(report, selectors.report_lines(report))


@router.post("/packs/check", response={200: PackCheckOut, 400: PackCheckOut})
def pack_check(request, body: PackIn):
    """Check a policy pack's text; every problem comes with its line number. 400 if any."""
    result = check_pack(body.text)
    out = {"ok": result.ok, "key": result.pack.key if result.pack else None,
           "targets": len(result.pack.targets) if result.pack else 0,
           "issues": [{"line": i.line, "path": i.path, "code": i.code,
                       "message": services.issue_message(i)} for i in result.issues]}
    return Status(200 if result.ok else 400, out)
