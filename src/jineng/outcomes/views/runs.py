"""Outcomes pages: runs. /outcomes/runs/ lists the latest runs (status, time per step, counts,
records complete through, link to the job page) with a "compute now" button for province HRSS
staff; /outcomes/runs/<id>/ shows one run."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jineng.core.http import domain_errors
from jineng.outcomes.selectors import runs as selectors
from jineng.outcomes.services import runs as services


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def run_list(request):
    if request.method == "POST":
        run = services.outcomes_run_start(actor=request.user)
        messages.success(request, _("Run %(id)s is queued; its job shows the progress.")
                         % {"id": run.pk})
        return redirect("outcomes:run_detail", pk=run.pk)
    return render(request, "outcomes/runs.html", {
        "runs": selectors.run_list(actor=request.user),
        "may_start": services.may_start_run(request.user)})


@login_required
@domain_errors
def run_detail(request, pk: int):
    return render(request, "outcomes/run_detail.html", {
        "run": selectors.run_get(actor=request.user, pk=pk)})


urlpatterns: list = [
    path("runs/", run_list, name="run_list"),
    path("runs/<int:pk>/", run_detail, name="run_detail"),
]
