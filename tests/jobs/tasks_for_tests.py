"""Job functions that fail, for the tests of what a failing job records (real tasks, run by
the real worker; only their bodies are made to fail)."""

from __future__ import annotations

from django.utils.translation import gettext

from jineng.core.errors import DomainError
from jineng.jobs.tasks import JobRun, job_task


@job_task
def crashes(run: JobRun) -> None:
    run.progress(3, 10, force=True)
    raise RuntimeError("disk on fire")


@job_task
def refuses(run: JobRun) -> None:
    # A message the catalog already translates: the job runs in its owner's language.
    raise DomainError(gettext("The file is empty."), field="file")


@job_task
def counts(run: JobRun) -> None:
    """Writes a small text file of `n` lines, reporting progress on every line."""
    n = int(run.params.get("n", 3))
    run.progress(0, n)
    with run.result_file("numbers.txt", "text/plain") as out:
        for i in run.counted(range(n), every=1):
            out.write(f"{i}\n".encode())
