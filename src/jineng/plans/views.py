"""Plan pages: thin views over selectors (reads, scoped) and services (writes, audited).

Out-of-scope plans and regions answer 404 exactly like missing ones; a service's Forbidden
answers 403; any other DomainError is shown as a message on the page the user came from.
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.plans import dashboard as dash
from jineng.plans import exports, params, selectors, services
from jineng.plans.choices import (
    ChecklistStatus,
    DecompositionBase,
    DecompositionMethod,
)
from jineng.plans.rules.packs import PACK_MAX_CHARS, SCHEMA_PATH, check_pack
from jineng.plans.rules.quarters import last_closed_quarter, quarter_bounds


def scoped(view):
    """NotFound → 404, Forbidden → 403 (for reads and writes alike); a query parameter that
    fails its check → 400 naming it."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as missing:
            raise Http404(missing.message) from missing
        except Forbidden as denied:
            raise PermissionDenied(denied.message) from denied
        except params.BadQuery as bad:
            return render(request, "plans/bad_query.html", {"errors": bad.errors},
                          status=400)

    return wrapper


def _query(request: HttpRequest, *names: str) -> dict:
    return params.parse(request.GET, *names)


def _field_message(name: str, problems: list[str]) -> str:
    return _("%(field)s: %(problem)s") % {"field": name, "problem": " ".join(problems)}


def _region(request: HttpRequest, plan):
    code = _query(request, "region")["region"]
    return selectors.dashboard_region(actor=request.user, plan=plan, code=code)


def _decimal(raw: str | None, field: str) -> Decimal | None:
    raw = (raw or "").strip().replace(",", "")
    if not raw:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation as exc:
        raise DomainError(_("Not a number: %(value)s") % {"value": raw}, field=field) from exc


