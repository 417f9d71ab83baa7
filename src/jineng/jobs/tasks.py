"""Running a job on Django's tasks interface (django-tasks, the backport of `django.tasks`).

An app makes a function a job with `@job_task`:

    @job_task
    def persons_export(run: JobRun) -> None:
        run.progress(0, total)
        with run.result_file("persons.csv", "text/csv") as out:
            ...
        run.rows = n

`job_task` turns it into a task whose one argument is the job's id; the worker (`jineng
jobs-run`, or `jineng db_worker`) imports it by its module path. The wrapper marks the job
running, runs the function as the user who asked (in their language), and records the outcome:
the file and row count, or the error in the user's language. A DomainError is an expected
failure (its message is shown as is); anything else is shown as a general message and left with
its traceback in the task queue's record.
"""

from __future__ import annotations

import functools
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any, TypeVar

from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks.base import Task

from jineng.core.errors import DomainError
from jineng.jobs import services

logger = logging.getLogger(__name__)
T = TypeVar("T")

__all__ = ["JobRun", "job_task"]


class JobRun:
    """What a job function gets: its job, the user who asked, their parameters, and ways to
    report progress and hand over a result file."""

    def __init__(self, job: services.Job) -> None:
        self.job = job
        self.actor = job.requested_by
        self.params: dict[str, Any] = dict(job.params)
        self.rows: int | None = None
        self.total: int | None = job.total
        self.done = 0
        self._throttle = services.Throttle()
        self._result: tuple[IO[bytes], str, str] | None = None

    def progress(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        """Record `done` of `total` items (a write at most every half second unless forced)."""
        self.done = done
        if total is not None:
            self.total = total
        if force or total is not None or self._throttle.ready():
            services.job_progress(self.job.pk, done=done, total=self.total)

    def counted(self, items: Iterable[T], *, every: int = 500) -> Iterator[T]:
        """Yield the items, recording progress as they pass."""
        n = 0
        for n, item in enumerate(items, start=1):
            if n % every == 0:
                self.progress(n)
            yield item
        self.progress(n, force=True)
        self.rows = n

    @contextmanager
    def result_file(self, filename: str, content_type: str) -> Iterator[IO[bytes]]:
        """A temporary binary file to write the result into; kept when the job succeeds."""
        out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by finish() or on error
        try:
            yield out
        except BaseException:
            out.close()
            raise
        self._result = (out, filename, content_type)

    def finish(self) -> None:
        out, filename, content_type = self._result or (None, "", "")
        try:
            services.job_succeed(self.job.pk, rows=self.rows, result=out, filename=filename,
                                 content_type=content_type)
        finally:
            self.discard()

    def discard(self) -> None:
        if self._result is not None:
            self._result[0].close()
            self._result = None


def run_job(function: Callable[[JobRun], Any], job_id: int) -> dict[str, Any]:
    job = services.job_mark_running(job_id)
    if job is None:  # missing, or already run
        return {"job": job_id, "status": "skipped"}
    with translation.override(job.language):
        run = JobRun(job)
        try:
            if not job.requested_by.is_active:
                raise DomainError(_("The account that asked for this job is no longer "
                                    "active."), code="inactive")
            function(run)
        except DomainError as error:
            run.discard()
            services.job_fail(job_id, message=error.message)
            raise
        except BaseException:
            run.discard()
            logger.exception("Background job %s (%s) failed", job_id, job.kind)
            services.job_fail(job_id, message=_(
                "The job stopped on an unexpected error. Try again later; if it fails again, "
                "tell the administrator the job number %(id)s.") % {"id": job_id})
            raise
        run.finish()
    return {"job": job_id, "status": "succeeded", "rows": run.rows}


def job_task(function: Callable[[JobRun], Any]) -> Task:
    """Make `function(run)` a background job task (see the module docstring)."""

    @functools.wraps(function)
    def runner(job_id: int) -> dict[str, Any]:
        return run_job(function, job_id)

    return task(runner)
