#!/usr/bin/env python3
"""Benchmark: issuing the certificates of a 10,000-candidate sitting (issue 10: under 30 s,
numbers and signatures included).

A fresh database (a SQLite file in a temporary directory, or the PostgreSQL database in
`--database-url`, dropped and created) gets one evaluation institution with its evaluator code
and evaluation-catalog listing, 10,000 registered persons and a sitting whose results are
recorded with every candidate passed (not timed). Then, as the evaluator's operator, it times
`services.certificates_issue_for_sitting` — the same call as the results page's "close and
issue" button: one transaction taking the numbers from the locked sequence, building,
signing (Ed25519 over the canonical JSON) and inserting every certificate (a certificate's
issue is its own record: no status-history row per certificate; its history starts with a
revocation), the sitting's closing (one history row), the audit events and the plans facts
(certificates, new skilled workers), ending with the commit. With `--dual` the sitting
issues 一试双证 (a special-ability certificate beside each skill-level one: twice the
certificates).

    .venv/bin/python benchmarks/assessment_issue.py
    .venv/bin/python benchmarks/assessment_issue.py --dual --json
    .venv/bin/python benchmarks/assessment_issue.py --database-url \\
        postgres://postgres@127.0.0.1:5432/jineng_issuance_bench

Prints: database, candidates, certificates, seconds, certificates per second, CPU seconds,
peak memory, the 1-minute load average before and after, the machine, and whether the goal
was met. Tier: the work is one sitting's, independent of the province's size; the certificate
table starts empty (tier S volume). The numbers are checked after the run: consecutive from 1,
each a valid 人社鉴发〔2019〕2号 number, each signature present.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import machine

GOAL_SECONDS = 30.0


def recreate_postgres(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to recreate {name!r}: use a database named *bench*")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["JINENG_DEMO"] = "1"  # the demo's keys (never in production)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jineng.config.settings")
    os.environ.setdefault("JINENG_LOG_LEVEL", "ERROR")
    import django

    django.setup()


def build(candidates: int, dual: bool):
    """The evaluator, its code and listing, the persons and the sitting (not timed)."""
    from decimal import Decimal

    from django.db import transaction

    from jineng.accounts.models import Role, User
    from jineng.assessment.models import AssessmentSitting, Candidate, EvaluatorCode
    from jineng.catalog import services as catalog_services
    from jineng.catalog.choices import CatalogKind
    from jineng.core import pii
    from jineng.core.validators import make_credit_code, make_resident_id
    from jineng.registry.models import Occupation, Organization, Person, Region, SkillLevel

    county = Region.objects.get(code="520102")
    occupation = Occupation.objects.filter(name="养老护理员").order_by("pk").first()
    level = SkillLevel.objects.get(code="grade4")
    item = "老年人助浴"
    with transaction.atomic():
        evaluator = Organization.objects.create(
            kind="evaluation", name="基准测试评价机构",
            credit_code=make_credit_code("52", "520102", "90000002"), region=county)
        EvaluatorCode.objects.create(organization=evaluator, letter="S",
                                     filed_with="province", site_code="000042")
        operator = User.objects.create_user(username="bench-assessor",
                                            password="bench-pass-1234",
                                            role=Role.EVALUATION_OPERATOR,
                                            organization=evaluator)
        system = catalog_services.SYSTEM
        catalog = catalog_services.catalog_create(
            actor=system, kind=CatalogKind.EVALUATION_INSTITUTION,
            region=Region.objects.get(code="520000"))
        version = catalog_services.version_create_draft(
            actor=system, catalog=catalog, effective_from=dt.date(2025, 1, 1))
        catalog_services.entry_add(actor=system, version=version, values={
            "credit_code": evaluator.credit_code, "occupation": occupation.name,
            "min_level": "初级工", "max_level": "高级技师"})
        catalog_services.entry_add(actor=system, version=version, values={
            "credit_code": evaluator.credit_code, "special_ability_item": item})
        catalog_services.version_submit(actor=system, version=version)
        catalog_services.version_publish(actor=system, version=version)
        sitting = AssessmentSitting.objects.create(
            evaluator=evaluator, occupation=occupation, level=level, route="social",
            region=county, place="基准考点", sitting_date=dt.date.today(),
            status="results", special_ability_item=item if dual else "",
            second_certificate_kind="special_ability" if dual else "")
        persons = []
        for seq in range(candidates):
            birth = dt.date(1975, 1, 1) + dt.timedelta(days=seq // 900)
            number = make_resident_id("520102", birth, seq % 900)
            persons.append(Person(
                id_hash=pii.keyed_hash(number), id_encrypted=pii.encrypt(number),
                id_masked=pii.mask_id_number(number), name=f"考生{seq + 1}",
                gender="M" if int(number[16]) % 2 else "F", birth_date=birth, region=county))
        Person.objects.bulk_create(persons, batch_size=2000)
        Candidate.objects.bulk_create([Candidate(
            sitting=sitting, person=p, route="social", theory_score=Decimal("80"),
            practical_score=Decimal("85"), passed=True) for p in persons], batch_size=2000)
    return operator, sitting


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="",
                        help="a PostgreSQL database named *bench* (dropped and created); "
                             "default: a SQLite file in a temporary directory")
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--dual", action="store_true", help="一试双证: two certificates each")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    tmp = None
    if args.database_url:
        recreate_postgres(args.database_url)
        url = args.database_url
    else:
        tmp = tempfile.TemporaryDirectory(prefix="jineng-issue-bench-")
        url = f"sqlite:///{tmp.name}/bench.sqlite3"
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, skip_checks=True)
    operator, sitting = build(args.candidates, args.dual)

    from jineng.assessment import services
    from jineng.assessment.models import Certificate
    from jineng.assessment.rules import numbering
    from jineng.plans.models import ActualFact

    load_before = os.getloadavg()[0]
    cpu_before = time.process_time()
    started = time.perf_counter()
    issued = services.certificates_issue_for_sitting(actor=operator, sitting=sitting)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    load_after = os.getloadavg()[0]

    skill = sorted(Certificate.objects.filter(kind="skill_level")
                   .values_list("number", flat=True))
    unsigned = Certificate.objects.filter(signature="").count()
    consecutive = [int(n[-6:]) for n in skill] == list(range(1, args.candidates + 1))
    valid = all(isinstance(numbering.parse_skill_level_number(n), numbering.SkillLevelNumber)
                for n in skill)
    sitting.refresh_from_db()
    ok = (len(issued) == args.candidates * (2 if args.dual else 1) and consecutive and valid
          and unsigned == 0 and sitting.status == "closed")
    result = {
        "benchmark": "assessment_issue", "tier": "S (one sitting; empty certificate table)",
        "database": connection.vendor, "candidates": args.candidates, "dual": args.dual,
        "certificates": len(issued), "seconds": round(seconds, 2),
        "certificates_per_second": round(len(issued) / seconds),
        "cpu_seconds": round(cpu, 2), "facts": ActualFact.objects.count(),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_before": round(load_before, 2), "load_after": round(load_after, 2),
        "checked": ok, "goal_seconds": GOAL_SECONDS, "goal_met": ok and seconds < GOAL_SECONDS,
        "date": dt.date.today().isoformat(), "machine": machine(),
    }
    print(f"issuing a {args.candidates:,}-candidate sitting on {connection.vendor}"
          f"{' (一试双证)' if args.dual else ''}: {len(issued):,} certificates in "
          f"{seconds:.1f} s = {result['certificates_per_second']:,}/s "
          f"(CPU {cpu:.1f} s, peak {result['peak_rss_mib']} MiB); tier {result['tier']}")
    print(f"  numbers consecutive from 1: {consecutive}; valid layout: {valid}; unsigned: "
          f"{unsigned}; plans facts: {result['facts']:,}; sitting {sitting.status}; load "
          f"{load_before:.2f} → {load_after:.2f}")
    print(f"  goal: under {GOAL_SECONDS:.0f} s — {'met' if result['goal_met'] else 'NOT MET'}")
    m = result["machine"]
    print(f"  machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM, "
          f"Python {m['python']}")
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
    connection.close()
    if tmp is not None:
        tmp.cleanup()
    sys.exit(0 if result["goal_met"] else 1)


if __name__ == "__main__":
    main()