def pack_schema(request):
    """The published JSON Schema of policy packs (public)."""
    response = HttpResponse(SCHEMA_PATH.read_bytes(), content_type="application/schema+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_required
@scoped
def home(request):
    plan = selectors.default_plan(actor=request.user)
    if plan is None:
        return redirect("plans:list")
    return redirect("plans:dashboard", key=plan.key)


@login_required
def plan_list(request):
    return render(request, "plans/plan_list.html",
                  {"plans": selectors.plan_list(actor=request.user)})


@login_required
@scoped
def plan_dashboard(request, key: str):
    plan = selectors.plan_get(actor=request.user, key=key)
    query = _query(request, "region", "as_of", "org")
    region = selectors.dashboard_region(actor=request.user, plan=plan, code=query["region"])
    context = dash.build(actor=request.user, plan=plan, region=region,
                         as_of=query["as_of"] or timezone.localdate(), org_id=query["org"])
    context["path"] = selectors.breadcrumbs(actor=request.user, plan=plan, region=region)
    context["can_split"] = services.may_decompose(request.user, region)
    return render(request, "plans/dashboard.html", context)


@login_required
@scoped
def plan_targets(request, key: str):
    plan = selectors.plan_get(actor=request.user, key=key)
    targets = list(plan.targets.select_related("region"))
    return render(request, "plans/targets.html", {
        "plan": plan, "targets": targets,
        "checklist": selectors.checklist(actor=request.user, plan=plan),
        "statuses": ChecklistStatus.choices,
        "can_edit": services.may_edit_checklist(request.user, plan),
        "can_split": services.may_decompose(
            request.user, selectors.dashboard_region(actor=request.user, plan=plan)),
    })


@login_required
@require_POST
@scoped
def checklist_update(request, key: str, pk: int):
    plan = selectors.plan_get(actor=request.user, key=key)
    item = selectors.checklist_item_get(actor=request.user, plan=plan, pk=pk)
    try:
        services.checklist_item_update(actor=request.user, item=item,
                                       status=request.POST.get("status", ""),
                                       note=request.POST.get("note", ""))
        messages.success(request, _("Saved."))
    except DomainError as error:
        if isinstance(error, Forbidden | NotFound):
            raise
        messages.error(request, error.message)
    return redirect(reverse("plans:targets", args=[plan.key]) + f"#item-{item.pk}")


@login_required
@scoped
def target_decompose(request, key: str, target_key: str):
    plan = selectors.plan_get(actor=request.user, key=key)
    target = selectors.target_get(actor=request.user, plan=plan, key=target_key)
    parent = _region(request, plan)
    children = selectors.child_regions(parent)
    error = ""
    posted: dict[str, str] = {}
    if request.method == "POST":
        method = request.POST.get("method", DecompositionMethod.MANUAL)
        posted = {c.code: request.POST.get(f"share-{c.code}", "") for c in children}
        try:
            shares = {code: _decimal(raw, f"share-{code}") or Decimal(0)
                      for code, raw in posted.items()}
            weights = {c.code: _decimal(request.POST.get(f"weight-{c.code}"),
                                        f"weight-{c.code}") or Decimal(0) for c in children}
            data = services.DecompositionInput(method=method, shares=shares,
                                               base=request.POST.get("base", ""),
                                               weights=weights)
            if request.POST.get("all") == "1":
                n = services.plan_decompose_all(actor=request.user, plan=plan, parent=parent,
                                                method=method, base=data.base, weights=weights)
                messages.success(request, _("%(n)s targets split.") % {"n": n})
            else:
                services.target_decompose(actor=request.user, target=target, parent=parent,
                                          data=data)
                messages.success(request, _("Split saved."))
            return redirect(reverse("plans:decompose", args=[plan.key, target.key])
                            + f"?region={parent.code}")
        except DomainError as exc:
            if isinstance(exc, Forbidden | NotFound):
                raise
            error = exc.message
    current = selectors.allocations(actor=request.user, target=target, parent=parent)
    whole = services.target_value_for(target, parent)
    rows = [{"region": c, "allocation": current.get(c.code),
             "posted": posted.get(c.code, "")} for c in children]
    return render(request, "plans/decompose.html", {
        "plan": plan, "target": target, "parent": parent, "whole": whole, "rows": rows,
        "error": error, "methods": DecompositionMethod.choices,
        "bases": [*DecompositionBase.choices, ("counties", _("Number of counties"))],
        "total_allocated": sum((a.value for a in current.values()), Decimal(0)),
        "path": selectors.breadcrumbs(actor=request.user, plan=plan, region=parent),
        "can_split": services.may_decompose(request.user, parent),
    }, status=400 if error else 200)


# --- quarterly reports -----------------------------------------------------------------------

@login_required
@scoped
def report_list(request, key: str):
    plan = selectors.plan_get(actor=request.user, key=key)
    region = _region(request, plan)
    year, quarter = last_closed_quarter(timezone.localdate())
    failed = False
    if request.method == "POST":
        try:
            posted = params.parse(request.POST, "year", "quarter")
            year, quarter = posted["year"] or year, posted["quarter"] or quarter
            report = services.report_prepare(
                actor=request.user, plan=plan, region=region,
                year=posted["year"] or 0, quarter=posted["quarter"] or 0,
                department=request.POST.get("department", ""))
            return redirect("plans:report", key=plan.key, pk=report.pk)
        except params.BadQuery as bad:
            failed = True
            for name, problems in bad.errors.items():
                messages.error(request, _field_message(name, problems))
        except DomainError as exc:
            if isinstance(exc, Forbidden | NotFound):
                raise
            failed = True
            messages.error(request, exc.message)
    reports = selectors.report_list(actor=request.user, plan=plan, region=region)
    departments = services.plan_departments(plan)
    return render(request, "plans/report_list.html", {
        "plan": plan, "region": region, "reports": reports, "year": year,
        "quarter": quarter, "departments": departments,
        "can_prepare": services.may_prepare_report(request.user, plan, region),
        "can_prepare_own": services.may_prepare_report(request.user, plan, region,
                                                       department=""),
        "can_prepare_department": bool(departments) and services.may_prepare_report(
            request.user, plan, region, department=departments[0]),
        "path": selectors.breadcrumbs(actor=request.user, plan=plan, region=region),
        "children": selectors.child_regions(region),
    }, status=400 if failed else 200)


@login_required
@scoped
def report_detail(request, key: str, pk: int):
    plan = selectors.plan_get(actor=request.user, key=key)
    report = selectors.report_get(actor=request.user, plan=plan, pk=pk)
    failed = False
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action in {"save", "submit"} and report.is_editable:
                lines = {}
                for line in report.lines.all():
                    post = request.POST
                    if not any(f"{p}-{line.pk}" in post for p in ("q", "c", "comment")):
                        continue  # not on the form: unchanged
                    lines[line.pk] = services.LineInput(
                        reported_quarter=_decimal(post.get(f"q-{line.pk}"), f"q-{line.pk}"),
                        reported_cumulative=_decimal(post.get(f"c-{line.pk}"),
                                                     f"c-{line.pk}"),
                        comment=post.get(f"comment-{line.pk}", ""))
                report = services.report_update(actor=request.user, report=report,
                                                lines=lines,
                                                summary=request.POST.get("summary"))
            if action == "submit":
                services.report_submit(actor=request.user, report=report)
                messages.success(request, _("Report submitted."))
            elif action in {"approve", "return"}:
                services.report_review(actor=request.user, report=report,
                                       approve=action == "approve",
                                       comment=request.POST.get("review_comment", ""))
                messages.success(request, _("Report reviewed.") if action == "approve"
                                 else _("Report returned."))
            else:
                messages.success(request, _("Saved."))
            return redirect("plans:report", key=plan.key, pk=report.pk)
        except DomainError as exc:
            if isinstance(exc, Forbidden | NotFound):
                raise
            failed = True
            messages.error(request, exc.message)
    can_edit = services.may_edit_report(request.user, report)
    can_review = services.may_review_report(request.user, report)
    return render(request, "plans/report_detail.html", {
        "plan": plan, "report": report, "lines": selectors.report_lines(report),
        "can_edit": can_edit, "can_review": can_review,
        "path": selectors.region_path(plan=plan, region=report.region)
        if plan.region.contains(report.region) else [],
    }, status=400 if failed else 200)


def _line_dicts(lines) -> list[dict]:
    return [{"target": line.target, "target_value": line.target_value,
             "prefilled_quarter": line.prefilled_quarter,
             "reported_quarter": line.reported_quarter,
             "prefilled_cumulative": line.prefilled_cumulative,
             "reported_cumulative": line.reported_cumulative, "comment": line.comment}
            for line in lines]


def _file(data: bytes, fmt: str, name: str) -> HttpResponse:
    content_type = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "pdf": "application/pdf"}[fmt]
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _render(sheet: exports.Sheet, fmt: str) -> bytes:
    if fmt not in {"xlsx", "pdf"}:
        raise Http404()
    return exports.to_xlsx(sheet) if fmt == "xlsx" else exports.to_pdf(sheet)


