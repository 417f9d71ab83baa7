#!/usr/bin/env python3
"""Benchmark: build the demo province's registry (organizations, sites, persons, key groups,
demo users) at one tier on a fresh database; print persons per second, total seconds and peak
memory. See benchmarks/README.md.

    .venv/bin/python benchmarks/demo_registry.py --scale M
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jineng_bench \\
        .venv/bin/python benchmarks/demo_registry.py --scale M --postgres

SQLite (the default) runs on a new file in a temporary directory, deleted afterwards. With
--postgres the database named by DATABASE_URL is migrated and any earlier demo province in it
is removed first (not timed): use a database made for the benchmark.
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

from _machine import machine  # benchmarks/ is the script's own folder on sys.path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="S", choices=["S", "M", "L"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--persons", type=int, default=None, help="override the tier's size")
    parser.add_argument("--postgres", action="store_true",
                        help="use the PostgreSQL database in DATABASE_URL")
    parser.add_argument("--progress", action="store_true", help="show the progress bar")
    parser.add_argument("--json", action="store_true", help="print one JSON line as well")
    args = parser.parse_args()

    workdir = None
    if args.postgres:
        if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
            parser.error("--postgres needs DATABASE_URL=postgres://…")
    else:
        workdir = tempfile.TemporaryDirectory(prefix="jineng-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ["JINENG_DEMO"] = "1"  # the demo's public keys (never in production)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jineng.config.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from jineng.demo.generator import TIERS, demo_exists, generate, reset_demo

    started = time.perf_counter()
    call_command("migrate", verbosity=0, skip_checks=True)
    if demo_exists():  # PostgreSQL: a demo province from an earlier run (not timed)
        reset_demo()
    migrate_s = time.perf_counter() - started
    load_before = os.getloadavg()[0]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    counts = generate(args.scale, args.seed, persons=args.persons, progress=args.progress)
    seconds = counts.pop("seconds")
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    peak_mib = after.ru_maxrss / 1024  # Linux: KiB
    load_after = os.getloadavg()[0]
    connection.close()  # SQLite: checkpoints the write-ahead log into the file
    db_size = ""
    if workdir is not None:
        size = sum(p.stat().st_size for p in Path(workdir.name).iterdir())
        db_size = f"{size / 1024 / 1024:.0f} MiB"
    persons = counts["persons"]
    result = {
        "benchmark": "demo_registry",
        "tier": args.scale,
        "tier_persons": TIERS[args.scale].persons,
        "seed": args.seed,
        "database": connection.vendor,
        "persons": persons,
        "seconds": round(seconds, 1),
        "persons_per_second": round(persons / seconds),
        "cpu_seconds": round(cpu_s, 1),
        "peak_memory_mib": round(peak_mib),
        "load_average_1min": [round(load_before, 1), round(load_after, 1)],
        "migrate_seconds": round(migrate_s, 1),
        "database_size": db_size,
        "counts": counts,
        "date": dt.date.today().isoformat(),
        "machine": machine(),
    }
    print(f"tier {args.scale} on {connection.vendor}: {persons:,} persons in {seconds:.1f} s "
          f"= {result['persons_per_second']:,} persons/s; peak memory {round(peak_mib)} MiB"
          + (f"; database {db_size}" if db_size else ""))
    print("  also made: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()
                                       if k != "persons"))
    m = result["machine"]
    print(f"  machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM, "
          f"Python {m['python']}; migrate (and removing an earlier demo) took {migrate_s:.1f} s, "
          "not counted")
    print(f"  CPU time of this process {cpu_s:.1f} s; load average (1 min) "
          f"{load_before:.1f} before, {load_after:.1f} after (other work on the machine "
          "slows the wall-clock figure)")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    if workdir is not None:
        workdir.cleanup()
    sys.exit(0)


if __name__ == "__main__":
    main()
