"""`jineng outcomes-import <file> --kind records|businesses --user <username>`: import a file
of social-insurance contribution records or business registrations from disk (streamed,
millions of rows), with a progress bar, as the named province or city HRSS account."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from jineng.core.errors import DomainError
from jineng.outcomes.services import imports as services


class Command(BaseCommand):
    help = "Import social-insurance records or business registrations from a CSV/.xlsx file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--kind", choices=["records", "businesses"], default="records")
        parser.add_argument("--user", required=True,
                            help="username of the province or city HRSS account importing")
        parser.add_argument("--skip-bad-rows", action="store_true")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options) -> None:
        actor = get_user_model().objects.filter(username=options["user"]).first()
        if actor is None:
            raise CommandError(f"No user {options['user']!r}.")
        bar = None

        def progress(done: int, total: int | None = None) -> None:
            nonlocal bar
            if options["no_progress"]:
                return
            if bar is None:
                bar = tqdm(total=total or None, unit="rows", unit_scale=True,
                           file=self.stderr._out, desc=options["kind"])
            bar.n = done
            bar.refresh()

        try:
            outcome = services.insurance_import_file(
                actor=actor, kind=options["kind"], path=options["file"],
                skip_bad_rows=options["skip_bad_rows"], progress=progress)
        except DomainError as error:
            raise CommandError(error.message) from error
        finally:
            if bar is not None:
                bar.close()
        imp = outcome.record
        if outcome.repeated:
            self.stdout.write(f"Already imported as import {imp.pk} (same content): nothing "
                              "counted twice.")
        rate = imp.total_rows / imp.seconds if imp.seconds else 0
        self.stdout.write(
            f"import {imp.pk} {imp.status}: rows {imp.total_rows}, new {imp.created}, "
            f"corrected {imp.corrected}, unchanged {imp.unchanged}, duplicates {imp.duplicates}, "
            f"left for linkage {imp.unlinked}, rows with errors {imp.error_rows}"
            + (f", {imp.seconds:.1f} s ({rate:,.0f} rows/s)" if imp.seconds else ""))
        for error in imp.errors[:20]:
            self.stdout.write(f"  row {error['row']} {error['field']}: {error['message']}")