@login_required
@scoped
def report_export(request, key: str, pk: int, fmt: str):
    plan = selectors.plan_get(actor=request.user, key=key)
    report = selectors.report_get(actor=request.user, plan=plan, pk=pk)
    prepared = ""
    if report.submitted_at:
        prepared = _("Submitted %(when)s by %(who)s") % {
            "when": timezone.localtime(report.submitted_at).strftime("%Y-%m-%d %H:%M"),
            "who": report.submitted_by.get_full_name() or report.submitted_by.username
            if report.submitted_by else _("system")}
    reviewed = ""
    if report.reviewed_at:
        reviewed = _("Reviewed %(when)s: %(comment)s") % {
            "when": timezone.localtime(report.reviewed_at).strftime("%Y-%m-%d %H:%M"),
            "comment": report.review_comment or "—"}
    sheet = exports.report_sheet(
        plan=plan, region_name=report.region.name, department=report.department,
        year=report.year, quarter=report.quarter, status=report.get_status_display(),
        lines=_line_dicts(selectors.report_lines(report)), summary=report.summary,
        prepared=prepared, reviewed=reviewed)
    data = _render(sheet, fmt)
    services.report_export_recorded(actor=request.user, report=report, fmt=fmt)
    return _file(data, fmt, f"{plan.key}-{report.region.code}-{report.year}Q{report.quarter}")


