"""`jineng demo-logins --address URL`: the address and the demo logins, one per role."""

from __future__ import annotations

import unicodedata

from django.core.management.base import BaseCommand

from jineng.demo.users import demo_logins


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Print the address of the demo and its logins (user name, password, role, scope)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--address", default="http://127.0.0.1:8000/")

    def handle(self, *args, **opts) -> None:
        rows = demo_logins()
        self.stdout.write(self.style.SUCCESS(f"jineng is at {opts['address']}"))
        if not any(r.exists for r in rows):
            self.stdout.write("No demo logins yet: run `jineng demo-data` first.")
            return
        self.stdout.write("Demo logins (demo data only, one per role):")
        table = [("username", "password", "role", "region / organization")]
        table += [(r.username, r.password, r.role, r.where if r.exists else "(missing)")
                  for r in rows]
        widths = [max(_width(row[i]) for row in table) for i in range(3)]
        for row in table:
            self.stdout.write("  " + "  ".join(
                [*(_pad(row[i], widths[i]) for i in range(3)), row[3]]).rstrip())
