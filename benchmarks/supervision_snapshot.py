#!/usr/bin/env python3
"""The risk scan from PostgreSQL (issue 13, "Speed and memory"): the full scan as
`jineng risk-scan --full` runs it — snapshot (ADBC per table), rules, store — and an
incremental scan after one day's new attendance events, each in its own process so its peak
memory is its own.

    .venv/bin/python benchmarks/supervision_snapshot.py --tier S
    .venv/bin/python benchmarks/supervision_snapshot.py --tier L            # lead, quiet machine
    .venv/bin/python benchmarks/supervision_snapshot.py --tier M --rebuild  # build again

The operational database (`jineng_bench_supsnap_<tier>` on the DATABASE_URL server, or
`--database-url`) is migrated, then filled inside PostgreSQL from one row per table made
through the ORM (so every column has a valid value) cloned set-based with INSERT … SELECT over
generate_series and joins: training institutions (one per ten classes), a site per class
(capacity 60), classes of 40 trainees with 25 daily sessions, a person (with a phone and an
address of their own: the ring rule hashes both) per enrollment, and one check-in per enrollment
and session from the trainee's phone near the site a few minutes before the session. A tier's
database is reused when present (`--rebuild` forces a new one).

Tiers (enrollments; 25 check-ins each): XS 2,000; S 20,000; M 200,000; L 2,000,000
(50 million sessions). The classes start evenly over 174 days ending yesterday, so each of
the last 150 days has 25/174 of the classes in session and the classes started in the last
24 days have sessions still to come (no events: about 46.5 million check-ins at tier L).
One day's new events are enrollments × 25 / 174 (287,356 at tier L). The events of the last
day (yesterday) are held back: the first full scan runs without them and without an event
cache (every event read, the cache written: supervision.services.event_cache); then they are
inserted, `jineng risk-scan --since <yesterday 00:00>` reads them (with the one-day
lookback: two days of events), and the next full scan — the nightly one — reads the day
written since into the first one's event cache. Before the first full scan the alerts of
earlier runs are removed: it stores all its alerts as new ones, in every run.

Not filled (their tables are read, empty): assessments, certificates, claims and imported
history, social-insurance records, exclusion lists, teachers, online learning.

Goals (tier L): full scan under 90 s with the snapshot, within 6 GB (both full scans are
reported); incremental scan of one day under 5 s. Prints the tier, rows, the machine and load
average, per-table snapshot seconds, how the event cache read the events, rules, store, the
process's wall time and peak RSS, and whether each goal was met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

from _machine import machine  # noqa: E402

TIERS = {"XS": 2_000, "S": 20_000, "M": 200_000, "L": 2_000_000}
PER_CLASS, SESSIONS, SPAN = 40, 25, 150
GOAL_FULL_S, GOAL_INCR_S, GOAL_RSS_GIB = 90.0, 5.0, 6.0
TZ = "Asia/Shanghai"


def _db_url(base: str, tier: str) -> str:
    p = urlparse(base)
    return p._replace(path=f"/jineng_bench_supsnap_{tier.lower()}").geturl()


def _connect(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def _exists(url: str, tier: str) -> bool:
    import psycopg

    try:
        with _connect(url) as conn:
            row = conn.execute("SELECT tier, enrollments FROM bench_meta").fetchone()
    except psycopg.Error:
        return False
    return row is not None and row[0] == tier


def _recreate(url: str) -> None:
    p = urlparse(url)
    name = p.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to recreate {name!r}: use a database named *bench*")
    with _connect(p._replace(path="/postgres").geturl()) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _today() -> dt.date:
    """Today where the sessions are held (the scan's days are Asia/Shanghai's): after 16:00
    UTC the machine's date is a day behind, and "yesterday" would hold two days of events."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(TZ)).date()


CACHE_DIR = Path(tempfile.gettempdir()) / "jineng-bench-risk-cache"


def _env(url: str) -> dict:
    # Bytecode cached, as an installed deployment has it (a shell with PYTHONDONTWRITEBYTECODE
    # would compile every module of ours again in each scan's process: ~0.4 s).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "DATABASE_URL": url, "JINENG_DEMO": "1",
            "DJANGO_SETTINGS_MODULE": "jineng.config.settings", "JINENG_LOG_LEVEL": "ERROR",
            "JINENG_RISK_CACHE_DIR": str(CACHE_DIR)}