@login_required
@scoped
def report_preview_export(request, key: str, fmt: str):
    """A region's quarter as jineng counts it, before any report is prepared."""
    plan = selectors.plan_get(actor=request.user, key=key)
    region, year, quarter = _summary_args(request, plan)
    targets = [t for t in plan.targets.all() if not t.each]
    figures = services.prefill_figures(plan=plan, region=region, targets=targets, year=year,
                                       quarter=quarter)
    values = selectors.target_values(plan=plan, region=region, targets=targets)
    lines = [{"target": t, "target_value": values[t.pk],
              "prefilled_quarter": figures[t.pk][0], "reported_quarter": None,
              "prefilled_cumulative": figures[t.pk][1], "reported_cumulative": None,
              "comment": ""} for t in targets]
    sheet = exports.report_sheet(plan=plan, region_name=region.name, department="",
                                 year=year, quarter=quarter, status=_("Preview"),
                                 lines=lines, preview=True)
    data = _render(sheet, fmt)
    services.report_export_recorded(actor=request.user, report=None, fmt=fmt,
                                    label=f"{plan.key} {region.code} {year}Q{quarter} preview",
                                    region_code=region.code)
    return _file(data, fmt, f"{plan.key}-{region.code}-{year}Q{quarter}-preview")


def _summary_args(request, plan):
    query = _query(request, "region", "year", "quarter")
    region = selectors.dashboard_region(actor=request.user, plan=plan, code=query["region"])
    year, quarter = query["year"], query["quarter"]
    if year is None:
        year, quarter = last_closed_quarter(timezone.localdate())
    return region, year, quarter


@login_required
@scoped
def report_summary(request, key: str):
    plan = selectors.plan_get(actor=request.user, key=key)
    region, year, quarter = _summary_args(request, plan)
    rows, reports = selectors.report_summary(actor=request.user, plan=plan, region=region,
                                             year=year, quarter=quarter)
    filed = {r.region_id for r in reports}
    missing = [c for c in selectors.child_regions(region) if c.pk not in filed]
    q_start, q_end = quarter_bounds(year, quarter)
    return render(request, "plans/summary.html", {
        "plan": plan, "region": region, "year": year, "quarter": quarter, "rows": rows,
        "reports": reports, "missing": missing, "q_start": q_start, "q_end": q_end,
        "path": selectors.region_path(plan=plan, region=region),
    })


@login_required
@scoped
def report_summary_export(request, key: str, fmt: str):
    plan = selectors.plan_get(actor=request.user, key=key)
    region, year, quarter = _summary_args(request, plan)
    rows, reports = selectors.report_summary(actor=request.user, plan=plan, region=region,
                                             year=year, quarter=quarter)
    sheet = exports.summary_sheet(plan=plan, region_name=region.name, year=year,
                                  quarter=quarter, rows=rows, reports=reports)
    data = _render(sheet, fmt)
    services.report_export_recorded(actor=request.user, report=None, fmt=fmt,
                                    label=f"{plan.key} {region.code} {year}Q{quarter} summary",
                                    region_code=region.code)
    return _file(data, fmt, f"{plan.key}-{region.code}-{year}Q{quarter}-summary")


# --- packs -----------------------------------------------------------------------------------

@login_required
@scoped
def pack_check(request):
    """Check a pack (pasted or uploaded) and, for staff of its region, load it."""
    text = ""
    result = None
    issues = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        too_big = upload is not None and upload.size > PACK_MAX_CHARS * 4  # before reading
        if upload is not None and not too_big:
            text = upload.read().decode("utf-8-sig", errors="replace")
        elif upload is None:
            text = request.POST.get("text", "")
        if too_big or len(text) > PACK_MAX_CHARS:
            messages.error(request, _("A pack is at most %(n)s characters.")
                           % {"n": f"{PACK_MAX_CHARS:,}"})
            return render(request, "plans/pack_check.html", {
                "text": "", "result": None, "issues": [],
                "can_load": services.may_load_packs(request.user)}, status=400)
        result = check_pack(text)
        issues = [{"line": i.line, "path": i.path, "code": i.code,
                   "message": services.issue_message(i)} for i in result.issues]
        if result.ok and request.POST.get("load") == "1":
            try:
                plan = services.plan_load_pack(actor=request.user, text=text)
                messages.success(request, _("Plan loaded."))
                return redirect("plans:dashboard", key=plan.key)
            except DomainError as exc:
                if isinstance(exc, NotFound):
                    raise
                messages.error(request, exc.message)
    return render(request, "plans/pack_check.html", {
        "text": text, "result": result, "issues": issues,
        "can_load": services.may_load_packs(request.user),
        "status": 400 if result is not None and not result.ok else 200,
    }, status=400 if result is not None and not result.ok else 200)
