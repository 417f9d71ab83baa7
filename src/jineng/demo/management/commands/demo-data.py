"""`jineng demo-data --scale S|M|L --seed N [--if-empty] [--reset]`: the demo province.

(The file name has a hyphen on purpose: Django names a command after its module file and
imports it with importlib, which accepts the hyphen, so the command is spelled as in the
README.)
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jineng.demo.generator import PUBLIC_TIERS, TIERS, DemoError, generate, reset_demo


class Command(BaseCommand):
    help = ("Build a synthetic demo province (Guizhou, real region codes) with organizations, "
            "training sites, persons and one demo login per role. Deterministic for a seed.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", default="S", choices=list(TIERS), metavar="S|M|L",
                            help="tier: " + "; ".join(f"{t} {TIERS[t].persons:,} persons "
                                                      f"({TIERS[t].like})"
                                                      for t in PUBLIC_TIERS))
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--persons", type=int, default=None,
                            help="override the tier's number of persons (small test runs)")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing if a demo province already exists")
        parser.add_argument("--reset", action="store_true",
                            help="delete the previous demo province first")
        parser.add_argument("--remove", action="store_true",
                            help="only delete the demo province, build nothing")
        parser.add_argument("--fraud-rate", type=float, default=None, metavar="R",
                            help="share of records with planted fraud for the risk rules "
                                 "(0 plants none; default: a small rate, every pattern once "
                                 "at least)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **opts) -> None:
        try:
            if opts["remove"]:
                deleted = reset_demo()
                self.stdout.write(f"Removed the demo province: {deleted}")
                return
            counts = generate(opts["scale"], opts["seed"], persons=opts["persons"],
                              if_empty=opts["if_empty"], reset=opts["reset"],
                              fraud_rate=opts["fraud_rate"],
                              progress=not opts["no_progress"] and opts["verbosity"] > 0)
        except DemoError as bad:
            raise CommandError(str(bad)) from bad
        if counts.get("skipped"):
            self.stdout.write("A demo province already exists; kept it (--if-empty).")
            return
        seconds = counts.pop("seconds")
        persons = counts.get("persons", 0)
        self.stdout.write(self.style.SUCCESS(
            f"Demo province built: tier {opts['scale']}, seed {opts['seed']}, "
            f"{seconds:.1f} s, {persons / seconds if seconds else 0:,.0f} persons/s"))
        for key, value in counts.items():
            self.stdout.write(f"  {key}: {value:,}")
