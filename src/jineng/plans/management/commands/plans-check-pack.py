"""jineng plans-check-pack FILE… — check policy packs; every problem with its line number."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jineng.plans.rules.packs import check_pack, shipped_pack_paths


class Command(BaseCommand):
    help = "Check policy packs (YAML) against the schema and their arithmetic."

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="*", help="Pack files (default: the shipped ones)")

    def handle(self, *args, **options) -> None:
        paths = [Path(f) for f in options["files"]] or shipped_pack_paths()
        bad = 0
        for path in paths:
            result = check_pack(path.read_text(encoding="utf-8"))
            if result.ok:
                pack = result.pack
                self.stdout.write(f"{path}: ok ({len(pack.targets)} targets, "
                                  f"{len(pack.checklist)} checklist items)")
            else:
                bad += 1
                for issue in result.issues:
                    self.stdout.write(f"{path}:{issue.line or 0}: {issue.message}")
        if bad:
            raise CommandError(f"{bad} pack(s) have problems.")
