"""`jineng jobs-list [--limit N]`: the record of what ran: the latest background jobs of every
user, newest first."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from jineng.jobs.models import Job


class Command(BaseCommand):
    help = "List the latest background jobs (every user's), newest first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=20)

    def handle(self, *args, limit: int, **options) -> None:
        jobs = Job.objects.select_related("requested_by").order_by("-created_at", "-id")
        for job in jobs[:max(1, limit)]:
            progress = f"{job.done}/{job.total}" if job.total is not None else str(job.done)
            took = (f"{(job.finished_at - job.started_at).total_seconds():.1f}s"
                    if job.started_at and job.finished_at else "-")
            self.stdout.write("\t".join([
                str(job.pk), f"{job.created_at:%Y-%m-%d %H:%M:%S}", job.requested_by.username,
                job.kind, job.status, progress, took,
                "" if job.row_count is None else f"{job.row_count} rows",
                job.error.replace("\n", " ")[:120]]))
