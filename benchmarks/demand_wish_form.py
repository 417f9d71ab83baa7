#!/usr/bin/env python3
"""Benchmark: the public training-wish form at a steady 100 requests/s on loopback, tier S
(issue 14: p95 under 100 ms).

A dedicated PostgreSQL database (`jineng_bench_wishes`, dropped and created) gets the migrations
and 40 posters of Guizhou (tier S's count, as the demo). gunicorn serves the real application
on 127.0.0.1 (sync workers, DATABASE_CONN_MAX_AGE=600, log level ERROR) and an open-loop asyncio
generator sends requests at a fixed rate (latency measured from when a request was due; one
connection per request, as phones do), alternating the form page (GET /demand/w/<token>/) and
a wish submission (POST /api/demand/wishes, anonymous JSON: a new person each time, 1 in 10
a repeat of an earlier person, i.e. an update). Every submission goes through validation, the
rate limits (two counters), the keyed hash, Fernet encryption, the row lock/insert, the
occupations and the audit event.

All load comes from 127.0.0.1, so the address limit and the challenge (one address, thousands
of wishes) are lifted for this run through `_wish_bench_settings.py` (the settings plus higher
limits); the per-phone limit stays (each phone is new). Bounded: rate × (seconds + warmup)
requests.

    .venv/bin/python benchmarks/demand_wish_form.py [--rate 100 --seconds 30 --workers 3] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from _machine import machine

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jineng_bench_wishes"
API_PATH = "/api/demand/wishes"


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to recreate {name!r}: use a database named *bench*")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup(url: str, posters: int) -> tuple[list[str], list[int]]:
    os.environ["DATABASE_URL"] = url
    os.environ["JINENG_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jineng.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from jineng.demand.models import WishPoster
    from jineng.registry.models import Occupation, Region

    call_command("migrate", verbosity=0, skip_checks=True)
    counties = list(Region.objects.filter(code__startswith="52", level="county")
                    .order_by("code")[:posters])
    tokens = [str(WishPoster.objects.create(region=counties[i % len(counties)],
                                            place_kind="community",
                                            place_name=f"基准社区{i}").token)
              for i in range(posters)]
    occupations = list(Occupation.objects.filter(rank="occupation").order_by("pk")
                       .values_list("pk", flat=True)[:50])
    from django.db import connection

    connection.close()
    return tokens, occupations


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, workers: int) -> tuple[subprocess.Popen, int]:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if gunicorn is None:
        raise SystemExit("gunicorn is not installed in this environment")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "JINENG_DEMO": "1", "DATABASE_CONN_MAX_AGE": "600",
           "DJANGO_SETTINGS_MODULE": "_wish_bench_settings", "JINENG_LOG_LEVEL": "ERROR"}
    proc = subprocess.Popen(
        [gunicorn, "jineng.config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning",
         "--backlog", "2048", "--pythonpath", str(Path(__file__).resolve().parent)],
        env=env, cwd=str(ROOT), start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not start")


def make_requests(n: int, tokens: list[str], occupations: list[int], seed: int) -> list:
    sys.path.insert(0, str(ROOT / "src"))
    from jineng.core.validators import make_resident_id

    rng = random.Random(seed)
    people: list[tuple[str, str]] = []
    fresh: list[int] = []  # people not repeated yet: each repeats at most once (a phone's
    # third submission of a day would be asked for a code, a 400 counted as an error)
    out = []
    import datetime as dt

    for i in range(n):
        token = rng.choice(tokens)
        if i % 2 == 0:
            out.append(("page", f"GET /demand/w/{token}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Accept-Language: zh-hans\r\nConnection: close\r\n\r\n"))
            continue
        if fresh and rng.random() < 0.1:
            number, phone = people[fresh.pop(rng.randrange(len(fresh)))]
        else:
            fresh.append(len(people))
            number = make_resident_id("520102", dt.date(1970, 1, 1) + dt.timedelta(
                days=len(people) // 900), len(people) % 900)
            phone = f"139{len(people):08d}"
            people.append((number, phone))
        body = json.dumps({"poster_token": token, "name": "基准", "id_number": number,
                           "phone": phone, "occupation_ids": [rng.choice(occupations)],
                           "consent": True, "key_groups": ["migrant_worker"]}).encode()
        out.append(("submit", (f"POST {API_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                               "Content-Type: application/json\r\nAccept-Language: zh-hans\r\n"
                               f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
                    + body.decode()))
    return out


async def one(port: int, target: str, raw: str, due: float, out: list, errors: list) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(raw.encode())
        await writer.drain()
        data = await reader.read()
        writer.close()
        status = int(data.split(b" ", 2)[1])
    except (OSError, ValueError, IndexError) as exc:
        errors.append(f"{target}: {exc!r}")
        return
    if status not in (200, 201):
        errors.append(f"{target}: {status} {data[-200:]!r}")
    out.append((due, target, time.perf_counter() - due))


async def load(port: int, requests: list, rate: float) -> tuple[list, list]:
    latencies: list = []
    errors: list = []
    tasks = []
    start = time.perf_counter() + 0.5
    for i, (target, raw) in enumerate(requests):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(port, target, raw, due, latencies, errors)))
    await asyncio.gather(*tasks)
    return latencies, errors


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p))] * 1000, 1) if values \
        else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--posters", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="one JSON line instead of text")
    args = parser.parse_args()
    recreate_database(args.database_url)
    tokens, occupations = setup(args.database_url, args.posters)
    total = int(args.rate * (args.seconds + args.warmup))
    requests = make_requests(total, tokens, occupations, args.seed)
    proc, port = start_server(args.database_url, args.workers)
    try:
        lat, errors = asyncio.run(load(port, requests[:2], 5))
        if errors:
            raise SystemExit(f"the targets do not answer: {errors}")
        lat, errors = asyncio.run(load(port, requests[2:], args.rate))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    first = min(d for d, _t, _l in lat) if lat else 0
    counted = [(t, x) for d, t, x in lat if d - first >= args.warmup]
    report = {"benchmark": "demand_wish_form", "tier": "S", "rate_per_s": args.rate,
              "seconds": args.seconds,
              "workers": args.workers, "requests": len(counted), "errors": len(errors),
              "load_average_1m": round(os.getloadavg()[0], 1), "machine": machine()}
    for target in ("page", "submit", None):
        values = [x for t, x in counted if target is None or t == target]
        report[target or "all"] = {"p50_ms": pct(values, 0.5), "p95_ms": pct(values, 0.95),
                                   "p99_ms": pct(values, 0.99), "n": len(values)}
    report["goal_p95_under_100_ms"] = report["all"]["p95_ms"] < 100
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(f"tier S: the public wish form at {args.rate:g} requests/s for {args.seconds:g} s "
              f"({args.workers} gunicorn workers, load average {report['load_average_1m']})")
        for target in ("page", "submit", "all"):
            r = report[target]
            print(f"  {target}: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, "
                  f"p99 {r['p99_ms']} ms (n {r['n']})")
        print(f"  errors: {report['errors']}; goal p95 < 100 ms: "
              f"{'met' if report['goal_p95_under_100_ms'] else 'not met'}")
        print(f"  machine: {report['machine']}")
    if errors:
        print("first errors:", errors[:3], file=sys.stderr)


if __name__ == "__main__":
    main()
