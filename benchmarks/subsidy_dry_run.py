#!/usr/bin/env python3
"""Benchmark: the subsidy dry run `POST /api/subsidy/evaluate` (issue 12: p95 under 50 ms),
through the whole HTTP stack (session login, ninja, the dry run, the JSON answer), on the world
of benchmarks/subsidy_evaluate.py (persons, imported history, claims, published parameters).

    .venv/bin/python benchmarks/subsidy_dry_run.py --database sqlite --tier S

Each question is about a registered person with history, asked by province HRSS staff; the
kinds alternate (training from the catalog, certificate, upskilling with the insured months
counted from the records). Prints p50 / p95 / max in ms and the tier.
"""

from __future__ import annotations

import argparse
import statistics
import time

from _machine import machine
from subsidy_evaluate import TIERS, build, id_number, prepare_database, setup_django

QUESTIONS = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--tier", choices=tuple(TIERS), default="L")
    parser.add_argument("--scale", type=float)
    args = parser.parse_args()
    scale = args.scale if args.scale is not None else TIERS[args.tier]
    setup_django(prepare_database(args.database))
    built = build(scale)

    from django.conf import settings
    from django.test import Client

    from jineng.accounts.models import User
    from jineng.registry.models import Occupation, Region

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    staff = User.objects.create(username="bench-province", role="province_staff",
                                region=Region.objects.get(code="520000"))
    client = Client()
    client.force_login(staff)
    counties = list(Region.objects.filter(level="county", code__startswith="52")
                    .order_by("code")[:40])
    occupations = list(Occupation.objects.filter(code__isnull=False, rank="occupation")
                       .order_by("id")[:200])
    kinds = ("training", "certificate", "upskilling")
    times = []
    statuses: dict[int, int] = {}
    refusals: dict[str, int] = {}
    for i in range(QUESTIONS + 20):
        n = (i * 7919) % built["persons"]
        number = id_number(counties[n % len(counties)].code, n)
        body = {"id_number": number, "kind": kinds[i % 3], "claim_date": "2026-11-20",
                "certificate_date": "2026-10-01", "level": ("grade5", "grade4")[i % 2],
                "occupation_code": occupations[i % len(occupations)].code}
        t0 = time.perf_counter()
        r = client.post("/api/subsidy/evaluate", data=body, content_type="application/json")
        elapsed = (time.perf_counter() - t0) * 1000
        if i >= 20:  # the first calls warm the caches
            times.append(elapsed)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            if r.status_code == 200 and not r.json()["allowed"]:
                code = r.json()["refusal_code"]
                refusals[code] = refusals.get(code, 0) + 1
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"## subsidy_dry_run — tier {args.tier} (scale {scale}), {args.database}\n")
    print(f"machine: {machine()}\n")
    print("| figure | value |\n|---|---|")
    for k in ("persons", "history", "claims"):
        print(f"| {k} | {built[k]:,} |")
    print(f"| questions | {len(times)} |")
    print(f"| answers | {statuses} |")
    print(f"| refusals | {refusals} |")
    print(f"| p50 (ms) | {statistics.median(times):.1f} |")
    print(f"| p95 (ms) | {p95:.1f} |")
    print(f"| max (ms) | {times[-1]:.1f} |")
    print(f"| goal p95 < 50 ms | {'met' if p95 < 50 else 'NOT met'} |")


if __name__ == "__main__":
    main()
