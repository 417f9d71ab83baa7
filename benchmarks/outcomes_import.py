"""Import speed of social-insurance contribution records (issue 11: at least 200,000 records
per second from CSV into PostgreSQL, idempotence included).

Generates a CSV of N rows (persons × 12 months × one employer each, valid ID numbers and
credit codes, Guizhou counties), then imports:
  pass 1  the file into an empty table (every row new)
  pass 2  the same rows again (another file: English column names, so not the same content)
          → every row unchanged
  pass 3  the same rows with 5 % of the wage bases changed → 5 % corrections with revisions
and prints rows/s for each pass, the tier (S ≤ 100k rows, M ≤ 2M, L above) and the machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jineng_bench \
        python benchmarks/outcomes_import.py --rows 1000000

The database is migrated and its outcomes tables emptied first: use a database of its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import machine


def tier(rows: int) -> str:
    return "S" if rows <= 100_000 else "M" if rows <= 2_000_000 else "L"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL",
                          "postgres://postgres@127.0.0.1:5432/jineng_outcomes_import_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jineng.config.settings")
    os.environ.setdefault("JINENG_DEMO", "1")  # the demo's keys (never in production)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from jineng.accounts.models import Role, User
    from jineng.core.validators import make_credit_code, make_resident_id
    from jineng.outcomes.services.imports import insurance_import_file
    from jineng.registry.models import Region

    call_command("migrate", verbosity=0, skip_checks=True)
    with connection.cursor() as cursor:  # a database of its own: emptied at once
        cursor.execute("TRUNCATE outcomes_insurancerecordrevision, outcomes_insurancerecord, "
                       "outcomes_recordlink, outcomes_businessregistration, "
                       "outcomes_insuranceimport CASCADE")
    province = Region.objects.get(code="520000")
    actor, _ = User.objects.get_or_create(username="bench_outcomes_import", defaults={
        "role": Role.PROVINCE_STAFF, "region": province})
    counties = list(Region.objects.filter(code__startswith="52", level="county")
                    .values_list("code", flat=True))
    rng = random.Random(11)
    employers = [make_credit_code("91", rng.choice(counties), f"{n:08d}") for n in range(5000)]
    persons = max(args.rows // 12, 1)
    workdir = tempfile.TemporaryDirectory(prefix="jineng-outcomes-import-")
    started = time.perf_counter()
    rows = []
    for p in range(persons):
        # Unique ID numbers: one birth date per 1,000 persons, the sequence number below.
        born = dt.date(1960, 1, 1) + dt.timedelta(days=p // 1000)
        number = make_resident_id(rng.choice(counties), born, p % 1000)
        employer = employers[p % len(employers)]
        county = counties[p % len(counties)]
        wage = 2500 + (p * 37) % 9000
        for month in range(1, 13):
            rows.append((number, f"职工{p}", employer, county, f"2024-{month:02d}", wage))
            if len(rows) >= args.rows:
                break
        if len(rows) >= args.rows:
            break

    def write(name: str, header: str, change: float = 0.0) -> Path:
        path = Path(workdir.name) / name
        with path.open("w", encoding="utf-8", newline="") as out:
            out.write(header + "\n")
            for i, (number, nm, emp, county, month, wage) in enumerate(rows):
                if change and i % int(1 / change) == 0:
                    wage += 100
                out.write(f"{number},{nm},{emp},{county},{month},1,1,0,{wage}\n")
        return path

    chinese = ("公民身份号码,姓名,单位统一社会信用代码,单位所在地区划代码,缴费年月,"
               "养老保险,失业保险,工伤保险,缴费工资基数")
    english = ("id_number,name,employer_code,employer_region,month,pension,unemployment,injury,"
               "wage_base")
    files = [("new", write("pass1.csv", chinese)), ("unchanged", write("pass2.csv", english)),
             ("5% corrected", write("pass3.csv", chinese, 0.05))]
    generate_s = time.perf_counter() - started
    results = []
    load_start = os.getloadavg()
    for label, path in files:
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        outcome = insurance_import_file(actor=actor, kind="records", path=path)
        imp = outcome.record
        seconds = time.perf_counter() - t0
        results.append({"pass": label, "status": imp.status,
                        "rows": imp.total_rows, "created": imp.created,
                        "corrected": imp.corrected, "unchanged": imp.unchanged,
                        "seconds": round(seconds, 2),
                        "rows_per_s": round(imp.total_rows / seconds),
                        "file_mb": round(path.stat().st_size / 1e6, 1),
                        "steps": outcome.timings,
                        "load": [round(load_before, 1), round(os.getloadavg()[0], 1)]})
    summary = {"benchmark": "outcomes_import", "database": connection.vendor,
               "rows": len(rows), "tier": tier(len(rows)), "generate_s": round(generate_s, 1),
               "passes": results, "machine": machine(),
               "load": [round(x, 2) for x in os.getloadavg()],
               "load_at_start": [round(x, 2) for x in load_start]}
    for r in results:
        print(f"{r['pass']:>14}: {r['rows']:>9,} rows in {r['seconds']:6.2f} s = "
              f"{r['rows_per_s']:>9,} rows/s (new {r['created']:,}, corrected "
              f"{r['corrected']:,}, unchanged {r['unchanged']:,}; {r['file_mb']} MB; "
              f"{r['status']})")
        print(" " * 16 + "steps (s): " + ", ".join(f"{k} {v}" for k, v in r["steps"].items())
              + f"; other {r['seconds'] - sum(r['steps'].values()):.2f} (hash, header, "
              f"links, report); load {r['load'][0]} → {r['load'][1]}")
    print(f"tier {summary['tier']}, {connection.vendor}, machine {summary['machine']}, "
          f"load average (1, 5, 15 min) at start {summary['load_at_start']}, "
          f"at end {summary['load']}")
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
