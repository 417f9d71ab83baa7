#!/usr/bin/env python3
"""Benchmark: the persons export at one tier, inline (the whole file in the request) against as
a background job (the request only queues it; the worker writes the file with progress). See
benchmarks/README.md.

    .venv/bin/python benchmarks/exports_jobs.py --scale S
    .venv/bin/python benchmarks/exports_jobs.py --scale S --format xlsx --json

A fresh SQLite file in a temporary directory gets the demo province of the tier (not timed),
then, as an administrator who sees every person:

    inline    registry.exports.export_table(...) with every chunk consumed: what a request
              spent before the job threshold existed;
    request   registry.exports.export_request(...): what the request spends now (count, audit,
              job row, queue entry);
    job       `jineng jobs-run` (django-tasks-db's worker, one pass): the job from the queue to
              its stored file, with its progress writes counted.

Prints the tier, database, rows, seconds (wall and CPU) and rows per second of each, the file
sizes, the peak memory of the process, the load average and the machine.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sys
import tempfile
import time

from _machine import machine  # benchmarks/ is the script's own folder on sys.path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="S", choices=["XS", "S", "M", "L"])
    parser.add_argument("--persons", type=int, default=None, help="override the tier's size")
    parser.add_argument("--format", default="csv", choices=["csv", "xlsx"])
    parser.add_argument("--json", action="store_true", help="print one JSON line as well")
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="jineng-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ["JINENG_JOBS_DIR"] = f"{workdir.name}/jobs"
    os.environ["JINENG_DEMO"] = "1"  # the demo's public keys (never in production)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jineng.config.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import translation

    from jineng.accounts.models import User
    from jineng.demo.generator import generate
    from jineng.jobs import services as jobs
    from jineng.registry import exports

    call_command("migrate", verbosity=0, skip_checks=True)
    counts = generate(args.scale, 1, persons=args.persons, progress=False)
    admin = User.objects.create_superuser("bench_admin", password="bench-Pass-1234")
    translation.activate("zh-hans")
    load_before = os.getloadavg()[0]

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    started, cpu_started = time.perf_counter(), cpu()
    inline = exports.export_table(actor=admin, kind="persons", fmt=args.format)
    inline_bytes = sum(len(chunk) for chunk in inline.chunks)
    inline_s, inline_cpu = time.perf_counter() - started, cpu() - cpu_started

    settings.REGISTRY_EXPORT_INLINE_ROWS = 5000
    started = time.perf_counter()
    job = exports.export_request(actor=admin, kind="persons", fmt=args.format)
    request_s = time.perf_counter() - started
    assert not isinstance(job, exports.ExportFile), "below the job threshold: use a larger tier"

    writes = []
    jobs.job_progressed.connect(lambda sender, **kw: writes.append(kw["done"]), weak=False)
    started, cpu_started = time.perf_counter(), cpu()
    call_command("jobs-run", no_progress=True, stdout=io.StringIO())
    job_s, job_cpu = time.perf_counter() - started, cpu() - cpu_started
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    load_after = os.getloadavg()[0]

    rows = inline.count
    result = {
        "benchmark": "exports_jobs", "tier": args.scale, "database": "sqlite",
        "format": args.format, "persons": counts["persons"], "rows": rows,
        "inline_s": round(inline_s, 2), "inline_rows_per_s": round(rows / inline_s),
        "inline_bytes": inline_bytes, "inline_cpu_s": round(inline_cpu, 2),
        "request_ms": round(request_s * 1000, 1),
        "job_s": round(job_s, 2), "job_rows_per_s": round(job.row_count / job_s),
        "job_cpu_s": round(job_cpu, 2), "job_bytes": job.result_size, "job_rows": job.row_count,
        "progress_writes": len(writes),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_before": round(load_before, 2), "load_after": round(load_after, 2),
        **machine(),
    }
    print(f"persons export, tier {args.scale} ({counts['persons']:,} persons), SQLite, "
          f"{args.format}")
    print(f"  inline : {inline_s:6.2f} s (CPU {inline_cpu:.2f} s)  "
          f"{result['inline_rows_per_s']:>7,} rows/s  "
          f"{inline_bytes / 1e6:.1f} MB in the request")
    print(f"  request: {result['request_ms']:6.1f} ms to queue the job")
    print(f"  job    : {job_s:6.2f} s (CPU {job_cpu:.2f} s)  "
          f"{result['job_rows_per_s']:>7,} rows/s  "
          f"{job.result_size / 1e6:.1f} MB stored, {len(writes)} progress writes")
    print(f"  peak memory {result['peak_mib']} MiB; load {load_before:.2f} → {load_after:.2f}; "
          f"{result['nproc']} CPUs, {result['cpu']}, {result['ram_gib']} GiB, "
          f"Python {result['python']}")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    workdir.cleanup()
    sys.exit(0)


if __name__ == "__main__":
    main()
