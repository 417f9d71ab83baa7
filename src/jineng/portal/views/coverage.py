"""Pages of the 30-minute circle: for HRSS staff of a region, the runs and a form to start one,
the population and travel-time imports, a run's shares, gaps, axis check and map with a form
to propose new sites, and a proposal with its gains and export; for everyone, the public
summary (shares per county of the latest run; rate-limited)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.core import ratelimit
from jineng.core.errors import Forbidden
from jineng.core.http import domain_errors, form_errors
from jineng.portal.models.coverage import TravelMode
from jineng.portal.rules import travel
from jineng.portal.selectors import coverage as selectors
from jineng.portal.services import coverage as imports
from jineng.portal.services import coverage_jobs as jobs
from jineng.registry import selectors as registry

PUBLIC_SCOPE = "portal.coverage.page"
PUBLIC_LIMIT, PUBLIC_WINDOW = 120, dt.timedelta(minutes=1)
PAGE_TOWNS = 300
PAGE_GAPS = 200


def _ensure_staff(user) -> None:
    if not imports.may_manage_coverage(user):
        raise Forbidden(_("Only HRSS staff manage the 30-minute circle's data."))


class RunForm(forms.Form):
    region = forms.ChoiceField(label=gettext_lazy("Region"))
    year = forms.IntegerField(label=gettext_lazy("Population year"), required=False,
                              min_value=1950, max_value=2100,
                              help_text=gettext_lazy("Empty: the latest imported year."))
    threshold_minutes = forms.IntegerField(label=gettext_lazy("Threshold (minutes)"),
                                           initial=travel.THRESHOLD_MINUTES,
                                           min_value=travel.MIN_THRESHOLD,
                                           max_value=travel.MAX_THRESHOLD)
    mode = forms.ChoiceField(label=gettext_lazy("Travel mode"), choices=TravelMode.choices,
                             initial=TravelMode.DRIVE)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = getattr(getattr(user, "scope", None), "region_prefix", None) or ""
        self.fields["region"].choices = [
            (r.code, r.name) for r in registry.region_choices(actor=user, within=prefix)[:500]]


class ImportForm(forms.Form):
    KINDS = (("population", gettext_lazy("Population by area")),
             ("travel_times", gettext_lazy("Travel-time matrix (routing engine)")))
    kind = forms.ChoiceField(label=gettext_lazy("File"), choices=KINDS)
    file = forms.FileField(label=gettext_lazy("CSV or Excel (.xlsx) file"))
    skip_bad_rows = forms.BooleanField(
        label=gettext_lazy("Skip bad rows (import the good rows, report the bad ones)"),
        required=False)


class PlacementForm(forms.Form):
    k = forms.IntegerField(label=gettext_lazy("Number of new sites"), min_value=1,
                           max_value=500, initial=3)
    candidates = forms.CharField(
        label=gettext_lazy("Candidate places (optional)"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}), max_length=200_000,
        help_text=gettext_lazy("One per line: an area code, or “name, longitude, latitude”. "
                               "Empty: the centre of every populated area."))

    def clean_candidates(self) -> list[dict] | None:
        text = self.cleaned_data["candidates"].strip()
        if not text:
            return None
        out = []
        for n, line in enumerate(text.splitlines(), start=1):
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if len(parts) == 1 and parts[0]:
                out.append({"area_code": parts[0]})
            elif len(parts) == 3:
                try:
                    out.append({"name": parts[0], "longitude": float(parts[1]),
                                "latitude": float(parts[2])})
                except ValueError:
                    raise forms.ValidationError(
                        _("Line %(n)s: longitude and latitude must be numbers.") % {"n": n}
                    ) from None
            elif parts != [""]:
                raise forms.ValidationError(
                    _("Line %(n)s: write an area code, or “name, longitude, latitude”.")
                    % {"n": n})
        return out


@login_required
@domain_errors
def coverage_home(request):
    """The runs in the user's region, the population years imported, and a run form."""
    _ensure_staff(request.user)
    form = RunForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            job = jobs.coverage_run_start(
                actor=request.user, region_code=form.cleaned_data["region"],
                year=form.cleaned_data["year"],
                threshold_minutes=form.cleaned_data["threshold_minutes"],
                mode=form.cleaned_data["mode"],
                ip_address=ratelimit.request_address(request) or None)
            return redirect("jobs:job_detail", pk=job.pk)
    return render(request, "portal/coverage/home.html", {
        "form": form, "runs": selectors.coverage_run_list(actor=request.user)[:50],
        "years": selectors.population_years(actor=request.user),
    }, status=400 if form.errors else 200)


