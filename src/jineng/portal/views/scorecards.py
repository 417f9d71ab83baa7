"""Public scorecards of training institutions (like TrainingProviderResults.gov): the list of
listed training institutions with results in the latest outcomes run (by name, occupation and
city), and one institution's scorecard — classes run, completion, certificates, employment and
wages after training with their periods and cell sizes, peers' median and rank, each
indicator's definition. Aggregates only (docs/adr/0005-public-data.md); small cells are
suppressed by the outcomes selectors. Rate-limited like the other public pages."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import path

from jineng.core.errors import DomainError, NotFound
from jineng.outcomes.selectors import scorecards
from jineng.portal.views.site import _throttle

PAGE = 50


def scorecard_list(request):
    refused = _throttle(request)
    if refused is not None:
        return refused
    q = request.GET.get("q", "").strip()[:50]
    occupation = request.GET.get("occupation", "").strip()[:50]
    city = request.GET.get("city", "").strip()[:12]
    if city and not city.isdigit():
        city = ""
    run, rows = scorecards.scorecard_institutions(q=q, occupation_code=occupation,
                                                  city_code=city)
    try:
        offset = max(0, min(int(request.GET.get("offset", 0)), 1_000_000))
    except ValueError:
        offset = 0
    params = request.GET.copy()
    params["offset"] = offset + PAGE
    more = f"?{params.urlencode()}" if offset + PAGE < len(rows) else ""
    params["offset"] = max(0, offset - PAGE)
    fewer = f"?{params.urlencode()}" if offset else ""
    return render(request, "portal/scorecard_list.html", {
        "run": run, "rows": rows[offset:offset + PAGE], "count": len(rows), "q": q,
        "occupation": occupation, "city": city, "next_url": more, "previous_url": fewer})


def scorecard_page(request, pk: int):
    refused = _throttle(request)
    if refused is not None:
        return refused
    try:
        try:
            card = scorecards.institution_scorecard(actor=None, organization_id=pk,
                                                    period=request.GET.get("period", "all")[:8])
        except NotFound:
            raise
        except DomainError:
            card = scorecards.institution_scorecard(actor=None, organization_id=pk)
    except NotFound as missing:
        raise Http404(missing.message) from missing
    return render(request, "portal/scorecard.html", {"card": card})


urlpatterns = [
    path("scorecards/", scorecard_list, name="scorecards"),
    path("scorecards/<int:pk>/", scorecard_page, name="scorecard"),
]
