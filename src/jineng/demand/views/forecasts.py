"""Demand pages: forecasts (需求预测目录). The list of the region's forecasts (with a form to
build one, as a background job), and a forecast's page: the overall backtest error, each line
with its past quarters, forecast, supply, gap, reasons and industry reviews, the status
history, and the buttons the actor may use (the same answers the services give)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jineng.core.errors import DomainError
from jineng.core.http import domain_errors, message_errors
from jineng.demand import selectors, services
from jineng.demand.models import ForecastLineReview
from jineng.registry.models import Region

ACTION_LABELS = {
    "submit": gettext_lazy("Send to industry departments for review"),
    "return": gettext_lazy("Return to draft"),
    "approve": gettext_lazy("Approve"),
    "publish": gettext_lazy("Publish to the urgently-needed catalog"),
    "reject": gettext_lazy("Reject"),
}
REASON_LABELS = {
    "method": gettext_lazy("Method %(method)s: the model forecasts %(model_forecast)s."),
    "filed_above_forecast": gettext_lazy("Enterprises already filed %(filed)s for the "
                                         "quarter, more than the model forecast."),
    "demand": gettext_lazy("Demand %(demand)s = forecast %(forecast)s + open vacancies "
                           "%(vacancies)s."),
    "supply": gettext_lazy("Supply %(supply)s = %(trainees)s trainees finishing × "
                           "%(take_up_share)s."),
    "gap_critical": gettext_lazy("Gap %(gap)s is %(share)s%% of demand (critical from "
                                 "%(threshold)s%%)."),
    "gap_short": gettext_lazy("Gap %(gap)s is %(share)s%% of demand (short from "
                              "%(threshold)s%%)."),
    "gap_share_small": gettext_lazy("Gap %(gap)s is only %(share)s%% of demand (below "
                                    "%(threshold)s%%)."),
    "gap_below_minimum": gettext_lazy("Gap %(gap)s is below the minimum of %(min_gap)s "
                                      "people."),
    "wishes": gettext_lazy("%(wishes)s workers wish to be trained in it."),
}


def explain(reason: dict) -> str:
    label = REASON_LABELS.get(reason.get("code", ""))
    if label is None:
        return str(reason)
    try:
        return str(label) % reason
    except (KeyError, TypeError, ValueError):
        return str(reason)


class BuildForm(forms.Form):
    region = forms.CharField(label=gettext_lazy("Region code"), max_length=12)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    quarter = forms.IntegerField(label=gettext_lazy("Quarter"), min_value=1, max_value=4)


@login_required
@domain_errors
def forecast_list(request):
    forecasts = list(selectors.forecast_list(actor=request.user)[:200])
    return render(request, "demand/forecasts/list.html", {
        "forecasts": forecasts, "form": BuildForm(initial={
            "region": request.user.region.code if request.user.region_id else ""}),
        "can_build": getattr(request.user, "is_hrss_staff", False)})


@login_required
@require_POST
@domain_errors
def forecast_build(request):
    form = BuildForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(errors)}"
                           if field in form.fields else " ".join(errors))
        return redirect("demand:forecast_list")
    region = Region.objects.filter(code=form.cleaned_data["region"]).first()
    if region is None:
        messages.error(request, _("Unknown region code."))
        return redirect("demand:forecast_list")
    with message_errors(request) as outcome:
        job = services.forecast_start(actor=request.user, region=region,
                                      year=form.cleaned_data["year"],
                                      quarter=form.cleaned_data["quarter"])
    if outcome.failed:
        return redirect("demand:forecast_list")
    messages.success(request, _("The forecast is being built in the background."))
    return redirect("jobs:job_detail", pk=job.pk)


@login_required
@domain_errors
def forecast_detail(request, pk: int):
    forecast = selectors.forecast_get(actor=request.user, pk=pk)
    lines = list(selectors.forecast_lines(actor=request.user, forecast=forecast))
    for line in lines:
        line.explained = [explain(r) for r in line.reasons]
    offered = selectors.forecast_actions(actor=request.user, forecast=forecast)
    return render(request, "demand/forecasts/detail.html", {
        "forecast": forecast, "lines": lines,
        "overall": forecast.backtest.get("overall", {}),
        "history": selectors.forecast_history(actor=request.user, forecast=forecast),
        "actions": [(a, ACTION_LABELS[a]) for a in offered["actions"]],
        "review_lines": offered["review_lines"],
        "verdicts": ForecastLineReview.Verdict.choices})


@login_required
@require_POST
@domain_errors
def forecast_transition(request, pk: int):
    forecast = selectors.forecast_get(actor=request.user, pk=pk)
    with message_errors(request) as outcome:
        services.forecast_transition(actor=request.user, forecast=forecast,
                                     action=request.POST.get("action", "")[:20],
                                     reason=request.POST.get("reason", "")[:2000])
    if not outcome.failed:
        messages.success(request, _("Done."))
    return redirect("demand:forecast_detail", pk=pk)


@login_required
@require_POST
@domain_errors
def forecast_line_review(request, pk: int):
    line = selectors.forecast_line_get(actor=request.user, pk=pk)
    proposed = request.POST.get("proposed", "").strip()
    with message_errors(request) as outcome:
        if proposed and not proposed.isdigit():
            raise DomainError(_("The proposed figure must be a whole number of people."),
                              field="proposed")
        services.forecast_line_review(actor=request.user, line=line,
                                      verdict=request.POST.get("verdict", "")[:10],
                                      note=request.POST.get("note", "")[:2000],
                                      proposed=int(proposed) if proposed else None)
    if not outcome.failed:
        messages.success(request, _("Your review is recorded."))
    return redirect("demand:forecast_detail", pk=line.forecast_id)


urlpatterns: list = [
    path("forecasts/", forecast_list, name="forecast_list"),
    path("forecasts/build/", forecast_build, name="forecast_build"),
    path("forecasts/<int:pk>/", forecast_detail, name="forecast_detail"),
    path("forecasts/<int:pk>/actions/", forecast_transition, name="forecast_transition"),
    path("forecast-lines/<int:pk>/review/", forecast_line_review, name="forecast_line_review"),
]
