"""Reads of background jobs: a user sees only the jobs they started (anyone else: 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jineng.core.errors import NotFound
from jineng.jobs.models import Job


def job_list(*, actor) -> QuerySet[Job]:
    return Job.objects.visible_to(actor).order_by("-created_at", "-id")


MAX_PK = 2**63 - 1  # larger ids cannot exist (and SQLite cannot bind them)


def job_get(*, actor, pk: int) -> Job:
    if not 0 < pk <= MAX_PK:
        raise NotFound(_("No such job."))
    job = Job.objects.visible_to(actor).filter(pk=pk).first()
    if job is None:
        raise NotFound(_("No such job."))
    return job
