"""`jineng certificate-keys export [--output keys.json]`: the published signing keys (for
`jineng certificate-verify --keys`, offline). `jineng certificate-keys rotate --user NAME`:
retire the current key and start a new one (as that account: a system administrator or
province staff; audited)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jineng.core.errors import DomainError


class Command(BaseCommand):
    help = "Export the public signing keys, or rotate the signing key."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write keys.json")
        export.add_argument("--output", "-o", help="file (default: standard output)")
        rotate = sub.add_parser("rotate", help="retire the current key, start a new one")
        rotate.add_argument("--user", required=True,
                            help="the account that rotates (system admin or province staff)")

    def handle(self, *args, **options):
        from jineng.assessment import selectors, services

        if options["action"] == "export":
            text = json.dumps({"keys": selectors.published_keys()}, ensure_ascii=False,
                              indent=2) + "\n"
            if options.get("output"):
                Path(options["output"]).write_text(text, encoding="utf-8")
                self.stdout.write(f"{len(selectors.published_keys())} key(s) → "
                                  f"{options['output']}")
            else:
                self.stdout.write(text, ending="")
            return
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no account {options['user']!r}")
        try:
            key = services.signing_key_rotate(actor=user)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(f"new signing key {key.key_id} signs from {key.valid_from.isoformat()}")
