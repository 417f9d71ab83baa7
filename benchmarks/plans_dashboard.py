#!/usr/bin/env python3
"""Benchmark: every plans-dashboard query at tier L (Henan: 2,000,000 person-times in 2025).

A fresh benchmark database (SQLite file or PostgreSQL, never the tests' or the demo's) gets the
Henan pack as a plan, its count targets split equally among the 17 cities and their counties,
2,600 training institutions, and one year of facts at the grain the training, assessment and
subsidy services will write them (one fact per trainee event):

    person_times_trained      2,000,000   (each with sector, key group, training type, program)
    person_times_subsidized     650,000
    new_high_skilled            650,000

generated set-based in SQL (a recursive CTE / generate_series joined to region and institution
tables, pseudo-random by modular arithmetic), then the rollup is rebuilt set-based. Each
dashboard selector is then timed over repeated runs for the province, a city and a county
(p50 / p95 in ms), with the slowest single SQL statement of each, and the incremental path
(one fact added and folded into the rollup) is timed too.

    .venv/bin/python benchmarks/plans_dashboard.py --database sqlite
    .venv/bin/python benchmarks/plans_dashboard.py --database postgres
    .venv/bin/python benchmarks/plans_dashboard.py --database sqlite --scale 0.01   # quick

Tier: L (scale 1.0). Runs on one machine; no network beyond 127.0.0.1 (PostgreSQL).
Not a test: prints a Markdown table to paste into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

from _machine import machine  # benchmarks/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parents[1]
SQLITE_PATH = Path("/tmp/jineng_plans_bench.sqlite3")
PG_URL = "postgres://postgres@127.0.0.1:5432/jineng_plans_bench"
PROVINCE = "410000"
AS_OF = dt.date(2025, 11, 21)
VOLUMES = {"person_times_trained": 2_000_000, "person_times_subsidized": 650_000,
           "new_high_skilled": 650_000}
SECTORS = ["advanced_manufacturing", "elderly_child_care", "rural", "culture_tourism",
           "digital_economy", "transport", "low_altitude", "construction",
           "special_operations", "modern_services", "water_conservancy"]
GROUPS = ["", "", "", "graduate", "migrant_worker", "unemployed", "hard_to_employ", "veteran",
          "youth", "rural_labor", "enterprise_employee", "disabled"]
TYPES = ["employment_skills", "post_upgrading", "entrepreneurship", "apprenticeship",
         "high_skilled", "safety"]
PROGRAMS = ["manufacturing", "services.care", "services.culture_tourism", "services.textile",
            "services.commerce_catering", "services.safety", "agriculture", "digital",
            "transport_water", "youth", "private_enterprise", "colleges", "competitions",
            "key_groups"]




def prepare_database(kind: str) -> str:
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{SQLITE_PATH}"
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres",
                         autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS jineng_plans_bench")
        conn.execute("CREATE DATABASE jineng_plans_bench")
    return PG_URL


def setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("JINENG_DEMO", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "jineng.config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seq_sql(vendor: str, n: int) -> str:
    if vendor == "postgresql":
        return f"SELECT generate_series(0::bigint, {n - 1}::bigint) AS n"
    return (f"WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s "
            f"WHERE n < {n - 1}) SELECT n FROM s")


def build(scale: float) -> dict:
    from django.db import connection, transaction

    from jineng.accounts.models import User
    from jineng.core.validators import make_credit_code
    from jineng.plans import services
    from jineng.plans.rules.packs import read_shipped
    from jineng.registry.models import Organization, Region

    vendor = connection.vendor
    admin = User.objects.create_superuser("bench", "bench@example.invalid", "x",
                                          role="system_admin")
    province = Region.objects.get(code=PROVINCE)
    plan = services.plan_load_pack(actor=admin, text=read_shipped("henan-2025"))
    t = time.perf_counter()
    services.plan_decompose_all(actor=admin, plan=plan, parent=province, method="equal")
    cities = services.child_regions(province)
    for city in cities:
        services.plan_decompose_all(actor=admin, plan=plan, parent=city, method="equal")
    split_s = time.perf_counter() - t
    counties = [c for city in cities for c in services.child_regions(city)]

    orgs = []
    for i in range(2600):
        county = counties[i % len(counties)]
        orgs.append(Organization(kind="training", institution_type="private_training",
                                 name=f"基准培训学校{i}", region=county,
                                 credit_code=make_credit_code("52", county.code, f"{i:08d}")))
    Organization.objects.bulk_create(orgs, batch_size=1000)
    org_rows = list(Organization.objects.filter(name__startswith="基准培训学校")
                    .values_list("pk", "region__code"))

    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE bench_org (i INTEGER PRIMARY KEY, "
                    "id BIGINT, code VARCHAR(12))")
        cur.executemany("INSERT INTO bench_org (i, id, code) VALUES (%s, %s, %s)",
                        [(i, pk, code) for i, (pk, code) in enumerate(org_rows)])
        for name, values in (("sector", SECTORS), ("grp", GROUPS), ("typ", TYPES),
                             ("prog", PROGRAMS)):
            cur.execute(f"CREATE TEMPORARY TABLE bench_{name} (i INTEGER PRIMARY KEY, "
                        f"v VARCHAR(80))")
            cur.executemany(f"INSERT INTO bench_{name} (i, v) VALUES (%s, %s)",
                            list(enumerate(values)))
        day = ("DATE '2025-01-01' + ((s.n * 7919) % 365)::int" if vendor == "postgresql"
               else "date('2025-01-01', '+' || ((s.n * 7919) % 365) || ' days')")
        now = "CURRENT_TIMESTAMP"
        n_orgs = len(org_rows)
        for metric, volume in VOLUMES.items():
            n = max(1, int(volume * scale))
            cur.execute(
                f"INSERT INTO plans_actualfact (metric, day, region_code, county_code, "
                f"organization_id, "
                f"sector, key_group, training_type, program, value, source, source_ref, "
                f"recorded_at) "
                f"SELECT '{metric}', {day}, o.code, substr(o.code, 1, 6), o.id, se.v, g.v, "
                f"ty.v, p.v, 1, "
                f"'bench', NULL, {now} FROM ({seq_sql(vendor, n)}) s "
                f"JOIN bench_org o ON o.i = (s.n * 31) % {n_orgs} "
                f"JOIN bench_sector se ON se.i = (s.n * 13) % {len(SECTORS)} "
                f"JOIN bench_grp g ON g.i = (s.n * 17) % {len(GROUPS)} "
                f"JOIN bench_typ ty ON ty.i = (s.n * 19) % {len(TYPES)} "
                f"JOIN bench_prog p ON p.i = (s.n * 23) % {len(PROGRAMS)}")
    facts_s = time.perf_counter() - t
    if vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE plans_actualfact")
    t = time.perf_counter()
    services.rollup_rebuild(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    rollup_s = time.perf_counter() - t
    if vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE plans_actualrollup")
    from jineng.plans.models import ActualFact, ActualRollup

    return {"admin": admin, "plan": plan, "province": province, "city": cities[0],
            "county": services.child_regions(cities[0])[0],
            "facts": ActualFact.objects.count(), "rollup_rows": ActualRollup.objects.count(),
            "facts_s": facts_s, "rollup_s": rollup_s, "split_s": split_s}


def timed(fn, runs: int) -> tuple[float, float, float]:
    """p50 and p95 of a call (ms) and the p95 of its slowest single SQL statement (ms)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm
    times, slowest = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
        slowest.append(max((float(q["time"]) * 1000 for q in ctx.captured_queries),
                           default=0.0))
    times.sort()
    slowest.sort()

    def p(values, q):
        return values[min(len(values) - 1, round(q * (len(values) - 1)))]

    return p(times, 0.5), p(times, 0.95), p(slowest, 0.95)


