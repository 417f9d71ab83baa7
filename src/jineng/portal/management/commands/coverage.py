"""`jineng coverage …`: the 30-minute training circle from the command line, as an HRSS staff
account (`--as USER`), with a progress bar:

    jineng coverage import-population FILE --as USER [--skip-bad-rows]
    jineng coverage import-travel-times FILE --as USER [--skip-bad-rows]
    jineng coverage run --region CODE --as USER [--year Y] [--threshold 30] [--mode drive]
    jineng coverage place --run ID --k N --as USER [--candidates FILE.csv] [--output FILE.xlsx]

`place --candidates` reads a CSV of `name,longitude,latitude` or `area_code` lines (no header).
A refused input is printed with the field or row at fault; the exit status is then non-zero.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from jineng.core.errors import DomainError
from jineng.core.tabular import check_file_size


class Command(BaseCommand):
    help = "The 30-minute training circle: import population, compute coverage, place sites."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("import-population", "import-travel-times"):
            p = sub.add_parser(name)
            p.add_argument("file", type=Path)
            p.add_argument("--as", dest="username", required=True)
            p.add_argument("--skip-bad-rows", action="store_true")
        run = sub.add_parser("run", help="compute and store the coverage of a region")
        run.add_argument("--region", required=True)
        run.add_argument("--as", dest="username", required=True)
        run.add_argument("--year", type=int)
        run.add_argument("--threshold", type=int, default=30)
        run.add_argument("--mode", default="drive")
        place = sub.add_parser("place", help="propose k new sites for a run")
        place.add_argument("--run", type=int, required=True)
        place.add_argument("--k", type=int, required=True)
        place.add_argument("--as", dest="username", required=True)
        place.add_argument("--candidates", type=Path)
        place.add_argument("--output", type=Path)

    def _actor(self, username: str):
        actor = get_user_model().objects.select_related("region", "organization").filter(
            username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {username!r}.")
        return actor

    def handle(self, *args, **options):
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except DomainError as error:
            field = f" [{error.field}]" if error.field else ""
            raise CommandError(f"{error.message}{field}") from error

    def _read(self, path: Path) -> SimpleUploadedFile:
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        check_file_size(path.stat().st_size)
        return SimpleUploadedFile(path.name, path.read_bytes())

    def _report(self, report) -> None:
        for e in report.errors:
            self.stdout.write(f"row {e.row} [{e.field}]: {e.message}")
        self.stdout.write(f"rows {report.total_rows}: created {report.created}, updated "
                          f"{report.updated}, unchanged {report.unchanged}, skipped "
                          f"{report.skipped}; written: {report.written}")
        if not report.written:
            raise CommandError("The file has errors: nothing was written.")

    def _import_population(self, o) -> None:
        from jineng.portal.services import coverage

        self._report(coverage.population_import(actor=self._actor(o["username"]),
                                                file=self._read(o["file"]),
                                                skip_bad_rows=o["skip_bad_rows"]))

    def _import_travel_times(self, o) -> None:
        from jineng.portal.services import coverage

        self._report(coverage.travel_matrix_import(actor=self._actor(o["username"]),
                                                   file=self._read(o["file"]),
                                                   skip_bad_rows=o["skip_bad_rows"]))

    def _run(self, o) -> None:
        from jineng.portal.services import coverage_runs

        bar = tqdm(total=0, unit="area", file=self.stderr._out, ascii=True)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            run = coverage_runs.coverage_run(
                actor=self._actor(o["username"]), region_code=o["region"], year=o["year"],
                threshold_minutes=o["threshold"], mode=o["mode"], progress=progress)
        finally:
            bar.close()
        share = f"{run.share:.2%}" if run.share is not None else "—"
        self.stdout.write(f"run {run.pk}: {run.region.name} {run.year}, {run.areas} areas, "
                          f"{run.sites} sites, {run.covered}/{run.population} within "
                          f"{run.threshold_minutes} min ({share}), {len(run.gaps)} gaps, "
                          f"{run.seconds} s{' (synthetic population)' if run.synthetic else ''}")
        for c in run.counties:
            self.stdout.write(f"  {c['code']} {c['name']}: {c['share']}")

    def _place(self, o) -> None:
        from jineng.portal.selectors import coverage as selectors
        from jineng.portal.services import coverage_runs

        actor = self._actor(o["username"])
        run = selectors.coverage_run_get(actor=actor, pk=o["run"])
        candidates = None
        if o["candidates"]:
            text = self._read(o["candidates"]).read().decode("utf-8-sig")
            candidates = []
            for row in csv.reader(io.StringIO(text)):
                if len(row) == 1 and row[0].strip():
                    candidates.append({"area_code": row[0].strip()})
                elif len(row) >= 3:
                    candidates.append({"name": row[0], "longitude": row[1],
                                       "latitude": row[2]})
        proposal = coverage_runs.placement_propose(actor=actor, run=run, k=o["k"],
                                                   candidates=candidates)
        for c in proposal.choices:
            self.stdout.write(f"{c['rank']:>3} {c['name']} ({c['lon']:.5f}, {c['lat']:.5f}) "
                              f"+{c['gain']} = {c['cumulative']}")
        self.stdout.write(f"proposal {proposal.pk}: {proposal.newly_covered} of "
                          f"{proposal.uncovered_before} newly within reach "
                          f"({proposal.solver_status}, {proposal.seconds} s)")
        if o["output"]:
            o["output"].write_bytes(selectors.placement_export(actor=actor,
                                                                        proposal=proposal))
            self.stdout.write(f"→ {o['output']}")
