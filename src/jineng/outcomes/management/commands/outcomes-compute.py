"""`jineng outcomes-compute [--through YYYY-MM] [--province CODE]`: compute every outcome
measure and indicator now, synchronously (the same steps as the background job: snapshot,
measures, indicators, store), with a progress bar over the steps, and print each step's time.
Refused while a run is queued or running."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from jineng.outcomes.choices import RunStatus
from jineng.outcomes.models import OutcomeRun
from jineng.outcomes.services import runs


class Command(BaseCommand):
    help = "Compute the outcome measures and Henan's indicators now (synchronously)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--through", default="",
                            help="records complete through this month, YYYY-MM "
                                 "(default: the last month with records, before this month)")
        parser.add_argument("--province", default="",
                            help="province code whose indicator weights apply (default: the "
                                 "province with recorded settings)")

    def handle(self, *args, through: str, province: str, **options) -> None:
        if OutcomeRun.objects.filter(status__in=runs.ACTIVE).exists():
            raise CommandError("A run is already queued or running.")
        if through:
            try:
                month = dt.datetime.strptime(through, "%Y-%m").date()
            except ValueError as error:
                raise CommandError(f"--through: {through!r} is not YYYY-MM.") from error
        else:
            month = runs.default_data_through()
        if not province:
            from jineng.outcomes.selectors.quality import home_province_code
            province = home_province_code()
        run = OutcomeRun.objects.create(data_through=month, engine="duckdb",
                                        parameters={"province": province, "cli": True})
        bar = tqdm(total=len(runs.STEPS), unit="step", file=self.stderr._out, ascii=True)

        def progress(step: str) -> None:
            bar.set_description(step)
            bar.update(1)

        run = runs.outcomes_compute(run, progress=progress)
        bar.close()
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(f"run {run.pk} failed: {run.error}")
        self.stdout.write(
            f"run {run.pk}: through {run.data_through:%Y-%m}, {run.trainees} trainees, "
            f"{run.records} records, {run.indicator_values} indicator values; "
            f"snapshot {run.snapshot_seconds:.2f} s, compute {run.compute_seconds:.2f} s, "
            f"store {run.store_seconds:.2f} s")
