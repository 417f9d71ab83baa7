"""`jineng import_registry KIND FILE [--skip-bad-rows] [--as USERNAME]`: import a registry file
and print the report (every bad row with its row number, column and reason)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from jineng.core import audit
from jineng.core.errors import DomainError
from jineng.core.models import AuditAction
from jineng.registry import importers

SYSTEM_USERNAME = "jineng-system"
# accounts.models.Role.SYSTEM_ADMIN. The registry sits below accounts (the layers of
# docs/architecture.md), so it reaches the user model the way reusable Django apps do,
# through get_user_model(), and names the role by its stored value.
SYSTEM_ROLE = "system_admin"


def system_actor():
    """The account command-line jobs act as when no --as is given: superuser scope, inactive
    (it can never log in), no password. Created, and audited, on first use."""
    User = get_user_model()
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        with transaction.atomic():
            user = User(username=SYSTEM_USERNAME, role=SYSTEM_ROLE, is_superuser=True,
                        is_active=False, first_name="jineng", last_name="system")
            user.set_unusable_password()
            user.save()
            audit.record(actor=None, action=AuditAction.CREATE, entity_type="accounts.user",
                         entity_id=str(user.pk), label=user.username,
                         after={"username": user.username, "role": user.role,
                                "is_superuser": True, "is_active": False},
                         reason="system account for command-line jobs")
    return user


def actor_for(username: str | None):
    """The user named by --as (who must be active), or the system account."""
    if not username:
        return system_actor()
    user = get_user_model().objects.select_related("region", "organization").filter(
        username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user {username!r}.")
    return user


class Command(BaseCommand):
    help = "Import a CSV or .xlsx registry file (regions, organizations, sites, persons, …)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(importers.IMPORTERS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--skip-bad-rows", action="store_true",
                            help="write the good rows and report the bad ones")
        parser.add_argument("--as", dest="username", default=None,
                            help="act as this user (default: the system account)")
        parser.add_argument("--source", default="",
                            help="where the file comes from (required for occupations)")

    def handle(self, *args, kind: str, file: Path, skip_bad_rows: bool, username: str | None,
               source: str, **options) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        actor = actor_for(username)
        try:
            report = importers.run(actor=actor, kind=kind, data=file.read_bytes(),
                                   filename=file.name, skip_bad_rows=skip_bad_rows,
                                   source=source)
        except DomainError as bad:
            raise CommandError(f"{bad.field}: {bad.message}" if bad.field else bad.message
                               ) from bad
        for e in report.errors:
            self.stderr.write(f"row {e.row}, {e.field}: {e.message}")
        summary = (f"{kind}: {report.total_rows} rows, {report.created} created, "
                   f"{report.unchanged} unchanged, {len(report.errors)} errors, "
                   f"{report.skipped} skipped")
        if not report.written:
            raise CommandError(f"{summary}. Nothing was written (use --skip-bad-rows to import "
                               "the good rows).")
        self.stdout.write(self.style.SUCCESS(summary))
