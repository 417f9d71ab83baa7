"""Demand pages: wage guidance (工资指导价位). A public page of the published cells (rate-limited
per address; a suppressed cell shows its count and no figures); HRSS staff see their region's
computed cells too, import a wage-survey file (with its per-row report) and publish a year."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jineng.core import ratelimit
from jineng.core.errors import DomainError
from jineng.core.http import domain_errors, message_errors
from jineng.core.tabular import check_file_size
from jineng.demand import selectors, services
from jineng.demand.api.wages import RATE_LIMIT, RATE_SCOPE, RATE_WINDOW

PAGE_LIMIT = 500


def _int(value: str | None, low: int, high: int) -> int | None:
    try:
        n = int(value or "")
    except ValueError:
        return None
    return n if low <= n <= high else None


def wage_guidance(request):
    decision = ratelimit.hit(RATE_SCOPE, ratelimit.request_address(request), limit=RATE_LIMIT,
                             window=RATE_WINDOW)
    if not decision.allowed:
        response = render(request, "demand/wages/throttled.html", status=429)
        response["Retry-After"] = str(decision.retry_after)
        return response
    actor = request.user if request.user.is_authenticated else None
    years = selectors.wage_guidance_years(actor=actor)
    year = _int(request.GET.get("year"), 2000, 2100) or (years[0] if years else None)
    city = (request.GET.get("city") or "")[:12]
    cells = list(selectors.wage_guidance_list(actor=actor, year=year, city_code=city)
                 [:PAGE_LIMIT]) if year else []
    return render(request, "demand/wages/list.html", {
        "cells": cells, "years": years, "year": year, "city": city,
        "is_staff": bool(actor and getattr(actor, "is_hrss_staff", False)),
        "this_year": dt.date.today().year})


@login_required
@require_POST
@domain_errors
def wage_guidance_import(request):
    upload = request.FILES.get("file")
    year = _int(request.POST.get("year"), 2000, 2100)
    with message_errors(request) as outcome:
        if upload is None:
            raise DomainError(_("Choose a file."), field="file")
        if year is None:
            raise DomainError(_("The year must be between 2000 and 2100."), field="year")
        check_file_size(upload.size)
        min_people = _int(request.POST.get("min_people"), 1, 100000) or 10
        report, result = services.wage_rows_import(
            actor=request.user, year=year, data=upload.read(), filename=upload.name or "",
            source=request.POST.get("source", "")[:200], min_people=min_people,
            skip_bad_rows=request.POST.get("skip_bad_rows") == "1")
    if outcome.failed:
        return redirect("demand:wage_guidance")
    for error in report.errors[:50]:
        messages.warning(request, _("Row %(row)s, %(field)s: %(message)s") % error.as_dict())
    if report.written and result:
        messages.success(request, _("%(cells)s cells computed (%(suppressed)s suppressed).")
                         % result)
    else:
        messages.error(request, _("Nothing was written: correct the rows above, or skip "
                                  "them."))
    return redirect(f"{request.path.rsplit('import/', 1)[0]}?year={year}")


@login_required
@require_POST
@domain_errors
def wage_guidance_publish(request):
    year = _int(request.POST.get("year"), 2000, 2100)
    with message_errors(request) as outcome:
        if year is None:
            raise DomainError(_("The year must be between 2000 and 2100."), field="year")
        n = services.wage_guidance_publish(actor=request.user, year=year)
    if not outcome.failed:
        messages.success(request, _("%(n)s cells published.") % {"n": n})
    return redirect("demand:wage_guidance")


@login_required
@require_POST
@domain_errors
def wage_guidance_from_records(request):
    year = _int(request.POST.get("year"), 2000, 2100)
    with message_errors(request) as outcome:
        if year is None:
            raise DomainError(_("The year must be between 2000 and 2100."), field="year")
        summary = services.wage_guidance_from_records(actor=request.user, year=year)
    if not outcome.failed:
        messages.success(request, _("%(n)s cells computed from social-insurance records.")
                         % {"n": summary["cells"]})
    return redirect(f"{request.path.rsplit('from-records/', 1)[0]}?year={year}")


urlpatterns: list = [
    path("wage-guidance/", wage_guidance, name="wage_guidance"),
    path("wage-guidance/import/", wage_guidance_import, name="wage_guidance_import"),
    path("wage-guidance/publish/", wage_guidance_publish, name="wage_guidance_publish"),
    path("wage-guidance/from-records/", wage_guidance_from_records,
         name="wage_guidance_from_records"),
]
