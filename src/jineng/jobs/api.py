"""Background jobs API: the caller's own jobs (anyone else's answer 404 like a missing one), and
the result file of a finished job (audited)."""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from jineng.core.api import Pagination, error_responses
from jineng.jobs import selectors, services

router = Router(tags=["jobs"])
BINARY = {"schema": {"type": "string", "format": "binary"}}
RESULT_TYPES = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "text/plain", "application/octet-stream")


class JobOut(Schema):
    id: int
    kind: str = Field(description="what runs, e.g. registry.export")
    title: str = Field(description="in the language of the user who asked")
    status: str = Field(description="queued | running | succeeded | failed")
    done: int = Field(description="items done so far")
    total: int | None = Field(description="items in all, once known")
    percent: int = Field(description="whole percent done (100 once succeeded)")
    params: dict
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str = Field(description="why it failed, in the language of the user who asked")
    row_count: int | None
    result_name: str = Field(description="file name of the result, once succeeded")
    result_size: int | None = Field(description="bytes")
    page_url: str = Field(description="the job's web page")
    download_url: str | None = Field(description="API address of the result file, once "
                                                 "succeeded")

    @staticmethod
    def resolve_page_url(obj) -> str:
        return reverse("jobs:job_detail", args=[obj.pk])

    @staticmethod
    def resolve_download_url(obj) -> str | None:
        return reverse("api:jobs_job_download", args=[obj.pk]) if obj.has_result else None


@router.get("", response=list[JobOut], operation_id="jobs_job_list", url_name="jobs_job_list",
            summary="The caller's background jobs, newest first")
@paginate(Pagination)
def job_list(request):
    return selectors.job_list(actor=request.auth)


@router.get("/{job_id}", response={200: JobOut, **error_responses(404, 422)},
            operation_id="jobs_job_get", url_name="jobs_job_get",
            summary="One of the caller's jobs: status and progress")
def job_get(request, job_id: int):
    return selectors.job_get(actor=request.auth, pk=job_id)


@router.get("/{job_id}/download", response=error_responses(404, 422),
            operation_id="jobs_job_download", url_name="jobs_job_download",
            summary="The result file of the caller's finished job (audited)",
            openapi_extra={"responses": {200: {
                "description": "the job's file (its type is the job's: CSV, xlsx, …)",
                "content": dict.fromkeys(RESULT_TYPES, BINARY)}}})
def job_download(request, job_id: int):
    job, handle = services.job_download(actor=request.auth, pk=job_id,
                                        ip_address=request.META.get("REMOTE_ADDR") or None)
    return FileResponse(handle, as_attachment=True, filename=job.result_name,
                        content_type=job.result_content_type or "application/octet-stream")
