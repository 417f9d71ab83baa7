"""Every write to a background job: start (audited, queued in the same transaction), the
worker's progress and outcome (audited when the job ends), and the owner's download (audited).

Other apps start a job with `job_start(actor=…, task=…)`, where `task` is one of their own
functions wrapped by `jineng.jobs.tasks.job_task`.
"""

from __future__ import annotations

import time
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction
from jineng.jobs import selectors
from jineng.jobs.choices import FINISHED, JobStatus
from jineng.jobs.models import Job

# Sent (job_id, done, total) whenever a job records progress: `jineng jobs-run` draws its bars
# from it. Only listeners in the worker's own process hear it; pages read the job row.
job_progressed = Signal()

# At most one progress write per this many seconds (a job may report every row).
PROGRESS_INTERVAL = 0.5
MAX_PARAMS_CHARS = 4000

__all__ = ["Job", "JobStatus", "job_download", "job_fail", "job_progress", "job_progressed",
           "job_start", "job_succeed", "result_storage"]


def result_storage() -> Storage:
    """Where result files are kept (settings.STORAGES["jobs"], outside static and media)."""
    return storages["jobs"]


def job_start(*, actor, task, kind: str, title: str, params: dict[str, Any] | None = None,
              total: int | None = None, ip_address: str | None = None,
              reuse_pending: bool = False) -> Job:
    """Record a job for `actor` and queue `task` (a `job_task`) to run it. The job row, its
    audit event and the queue entry are written in one transaction: no job without a queue
    entry, no queue entry for a job that was rolled back.

    With `reuse_pending`, the actor's job of the same kind and parameters that is still queued
    or running is returned instead (a link clicked twice starts one job); the check runs under
    a lock on the actor's user row, so two requests at once cannot both start one."""
    if not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("Log in to start a background job."))
    params = dict(params or {})
    if len(repr(params)) > MAX_PARAMS_CHARS:
        raise DomainError(_("The job's parameters are too long."), field="params")
    if total is not None and total < 0:
        raise DomainError(_("The number of items must not be negative."), field="total")
    with transaction.atomic():
        if reuse_pending:
            get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
            for pending in Job.objects.filter(requested_by=actor, kind=kind[:80]).exclude(
                    status__in=FINISHED):
                if pending.params == params:
                    return pending
        job = Job.objects.create(
            kind=kind[:80], title=title[:200], requested_by=actor,
            region_code=actor.region.code if getattr(actor, "region_id", None) else "",
            organization_id=getattr(actor, "organization_id", None), params=params,
            language=get_language() or settings.LANGUAGE_CODE, total=total,
        )
        result = task.enqueue(job.pk)
        job.task_id = str(result.id)
        job.save(update_fields=["task_id"])
        audit.record(actor=actor, action=AuditAction.CREATE, instance=job,
                     after={"kind": job.kind, "params": params, "total": total,
                            "task_id": job.task_id},
                     ip_address=ip_address)
    return job


def job_mark_running(job_id: int) -> Job | None:
    """The worker takes the job: queued → running. None when it is missing or was already
    taken (a job runs once, even if its queue entry is run twice)."""
    with transaction.atomic():
        job = (Job.objects.select_for_update().filter(pk=job_id, status=JobStatus.QUEUED)
               .first())
        if job is None:
            return None
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    return Job.objects.select_related("requested_by", "requested_by__region").get(pk=job_id)


def job_progress(job_id: int, *, done: int, total: int | None = None) -> None:
    """Record how far a running job got (`done` of `total` items). Not audited: the outcome
    is, and progress is the job row's own bookkeeping."""
    done = max(0, int(done))
    fields: dict[str, Any] = {"done": done}
    if total is not None:
        total = max(0, int(total))
        fields["total"] = total
        fields["done"] = min(done, total)
    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(**fields)
    job_progressed.send(sender=Job, job_id=job_id, done=fields["done"], total=total)


class Throttle:
    """Lets a progress write through at most every PROGRESS_INTERVAL seconds."""

    def __init__(self, interval: float = PROGRESS_INTERVAL) -> None:
        self.interval = interval
        self.last = 0.0

    def ready(self) -> bool:
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            return True
        return False


def _finish(job: Job, *, before: str, reason: str = "") -> None:
    audit.record(actor=job.requested_by, action=AuditAction.TRANSITION, instance=job,
                 before={"status": before},
                 after={"status": job.status, "done": job.done, "total": job.total,
                        "rows": job.row_count, "size": job.result_size,
                        "error": job.error or None},
                 reason=reason)


def job_succeed(job_id: int, *, rows: int | None = None, result: IO[bytes] | None = None,
                filename: str = "", content_type: str = "") -> Job:
    """running → succeeded, keeping the result file (read from `result`, an open binary file
    at any position) under the jobs storage."""
    stored = ""
    if result is not None:
        result.seek(0)
        name = get_valid_filename(filename) or "result"
        stored = result_storage().save(f"{timezone.now():%Y/%m}/{job_id}-{name}", File(result))
    with transaction.atomic():
        job = Job.objects.select_for_update().select_related("requested_by").get(pk=job_id)
        before = job.status
        if before != JobStatus.RUNNING:  # finished elsewhere: keep that outcome
            if stored:
                result_storage().delete(stored)
            return job
        job.status = JobStatus.SUCCEEDED
        job.finished_at = timezone.now()
        if rows is not None:
            job.row_count = rows
            job.total = max(rows, job.total or 0)
            job.done = rows
        elif job.total is not None:
            job.done = job.total
        if stored:
            job.result_path = stored
            job.result_name = filename[:120]
            job.result_content_type = content_type[:120]
            job.result_size = result_storage().size(stored)
        job.save()
        _finish(job, before=before)
    return job


def job_fail(job_id: int, *, message: str) -> Job | None:
    """running (or queued) → failed, with a message for the owner in their language."""
    with transaction.atomic():
        job = (Job.objects.select_for_update().select_related("requested_by")
               .filter(pk=job_id).first())
        if job is None or job.is_finished:
            return job
        before = job.status
        job.status = JobStatus.FAILED
        job.finished_at = timezone.now()
        job.error = message[:2000]
        job.save(update_fields=["status", "finished_at", "error"])
        _finish(job, before=before, reason=job.error)
    return job


def job_download(*, actor, pk: int, ip_address: str | None = None) -> tuple[Job, IO[bytes]]:
    """The owner's result file, opened for reading; the download is audited. Anyone else, a
    job without a result, or a file no longer kept: NotFound."""
    job = selectors.job_get(actor=actor, pk=pk)
    storage = result_storage()
    if not job.has_result or not storage.exists(job.result_path):
        raise NotFound(_("This job has no file to download."))
    with transaction.atomic():
        audit.record(actor=actor, action=AuditAction.EXPORT, instance=job,
                     label=f"{job} → {job.result_name}"[:255],
                     after={"file": job.result_name, "rows": job.row_count,
                            "size": job.result_size},
                     ip_address=ip_address)
    return job, storage.open(job.result_path, "rb")
