#!/usr/bin/env python3
"""Benchmark: latency of single check-ins at a steady request rate (open loop).

A fresh benchmark database gets open classes with enrolled trainees; gunicorn serves the real
application on 127.0.0.1; an asyncio load generator on the same machine sends one check-in per
request to POST /api/training/attendance/events at a fixed rate, whatever the answers (open
loop: a slow answer does not delay the next request, and latency is measured from the moment
the request was due, so queueing counts). Prints p50/p90/p99/max. Target (issue 5): p99 under
50 ms at 200 requests/s on PostgreSQL.

    .venv/bin/python benchmarks/checkin_latency.py --rate 200 --seconds 60

Tier: the load is tier-independent (the table starts empty). Bounded: --rate × --seconds
requests, all to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _training_fixture as fx
from attendance_ingest import make_events


async def one(port: int, body: bytes, token: str, due: float, out: list, errors: list) -> None:
    request = (f"POST /api/training/attendance/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        await writer.drain()
        data = await reader.read()
        writer.close()
        status = int(data.split(b" ", 2)[1])
        if status != 201:
            errors.append(f"{status}: {data[-200:]!r}")
    except OSError as exc:
        errors.append(repr(exc))
        return
    out.append((due, time.perf_counter() - due))


async def load(port: int, token: str, bodies: list[bytes], rate: float) -> tuple[list, list]:
    latencies: list[float] = []
    errors: list[str] = []
    tasks = []
    start = time.perf_counter() + 0.5
    for i, body in enumerate(bodies):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(port, body, token, due, latencies, errors)))
    await asyncio.gather(*tasks)
    return latencies, errors


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p))] * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=fx.DEFAULT_URL.replace("bench", "bench_lat"))
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--warmup", type=float, default=5, help="seconds not counted")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    fx.recreate_database(args.database_url)
    fx.setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, skip_checks=True)
    total = int(args.rate * (args.seconds + args.warmup))
    per_class, sessions = 40, 20
    classes = max(1, -(-total // (per_class * sessions * 2)))
    fixture = fx.build_fixture(classes=classes, per_class=per_class, sessions=sessions,
                               today=dt.date.today())
    events = make_events(fixture, 7)[:total]
    bodies = [json.dumps(e).encode() for e in events]
    connection.close()
    server = fx.Server(args.database_url, workers=args.workers)
    try:
        latencies, errors = asyncio.run(load(server.port, fixture.token, bodies, args.rate))
    finally:
        server.stop()
    latencies.sort()
    first_due = latencies[0][0] if latencies else 0
    counted = [lat for due, lat in latencies if due - first_due >= args.warmup]
    slow = [round(due - first_due, 1) for due, lat in latencies if lat > 0.1]
    if slow:
        print(f"  requests over 100 ms were due at (s): {slow[:10]} … {slow[-5:]} "
              f"({len(slow)} in all)")
    result = {
        "benchmark": "checkin_latency", "tier": "S (empty table)", "database": "postgresql",
        "rate": args.rate, "seconds": args.seconds, "requests": len(counted),
        "errors": len(errors), "p50_ms": pct(counted, 0.5), "p90_ms": pct(counted, 0.9),
        "p99_ms": pct(counted, 0.99), "max_ms": round(max(counted) * 1000, 1),
        "gunicorn": server.version, "gunicorn_workers": args.workers,
        "date": dt.date.today().isoformat(), "machine": fx.machine(),
    }
    print(f"single check-ins at {args.rate:g}/s for {args.seconds:g} s (open loop, "
          f"{args.warmup:g} s warm-up not counted): {len(counted):,} requests, "
          f"{len(errors)} errors; p50 {result['p50_ms']} ms, p90 {result['p90_ms']} ms, "
          f"p99 {result['p99_ms']} ms, max {result['max_ms']} ms")
    print(f"  {server.version}, {args.workers} sync workers; PostgreSQL")
    if errors:
        print("  first errors:", errors[:3])
    m = result["machine"]
    print(f"  machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM, "
          f"Python {m['python']}")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    sys.exit(0 if not errors and result["p99_ms"] < 50 else 1)


if __name__ == "__main__":
    main()
