#!/usr/bin/env python3
"""Benchmark: generate the training demo (classes, enrollments, a year of attendance) at one
tier on a fresh PostgreSQL database, on top of the demo registry of the same tier. Prints the
seconds of the training step alone (the registry is built first and not counted) and events
per second. Target (issue 5): tier L, about 50 million attendance events, in under 10 minutes.

    .venv/bin/python benchmarks/demo_attendance.py --scale L
    .venv/bin/python benchmarks/demo_attendance.py --scale S --sqlite

PostgreSQL: the database in --database-url (a name containing "bench") is dropped and created.
SQLite: a new file in a temporary directory, deleted afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _training_fixture as fx

TODAY = dt.date(2026, 11, 21)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="S", choices=["XS", "S", "M", "L"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=fx.DEFAULT_URL)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    workdir = None
    if args.sqlite:
        workdir = tempfile.TemporaryDirectory(prefix="jineng-bench-")
        url = f"sqlite:///{workdir.name}/bench.sqlite3"
    else:
        url = args.database_url
        fx.recreate_database(url)
    fx.setup_django(url)
    os.environ["JINENG_DEMO"] = "1"
    from django.core.management import call_command
    from django.db import connection, transaction

    from jineng.demo import generator
    from jineng.training.demo import build_demo_training

    call_command("migrate", verbosity=0, skip_checks=True)
    started = time.perf_counter()
    registry_steps = [s for s in generator.STEPS if "training" not in s[0]]
    generator.generate(args.scale, args.seed, progress=False, steps=registry_steps)
    registry_s = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic():
        counts = build_demo_training(scale=args.scale, seed=args.seed, today=TODAY)
    seconds = time.perf_counter() - started
    size = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size("
                           "'training_attendanceevent'))")
            size = cursor.fetchone()[0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    events = counts["attendance_events"]
    result = {"benchmark": "demo_attendance", "tier": args.scale, "seed": args.seed,
              "database": connection.vendor, "today": TODAY.isoformat(),
              "seconds": round(seconds, 1), "events_per_second": round(events / seconds),
              "registry_seconds": round(registry_s, 1), "peak_memory_mib": round(peak),
              "attendance_table": size,
              **{k: v for k, v in counts.items() if k not in ("blocks", "seconds")},
              "date": dt.date.today().isoformat(), "machine": fx.machine()}
    print(f"training demo tier {args.scale} on {connection.vendor}: {events:,} attendance "
          f"events, {counts['enrollments']:,} enrollments, {counts['classes']:,} classes in "
          f"{seconds:.1f} s = {result['events_per_second']:,} events/s; peak memory "
          f"{round(peak)} MiB" + (f"; attendance table {size}" if size else ""))
    print(f"  phases (s): {counts.get('phases')}; (registry of the same tier built first in "
          f"{registry_s:.1f} s, not counted)")
    m = result["machine"]
    print(f"  machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM, "
          f"Python {m['python']}")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    connection.close()
    if workdir is not None:
        workdir.cleanup()


if __name__ == "__main__":
    main()
