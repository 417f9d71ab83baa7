"""jineng plans-load-pack FILE --user NAME — load a policy pack as a plan (audited)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jineng.accounts.models import User
from jineng.core.errors import DomainError
from jineng.plans import services


class Command(BaseCommand):
    help = "Load a policy pack as a plan, acting as the given user."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="User name of the loading staff")

    def handle(self, *args, **options) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']}.")
        try:
            plan = services.plan_load_pack(actor=user,
                                           text=Path(options["file"]).read_text("utf-8"))
        except services.PackInvalid as exc:
            for issue in exc.issues:
                self.stderr.write(f"line {issue.line or 0}: {issue.message}")
            raise CommandError("The pack was refused.") from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Loaded {plan.key}: {plan.targets.count()} targets.")
