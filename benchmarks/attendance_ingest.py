#!/usr/bin/env python3
"""Benchmark: batch attendance ingestion through the real API into PostgreSQL.

A fresh benchmark database gets one institution with open classes, enrolled trainees and past
sessions; gunicorn serves the application on 127.0.0.1; client threads POST batches of
check-ins and check-outs (trainees identified by ID number, as a terminal reading the ID card
sends them) to /api/training/attendance/events/batch with an API token. A share of the
batches is sent twice (a terminal replaying after a timeout): the replays must come back as
duplicates. Prints events per second (all events the API processed, replays included, and new
events stored) and batch latency. Target (issue 5): at least 5,000 events/s on 2 cores.

    .venv/bin/python benchmarks/attendance_ingest.py
    .venv/bin/python benchmarks/attendance_ingest.py --database-url \\
        postgres://postgres@127.0.0.1:5432/jineng_training_bench --classes 100 --batch 1000

Tier: the load is tier-independent; the table starts empty (tier S volume). Bounded: the
events are generated up front and every request goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import queue
import random
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _training_fixture as fx


def make_events(fixture: fx.Fixture, seed: int) -> list[dict]:
    rng = random.Random(seed)
    events = []
    n = 0
    for c in fixture.classes:
        for _sid, start, end in c["sessions"]:
            for number in c["persons"]:
                for kind, base in (("check_in", start - dt.timedelta(minutes=10)),
                                   ("check_out", end + dt.timedelta(minutes=5))):
                    n += 1
                    at = base + dt.timedelta(seconds=rng.randint(-300, 900))
                    events.append({
                        "idempotency_key": f"term7-{n:09d}", "class_id": c["id"],
                        "kind": kind, "method": "terminal", "id_number": number,
                        "occurred_at": at.isoformat(),
                        "latitude": fixture.site_lat + rng.uniform(-0.0005, 0.0005),
                        "longitude": fixture.site_lon + rng.uniform(-0.0005, 0.0005),
                        "device": "terminal-7"})
    # terminals upload session by session: keep that order (classes interleaved)
    events.sort(key=lambda e: (e["occurred_at"][:10], e["class_id"]))
    return events


def run_clients(port: int, token: str, batches: list[list[dict]], clients: int,
                replay_share: float, seed: int) -> dict:
    work: queue.Queue = queue.Queue()
    rng = random.Random(seed)
    replays = 0
    for batch in batches:
        body = json.dumps({"events": batch}).encode()
        work.put((body, len(batch), False))
        if rng.random() < replay_share:
            work.put((body, len(batch), True))
            replays += len(batch)
    totals = {"accepted": 0, "duplicates": 0, "rejected": 0, "requests": 0,
              "replayed_events": replays}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def client() -> None:
        while True:
            try:
                body, _size, _replay = work.get_nowait()
            except queue.Empty:
                return
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("POST", "/api/training/attendance/events/batch", body, headers)
            response = conn.getresponse()
            data = response.read()
            conn.close()
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                totals["requests"] += 1
                if response.status != 200:
                    errors.append(f"{response.status}: {data[:300]!r}")
                    continue
                out = json.loads(data)
                for k in ("accepted", "duplicates", "rejected"):
                    totals[k] += out[k]

    warm = json.dumps({"events": []}).encode()
    for _ in range(clients * 4):  # load the application in every worker before timing
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", "/api/training/attendance/events/batch", warm, headers)
        conn.getresponse().read()
        conn.close()
    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    totals["seconds"] = time.perf_counter() - started
    totals["errors"] = errors[:5]
    latencies.sort()
    totals["batch_p50_ms"] = round(statistics.median(latencies) * 1000, 1)
    totals["batch_p99_ms"] = round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=fx.DEFAULT_URL)
    parser.add_argument("--classes", type=int, default=100)
    parser.add_argument("--per-class", type=int, default=40)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--replay-share", type=float, default=0.1,
                        help="share of batches sent a second time")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    fx.recreate_database(args.database_url)
    fx.setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, skip_checks=True)
    fixture = fx.build_fixture(classes=args.classes, per_class=args.per_class,
                               sessions=args.sessions, today=dt.date.today())
    events = make_events(fixture, args.seed)
    batches = [events[i:i + args.batch] for i in range(0, len(events), args.batch)]
    connection.close()
    server = fx.Server(args.database_url, workers=args.workers)
    try:
        totals = run_clients(server.port, fixture.token, batches, args.clients,
                             args.replay_share, args.seed)
    finally:
        server.stop()
    from jineng.training.models import AttendanceEvent

    stored = AttendanceEvent.objects.count()
    processed = totals["accepted"] + totals["duplicates"] + totals["rejected"]
    result = {
        "benchmark": "attendance_ingest", "tier": "S (empty table)",
        "database": connection.vendor, "events": len(events), "batch": args.batch,
        "clients": args.clients, "gunicorn_workers": args.workers,
        "gunicorn": server.version, "processed": processed,
        "accepted": totals["accepted"], "duplicates": totals["duplicates"],
        "rejected": totals["rejected"], "replayed_events": totals["replayed_events"],
        "stored": stored, "seconds": round(totals["seconds"], 2),
        "events_per_second": round(processed / totals["seconds"]),
        "new_events_per_second": round(totals["accepted"] / totals["seconds"]),
        "batch_p50_ms": totals["batch_p50_ms"], "batch_p99_ms": totals["batch_p99_ms"],
        "errors": totals["errors"], "date": dt.date.today().isoformat(),
        "machine": fx.machine(),
    }
    ok = (stored == len(events) == totals["accepted"]
          and totals["duplicates"] == totals["replayed_events"] and not totals["errors"])
    print(f"attendance ingestion on {connection.vendor}: {processed:,} events "
          f"({totals['replayed_events']:,} replayed) in {totals['seconds']:.1f} s = "
          f"{result['events_per_second']:,} events/s "
          f"({result['new_events_per_second']:,} new events/s); batch of {args.batch}: "
          f"p50 {totals['batch_p50_ms']} ms, p99 {totals['batch_p99_ms']} ms")
    print(f"  stored {stored:,}; accepted {totals['accepted']:,}, duplicates "
          f"{totals['duplicates']:,}, rejected {totals['rejected']:,}; counts "
          f"{'consistent' if ok else 'INCONSISTENT'}; {server.version}, "
          f"{args.workers} workers, {args.clients} clients")
    m = result["machine"]
    print(f"  machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM, "
          f"Python {m['python']}")
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
    connection.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
