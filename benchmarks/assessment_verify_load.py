#!/usr/bin/env python3
"""Benchmark: public certificate verification at a steady request rate, tier L (issue 10).

A dedicated PostgreSQL database (`jineng_bench_verify`, dropped and created; never the tests' or
the demo's) gets the migrations, 300 evaluation institutions of Guizhou with their evaluator
codes, 1,200,000 persons and 1,500,000 certificates (tier L: a large province's stock), written
set-based in SQL (`INSERT … SELECT … FROM generate_series`, foreign-key triggers off for the
load; every value is consistent by construction). Numbers follow 人社鉴发〔2019〕2号 (S, 4-digit
evaluator code, 52, 6-digit site code, year, level digit, 6-digit sequence); about 1 % are
revoked with a reason. The bulk rows carry a per-row signed content but ONE reused signature
value (signing 1.5 million rows one by one would take minutes and is not what is measured);
the certificates the load generator asks for (`--sample`, 20,000 by default) are re-signed
properly with the app's signing service when it is available, so pages that check the
signature see valid ones.

gunicorn then serves the real application on 127.0.0.1 with the settings of the other latency
benchmark (gunicorn from requirements.lock, sync workers, DATABASE_CONN_MAX_AGE=600, log level
ERROR), and an asyncio load generator on the same machine sends requests at a fixed rate
whatever the answers (open loop: latency is measured from the moment a request was due, so
queueing counts; one connection per request, as phones scanning QR codes do), alternating the
public status-by-number API and the public QR page, each for a random certificate of the sample.
Prints p50/p95/p99/max per target and together, errors, tier and machine. Goal: p95 under 30 ms
at 200 requests/s.

    .venv/bin/python benchmarks/assessment_verify_load.py                     # build + run
    .venv/bin/python benchmarks/assessment_verify_load.py --reuse             # run only
    .venv/bin/python benchmarks/assessment_verify_load.py --certificates 20000 --seconds 10
    .venv/bin/python benchmarks/assessment_verify_load.py --reuse --stub      # the floor

Bounded: --rate × (--seconds + --warmup) requests, all to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
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
from urllib.parse import quote, urlparse

from _machine import machine  # benchmarks/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jineng_bench_verify"
TIER_L = 1_500_000
EVALUATORS = 300
# Where the public answers live (the signing area's API and page); `{number}` is filled in.
API_PATH = "/api/assessment/certificate-status/{number}"
PAGE_PATH = "/assessment/c/{number}/"
STUB_PATH = "/stub/certificates/{number}"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
         "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "华", "建国", "玉兰", "红",
         "志强", "海燕", "小红"]
BULK_SIGNATURE = "BENCH-REUSED-SIGNATURE"


# --- the database ----------------------------------------------------------------------------

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


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["JINENG_DEMO"] = "1"  # the demo's fixed keys (never in production)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jineng.config.settings")
    import django

    django.setup()


def insert_select(model, given: dict[str, str], source: str, params: dict) -> tuple[str, dict]:
    """`INSERT INTO <table> (every column) SELECT …`: the columns in `given` take their SQL
    expression, every other column the field's Python default (so a field added to the model
    later does not break the load)."""
    from django.db import connection

    columns, values = [], []
    for field in model._meta.concrete_fields:
        column = field.column
        if column in given:
            expression = given[column]
        elif field.primary_key:
            continue
        else:
            name = f"default_{column}"
            default = field.get_default() if field.has_default() or not field.null else None
            params[name] = field.get_db_prep_save(default, connection)
            expression = f"%({name})s"
        columns.append(column)
        values.append(expression)
    sql = (f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
           f"SELECT {', '.join(values)} {source}")
    return sql, params


def build(certificates: int, persons: int) -> dict:
    """Evaluators, persons and certificates, set-based. Returns phase timings."""
    from django.db import connection, transaction
    from django.utils import timezone

    from jineng.accounts.models import User
    from jineng.assessment.models import Certificate, CertificateSequence, EvaluatorCode
    from jineng.assessment.services import signing
    from jineng.core.validators import make_credit_code
    from jineng.registry.models import Occupation, Organization, Person, Region, SkillLevel

    timings = {}
    t0 = time.perf_counter()
    counties = list(Region.objects.filter(code__startswith="52").exclude(code__endswith="00")
                    .order_by("code").values_list("pk", "code"))
    levels = {lv.rank: lv for lv in SkillLevel.objects.all()}
    # Level digit of the number: 1 高级技师 … 5 初级工 (the national grades 一级 … 五级).
    by_grade = {}
    for lv in SkillLevel.objects.exclude(national_grade=""):
        digit = "一二三四五".find(lv.national_grade[0]) + 1
        if digit:
            by_grade[digit] = lv
    if len(by_grade) < 5:
        ranked = sorted(levels.items())
        by_grade = {5 - i: lv for i, (_rank, lv) in enumerate(ranked[:5])}
    occupations = list(Occupation.objects.filter(code__isnull=False).order_by("pk")[:200])
    # The signing key the bulk rows name (made by the app's service, as an administrator).
    admin = User.objects.create_user(username="bench-admin", password="bench-pass-1234",
                                     role="system_admin")
    key = signing.signing_key_create(actor=admin)
    signed_at = timezone.now()
    with transaction.atomic():
        orgs = []
        for e in range(EVALUATORS):
            county_pk, code = counties[e % len(counties)]
            orgs.append(Organization(
                kind="evaluation", name=f"基准评价机构{e + 1:03d}", region_id=county_pk,
                credit_code=make_credit_code("52", code, f"8{e:07d}")))
        Organization.objects.bulk_create(orgs)
        EvaluatorCode.objects.bulk_create([
            EvaluatorCode(organization=o, letter="S", filed_with="ministry",
                          ministry_code=f"{1000 + e:04d}", site_code=f"52{e:04d}")
            for e, o in enumerate(orgs)])
    timings["evaluators"] = time.perf_counter() - t0

    person_t, cert_t = Person._meta.db_table, Certificate._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")  # no FK triggers
        cur.execute("CREATE TEMPORARY TABLE b_county (i int PRIMARY KEY, id bigint, code text)")
        cur.executemany("INSERT INTO b_county VALUES (%s, %s, %s)",
                        [(i, pk, code) for i, (pk, code) in enumerate(counties)])
        cur.execute("CREATE TEMPORARY TABLE b_org (i int PRIMARY KEY, id bigint, name text, "
                    "region_id bigint, mcode text, scode text, credit_code text, "
                    "region_code text)")
        region_code = dict(counties)
        cur.executemany("INSERT INTO b_org VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                        [(e, o.pk, o.name, o.region_id, f"{1000 + e:04d}", f"52{e:04d}",
                          o.credit_code, region_code[o.region_id])
                         for e, o in enumerate(orgs)])
        cur.execute("CREATE TEMPORARY TABLE b_occ (i int PRIMARY KEY, id bigint, code text, "
                    "name text)")
        cur.executemany("INSERT INTO b_occ VALUES (%s, %s, %s, %s)",
                        [(i, o.pk, o.code or "", o.name) for i, o in enumerate(occupations)])
        cur.execute("CREATE TEMPORARY TABLE b_level (d int PRIMARY KEY, id bigint, code text, "
                    "name text, grade text)")
        cur.executemany("INSERT INTO b_level VALUES (%s, %s, %s, %s, %s)",
                        [(d, lv.pk, lv.code, lv.name, lv.national_grade)
                         for d, lv in by_grade.items()])
        cur.execute("ANALYZE b_county; ANALYZE b_org; ANALYZE b_occ; ANALYZE b_level")
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {person_t}")
        p0 = cur.fetchone()[0] + 1
        t0 = time.perf_counter()
        ncounty = len(counties)
        cur.execute(*insert_select(Person, {
            "id": "%(p0)s + g",
            "id_hash": "encode(sha256(('bench-person-' || g)::bytea), 'hex')",
            "id_encrypted": "'bench-not-a-real-token'",
            "id_masked": "substr(c.code, 1, 6) || '********' || lpad((g %% 10000)::text, 4, '0')",
            "name": "(%(surnames)s::text[])[1 + g %% 20] "
                    "|| (%(given)s::text[])[1 + (g / 20) %% 30]",
            "gender": "CASE WHEN g %% 2 = 0 THEN 'M' ELSE 'F' END",
            "birth_date": "date '1965-01-01' + (g %% 12000)::int",
            "id_region_id": "c.id", "region_id": "c.id", "created_at": "now()",
        }, """
            FROM generate_series(0::bigint, %(n)s - 1) AS g
            JOIN b_county c ON c.i = g %% %(ncounty)s
        """, {"p0": p0, "n": persons, "ncounty": ncounty, "surnames": list(SURNAMES),
              "given": GIVEN}))
        timings["persons"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        nocc = max(1, len(occupations))
        cur.execute(*insert_select(Certificate, {
            "kind": "'skill_level'", "number": "x.number", "origin": "'issued'",
            "verified": "true", "person_id": "x.person_id", "holder_name": "x.holder",
            "occupation_id": "oc.id", "level_id": "lv.id", "issuer_id": "o.id",
            "issuer_name": "o.name", "region_id": "o.region_id", "issued_on": "x.issued_on",
            "status": "CASE WHEN x.revoked THEN 'revoked' ELSE 'valid' END",
            "revoked_on": "CASE WHEN x.revoked THEN x.issued_on + 200 END",
            "revocation_reason": "CASE WHEN x.revoked THEN CASE WHEN x.g %% 2 = 0 "
                                 "THEN 'fraud' ELSE 'error' END ELSE '' END",
            "status_index": "x.g", "signature": "%(sig)s",
            "key_id": "%(key_id)s",
            # The shape of services.signing.certificate_payload, per row.
            "signed_payload": """jsonb_build_object(
                'kind', 'skill_level', 'number', x.number,
                'holder', jsonb_build_object(
                    'name', x.holder, 'id_type', 'resident_id', 'id_type_name', '居民身份证',
                    'id_number_masked', substr(pc.code, 1, 6) || '********'
                        || lpad((x.pi %% 10000)::text, 4, '0')),
                'occupation', jsonb_build_object('code', COALESCE(oc.code, ''),
                                                 'name', COALESCE(oc.name, '')),
                'work_type', '',
                'level', jsonb_build_object('code', lv.code, 'name', lv.name,
                                            'grade', lv.grade),
                'special_ability_item', '', 'title', '', 'training_start', '',
                'training_end', '',
                'issuer', jsonb_build_object('name', o.name, 'credit_code', o.credit_code),
                'region', o.region_code, 'issued_on', x.issued_on::text, 'photo_sha256', '',
                'status', jsonb_build_object('type', 'BitstringStatusListEntry',
                                             'purpose', 'revocation',
                                             'list_url', %(list_url)s::text,
                                             'index', x.g::text),
                'verify_url', %(verify_prefix)s::text || x.number || '/',
                'signed_at', %(signed_at)s::text)""",
            "recorded_by": "'benchmark'", "created_at": "now()",
        }, """
            FROM (
                SELECT g, e, lvl,
                       'S' || b.mcode || '52' || b.scode || lpad((21 + (g / %(ne)s) %% 5)::text,
                       2, '0') || lvl::text || lpad((1 + g / (%(ne)s * 25))::text, 6, '0')
                           AS number,
                       (g * 7919) %% %(np)s AS pi,
                       %(p0)s + (g * 7919) %% %(np)s AS person_id,
                       (%(surnames)s::text[])[1 + ((g * 7919) %% %(np)s) %% 20]
                           || (%(given)s::text[])[1 + (((g * 7919) %% %(np)s) / 20) %% 30]
                           AS holder,
                       make_date((2021 + (g / %(ne)s) %% 5)::int, 1, 1) + (g %% 330)::int
                           AS issued_on,
                       g %% 97 = 0 AS revoked
                FROM (SELECT g, g %% %(ne)s AS e, (1 + (g / (%(ne)s * 5)) %% 5)::int AS lvl
                      FROM generate_series(0::bigint, %(n)s - 1) AS g) s
                JOIN b_org b ON b.i = s.e
            ) x
            JOIN b_org o ON o.i = x.e
            JOIN b_level lv ON lv.d = x.lvl
            JOIN b_county pc ON pc.i = x.pi %% %(ncounty)s
            LEFT JOIN b_occ oc ON oc.i = x.g %% %(nocc)s
        """, {"n": certificates, "ne": EVALUATORS, "p0": p0, "np": persons, "nocc": nocc,
              "ncounty": ncounty, "sig": BULK_SIGNATURE, "surnames": list(SURNAMES),
              "given": GIVEN, "key_id": key.key_id, "list_url": signing.status_list_url(),
              "verify_prefix": signing.verify_url("X")[:-2],
              "signed_at": timezone.localtime(signed_at).isoformat()}))
        timings["certificates"] = time.perf_counter() - t0
    # The status list's next index follows the bulk rows (issuing after the load continues it).
    CertificateSequence.objects.update_or_create(prefix=signing.STATUS_LIST_SEQUENCE,
                                                 defaults={"last": certificates})
    for model in (person_t, cert_t):
        with connection.cursor() as cur:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{model}', 'id'), "
                        f"(SELECT MAX(id) FROM {model}))")
    t0 = time.perf_counter()
    old = connection.connection.autocommit
    connection.connection.autocommit = True
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {person_t}")
        cur.execute(f"VACUUM ANALYZE {cert_t}")
    connection.connection.autocommit = old
    timings["vacuum_analyze"] = time.perf_counter() - t0
    return timings


def sign_sample(numbers: list[str]) -> str:
    """Re-sign the sampled certificates with the app's signing service (real Ed25519
    signatures over their real payloads). Returns what was done, for the report."""
    from jineng.assessment.models import Certificate
    from jineng.assessment.services import signing

    t0 = time.perf_counter()
    for chunk in range(0, len(numbers), 2000):
        rows = (Certificate.objects.filter(number__in=numbers[chunk:chunk + 2000],
                                           signature=BULK_SIGNATURE)
                .select_related("person", "occupation", "level", "issuer", "region"))
        signing.certificates_sign_bulk(rows)
    return (f"{len(numbers):,} sampled certificates signed by "
            f"services.certificates_sign_bulk in {time.perf_counter() - t0:.1f} s; the other "
            "rows carry their own payload and one reused signature value")


def sample_numbers(count: int, seed: int) -> list[str]:
    from jineng.assessment.models import Certificate

    total = Certificate.objects.count()
    rng = random.Random(seed)
    ids = Certificate.objects.order_by("id").values_list("id", flat=True)
    first = ids.first()
    picks = sorted({first + rng.randrange(total) for _ in range(count)})
    numbers = []
    for chunk in range(0, len(picks), 5000):
        numbers += list(Certificate.objects.filter(id__in=picks[chunk:chunk + 5000])
                        .values_list("number", flat=True))
    rng.shuffle(numbers)
    return numbers


# --- the server -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn on 127.0.0.1 with the settings of benchmarks/_training_fixture.Server."""

    def __init__(self, url: str, *, workers: int, stub: bool = False) -> None:
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
        if gunicorn is None:
            raise SystemExit("gunicorn is not installed in this environment "
                             "(it is in requirements.lock: python3 dev.py setup)")
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "JINENG_DEMO": "1",
               "DATABASE_CONN_MAX_AGE": "600", "DJANGO_SETTINGS_MODULE":
               "jineng.config.settings", "JINENG_LOG_LEVEL": "ERROR",
               # one load generator on one address: the per-address limit of the public
               # checks (assessment.throttle) is lifted, its counting (a write) still runs
               "JINENG_PUBLIC_VERIFY_PER_HOUR": "1000000000"}
        app = "_verify_stub:application" if stub else "jineng.config.wsgi:application"
        cmd = [gunicorn, app, "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
               "--worker-class", "sync", "--log-level", "warning", "--backlog", "2048",
               "--timeout", "120"]
        if stub:
            cmd += ["--pythonpath", str(Path(__file__).resolve().parent)]
        self.proc = subprocess.Popen(cmd, env=env, cwd=str(ROOT), start_new_session=True)
        self.version = subprocess.run([gunicorn, "--version"], capture_output=True,
                                      text=True).stdout.strip()
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not start")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the gunicorn master and its workers so far."""
        pids = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
            pids += [int(p) for p in children.split()]
        except OSError:
            pass
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except (OSError, IndexError, ValueError):
                pass
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


