"""`jineng risk-scan [--full | --since YYYY-MM-DD[THH:MM]] [--incremental]`: run the risk rules
now, synchronously (the same steps as the background job: snapshot, rules, store), with a
progress bar over the steps; prints the rows read, each rule's time and alerts found. Refused
while a scan is queued or running."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from jineng.supervision.choices import RunMode, RunStatus
from jineng.supervision.models import RiskRun
from jineng.supervision.services import runs


class Command(BaseCommand):
    help = "Run the risk rules over the operational data now (synchronously)."
    # A nightly batch job: the system checks (they import the URLconf and build the whole API,
    # a few seconds) belong to deployment (`jineng check --deploy`) and the web server's start.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--full", action="store_true", help="every event (the default)")
        group.add_argument("--since", default="",
                           help="only attendance events from this moment, YYYY-MM-DD[THH:MM]")
        group.add_argument("--incremental", action="store_true",
                           help="events since the last successful scan's data")

    def handle(self, *args, full: bool, since: str, incremental: bool, **options) -> None:
        if RiskRun.objects.filter(status__in=runs.ACTIVE).exists():
            raise CommandError("A scan is already queued or running.")
        start = None
        if since:
            try:
                start = dt.datetime.fromisoformat(since)
            except ValueError as error:
                raise CommandError(f"--since: {since!r} is not YYYY-MM-DD[THH:MM].") from error
            if timezone.is_naive(start):
                start = timezone.make_aware(start)
        elif incremental:
            start = runs._last_data_through()
            if start is None:
                raise CommandError("--incremental: no previous successful scan; use --since.")
        mode = RunMode.INCREMENTAL if start is not None else RunMode.FULL
        run = RiskRun.objects.create(mode=mode, since=start)
        bar = tqdm(total=len(runs.STEPS), unit="step", file=self.stderr._out, ascii=True)

        def progress(step: str) -> None:
            bar.set_description(step)
            bar.update(1)

        run = runs.risk_scan_compute(run, progress=progress)
        bar.close()
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(f"scan {run.pk} failed: {run.error}")
        rows = ", ".join(f"{k} {v}" for k, v in run.counts.items())
        per_rule = ", ".join(f"{k} {v:.3f}" for k, v in run.timings.get("per_rule", {}).items())
        self.stdout.write(
            f"scan {run.pk} ({run.mode}{' since ' + run.since.isoformat() if run.since else ''})"
            f": {run.alerts_found} alert rows, {run.alerts_new} new alerts\n"
            f"read: {rows}\n"
            f"snapshot {run.timings['snapshot']:.2f} s, rules {run.timings['rules']:.2f} s, "
            f"store {run.timings['store']:.2f} s\nper rule (s): {per_rule}")