def _jineng(url: str, *args: str) -> subprocess.CompletedProcess:
    exe = str(Path(sys.executable).parent / "jineng")
    return subprocess.run([exe, *args], env=_env(url), cwd=str(ROOT), capture_output=True,
                          text=True, check=False)


def _templates(url: str, today: dt.date) -> dict:
    """One row of each table through the ORM (valid in every column): their ids."""
    os.environ.update(_env(url))
    import django

    django.setup()
    import _training_fixture as fx
    from jineng.training.models import AttendanceEvent, Enrollment, TrainingClass

    fx.build_fixture(classes=1, per_class=1, sessions=1, today=today)
    cls = TrainingClass.objects.get()
    enr = Enrollment.objects.get()
    ses = cls.sessions.get()
    ev = AttendanceEvent.objects.create(
        institution_id=cls.institution_id, training_class=cls, session=ses, enrollment=enr,
        kind=1, method=2, occurred_at=ses.starts_at, received_at=ses.starts_at,
        idempotency_key="template", device="template", latitude=26.57, longitude=106.71)
    return {"org": cls.institution_id, "site": cls.site_id, "class": cls.pk,
            "session": ses.pk, "person": enr.person_id, "enrollment": enr.pk, "event": ev.pk}


def _clone(cur, table: str, template: int, frm: str, over: dict[str, str]) -> int:
    """INSERT INTO table (its columns) SELECT the template row's values, or `over`'s SQL for
    the columns it names, FROM the template row and `frm`; answers the first new id."""
    cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "AND column_name <> 'id' ORDER BY ordinal_position", (table,))
    cols = [r[0] for r in cur.fetchall()]
    missing = set(over) - set(cols)
    if missing:
        raise SystemExit(f"{table}: no column {missing}")
    select = ", ".join(over.get(c, f't."{c}"') for c in cols)
    names = ", ".join(f'"{c}"' for c in cols)
    cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
    before = cur.fetchone()[0]
    cur.execute(f"INSERT INTO {table} ({names}) SELECT {select} FROM {table} t, {frm} "
                f"WHERE t.id = {template}")
    cur.execute(f"SELECT min(id), max(id), count(*) FROM {table} WHERE id > {before}")
    lo, hi, n = cur.fetchone()
    if n and hi - lo + 1 != n:
        raise SystemExit(f"{table}: new ids not contiguous")
    return lo


EVENT_INDEXES = ("attendance_time", "attendance_class_time", "attendance_idempotent")


