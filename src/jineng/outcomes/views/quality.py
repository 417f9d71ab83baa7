"""Outcomes pages: quality. The staff ranking of institutions (/outcomes/quality/, with filters,
a CSV export whose text cells are never formulas, links to each institution's scorecard), a
staff view of one scorecard, and the dated indicator settings (/outcomes/settings/: history,
and a form for province HRSS staff)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core.errors import DomainError, Forbidden
from jineng.core.http import domain_errors, message_errors
from jineng.core.tabular import write_csv
from jineng.outcomes.choices import Indicator
from jineng.outcomes.selectors import quality as selectors
from jineng.outcomes.selectors import ranking as ranking_selectors
from jineng.outcomes.selectors import scorecards as scorecard_selectors
from jineng.outcomes.services import settings as services


def _ranking_args(request) -> dict:
    return {"indicator": (request.GET.get("indicator") or Indicator.COMPOSITE.value)[:16],
            "period": (request.GET.get("period") or "all")[:8],
            "occupation_code": (request.GET.get("occupation") or "").strip()[:50],
            "region_code": (request.GET.get("region") or "").strip()[:12]}


@login_required
@domain_errors
def ranking(request):
    """Institutions ranked by the composite (or another indicator), filtered by occupation,
    region and period; each row links to the scorecard and the institution's figures."""
    if not ranking_selectors.may_see_ranking(request.user):
        raise Forbidden(_("Only HRSS staff see the ranking of institutions."))
    args = _ranking_args(request)
    try:
        result = ranking_selectors.institution_ranking(actor=request.user, **args)
        problem = None
    except DomainError as error:
        if error.status in (403, 404):
            raise
        problem = error
        args = {**args, "indicator": Indicator.COMPOSITE.value, "period": "all"}
        result = ranking_selectors.institution_ranking(actor=request.user, **args)
    if request.GET.get("format") == "csv" and problem is None:
        return _csv(result)
    return render(request, "outcomes/quality_ranking.html", {
        "r": result, "args": args, "problem": problem,
        "indicators": Indicator.choices,
        "query": request.GET.urlencode()})


def _csv(result) -> HttpResponse:
    headers = [_("Rank"), _("Institution"), _("Institution id"), _("Region"), _("Region code"),
               str(Indicator(result.indicator).label), _("Numerator"), _("Denominator"),
               _("Trainees"), *[str(label) for _v, label in Indicator.choices]]
    rows = ([r.rank if r.rank is not None else "", r.name, r.organization_id, r.region_name,
             r.region_code, r.value, r.numerator, r.denominator, r.trainees,
             *[r.values.get(v) for v, _label in Indicator.choices]] for r in result.rows)
    response = HttpResponse(write_csv(headers, rows), content_type="text/csv; charset=utf-8")
    stamp = result.run.finished_at.strftime("%Y%m%d") if result.run else "none"
    response["Content-Disposition"] = (f'attachment; filename="ranking-{result.indicator}-'
                                       f'{result.period}-{stamp}.csv"')
    return response


@login_required
@domain_errors
def scorecard(request, org_id: int):
    """The staff view of an institution's scorecard (every cell shown)."""
    try:
        card = scorecard_selectors.institution_scorecard(
            actor=request.user, organization_id=org_id,
            period=(request.GET.get("period") or "all")[:8])
    except DomainError as error:
        if error.status in (403, 404):
            raise
        card = scorecard_selectors.institution_scorecard(actor=request.user,
                                                         organization_id=org_id)
    return render(request, "outcomes/quality_scorecard.html", {"card": card})


def _decimal(value: str | None):
    try:
        return Decimal((value or "").strip())
    except InvalidOperation:
        return value


def _float(value: str | None):
    try:
        return float((value or "").strip())
    except ValueError:
        return value


@login_required
@domain_errors
def settings_page(request):
    """The province's indicator settings: the row in force, the history, and (province HRSS
    staff) a form adding a row from a day on."""
    if request.method == "POST":
        with message_errors(request) as outcome:
            try:
                day = dt.date.fromisoformat((request.POST.get("valid_from") or "").strip())
            except ValueError as bad:
                raise DomainError(_("The first day is a date (YYYY-MM-DD)."),
                                  field="valid_from") from bad
            try:
                min_cell = int((request.POST.get("min_cell") or "").strip())
            except ValueError as bad:
                raise DomainError(_("The smallest public cell is a whole number of trainees "
                                    "from 1 to 1000."), field="min_cell") from bad
            services.indicator_settings_set(
                actor=request.user, valid_from=day, min_cell=min_cell,
                reason=request.POST.get("reason", "")[:2000],
                link_auto_probability=_float(request.POST.get("link_auto_probability")),
                link_review_probability=_float(request.POST.get("link_review_probability")),
                **{name: _decimal(request.POST.get(name)) for name in services.WEIGHT_FIELDS})
        if not outcome.failed:
            messages.success(request, _("The settings from %(day)s are recorded.")
                             % {"day": day})
            return redirect("outcomes:quality_settings")
    if not selectors.sees_all_cells(request.user):
        raise Forbidden(_("Only HRSS staff read the indicator settings."))
    history = list(selectors.indicator_settings_history(actor=request.user))
    code = (history[0].region.code if history else
            getattr(getattr(request.user, "region", None), "code", "") or "")
    in_force = selectors.indicator_settings_in_force(region_code=code)
    post = request.POST if request.method == "POST" else {}
    labels = dict(Indicator.choices)
    weight_rows = [(name, labels[name.removeprefix("weight_")],
                    post.get(name) or in_force.weights[name.removeprefix("weight_")],
                    in_force.weights[name.removeprefix("weight_")])
                   for name in services.WEIGHT_FIELDS]
    return render(request, "outcomes/settings.html", {
        "history": history, "in_force": in_force,
        "may_set": services.may_set_indicator_settings(request.user),
        "today": timezone.localdate(), "weight_rows": weight_rows, "post": post})


urlpatterns = [
    path("quality/", ranking, name="quality_ranking"),
    path("quality/institutions/<int:org_id>/", scorecard, name="quality_scorecard"),
    path("settings/", settings_page, name="quality_settings"),
]
