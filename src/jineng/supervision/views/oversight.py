"""Supervision pages after the alerts: risk scores (classes and institutions, each with its
alerts), the recovery of a confirmed alert's subsidies, sanctions, spot checks and
inspections (巡查) with their files."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jineng.core.errors import DomainError
from jineng.core.http import domain_errors, message_errors
from jineng.supervision import selectors
from jineng.supervision.models import InspectionMode, SanctionKind
from jineng.supervision.rules import inspections as insp
from jineng.supervision.rules import sampling
from jineng.supervision.rules import sanctions as sanc
from jineng.supervision.services import oversight as services
from jineng.supervision.services.alerts import actor_kinds


def _int(value, field: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise DomainError(_("%(field)s must be a whole number.") % {"field": field},
                          field=field, code="invalid")
    return int(value)


def _date(value, field: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DomainError(_("%(field)s must be a date such as 2026-05-01.") % {"field": field},
                          field=field, code="invalid") from None


@login_required
@domain_errors
def risk_overview(request):
    return render(request, "supervision/risk.html", {
        "classes": selectors.class_risk_list(actor=request.user, limit=100),
        "institutions": selectors.institution_risk_list(actor=request.user, limit=100)})


def _risk_page(request, **kw):
    risk = selectors.risk_of(actor=request.user, **kw)
    return render(request, "supervision/risk_detail.html", {"risk": risk})


@login_required
@domain_errors
def class_risk(request, pk: int):
    return _risk_page(request, class_id=pk)


@login_required
@domain_errors
def institution_risk(request, pk: int):
    return _risk_page(request, institution_id=pk)


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def alert_recovery(request, pk: int):
    alert = selectors.alert_get(actor=request.user, pk=pk)
    if request.method == "POST":
        with message_errors(request) as outcome:
            result = services.alert_recovery_start(actor=request.user, alert=pk,
                                                   reason=request.POST.get("reason", ""))
        if outcome.failed:
            return redirect("supervision:alert_recovery", pk=pk)
        messages.success(request, _("Recovery started: %(n)d claim(s) recovered, %(amount)s "
                                    "yuan to recover; %(stop)d claim(s) not yet paid to stop.")
                         % {"n": len(result.recovered), "amount": result.amount,
                            "stop": len(result.to_stop)})
        return redirect("supervision:alert_recovery", pk=pk)
    claims = list(services.claims_of_alert(request.user, alert))
    paid = [c for c in claims if c.status == "paid"]
    return render(request, "supervision/alert_recovery.html", {
        "alert": alert, "claims": claims,
        "to_recover": sum((c.amount or 0) for c in paid),
        "may_start": alert.status == "confirmed" and bool(paid)})


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def sanction_list(request):
    if request.method == "POST":
        p = request.POST
        with message_errors(request) as outcome:
            s = services.sanction_impose(
                actor=request.user, kind=p.get("kind", ""), reason=p.get("reason", ""),
                organization_id=_int(p.get("organization_id"), "organization_id"),
                person_id=_int(p.get("person_id"), "person_id"),
                days=_int(p.get("days"), "days"),
                valid_from=_date(p.get("valid_from"), "valid_from"),
                alert=_int(p.get("alert_id"), "alert_id"))
        if outcome.failed:
            return redirect("supervision:sanction_list")
        messages.success(request, _("Sanction %(id)s is in force.") % {"id": s.pk})
        return redirect("supervision:sanction_detail", pk=s.pk)
    kinds = services.sanction_actor_kinds(request.user)
    return render(request, "supervision/sanctions.html", {
        "sanctions": selectors.sanction_list(actor=request.user)[:200],
        "kinds": SanctionKind.choices, "may_impose": bool(kinds & sanc.IMPOSERS),
        "alert_id": request.GET.get("alert", "")})


@login_required
@domain_errors
def sanction_detail(request, pk: int):
    s = selectors.sanction_get(actor=request.user, pk=pk)
    may_lift = (s.status == sanc.ACTIVE and s.kind in sanc.LIFTABLE
                and bool(services.sanction_actor_kinds(request.user) & sanc.LIFTERS))
    return render(request, "supervision/sanction_detail.html", {"s": s, "may_lift": may_lift})


@login_required
@domain_errors
@require_POST
def sanction_lift(request, pk: int):
    with message_errors(request) as outcome:
        services.sanction_lift(actor=request.user, sanction=pk,
                               reason=request.POST.get("reason", ""))
    if not outcome.failed:
        messages.success(request, _("The sanction is lifted."))
    return redirect("supervision:sanction_detail", pk=pk)


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def spot_check_list(request):
    if request.method == "POST":
        p = request.POST
        with message_errors(request) as outcome:
            sc = services.spot_check_draw(
                actor=request.user, population=p.get("population", ""),
                region_code=p.get("region_code", ""), confidence=p.get("confidence", "0.95"),
                margin=p.get("margin", "0.05"), seed=p.get("seed", ""))
        if outcome.failed:
            return redirect("supervision:spot_check_list")
        messages.success(request, _("Spot check %(id)s drawn with seed %(seed)s.")
                         % {"id": sc.pk, "seed": sc.seed})
        return redirect("supervision:spot_check_detail", pk=sc.pk)
    return render(request, "supervision/spot_checks.html", {
        "checks": selectors.spot_check_list(actor=request.user)[:100],
        "may_draw": bool(actor_kinds(request.user) & {insp.INSPECTOR, insp.HRSS})})


@login_required
@domain_errors
def spot_check_detail(request, pk: int):
    sc = selectors.spot_check_get(actor=request.user, pk=pk)
    strata = [(name, *sc.strata.get(name, [0, 0])) for name, _low in sampling.STRATA]
    return render(request, "supervision/spot_check_detail.html", {
        "sc": sc, "strata": strata,
        "may_plan": insp.INSPECTOR in actor_kinds(request.user),
        "modes": InspectionMode.choices})


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def inspection_list(request):
    if request.method == "POST":
        p = request.POST
        with message_errors(request) as outcome:
            i = services.inspection_plan(
                actor=request.user, mode=p.get("mode", ""),
                planned_for=_date(p.get("planned_for"), "planned_for"),
                alert=_int(p.get("alert_id"), "alert_id"),
                spot_check=_int(p.get("spot_check_id"), "spot_check_id"),
                item_id=_int(p.get("item_id"), "item_id"))
        if outcome.failed:
            return redirect("supervision:inspection_list")
        messages.success(request, _("Inspection %(id)s is planned.") % {"id": i.pk})
        return redirect("supervision:inspection_detail", pk=i.pk)
    return render(request, "supervision/inspections.html", {
        "inspections": selectors.inspection_list(actor=request.user,
                                                 status=request.GET.get("status", ""))[:200],
        "may_plan": insp.INSPECTOR in actor_kinds(request.user),
        "modes": InspectionMode.choices, "alert_id": request.GET.get("alert", "")})


@login_required
@domain_errors
def inspection_detail(request, pk: int):
    i = selectors.inspection_get(actor=request.user, pk=pk)
    kinds = actor_kinds(request.user)
    return render(request, "supervision/inspection_detail.html", {
        "i": i, "files": i.files.defer("content"),
        "actions": insp.available_actions(i.status, kinds),
        "may_attach": insp.INSPECTOR in kinds and i.status in insp.ATTACH_STATES})


@login_required
@domain_errors
@require_POST
def inspection_transition(request, pk: int):
    with message_errors(request) as outcome:
        i = services.inspection_transition(actor=request.user, inspection=pk,
                                           action=request.POST.get("action", ""),
                                           findings=request.POST.get("findings", ""))
    if not outcome.failed:
        messages.success(request, _("The inspection is now: %(status)s.")
                         % {"status": i.get_status_display()})
    return redirect("supervision:inspection_detail", pk=pk)


@login_required
@domain_errors
@require_POST
def inspection_attach(request, pk: int):
    upload = request.FILES.get("file")
    with message_errors(request) as outcome:
        if upload is None:
            raise DomainError(_("Choose a file."), field="file", code="required")
        if upload.size > insp.MAX_UPLOAD_BYTES:
            raise DomainError(_("The file is larger than %(mb)d MiB.")
                              % {"mb": insp.MAX_UPLOAD_BYTES // (1024 * 1024)}, field="file",
                              code="too_large")
        f = services.inspection_attach(actor=request.user, inspection=pk, name=upload.name,
                                       data=upload.read())
    if not outcome.failed:
        messages.success(request, _("File %(name)s attached.") % {"name": f.name})
    return redirect("supervision:inspection_detail", pk=pk)


@login_required
@domain_errors
def inspection_file(request, pk: int, file_id: int):
    f = selectors.inspection_file_get(actor=request.user, inspection_id=pk, pk=file_id)
    response = HttpResponse(bytes(f.content), content_type=f.content_type)
    response["Content-Disposition"] = f'attachment; filename="file-{f.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns: list = [
    path("risk/", risk_overview, name="risk_overview"),
    path("risk/classes/<int:pk>/", class_risk, name="class_risk"),
    path("risk/institutions/<int:pk>/", institution_risk, name="institution_risk"),
    path("alerts/<int:pk>/recovery/", alert_recovery, name="alert_recovery"),
    path("sanctions/", sanction_list, name="sanction_list"),
    path("sanctions/<int:pk>/", sanction_detail, name="sanction_detail"),
    path("sanctions/<int:pk>/lift/", sanction_lift, name="sanction_lift"),
    path("spot-checks/", spot_check_list, name="spot_check_list"),
    path("spot-checks/<int:pk>/", spot_check_detail, name="spot_check_detail"),
    path("inspections/", inspection_list, name="inspection_list"),
    path("inspections/<int:pk>/", inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/transition/", inspection_transition,
         name="inspection_transition"),
    path("inspections/<int:pk>/files/", inspection_attach, name="inspection_attach"),
    path("inspections/<int:pk>/files/<int:file_id>/", inspection_file, name="inspection_file"),
]
