"""Job pages: the user's jobs, one job's progress (polled with htmx), and its download. Thin:
the selectors scope (own jobs only; anyone else gets 404) and the services audit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import render

from jineng.core.http import domain_errors
from jineng.jobs import selectors, services

PAGE_SIZE = 50
POLL_SECONDS = 1


@login_required
def job_list(request):
    page = Paginator(selectors.job_list(actor=request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "jobs/job_list.html", {"page": page, "jobs": page.object_list})


@login_required
@domain_errors
def job_detail(request, pk: int):
    return render(request, "jobs/job_detail.html",
                  {"job": selectors.job_get(actor=request.user, pk=pk),
                   "poll_seconds": POLL_SECONDS})


@login_required
@domain_errors
def job_progress(request, pk: int):
    """The progress panel alone, for htmx polling; once the job has finished the panel comes
    back without its polling trigger, so the polling stops."""
    return render(request, "jobs/_progress.html",
                  {"job": selectors.job_get(actor=request.user, pk=pk),
                   "poll_seconds": POLL_SECONDS})


@login_required
@domain_errors
def job_download(request, pk: int):
    job, handle = services.job_download(actor=request.user, pk=pk,
                                        ip_address=request.META.get("REMOTE_ADDR"))
    return FileResponse(handle, as_attachment=True, filename=job.result_name,
                        content_type=job.result_content_type or "application/octet-stream")
