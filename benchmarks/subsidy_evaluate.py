#!/usr/bin/env python3
"""Benchmark: evaluating the subsidy rules for a batch of stored claims (issue 12: 100,000
claims in one batch under 30 s at tier L), reading the history from the database and storing
each decision's explanation — through the service `subsidy.services.claim_batch_evaluate`.

A fresh benchmark database (SQLite file or PostgreSQL `jineng_subsidy_bench`, never the tests'
or the demo's) gets, at tier L (scale 1.0):

    persons                 500,000   registered (registry.Person, keyed ID hash)
    prior subsidies       2,000,000   imported from a previous system (subsidy.HistoricSubsidy,
                                       2022–2026, four per person on average, a tenth refused;
                                       training, certificate and upskilling)
    classes                     150   assessed classes of one institution (50 occupations × 3
                                       levels; fewer where the registry holds fewer coded
                                       occupations: 132 today), with a published catalog of
                                       subsidy standards for Guizhou (1,500 yuan each)
    claims                  100,000   draft training-subsidy claims of 2026 for the classes'
                                       trainees (what 凡补必进 files), each for a different
                                       person, Guizhou counties
    parameters              the shipped national and Guizhou sets, published

The timed call is `claim_batch_evaluate(actor=province staff, claim_ids=every claim)`, one
transaction; its phases (the service's own timings):

    1. read     the claims (locked, chunks of 5,000), each class's standard, urgency and
                listing once, and the sanctions hook per person (subsidy.hooks)
    2. history  every earlier subsidy of their persons: claims in jineng and imported history
                (one evaluation.history_for per chunk of 5,000 persons)
    3. rules    engine.evaluate_many, the published parameters indexed once
    4. store    amount, shares, steps (the explanation), parameter version, refusal code,
                status (one executemany of UPDATE by pk), history entries of claims refused
                now, one audit event

    .venv/bin/python benchmarks/subsidy_evaluate.py --database sqlite --tier S
    .venv/bin/python benchmarks/subsidy_evaluate.py --database postgres --tier M

Tiers (`--tier`, default L): L scale 1.0, M 0.25, S 0.05 (persons, history and claims all
scaled); `--scale` overrides. Build progress on stderr; prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

from _machine import machine  # benchmarks/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parents[1]
SQLITE_PATH = Path("/tmp/jineng_subsidy_bench.sqlite3")
PG_NAME = "jineng_subsidy_bench"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_NAME}"
PERSONS = 500_000
HISTORY = 2_000_000
CLAIMS = 100_000
TIERS = {"S": 0.05, "M": 0.25, "L": 1.0}
CHUNK = 5_000
LEVELS = ("grade5", "grade4", "grade3")
LEVEL_NAMES = {"grade5": "初级工", "grade4": "中级工", "grade3": "高级工"}
KINDS = ("training", "certificate", "upskilling")
CLASS_OCCUPATIONS = 50


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
    return PG_URL


def setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "jineng.config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def log(text: str, t0: float) -> None:
    print(f"  {text} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)


def id_number(region: str, n: int) -> str:
    from jineng.core.validators import id_check_character

    birth = dt.date(1960, 1, 1) + dt.timedelta(days=n // 1000)  # unique with the sequence
    body = f"{region}{birth:%Y%m%d}{n % 1000:03d}"
    return body + id_check_character(body)


def build(scale: float) -> dict:
    """The world above at `scale`; answers what the timed parts need."""
    from django.db import transaction

    from jineng.core import pii
    from jineng.registry.models import Occupation, Person, Region, SkillLevel
    from jineng.subsidy.choices import ParameterStatus
    from jineng.subsidy.models import HistoricSubsidy, ParameterSet, SubsidyClaim
    from jineng.subsidy.rules import parameters as loader

    t0 = time.perf_counter()
    n_persons, n_history, n_claims = (max(100, int(x * scale))
                                      for x in (PERSONS, HISTORY, CLAIMS))
    counties = list(Region.objects.filter(level="county", code__startswith="52")
                    .order_by("code")[:40])
    if not counties:
        raise SystemExit("no Guizhou counties seeded")
    occupations = list(Occupation.objects.filter(code__isnull=False, rank="occupation")
                       .order_by("id")[:200])
    levels = {lv.code: lv for lv in SkillLevel.objects.filter(code__in=LEVELS)}
    with transaction.atomic():
        for raw in loader.shipped_sets():
            if raw.region_code not in ("", "520000"):
                continue
            region = Region.objects.get(code=raw.region_code) if raw.region_code else None
            ParameterSet.objects.create(
                region=region, version=raw.version, valid_from=raw.valid_from,
                valid_to=raw.valid_to, status=ParameterStatus.PUBLISHED,
                yaml_text=f"# shipped {raw.version}", parsed=raw.to_json())
    hashes: list[str] = []
    batch = []
    with transaction.atomic():
        for n in range(n_persons):
            county = counties[n % len(counties)]
            number = id_number(county.code, n)
            h = pii.keyed_hash(number)
            hashes.append(h)
            batch.append(Person(id_hash=h, id_encrypted="bench", id_masked=f"bench{n}",
                                name=f"人员{n}", gender="M" if n % 2 else "F",
                                birth_date=dt.date(1980, 1, 1), region=county))
            if len(batch) == CHUNK:
                Person.objects.bulk_create(batch)
                batch = []
        Person.objects.bulk_create(batch)
    log(f"{n_persons:,} persons", t0)
    person_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        batch = []
        for i in range(n_history):
            p = (i * 7919) % n_persons
            county = counties[p % len(counties)]
            occupation = occupations[(i * 31) % len(occupations)]
            level = levels[LEVELS[i % 3]]
            year = 2022 + (i % 5)
            day = dt.date(year, 1 + i % 12, 1 + i % 28)
            batch.append(HistoricSubsidy(
                province_code="520000", claim_number=f"H{i}", id_hash=hashes[p],
                id_masked="bench", name="bench", kind=KINDS[i % 3],
                status="refused" if i % 10 == 0 else "paid", region=county,
                payee_kind="person", occupation=occupation,
                occupation_code=occupation.code or "", level=level,
                certificate_number=f"C{i}", certificate_date=day, claim_date=day,
                amount=Decimal("1000.00"), paid_on=day, content_hash="bench", source="bench"))
            if len(batch) == CHUNK:
                HistoricSubsidy.objects.bulk_create(batch)
                batch = []
                if (i + 1) % 500_000 == 0:
                    log(f"{i + 1:,} prior subsidies", t0)
        HistoricSubsidy.objects.bulk_create(batch)
    log(f"{n_history:,} prior subsidies", t0)
    class_occupations = occupations[:CLASS_OCCUPATIONS]  # as many as the registry holds
    classes = build_classes(class_occupations, levels, counties[0])
    log(f"{len(classes):,} classes and their catalog", t0)
    with transaction.atomic():
        batch = []
        for i in range(n_claims):
            p = (i * 104729) % n_persons
            county = counties[p % len(counties)]
            occupation = class_occupations[(i * 17) % len(class_occupations)]
            level = levels[LEVELS[(i // 3) % 3]]
            day = dt.date(2026, 1 + i % 11, 1 + i % 28)
            batch.append(SubsidyClaim(
                kind="training", person_id=person_ids[p], region=county,
                payee_kind="person", payee_name="bench", occupation=occupation, level=level,
                training_class_id=classes[(occupation.pk, level.code)],
                certificate_id=10_000_000 + i, certificate_date=day - dt.timedelta(days=40),
                claim_date=day, fund_source="employment_subsidy", status="draft"))
            if len(batch) == CHUNK:
                SubsidyClaim.objects.bulk_create(batch)
                batch = []
        SubsidyClaim.objects.bulk_create(batch)
    log(f"{n_claims:,} claims", t0)
    return {"persons": n_persons, "history": n_history, "claims": n_claims,
            "build_s": time.perf_counter() - t0}


def build_classes(occupations, levels, county) -> dict[tuple[int, str], int]:
    """One institution, a published Guizhou catalog of subsidy standards (1,500 yuan for each
    occupation × level, 就业技能培训), and an assessed class per occupation × level; answers
    (occupation id, level code) → class id."""
    from django.db import transaction

    from jineng.catalog import services as catalog
    from jineng.catalog.choices import CatalogKind
    from jineng.core.validators import make_credit_code
    from jineng.registry.models import Organization, Region, TrainingSite
    from jineng.training.models import TrainingClass

    province = Region.objects.get(code="520000")
    version = catalog.version_create_draft(
        actor=catalog.SYSTEM, effective_from=dt.date(2025, 1, 1),
        catalog=catalog.catalog_create(actor=catalog.SYSTEM, region=province,
                                       kind=CatalogKind.SUBSIDY_STANDARD))
    for occupation in occupations:
        for code in LEVELS:
            catalog.entry_add(actor=catalog.SYSTEM, version=version, values={
                "occupation": occupation.name, "skill_level": LEVEL_NAMES[code],
                "training_type": "就业技能培训", "amount": "1500", "required_hours": "30",
                "min_attendance_share": "80%"})
    catalog.version_submit(actor=catalog.SYSTEM, version=version)
    catalog.version_publish(actor=catalog.SYSTEM, version=version)
    out = {}
    with transaction.atomic():
        org = Organization.objects.create(
            kind="training", institution_type="private_training", name="基准测试培训学校",
            credit_code=make_credit_code("52", county.code, "90000001"), region=county)
        site = TrainingSite.objects.create(
            organization=org, name="基准教学点", address="中华北路1号", region=county,
            longitude=Decimal("106.710000"), latitude=Decimal("26.570000"), capacity=100_000)
        for n, occupation in enumerate(occupations):
            for code in LEVELS:
                cls = TrainingClass.objects.create(
                    name=f"基准班{n}-{code}", institution=org, site=site, region=county,
                    occupation=occupation, level=levels[code], training_type="employment",
                    sector="elderly_child_care", planned_size=50,
                    funding_source="employment_subsidy", start_date=dt.date(2026, 1, 5),
                    end_date=dt.date(2026, 1, 30), required_hours=Decimal(30),
                    min_attendance_share=Decimal("0.8"), scheduled_hours=Decimal(30),
                    status="assessed")
                out[(occupation.pk, code)] = cls.pk
    return out


def evaluate_stored(claim_ids: list[int]) -> dict:
    """Re-evaluate stored claims in one batch through the service (the timed call); answers
    the seconds of each phase and the counts."""
    from jineng.accounts.models import User
    from jineng.registry.models import Region
    from jineng.subsidy import services

    staff = User.objects.create(username="bench-province-evaluate", role="province_staff",
                                region=Region.objects.get(code="520000"))
    t0 = time.perf_counter()
    result = services.claim_batch_evaluate(actor=staff, claim_ids=claim_ids)
    wall = time.perf_counter() - t0
    return {"times": {**result.times, "total": wall}, "claims": result.claims,
            "allowed": result.allowed, "refused": result.refused}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--tier", choices=tuple(TIERS), default="L")
    parser.add_argument("--scale", type=float)
    args = parser.parse_args()
    scale = args.scale if args.scale is not None else TIERS[args.tier]
    setup_django(prepare_database(args.database))
    built = build(scale)
    from jineng.subsidy.models import SubsidyClaim

    ids = list(SubsidyClaim.objects.values_list("pk", flat=True))
    result = evaluate_stored(ids)
    t = result["times"]
    goal = 30.0 * result["claims"] / CLAIMS
    print(f"## subsidy_evaluate — tier {args.tier} (scale {scale}), {args.database}\n")
    print(f"machine: {machine()}\n")
    print("| figure | value |\n|---|---|")
    for k in ("persons", "history", "claims"):
        print(f"| {k} | {built[k]:,} |")
    print(f"| build (s) | {built['build_s']:.1f} |")
    for k in ("read", "history", "rules", "store", "total"):
        print(f"| {k} (s) | {t[k]:.2f} |")
    per = t["total"] / max(result["claims"], 1) * 1e6
    print(f"| per claim (µs) | {per:.0f} |")
    print(f"| 100,000 claims at this rate (s) | {per * CLAIMS / 1e6:.1f} |")
    print(f"| goal (30 s for 100,000, scaled) | {goal:.1f} s: "
          f"{'met' if t['total'] <= goal else 'NOT met'} |")
    print(f"| allowed | {result['allowed']:,} |")
    print(f"| refused | {', '.join(f'{k} {v:,}' for k, v in sorted(result['refused'].items()))}"
          " |")


if __name__ == "__main__":
    main()
