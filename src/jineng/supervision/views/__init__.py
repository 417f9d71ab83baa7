"""Supervision pages under /supervision/: the alert queue (filters; staff and inspectors of the
region), one alert with its evidence and the workflow buttons, the rules with precision, and
the risk scans (list with "scan now", one scan with its rule versions and timings)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jineng.core.http import domain_errors
from jineng.supervision import selectors
from jineng.supervision.choices import AlertStatus, SubjectKind
from jineng.supervision.rules import alerts as lifecycle
from jineng.supervision.rules import catalog
from jineng.supervision.services import alerts as alert_services
from jineng.supervision.services import runs as run_services


@login_required
@domain_errors
def alert_list(request):
    f = {k: request.GET.get(k, "") for k in ("status", "rule", "subject_kind")}
    qs = selectors.alert_list(actor=request.user, **f)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "supervision/alerts.html", {
        "page": page, "filters": f, "statuses": AlertStatus.choices,
        "rules": [(c, _(s.description)) for c, s in catalog.RULES.items()],
        "kinds": SubjectKind.choices})


@login_required
@domain_errors
def alert_detail(request, pk: int):
    alert = selectors.alert_get(actor=request.user, pk=pk)
    spec = catalog.RULES.get(alert.rule_code)
    return render(request, "supervision/alert_detail.html", {
        "alert": alert, "description": _(spec.description) if spec else "",
        "evidence": sorted(alert.evidence.items()),
        "actions": lifecycle.available_actions(alert.status,
                                               alert_services.actor_kinds(request.user))})


@login_required
@domain_errors
@require_POST
def alert_transition(request, pk: int):
    alert = alert_services.risk_alert_transition(
        actor=request.user, alert=pk, action=request.POST.get("action", ""),
        reason=request.POST.get("reason", ""))
    messages.success(request, _("The alert is now: %(status)s.")
                     % {"status": alert.get_status_display()})
    return redirect("supervision:alert_detail", pk=pk)


@login_required
@domain_errors
def rule_list(request):
    return render(request, "supervision/rules.html",
                  {"rules": selectors.rule_list(actor=request.user)})


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def run_list(request):
    if request.method == "POST":
        run = run_services.risk_scan_start(actor=request.user,
                                           mode=request.POST.get("mode", "full"))
        messages.success(request, _("Scan %(id)s is queued; its job shows the progress.")
                         % {"id": run.pk})
        return redirect("supervision:run_detail", pk=run.pk)
    return render(request, "supervision/runs.html", {
        "runs": selectors.run_list(actor=request.user)[:50],
        "may_start": run_services.may_start_scan(request.user)})


def quality_labels() -> dict[str, str]:
    """The data-quality kinds (analytics.quality.KINDS) as the run page names them."""
    return {"missing_coordinates": _("Located check-ins without coordinates"),
            "site_without_coordinates": _("Sessions at sites without coordinates"),
            "clock_skew": _("Check-in times hours away from the session (clock skew)"),
            "duplicate_event": _("Duplicate attendance events"),
            "partial_roster": _("Sessions with a partial roster (under half checked in)")}


def _quality_context(report: dict | None) -> dict:
    if not report or report.get("error"):
        return {"quality_kinds": [], "quality_classes": []}
    labels = quality_labels()
    return {"quality_kinds": [((k, labels.get(k, k)), n)
                              for k, n in report.get("kinds", {}).items()],
            "quality_classes": [{**row, "label": labels.get(row["kind"], row["kind"])}
                                for row in report.get("classes", [])[:50]]}


@login_required
@domain_errors
def run_detail(request, pk: int):
    run = selectors.run_get(actor=request.user, pk=pk)
    quality = (run.counts or {}).get(run_services.QUALITY_KEY)
    return render(request, "supervision/run_detail.html", {
        "run": run, "versions": sorted(run.rule_versions.items()),
        "per_rule": sorted((run.timings or {}).get("per_rule", {}).items()),
        "counts": sorted((k, v) for k, v in (run.counts or {}).items()
                         if k != run_services.QUALITY_KEY),
        "quality": quality, **_quality_context(quality)})


urlpatterns: list = [
    path("alerts/", alert_list, name="alert_list"),
    path("alerts/<int:pk>/", alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/transition/", alert_transition, name="alert_transition"),
    path("rules/", rule_list, name="rule_list"),
    path("runs/", run_list, name="run_list"),
    path("runs/<int:pk>/", run_detail, name="run_detail"),
]