def build(url: str, tier: str) -> dict:
    n_enr = TIERS[tier]
    n_class = n_enr // PER_CLASS
    n_inst = max(n_class // 10, 1)
    today = _today()
    day0 = today - dt.timedelta(days=SPAN)  # day SPAN - 1 is yesterday
    t0 = time.perf_counter()
    _recreate(url)
    done = _jineng(url, "migrate", "-v0")
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    migrated = time.perf_counter() - t0
    tpl = _templates(url, today)
    t1 = time.perf_counter()
    with _connect(url) as conn, conn.cursor() as cur:
        org0 = _clone(cur, "registry_organization", tpl["org"], f"generate_series(1, {n_inst}) g",
                      {"credit_code": "'B' || lpad(g::text, 17, '0')",
                       "name": "'基准机构' || g"})
        site0 = _clone(cur, "registry_trainingsite", tpl["site"],
                       f"generate_series(0, {n_class - 1}) g",
                       {"organization_id": f"{org0} + g % {n_inst}",
                        "name": "'教学点' || g", "capacity": "60",
                        "latitude": "(24 + (g % 997) * 0.005)::numeric",
                        "longitude": "(104 + (g % 991) * 0.005)::numeric"})
        # class c (0-based) starts on day k − 24, k spread evenly over 0 … SPAN + 23: each of
        # the days 0 … SPAN − 1 (the last is yesterday) has 25 / (SPAN + 24) of the classes in
        # session; the classes starting late have sessions still to come (no events).
        start = (f"(date '{day0}' + (g::bigint * {SPAN + SESSIONS - 1} / {n_class})::int"
                 f" - {SESSIONS - 1})")
        class0 = _clone(cur, "training_trainingclass", tpl["class"],
                        f"generate_series(0, {n_class - 1}) g",
                        {"institution_id": f"{org0} + g % {n_inst}", "site_id": f"{site0} + g",
                         "name": "'基准班' || g", "start_date": start,
                         "end_date": f"{start} + {SESSIONS - 1}",
                         "planned_size": str(PER_CLASS)})
        _clone(cur, "training_classsession", tpl["session"],
               f"generate_series(0, {n_class - 1}) g, generate_series(0, {SESSIONS - 1}) s",
               {"training_class_id": f"{class0} + g", "seq": "s + 1",
                "date": f"{start} + s",
                "starts_at": f"(({start} + s) + time '08:00' + (g % 4) * interval '1 hour')"
                             f" AT TIME ZONE '{TZ}'",
                "ends_at": f"(({start} + s) + time '14:00' + (g % 4) * interval '1 hour')"
                           f" AT TIME ZONE '{TZ}'"})
        person0 = _clone(cur, "registry_person", tpl["person"],
                         f"generate_series(0, {n_enr - 1}) g",
                         {"id_hash": "md5('bench-' || g) || md5('person-' || g)",
                          "name": "'学员' || g", "phone": "'139' || lpad(g::text, 8, '0')",
                          "address": "'贵阳市南明区人民路' || g / 3 || '号' || g % 3 + 1 || '单元'",
                          "birth_date": "date '1970-01-01' + (g % 15000)",
                          "gender": "CASE WHEN g % 2 = 0 THEN 'M' ELSE 'F' END"})
        _clone(cur, "training_enrollment", tpl["enrollment"],
               f"generate_series(0, {n_enr - 1}) g",
               {"training_class_id": f"{class0} + g / {PER_CLASS}",
                "person_id": f"{person0} + g"})
        cur.execute("DELETE FROM training_attendanceevent")
        cur.execute("ALTER TABLE training_attendanceevent "
                    "DROP CONSTRAINT IF EXISTS attendance_idempotent")
        for name in EVENT_INDEXES:
            cur.execute(f"DROP INDEX IF EXISTS {name}")
        conn.execute("ANALYZE")
        t2 = time.perf_counter()
        _insert_events(cur, tpl, f"s.date < date '{today - dt.timedelta(days=1)}'")
        t3 = time.perf_counter()
        cur.execute("ALTER TABLE training_attendanceevent ADD CONSTRAINT attendance_idempotent "
                    "UNIQUE (institution_id, idempotency_key)")
        cur.execute("CREATE INDEX attendance_class_time ON training_attendanceevent "
                    "(training_class_id, occurred_at)")
        cur.execute("CREATE INDEX attendance_time ON training_attendanceevent (occurred_at)")
        cur.execute("VACUUM (ANALYZE, FREEZE)")
        cur.execute("CREATE TABLE bench_meta (tier text, enrollments bigint, built_at timestamptz,"
                    " template jsonb)")
        cur.execute("INSERT INTO bench_meta VALUES (%s, %s, now(), %s)",
                    (tier, n_enr, json.dumps(tpl)))
    return {"migrate_s": round(migrated, 1), "rows_s": round(t2 - t1, 1),
            "events_s": round(t3 - t2, 1), "indexes_vacuum_s": round(time.perf_counter() - t3, 1)}


def _insert_events(cur, tpl: dict, where: str) -> int:
    """One check-in per enrollment and session (the sessions matching `where`): from the
    trainee's phone, 1–15 minutes before the session, within ~100 m of the site; inserted in
    time order, as terminals send them (so a day's events lie together in the table, as in
    production, and reading them by the time index touches few pages)."""
    cur.execute(f"""
        INSERT INTO training_attendanceevent (institution_id, training_class_id, session_id,
            enrollment_id, kind, method, occurred_at, received_at, latitude, longitude,
            distance_m, online_seconds, outside_window, too_far, idempotency_key, device,
            manual, manual_reason, void_reason)
        SELECT c.institution_id, c.id, s.id, e.id, 1, 2,
               s.starts_at - ((60 + (e.id * 7919 + s.seq * 104729) % 840) * interval '1 second'),
               s.starts_at, st.latitude::float8 + ((e.id % 11) - 5) * 0.0001,
               st.longitude::float8 + ((s.seq % 11) - 5) * 0.0001, 50, 0, false, false,
               'b' || e.id || '-' || s.seq, 'phone-' || e.person_id, false, '', ''
        FROM training_enrollment e
        JOIN training_trainingclass c ON c.id = e.training_class_id
        JOIN registry_trainingsite st ON st.id = c.site_id
        JOIN training_classsession s ON s.training_class_id = e.training_class_id
        WHERE e.id <> {tpl["enrollment"]} AND {where}
        ORDER BY s.starts_at, e.id""")  # the order they arrive in: the heap follows time
    return cur.rowcount


def _scan(url: str, *args: str) -> dict:
    """`jineng risk-scan …` in its own process: wall seconds, its peak RSS (GiB), the run."""
    import tempfile

    load = os.getloadavg()
    exe = str(Path(sys.executable).parent / "jineng")
    with tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen([exe, "risk-scan", *args], env=_env(url), cwd=str(ROOT),
                                stdout=subprocess.DEVNULL, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            err.seek(0)
            raise SystemExit(f"risk-scan {' '.join(args)} failed:\n{err.read()[-3000:]}")
    peak = usage.ru_maxrss  # KiB, this process only
    with _connect(url) as conn:
        row = conn.execute("SELECT id, mode, timings, counts, alerts_found, alerts_new, "
                           "extract(epoch FROM finished_at - started_at)::float8 "
                           "FROM supervision_riskrun ORDER BY id DESC LIMIT 1").fetchone()
    rid, mode, timings, counts, found, new, run_s = row
    counts = {k: v for k, v in (counts or {}).items() if k != "data_quality"}
    # run_s: the run's own time, started → finished (what a background job takes in the
    # running worker); wall_s adds the new process's start-up (Python, Django, the imports).
    return {"run": rid, "mode": mode, "wall_s": round(wall, 2), "run_s": round(run_s, 2),
            "peak_rss_gib": round(peak / 1024 / 1024, 2),
            "loadavg_before": [round(x, 2) for x in load], "timings": timings,
            "counts": counts, "alerts_found": found, "alerts_new": new}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tier", default="S", choices=TIERS)
    ap.add_argument("--database-url", default="",
                    help="the benchmark database (default jineng_bench_supsnap_<tier> on the "
                         "DATABASE_URL server)")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--build-only", action="store_true",
                    help="build (or keep) the tier's database, then stop")
    args = ap.parse_args()
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    url = args.database_url or _db_url(base, args.tier)
    out: dict = {"tier": args.tier, "enrollments": TIERS[args.tier],
                 "sessions_per_enrollment": SESSIONS,
                 "new_day_events": TIERS[args.tier] * SESSIONS // (SPAN + SESSIONS - 1),
                 "machine": machine(), "database": urlparse(url).path.lstrip("/")}
    if args.rebuild or not _exists(url, args.tier):
        print(f"building tier {args.tier} in {out['database']} …", file=sys.stderr, flush=True)
        out["build"] = build(url, args.tier)
    if args.build_only:
        print(json.dumps(out.get("build", {"kept": out["database"]}), default=str))
        return
    yesterday = _today() - dt.timedelta(days=1)
    with _connect(url) as conn, conn.cursor() as cur:
        tpl = cur.execute("SELECT template FROM bench_meta").fetchone()[0]
        # the new day held back: its events are removed before the full scan, inserted after
        cur.execute("DELETE FROM training_attendanceevent WHERE occurred_at >= "
                    f"(date '{yesterday}' - interval '12 hours') AT TIME ZONE '{TZ}' "
                    "AND session_id IN (SELECT id FROM "
                    f"training_classsession WHERE date = date '{yesterday}')")
        cur.execute("VACUUM ANALYZE training_attendanceevent")
        cur.execute("DELETE FROM supervision_riskrun WHERE status IN ('queued', 'running')")
        # The alerts of earlier runs removed, so that every first full scan stores its alerts as
        # new ones (a run finding them in place only updates them: not the same store step).
        cur.execute("TRUNCATE supervision_riskalert CASCADE")
    shutil.rmtree(CACHE_DIR, ignore_errors=True)  # the first full scan reads every event
    out["first_full"] = _scan(url, "--full")
    with _connect(url) as conn, conn.cursor() as cur:
        t0 = time.perf_counter()
        out["new_day_inserted"] = _insert_events(cur, tpl, f"s.date = date '{yesterday}'")
        out["new_day_insert_s"] = round(time.perf_counter() - t0, 2)
        cur.execute("ANALYZE training_attendanceevent")
    out["incremental"] = _scan(url, "--since", f"{yesterday}T00:00")
    # the next night: the events kept by the first full scan and the day written since
    out["full"] = _scan(url, "--full")
    full, incr = out["full"], out["incremental"]
    big = args.tier == "L"
    out["goals"] = {
        "full_under_90s": full["wall_s"] < GOAL_FULL_S,
        "first_full_under_90s": out["first_full"]["wall_s"] < GOAL_FULL_S,
        "full_within_6gib": max(full["peak_rss_gib"],
                                out["first_full"]["peak_rss_gib"]) < GOAL_RSS_GIB,
        "incremental_under_5s": incr["timings"]["snapshot"] + incr["timings"]["rules"]
        + incr["timings"].get("quality", 0) + incr["timings"]["store"] < GOAL_INCR_S,
        "incremental_wall_under_5s": incr["wall_s"] < GOAL_INCR_S,
        "goals_apply": "yes (tier L)" if big else f"no: goals are for tier L, this is {args.tier}",
    }
    out["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        print(json.dumps(out, indent=2, default=str))
        return
    _print(out)


def _print(out: dict) -> None:
    m = out["machine"]
    print(f"tier {out['tier']}: {out['enrollments']:,} enrollments, {SESSIONS} sessions each "
          f"(check-ins read: see rows), ~{out['new_day_events']:,} new check-ins a day; "
          f"database {out['database']}")
    print(f"machine: {m['nproc']} cores, {m['ram_gib']} GiB, {m['cpu']}, Python {m['python']}")
    if "build" in out:
        print("build (s): " + ", ".join(f"{k} {v}" for k, v in out["build"].items()))
    for key, label in (("first_full", "first full scan (jineng risk-scan --full; no event "
                                      "cache: every event read)"),
                       ("incremental", "incremental scan (one new day, --since yesterday)"),
                       ("full", "next full scan (the first one's event cache and the day "
                                "written since)")):
        r = out[key]
        t = r["timings"]
        print(f"\n{label}: run {r['run']}, load average before {r['loadavg_before']}")
        print("  rows: " + ", ".join(f"{k} {v:,}" for k, v in r["counts"].items() if v))
        print("  snapshot per table (s): " + ", ".join(
            f"{k} {v}" for k, v in t.get("snapshot_tables", {}).items()))
        print(f"  snapshot {t['snapshot']:.2f} s, rules {t['rules']:.2f} s, quality "
              f"{t.get('quality', 0):.2f} s, store {t['store']:.2f} s; the run (started → "
              f"finished) {r['run_s']:.2f} s; process wall {r['wall_s']:.2f} s (Django "
              "start-up included)")
        print("  per rule (s): " + ", ".join(f"{k} {v}" for k, v in t.get("per_rule", {}).items()))
        print(f"  alert rows {r['alerts_found']:,}, new alerts {r['alerts_new']:,}; peak RSS "
              f"{r['peak_rss_gib']} GiB")
        if t.get("events_cache"):
            print("  event cache: " + ", ".join(f"{k} {v}" for k, v in t["events_cache"].items()))
        if t.get("contacts_cache"):
            print("  contacts kept: " + ", ".join(f"{k} {v}"
                                                  for k, v in t["contacts_cache"].items()))
        if key == "first_full":
            print(f"\nnew day: {out['new_day_inserted']:,} check-ins inserted in "
                  f"{out['new_day_insert_s']} s")
    g = out["goals"]
    print(f"\ngoals ({g['goals_apply']}):")
    print(f"  full scan under {GOAL_FULL_S:.0f} s with the snapshot (the nightly scan, event "
          f"cache kept): {'met' if g['full_under_90s'] else 'NOT met'} "
          f"({out['full']['wall_s']:.1f} s); the first full scan (every event read): "
          f"{'met' if g['first_full_under_90s'] else 'NOT met'} "
          f"({out['first_full']['wall_s']:.1f} s)")
    print(f"  full scans within {GOAL_RSS_GIB:.0f} GiB: "
          f"{'met' if g['full_within_6gib'] else 'NOT met'} ({out['first_full']['peak_rss_gib']}"
          f" / {out['full']['peak_rss_gib']} GiB)")
    print(f"  incremental scan under {GOAL_INCR_S:.0f} s (snapshot + rules + store): "
          f"{'met' if g['incremental_under_5s'] else 'NOT met'}; the run (started → finished) "
          f"{out['incremental']['run_s']:.1f} s; process wall "
          f"{out['incremental']['wall_s']:.1f} s "
          f"({'met' if g['incremental_wall_under_5s'] else 'NOT met'} with start-up)")
    print(f"load average at the end: {out['loadavg_end']}")


if __name__ == "__main__":
    main()