def measure(ctx: dict, runs: int) -> list[tuple[str, str, float, float, float]]:
    from jineng.plans import dashboard, selectors, services

    actor, plan = ctx["admin"], ctx["plan"]
    main = plan.targets.get(key="total")
    out = []
    for label, region in (("province", ctx["province"]), ("city", ctx["city"]),
                          ("county", ctx["county"])):
        calls = {
            "progress (40 targets, period + this year)": lambda r=region: selectors.progress(
                actor=actor, plan=plan, region=r, as_of=AS_OF),
            "children (map and table)": lambda r=region: selectors.children_progress(
                actor=actor, plan=plan, region=r, target=main, as_of=AS_OF),
            "breakdown by sector": lambda r=region: selectors.breakdown(
                actor=actor, plan=plan, region=r, metric=main.metric, dimension="sector",
                start=main.period_start, end=AS_OF),
            "breakdown by key group": lambda r=region: selectors.breakdown(
                actor=actor, plan=plan, region=r, metric=main.metric, dimension="key_group",
                start=main.period_start, end=AS_OF),
            "breakdown by training type": lambda r=region: selectors.breakdown(
                actor=actor, plan=plan, region=r, metric=main.metric,
                dimension="training_type", start=main.period_start, end=AS_OF),
            "breakdown by program": lambda r=region: selectors.breakdown(
                actor=actor, plan=plan, region=r, metric=main.metric, dimension="program",
                start=main.period_start, end=AS_OF),
            "monthly trend": lambda r=region: selectors.trend(
                actor=actor, plan=plan, region=r, metric=main.metric,
                start=main.period_start, end=AS_OF),
            "whole dashboard (all of the above)": lambda r=region: dashboard.build(
                actor=actor, plan=plan, region=r, as_of=AS_OF),
            "landing page: headline and map": lambda r=region: selectors.landing_summary(
                actor=actor, plan=plan, focus_code=r.code, as_of=AS_OF),
        }
        if label == "county":
            calls["institutions"] = lambda r=region: selectors.institutions(
                actor=actor, plan=plan, region=r, metric=main.metric,
                start=main.period_start, end=AS_OF)
        for name, fn in calls.items():
            out.append((label, name, *timed(fn, runs)))
    counter = iter(range(10**9))
    county = ctx["county"].code

    def add_one():
        services.actual_fact_add(source="bench", fact=services.FactInput(
            metric="person_times_trained", day=dt.date(2025, 6, 1), region_code=county,
            sector="rural", key_group="youth", training_type="safety", program="agriculture",
            source_ref=f"bench:{next(counter)}"))

    out.append(("write", "one fact added incrementally (rollup +11 rows)", *timed(add_one, runs)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = tier L")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    url = prepare_database(args.database)
    setup_django(url)
    from django.db import connection

    t = time.perf_counter()
    ctx = build(args.scale)
    build_s = time.perf_counter() - t
    results = measure(ctx, args.runs)
    m = machine()
    print(f"\n### {connection.vendor} · tier {'L' if args.scale == 1 else args.scale} · "
          f"{dt.date.today().isoformat()}\n")
    print(f"Machine: {m['nproc']} cores, {m['ram_gib']} GiB, {m['cpu']}, "
          f"Python {m['python']}, {connection.vendor} {connection.Database.__name__}.\n")
    print(f"Facts: {ctx['facts']:,} rows (generated set-based in {ctx['facts_s']:.1f} s); "
          f"rollup: {ctx['rollup_rows']:,} rows (rebuilt set-based in {ctx['rollup_s']:.1f} s); "
          f"splitting 40 targets to 17 cities and their counties: {ctx['split_s']:.1f} s; "
          f"build total {build_s:.0f} s. {args.runs} runs per query.\n")
    print("| region | query | p50 ms | p95 ms | slowest SQL p95 ms |")
    print("|---|---|---:|---:|---:|")
    for label, name, p50, p95, sql in results:
        print(f"| {label} | {name} | {p50:.1f} | {p95:.1f} | {sql:.1f} |")


if __name__ == "__main__":
    main()