# --- the load ---------------------------------------------------------------------------------

async def one(port: int, target: str, path: str, due: float, out: list, errors: list) -> None:
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: zh-hans\r\n"
               f"User-Agent: bench-phone\r\nConnection: close\r\n\r\n").encode()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        await writer.drain()
        data = await reader.read()
        writer.close()
        status = int(data.split(b" ", 2)[1])
    except (OSError, ValueError, IndexError) as exc:
        errors.append(f"{target} {path}: {exc!r}")
        return
    elapsed = time.perf_counter() - due
    if status != 200:
        errors.append(f"{target} {path}: {status} {data[-160:]!r}")
    out.append((due, target, elapsed))


async def load(port: int, requests: list[tuple[str, str]], rate: float) -> tuple[list, list]:
    latencies: list = []
    errors: list[str] = []
    tasks = []
    start = time.perf_counter() + 0.5
    for i, (target, path) in enumerate(requests):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(port, target, path, due, latencies, errors)))
    await asyncio.gather(*tasks)
    return latencies, errors


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p))] * 1000, 1)


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--certificates", type=int, default=TIER_L)
    parser.add_argument("--persons", type=int, default=None,
                        help="default: 80 %% of --certificates")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database built by an earlier run")
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--warmup", type=float, default=5, help="seconds not counted")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--sample", type=int, default=20_000,
                        help="distinct certificates asked for")
    parser.add_argument("--targets", default="api,page",
                        help="comma-separated: api, page (alternated)")
    parser.add_argument("--api-path", default=API_PATH)
    parser.add_argument("--page-path", default=PAGE_PATH)
    parser.add_argument("--stub", action="store_true",
                        help="serve the bare look-up of _verify_stub.py instead (the floor)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--build-only", action="store_true",
                        help="build the database (and sign the sample), do not load")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="LOAD",
                        help="before loading, wait (up to 20 min) for a 1-minute load average "
                             "under LOAD: the machine is shared")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    persons = args.persons or max(1, args.certificates * 4 // 5)

    build_info: dict = {}
    if not args.reuse:
        recreate_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from jineng.assessment.models import Certificate

    if not args.reuse:
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0, skip_checks=True)
        build_info["migrate_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        phases = build(args.certificates, persons)
        build_info["fill_s"] = round(time.perf_counter() - t0, 1)
        build_info["phases_s"] = {k: round(v, 1) for k, v in phases.items()}
        print(f"built: {args.certificates:,} certificates, {persons:,} persons in "
              f"{build_info['fill_s']} s ({build_info['phases_s']}); "
              f"migrations {build_info['migrate_s']} s")
    stored = Certificate.objects.count()
    revoked = Certificate.objects.filter(status="revoked").count()
    numbers = sample_numbers(args.sample, args.seed)
    signed = sign_sample(numbers) if not args.stub else "stub: no signature read"
    connection.close()
    if args.build_only:
        print(f"built: {stored:,} certificates ({revoked:,} revoked); {signed}")
        return
    if args.wait_quiet:
        deadline = time.time() + 20 * 60
        while loadavg() >= args.wait_quiet and time.time() < deadline:
            time.sleep(10)

    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    if args.stub:
        targets = ["stub"]
    templates = {"api": args.api_path, "page": args.page_path, "stub": STUB_PATH}
    total = int(args.rate * (args.seconds + args.warmup))
    rng = random.Random(args.seed)
    requests = []
    for i in range(total):
        target = targets[i % len(targets)]
        requests.append((target, templates[target].format(number=quote(rng.choice(numbers)))))

    load_before = loadavg()
    server = Server(args.database_url, workers=args.workers, stub=args.stub)
    try:
        # One request per target first: a wrong path fails here, not 10,000 times.
        latencies, errors = asyncio.run(load(server.port, requests[:len(targets)], 10))
        if errors:
            raise SystemExit(f"the targets do not answer 200: {errors}")
        cpu_server, cpu_client = server.cpu_seconds(), time.process_time()
        wall = time.perf_counter()
        latencies, errors = asyncio.run(load(server.port, requests, args.rate))
        wall = time.perf_counter() - wall
        cpu_server = server.cpu_seconds() - cpu_server
        cpu_client = time.process_time() - cpu_client
    finally:
        server.stop()
    load_after = loadavg()
    first_due = min((due for due, _t, _l in latencies), default=0)
    counted = [(t, lat) for due, t, lat in latencies if due - first_due >= args.warmup]
    per_target = {}
    for target in [*targets, "all"]:
        values = [lat for t, lat in counted if target in (t, "all")]
        per_target[target] = {"requests": len(values), "p50_ms": pct(values, 0.5),
                              "p95_ms": pct(values, 0.95), "p99_ms": pct(values, 0.99),
                              "max_ms": pct(values, 1.0)}
    tier = "L" if stored >= TIER_L * 0.95 else f"custom ({stored:,} certificates)"
    result = {
        "benchmark": "assessment_verify_load", "tier": tier, "database": "postgresql",
        "certificates": stored, "revoked": revoked, "persons": persons,
        "rate": args.rate, "seconds": args.seconds, "warmup": args.warmup,
        "sample": len(numbers), "signatures": signed, "targets": per_target,
        "paths": {t: templates[t] for t in targets},
        "errors": len(errors), "gunicorn": server.version,
        "achieved_rate": round(len(latencies) / wall, 1),
        "server_cpu_ms_per_request": round(cpu_server * 1000 / max(1, len(latencies)), 2),
        "client_cpu_ms_per_request": round(cpu_client * 1000 / max(1, len(latencies)), 2),
        "gunicorn_workers": args.workers,
        "load_before": load_before, "load_after": load_after, "build": build_info,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
    }
    print(f"public verification at {args.rate:g}/s for {args.seconds:g} s (open loop, "
          f"{args.warmup:g} s warm-up not counted), tier {tier}: {stored:,} certificates "
          f"({revoked:,} revoked), {len(numbers):,} distinct asked for; {len(errors)} errors")
    for target, r in per_target.items():
        where = templates.get(target, "both alternated")
        print(f"  {target:5} {where}: {r['requests']:,} requests; p50 {r['p50_ms']} ms, "
              f"p95 {r['p95_ms']} ms, p99 {r['p99_ms']} ms, max {r['max_ms']} ms")
    print(f"  {server.version}, {args.workers} sync workers; PostgreSQL; signatures: {signed}")
    print(f"  answered {result['achieved_rate']}/s overall; CPU per request: gunicorn "
          f"{result['server_cpu_ms_per_request']} ms, load generator "
          f"{result['client_cpu_ms_per_request']} ms (PostgreSQL not counted)")
    print(f"  1-minute load average: {load_before} before, {load_after} after")
    if errors:
        print("  first errors:", errors[:3])
    m = result["machine"]
    print(f"  machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM, "
          f"Python {m['python']}; {result['date']}")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    sys.exit(0 if not errors and per_target["all"]["p95_ms"] < 30 else 1)


if __name__ == "__main__":
    main()
