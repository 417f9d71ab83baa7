#!/usr/bin/env python3
"""Benchmark: evaluating the subsidy rules for a batch of stored claims (issue 12: 100,000
claims in one batch under 30 s at tier L), reading the history from the database and storing
each decision's explanation.

A fresh benchmark database (SQLite file or PostgreSQL `jineng_subsidy_bench`, never the tests'
or the demo's) gets, at tier L (scale 1.0):

    persons                 500,000   registered (registry.Person, keyed ID hash)
    prior subsidies       2,000,000   imported from a previous system (subsidy.HistoricSubsidy,
                                       2022–2026, four per person on average, a tenth refused)
    claims                  100,000   drafts of 2026 (training and certificate from a catalog
                                       standard, upskilling from level amounts), each for a
                                       different person, Guizhou counties
    parameters              the shipped national and Guizhou sets, published

The timed pipeline is what re-evaluating a batch of stored claims does:

    1. read     the claims' facts (one query)
    2. history  every earlier subsidy of their persons: claims in jineng and imported history
                (subsidy.evaluation.history_for, in chunks of 5,000 persons)
    3. rules    engine.evaluate_many with the parameters resolved per region and day
    4. store    amount, shares, steps (the explanation), parameter version, refusal code,
                status (bulk update in one transaction)

    .venv/bin/python benchmarks/subsidy_evaluate.py --database sqlite --tier S
    .venv/bin/python benchmarks/subsidy_evaluate.py --database postgres --tier M

Tiers (`--tier`, default L): L scale 1.0, M 0.25, S 0.05 (persons, history and claims all
scaled); `--scale` overrides. Build progress on stderr; prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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
KINDS = ("training", "certificate", "upskilling")


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
    with transaction.atomic():
        batch = []
        for i in range(n_claims):
            p = (i * 104729) % n_persons
            county = counties[p % len(counties)]
            occupation = occupations[(i * 17) % len(occupations)]
            kind = KINDS[i % 3]
            day = dt.date(2026, 1 + i % 11, 1 + i % 28)
            batch.append(SubsidyClaim(
                kind=kind, person_id=person_ids[p], region=county, payee_kind="person",
                payee_name="bench", occupation=occupation, level=levels[LEVELS[(i // 3) % 3]],
                certificate_id=10_000_000 + i, certificate_date=day - dt.timedelta(days=40),
                claim_date=day, fund_source="employment_subsidy", status="draft"))
            if len(batch) == CHUNK:
                SubsidyClaim.objects.bulk_create(batch)
                batch = []
        SubsidyClaim.objects.bulk_create(batch)
    log(f"{n_claims:,} claims", t0)
    return {"persons": n_persons, "history": n_history, "claims": n_claims,
            "build_s": time.perf_counter() - t0}


def evaluate_stored(claim_ids: list[int]) -> dict:
    """Re-evaluate stored claims in one batch (the timed pipeline); answers the seconds of
    each phase and the counts."""
    from django.db import connection, transaction

    from jineng.subsidy import evaluation
    from jineng.subsidy.models import SubsidyClaim
    from jineng.subsidy.rules import engine
    from jineng.subsidy.rules import parameters as loader
    from jineng.subsidy.rules import types as t

    times: dict[str, float] = {}
    t0 = time.perf_counter()
    rows = list(SubsidyClaim.objects.filter(pk__gte=min(claim_ids), pk__lte=max(claim_ids))
                .order_by("pk").values_list("pk", "kind", "person_id", "claim_date", "region__code",
                             "payee_kind", "occupation__code", "level__code", "level__rank",
                             "certificate_id", "certificate_date"))
    standard = t.Standard(amount=Decimal("1500.00"), ref="catalog:bench")
    facts = [t.ClaimFacts(
        kind=kind, person_key=str(person), claim_date=day, region_code=region,
        payee_kind=payee, occupation_code=occ or "", level=level or "", level_rank=rank,
        certificate_ref=str(cert or ""), certificate_date=cert_day, standard=standard,
        insured_months=24, claim_ref=str(pk))
        for (pk, kind, person, day, region, payee, occ, level, rank, cert, cert_day) in rows]
    times["read"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    persons = sorted({int(f.person_key) for f in facts})
    history: dict[str, list] = {}
    for i in range(0, len(persons), CHUNK):
        chunk = persons[i:i + CHUNK]
        for pid, entries in evaluation.history_for(chunk).items():
            history[str(pid)] = entries  # the claim itself: a draft, and ignored by claim_ref
    times["history"] = time.perf_counter() - t1
    entries = sum(len(v) for v in history.values())

    t2 = time.perf_counter()
    index = loader.ParameterIndex(
        loader.raw_from_json(r) for r in _published_sets())
    decisions = engine.evaluate_many(facts, history, index.for_claim)
    times["rules"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    # One UPDATE per claim by primary key, sent as one executemany (bulk_update's CASE per
    # field grows with the batch and took 16 s for 5,000 claims on SQLite).
    table = SubsidyClaim._meta.db_table
    sql = (f"UPDATE {table} SET amount = %s, shares = %s, steps = %s, "
           "parameter_version = %s, refusal_code = %s, status = %s WHERE id = %s")
    params = [
        (d.amount, json.dumps({k: str(v) for k, v in d.shares.items()}),
         json.dumps([st.as_dict() for st in d.steps], default=str, ensure_ascii=False),
         d.parameter_version, d.refusal_code or "", "draft" if d.allowed else "refused", pk)
        for (pk, *_rest), d in zip(rows, decisions, strict=True)]
    with transaction.atomic(), connection.cursor() as cursor:
        for i in range(0, len(params), CHUNK):
            cursor.executemany(sql, params[i:i + CHUNK])
    times["store"] = time.perf_counter() - t3
    times["total"] = time.perf_counter() - t0
    refused: dict[str, int] = {}
    for d in decisions:
        if not d.allowed:
            refused[d.refusal_code] = refused.get(d.refusal_code, 0) + 1
    return {"times": times, "claims": len(rows), "history_entries": entries,
            "allowed": sum(1 for d in decisions if d.allowed), "refused": refused}


def _published_sets():
    """The parsed published parameter sets (what evaluation.parameter_index reads)."""
    from jineng.subsidy.choices import ParameterStatus
    from jineng.subsidy.models import ParameterSet

    return [row.parsed for row in ParameterSet.objects.filter(
        status__in=[ParameterStatus.PUBLISHED, ParameterStatus.SUPERSEDED])]


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
    print(f"| history entries read | {result['history_entries']:,} |")
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
