"""`jineng jobs-run [--watch]`: run queued background jobs in this process, with a progress bar
per job. Without --watch it runs what is queued and exits; with --watch it keeps waiting for
new jobs (this is the worker `dev.py start` runs next to the server)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string
from django_tasks.signals import task_finished
from django_tasks_db.management.commands.db_worker import Worker
from tqdm import tqdm

from jineng.jobs.models import Job
from jineng.jobs.services import job_progressed


class Command(BaseCommand):
    help = "Run queued background jobs here, with a progress bar for each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--watch", action="store_true",
                            help="keep running, waiting for new jobs (a worker)")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds between looks at the queue when it is empty")
        parser.add_argument("--no-progress", action="store_true",
                            help="no progress bars (outcome lines only)")

    def handle(self, *args, watch: bool, interval: float, no_progress: bool, **options) -> None:
        bars: dict[int, tqdm] = {}

        def on_progress(sender, job_id: int, done: int, total: int | None, **kwargs) -> None:
            bar = bars.get(job_id)
            if bar is None:
                title = Job.objects.filter(pk=job_id).values_list("title", flat=True).first()
                bar = bars[job_id] = tqdm(desc=f"#{job_id} {title or ''}", total=total,
                                          unit=" rows", file=sys.stderr, disable=no_progress,
                                          dynamic_ncols=True)
            if total is not None and bar.total != total:
                bar.total = total
            bar.n = done
            bar.refresh()

        def on_finished(sender, task_result, **kwargs) -> None:
            job_id = task_result.args[0] if task_result.args else None
            bar = bars.pop(job_id, None)
            if bar is not None:
                bar.close()
            job = Job.objects.filter(pk=job_id).first() if isinstance(job_id, int) else None
            if job is None:
                return
            line = f"#{job.pk} {job.title}: {job.get_status_display()}"
            if job.row_count is not None:
                line += f", {job.row_count} rows"
            if job.result_size is not None:
                line += f", {job.result_size} bytes"
            if job.error:
                line += f" — {job.error}"
            self.stdout.write(line)

        job_progressed.connect(on_progress, weak=False, dispatch_uid="jobs-run-progress")
        task_finished.connect(on_finished, weak=False, dispatch_uid="jobs-run-finished")
        worker = Worker(queue_names=["default"], interval=interval, batch=not watch,
                        backend_name="default", startup_delay=False, max_tasks=None,
                        worker_id=get_random_string(32), excluded_queue_names=[])
        try:
            if watch:
                worker.configure_signals()  # Ctrl+C / SIGTERM: finish the current job, stop
            worker.run()
        finally:
            if watch:
                worker.reset_signals()
            job_progressed.disconnect(dispatch_uid="jobs-run-progress")
            task_finished.disconnect(dispatch_uid="jobs-run-finished")
            for bar in bars.values():
                bar.close()
