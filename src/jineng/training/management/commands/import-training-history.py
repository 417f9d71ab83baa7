"""`jineng import-training-history FILE [--as USERNAME]`: the migration import of past classes
from a CSV or .xlsx file (docs/training.md), with a progress bar over the file's classes. A
file with any error writes nothing; every bad row is printed with its column and reason."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from jineng.core.errors import DomainError
from jineng.training import importers


class Command(BaseCommand):
    help = "Import past classes with their sessions, rosters and attendance (migration)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="username", required=True,
                            help="the HRSS staff member or institution operator importing")

    def handle(self, *args, file: Path, username: str, **options) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        actor = get_user_model().objects.select_related("region", "organization").filter(
            username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {username!r}.")
        bar = tqdm(total=0, unit="class", file=self.stderr._out, ascii=True)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            report = importers.run(actor=actor, data=file.read_bytes(), filename=file.name,
                                   progress=progress)
        except DomainError as bad:
            raise CommandError(f"{bad.field}: {bad.message}" if bad.field else bad.message
                               ) from bad
        finally:
            bar.close()
        for e in report.errors:
            self.stderr.write(f"row {e.row}, {e.field}: {e.message}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} errors; nothing was imported.")
        self.stdout.write(f"classes recorded: {report.created}, unchanged: {report.unchanged}, "
                          f"rows: {report.total_rows}")
