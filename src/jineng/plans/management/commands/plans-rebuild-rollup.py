"""jineng plans-rebuild-rollup --from DATE --to DATE — recompute the dashboards' rollup from
the facts for those days (set-based)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from jineng.plans.services import rollup_rebuild


class Command(BaseCommand):
    help = "Rebuild the pre-aggregated progress rollup for a range of days."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--from", dest="start", type=dt.date.fromisoformat, required=True)
        parser.add_argument("--to", dest="end", type=dt.date.fromisoformat, required=True)

    def handle(self, *args, **options) -> None:
        rollup_rebuild(start=options["start"], end=options["end"])
        self.stdout.write("Rollup rebuilt.")
