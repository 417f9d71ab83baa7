from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path

from jineng.core.errors import NotFound
from jineng.plans import selectors as plans
from jineng.portal import selectors


def home(request):
    if request.user.is_authenticated:
        return redirect("portal:overview")
    return render(request, "portal/home.html", {"stats": selectors.public_stats()})


@login_required
def overview(request):
    """The landing page after login: first the work of the user's role (selectors.work), then
    the default plan's headline targets and map (when the user sees a plan; an industry
    department's own sector's targets first), counts by region, institution type and key
    group, scoped to the user;
    `?region=<code>` drills down (outside the user's region answers 404)."""
    try:
        data = selectors.overview(actor=request.user,
                                  region_code=request.GET.get("region", "").strip() or None)
    except NotFound as missing:
        raise Http404(missing.message) from missing
    # The plan's headline at the focus (or the user's own region in the plan), if any.
    plan = plans.default_plan(actor=request.user)
    summary = plans.landing_summary(actor=request.user, plan=plan,
                                    focus_code=data.focus.code if data.focus else None)
    work = selectors.work(actor=request.user)
    # An industry department's own sector's targets come first.
    sector_rows = ([r for r in summary["rows"] if r.target.sector == work.sector]
                   if summary and work.sector else [])
    return render(request, "portal/overview.html",
                  {"o": data, "chart_data": data.chart_data(), "plan": plan,
                   "plan_summary": summary, "work": work, "sector_rows": sector_rows})


urlpatterns = [
    path("", home, name="home"),
    path("overview/", overview, name="overview"),
]
