#!/usr/bin/env python3
"""Benchmark: the public training map's class search and map queries
(portal.selectors.site) at tier L.

A fresh benchmark database (SQLite file or PostgreSQL, never the tests' or the demo's) gets,
by bulk inserts, synthetic rows of tier-L size in the demo province's real counties:

    training institutions    5,000   (listed)
    training sites          20,000   (tens of thousands; each near its county's seat)
    classes                300,000   (hundreds of thousands over three years; about 3 % are
                                      approved or open today — what the public sees — the
                                      rest finished, assessed or settled)

Then the selectors the page and the API call are timed (parse, count and a page of 20, or the
map's sites), p50 / p95 in ms over `--repeat` runs each: no place; a county seat within
10, 30 and 100 km; a phone position within 10 km with filters; the map's sites province-wide
and within 30 km; one class page.

    .venv/bin/python benchmarks/portal_site.py --database sqlite
    .venv/bin/python benchmarks/portal_site.py --database postgres
    .venv/bin/python benchmarks/portal_site.py --database sqlite --tier M
    .venv/bin/python benchmarks/portal_site.py --database sqlite --scale 0.05   # quick

Tiers (`--tier`, default L): L scale 1.0 (the sizes above), M 0.25 (75,000 classes, 5,000
sites, 1,250 institutions: a mid-size province), S 0.05; `--scale` overrides. Goal (issue
15): p95 under 100 ms at tier L. Not a test: prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from _machine import machine  # benchmarks/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parents[1]
SQLITE_PATH = Path("/tmp/jineng_site_bench.sqlite3")
PG_NAME = "jineng_site_bench"
INSTITUTIONS = 5_000
SITES = 20_000
CLASSES = 300_000
PUBLIC_SHARE = 0.03
FUNDS = ["employment_subsidy", "skills_account", "east_west", "rural_revitalization",
         "industry", "enterprise"]
TIERS = {"S": 0.05, "M": 0.25, "L": 1.0}
GROUPS = ["", "", "", "graduate", "migrant_worker", "unemployed", "veteran", "disabled"]


def prepare_database(kind: str) -> str:
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{SQLITE_PATH}"
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres",
                         autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME}")
        conn.execute(f"CREATE DATABASE {PG_NAME}")
    return f"postgres://postgres@127.0.0.1:5432/{PG_NAME}"


def setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("JINENG_DEMO", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "jineng.config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(scale: float, seed: int = 7) -> dict:
    from django.db import connection, transaction

    from jineng.core.validators import make_credit_code
    from jineng.registry.models import Occupation, Organization, Region, SkillLevel, TrainingSite
    from jineng.training.models import TrainingClass

    rng = random.Random(seed)
    t0 = time.perf_counter()
    counties = list(Region.objects.filter(code__startswith="52", level="county",
                                          latitude__isnull=False))
    occupations = list(Occupation.objects.filter(rank__in=("occupation", "work_type"))
                       .values_list("pk", flat=True)[:400])
    levels = list(SkillLevel.objects.values_list("pk", flat=True))
    today = dt.date.today()
    n_inst, n_sites = max(50, int(INSTITUTIONS * scale)), max(200, int(SITES * scale))
    n_classes = int(CLASSES * scale)
    with transaction.atomic():
        orgs = Organization.objects.bulk_create([Organization(
            kind="training", institution_type="private_training", name=f"基准培训学校{i}",
            credit_code=make_credit_code("52", counties[i % len(counties)].code, f"{i:08d}"),
            region=counties[i % len(counties)], address=f"基准路{i}号",
            contact_phone="0851-00000000") for i in range(n_inst)], batch_size=2000)
        org_ids = [o.pk for o in orgs] or list(Organization.objects.values_list("pk", flat=True))
        sites = []
        for i in range(n_sites):
            county = counties[i % len(counties)]
            sites.append(TrainingSite(
                organization_id=org_ids[i % len(org_ids)], name=f"教学点{i}",
                address=f"{county.name}基准街{i}号", region=county,
                latitude=Decimal(f"{float(county.latitude) + rng.uniform(-0.15, 0.15):.6f}"),
                longitude=Decimal(f"{float(county.longitude) + rng.uniform(-0.15, 0.15):.6f}"),
                capacity=60))
        TrainingSite.objects.bulk_create(sites, batch_size=2000)
        site_rows = list(TrainingSite.objects.values_list("pk", "organization_id", "region_id"))
        batch = []
        for i in range(n_classes):
            pk, org, region = site_rows[(i * 7919) % len(site_rows)]
            public = rng.random() < PUBLIC_SHARE
            if public:
                start = today + dt.timedelta(days=rng.randint(-20, 45))
                status = "open" if start <= today else "approved"
            else:
                start = today - dt.timedelta(days=rng.randint(30, 3 * 365))
                status = rng.choice(("finished", "assessed", "settled"))
            batch.append(TrainingClass(
                name=f"基准班{i}", institution_id=org, site_id=pk, region_id=region,
                occupation_id=occupations[i % len(occupations)],
                level_id=levels[i % len(levels)], training_type="employment",
                sector="elderly_child_care", target_group=rng.choice(GROUPS),
                planned_size=40, funding_source=rng.choice(FUNDS), start_date=start,
                end_date=start + dt.timedelta(days=rng.randint(5, 30)),
                required_hours=Decimal("40.0"), min_attendance_share=Decimal("0.800"),
                status=status, declared_by="benchmark"))
            if len(batch) == 5000:
                TrainingClass.objects.bulk_create(batch)
                batch = []
        TrainingClass.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    public = TrainingClass.objects.filter(status__in=("approved", "open"),
                                          end_date__gte=today).count()
    return {"build_s": round(time.perf_counter() - t0, 1), "classes": n_classes,
            "public_now": public, "sites": n_sites, "institutions": n_inst,
            "county": counties[0].code, "county_lat": float(counties[0].latitude),
            "county_lon": float(counties[0].longitude)}


def timed(fn, repeat: int) -> tuple[float, float, object]:
    fn()  # warm
    times = []
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    return statistics.median(times), p95, result


def time_queries(info: dict, repeat: int) -> list[tuple[str, float, float, int]]:
    from jineng.portal.selectors import site as s
    from jineng.training import selectors as training

    code, lat, lon = info["county"], info["county_lat"], info["county_lon"]
    any_class = training.public_classes().order_by("pk").values_list("pk", flat=True).first()
    cases = [
        ("classes, no place (soonest first)", lambda: s.class_search(s.search_parse())),
        ("classes, county seat ≤ 10 km", lambda: s.class_search(
            s.search_parse(place=code, within_km=10))),
        ("classes, county seat ≤ 30 km", lambda: s.class_search(
            s.search_parse(place=code, within_km=30))),
        ("classes, county seat ≤ 100 km", lambda: s.class_search(
            s.search_parse(place=code, within_km=100))),
        ("classes, position ≤ 10 km, subsidized, veteran", lambda: s.class_search(
            s.search_parse(lat=lat + 0.02, lon=lon - 0.02, within_km=10, subsidized=True,
                           key_group="veteran"))),
        ("classes, no place, page 10", lambda: s.class_search(s.search_parse(), offset=180)),
        ("map, province-wide (per county)", lambda: s.site_map(s.search_parse())),
        ("map, province-wide, subsidized (per county)", lambda: s.site_map(
            s.search_parse(subsidized=True))),
        ("map, county seat ≤ 100 km (per county)", lambda: s.site_map(
            s.search_parse(place=code, within_km=100))),
        ("map sites, county seat ≤ 30 km", lambda: s.site_map(
            s.search_parse(place=code, within_km=30))),
        ("one class page", lambda: s.class_detail(any_class)),
    ]
    rows = []
    for name, fn in cases:
        p50, p95, result = timed(fn, repeat)
        n = getattr(result, "count", 1)
        if getattr(result, "mode", "") == "regions":
            n = f"{n} sites in {len(result.regions)} counties"
        rows.append((name, p50, p95, n))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--tier", choices=sorted(TIERS), default="L")
    parser.add_argument("--scale", type=float, default=None,
                        help="override the tier's scale (1.0 = tier L)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    scale = args.scale if args.scale is not None else TIERS[args.tier]
    setup_django(prepare_database(args.database))
    from django.db import connection

    info = build(scale)
    rows = time_queries(info, args.repeat)
    worst = max(p95 for _n, _m, p95, _c in rows)
    tier = (args.tier if args.scale is None else
            "L" if scale >= 1 else f"L × {scale}")
    print(f"\n## Portal training map ({connection.vendor}, tier {tier})\n")
    print(f"machine: {machine()}")
    print(f"rows: {info['classes']} classes ({info['public_now']} open or upcoming today), "
          f"{info['sites']} sites, {info['institutions']} institutions "
          f"(built in {info['build_s']} s)\n")
    print("| query | p50 ms | p95 ms | matches |")
    print("|---|---:|---:|---:|")
    for name, p50, p95, n in rows:
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {n} |")
    print(f"\nworst p95: {worst:.1f} ms; goal 100 ms: {'met' if worst < 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
