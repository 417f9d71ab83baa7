"""jineng plans-demo [--seed N] [--today YYYY-MM-DD] — (re)build the demo plan with SYNTHETIC
training volumes (see jineng.demo.plans_demo)."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from jineng.demo.plans_demo import build_demo_plan


class Command(BaseCommand):
    help = "Build the demo plan (Guizhou pack, synthetic volumes: some cities ahead, some behind)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args, **options) -> None:
        summary = build_demo_plan(seed=options["seed"],
                                  today=options["today"] or timezone.localdate())
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=1))