@login_required
@domain_errors
def coverage_import(request):
    _ensure_staff(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    columns = imports.POPULATION_COLUMNS
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        service = imports.population_import if kind == "population" \
            else imports.travel_matrix_import
        columns = imports.POPULATION_COLUMNS if kind == "population" \
            else imports.MATRIX_COLUMNS
        with form_errors(form):
            report = service(actor=request.user, file=form.cleaned_data["file"],
                             skip_bad_rows=form.cleaned_data["skip_bad_rows"])
    labels = {c.name: f"{c.label} ({c.name})" for c in columns}
    errors = [{"row": e.row, "field": labels.get(e.field, e.field), "message": e.message}
              for e in (report.errors if report else [])]
    status = 400 if form.errors or (report and not report.written) else 200
    return render(request, "portal/coverage/import.html", {
        "form": form, "report": report, "errors": errors,
        "population_columns": imports.POPULATION_COLUMNS,
        "matrix_columns": imports.MATRIX_COLUMNS}, status=status)


@login_required
@domain_errors
def coverage_run_detail(request, pk: int):
    run = selectors.coverage_run_get(actor=request.user, pk=pk)
    _ensure_staff(request.user)
    form = PlacementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            job = jobs.placement_start(actor=request.user, run=run, k=form.cleaned_data["k"],
                                       candidates=form.cleaned_data["candidates"],
                                       ip_address=ratelimit.request_address(request) or None)
            return redirect("jobs:job_detail", pk=job.pk)
    towns = sorted(run.towns, key=lambda t: (t["share"] if t["share"] is not None else 2,
                                             t["code"]))[:PAGE_TOWNS]
    return render(request, "portal/coverage/run.html", {
        "run": run, "form": form, "towns": towns, "towns_total": len(run.towns),
        "gaps": run.gaps[:PAGE_GAPS], "gaps_total": len(run.gaps),
        "axis": selectors.axis_summary(run), "map": selectors.coverage_map(run),
        "proposals": selectors.placement_list(actor=request.user, run=run)[:20],
        "legend": [(_("95% and more"), "#1f7a1f"), (_("80–95%"), "#8cbf3f"),
                   (_("60–80%"), "#e09b2d"), (_("under 60%"), "#c0392b")],
    }, status=400 if form.errors else 200)


@login_required
@domain_errors
def placement_detail(request, pk: int):
    proposal = selectors.placement_get(actor=request.user, pk=pk)
    return render(request, "portal/coverage/placement.html", {"p": proposal,
                                                              "run": proposal.run})


@login_required
@domain_errors
def placement_export(request, pk: int):
    proposal = selectors.placement_get(actor=request.user, pk=pk)
    data = selectors.placement_export(actor=request.user, proposal=proposal)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument."
                                               "spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="placement-{proposal.pk}.xlsx"'
    return response


def coverage_public(request):
    """The public summary: share of the population within the threshold per county."""
    decision = ratelimit.hit(PUBLIC_SCOPE, ratelimit.request_address(request),
                             limit=PUBLIC_LIMIT, window=PUBLIC_WINDOW,
                             ip_address=ratelimit.request_address(request) or None)
    if not decision.allowed:
        response = render(request, "portal/coverage/throttled.html",
                          {"retry_after": decision.retry_after}, status=429)
        response["Retry-After"] = str(decision.retry_after)
        return response
    run = selectors.public_coverage_summary()
    return render(request, "portal/coverage/public.html", {
        "run": run, "counties": sorted(run.counties, key=lambda c: c["code"]) if run else [],
        "api_url": reverse("api:portal_coverage_summary")})


urlpatterns = [
    path("coverage/", coverage_home, name="coverage_home"),
    path("coverage/import/", coverage_import, name="coverage_import"),
    path("coverage/runs/<int:pk>/", coverage_run_detail, name="coverage_run"),
    path("coverage/placements/<int:pk>/", placement_detail, name="placement_detail"),
    path("coverage/placements/<int:pk>/export.xlsx", placement_export,
         name="placement_export"),
    path("circle/", coverage_public, name="coverage_public"),
]
