"""`jineng export_registry KIND FORMAT OUT [--as USERNAME]`: write a registry export (persons
with masked ID numbers only); `OUT` may be `-` for standard output."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jineng.core.errors import NotFound
from jineng.registry import exports
from jineng.registry.management.commands.import_registry import actor_for


class Command(BaseCommand):
    help = "Export organizations, sites or persons as CSV or .xlsx (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(exports.EXPORTERS))
        parser.add_argument("format", choices=sorted(exports.FORMATS))
        parser.add_argument("out", help="output file, or - for standard output")
        parser.add_argument("--as", dest="username", default=None,
                            help="act as this user (default: the system account)")

    def handle(self, *args, kind: str, format: str, out: str, username: str | None,
               **options) -> None:
        actor = actor_for(username)
        try:
            export = exports.export_table(actor=actor, kind=kind, fmt=format)
        except NotFound as exc:
            raise CommandError(f"Cannot export {kind} as {format}.") from exc
        if out == "-":
            for chunk in export.chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            return
        with Path(out).open("wb") as fh:
            for chunk in export.chunks:
                fh.write(chunk)
        self.stderr.write(self.style.SUCCESS(f"{kind}: {export.count} rows → {out}"))
