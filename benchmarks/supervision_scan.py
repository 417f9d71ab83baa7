"""The risk rules (issue 13, "Speed and memory") over a synthetic snapshot, timed per rule on
DuckDB, and — same expressions, same data — inside PostgreSQL and on PySpark local mode when
asked, all in the same run.

    .venv/bin/python benchmarks/supervision_scan.py --tier S                   # DuckDB
    .venv/bin/python benchmarks/supervision_scan.py --tier M --engines duckdb,postgres
    .venv/bin/python benchmarks/supervision_scan.py --tier S --engines duckdb,postgres,pyspark
    .venv/bin/python benchmarks/supervision_scan.py --tier L --json            # lead only

Tiers (enrollments; about 25 check-ins each): XS 2,000; S 20,000; M 200,000; L 2,000,000
(≈ 50 million events). Goal (issue 13): tier L, all rules under 30 s after the snapshot within
6 GB on the 2-core machine; DuckDB ≥ 10× faster than PostgreSQL. PostgreSQL uses the
DATABASE_URL server's maintenance database with temporary tables (`--pg-url`).

As production runs it: the snapshot is generated once (numpy, seeded) and written to Parquet
in `--data-dir` (not timed; reused by later runs of the same tier and seed, `--regenerate`
to rebuild). Each engine then runs in its own process, so its peak resident memory (VmHWM)
is its own: the Parquet files are streamed batch by batch (RecordBatchReaders) into the
engine through services/engine.load_table ("load", timed), then every rule is evaluated
("rules", timed per rule). DuckDB works in a scratch database file (compressed storage,
`--memory-limit`, spilling to a temporary directory beside it), both removed afterwards.

Prints the tier, the machine and its load average, rows per table, per engine the seconds to
load, seconds per rule and in all, alert rows per rule, peak RSS, whether the goal was met and
the PostgreSQL / DuckDB ratio; `--json` the same as JSON; `--save-alerts DIR` writes each
engine's alert rows (sorted) as Parquet to compare runs."""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from _machine import machine  # noqa: E402
from jineng.supervision.analytics.schema import SCHEMAS  # noqa: E402
from jineng.supervision.rules.catalog import RULES  # noqa: E402

TIERS = {"XS": 2_000, "S": 20_000, "M": 200_000, "L": 2_000_000}
GOAL_SECONDS = {"L": 30.0}
GOAL_RSS_MIB = 6 * 1024
BATCH_ROWS = 1_000_000
T0 = 1_750_000_000
DAY0 = 20_000


def _tbl(name: str, cols: dict) -> pa.Table:
    schema = SCHEMAS[name]
    return pa.table({f.name: pa.array(cols[f.name], f.type) for f in schema}, schema=schema)


def generate(n_enr: int, seed: int = 1) -> dict[str, pa.Table]:
    """A province of classes of 40 trainees, 25 sessions each (one a weekday), 30 trainees a
    site, check-ins near the site a few minutes before each session; one class in 200 with
    machine-like check-ins, one person in 500 enrolled twice at once, one phone in 1,000."""
    rng = np.random.default_rng(seed)
    per_class, n_sessions = 40, 25
    n_class = max(n_enr // per_class, 1)
    n_inst = max(n_class // 10, 1)
    cls = np.arange(1, n_class + 1, dtype=np.int64)
    inst = (cls % n_inst) + 1
    site = cls.copy()
    end_day = DAY0 + n_sessions + (cls % 300)
    occ = (cls % 50) + 1
    lvl = (cls % 5) + 1
    first_day = end_day - n_sessions
    classes = _tbl("classes", {"class_id": cls, "institution_id": inst, "site_id": site,
                               "end_day": end_day, "occupation_id": occ, "level_id": lvl,
                               "start_month": _months(first_day), "end_month": _months(end_day),
                               "start_day": first_day})
    lat = 24.0 + rng.random(n_class) * 5
    lon = 104.0 + rng.random(n_class) * 5
    sites = _tbl("sites", {"site_id": site, "capacity": np.full(n_class, 60), "latitude": lat,
                           "longitude": lon})
    enr_id = np.arange(1, n_class * per_class + 1, dtype=np.int64)
    enr_cls = np.repeat(cls, per_class)
    person = enr_id.copy()
    dup = rng.random(person.size) < 0.002  # enrolled again in the next class at the same time
    person[dup] = np.roll(person, per_class)[dup]
    enrollments = _tbl("enrollments", {"enrollment_id": enr_id, "person_id": person,
                                       "class_id": enr_cls,
                                       "institution_id": inst[enr_cls - 1]})
    s_cls = np.repeat(cls, n_sessions)
    s_seq = np.tile(np.arange(n_sessions), n_class)
    start_day = end_day[s_cls - 1] - n_sessions
    starts = T0 + (start_day - DAY0 + s_seq) * 86_400 + 9 * 3600 + (s_cls % 4) * 3600
    ses_id = np.arange(1, s_cls.size + 1, dtype=np.int64)
    sessions = _tbl("sessions", {"session_id": ses_id, "class_id": s_cls,
                                 "institution_id": inst[s_cls - 1], "site_id": site[s_cls - 1],
                                 "starts_s": starts, "ends_s": starts + 6 * 3600})
    # one check-in per enrollment and session
    e_enr = np.repeat(enr_id, n_sessions)
    e_cls = enr_cls[e_enr - 1]
    e_seq = np.tile(np.arange(n_sessions), enr_id.size)
    e_ses = (e_cls - 1) * n_sessions + e_seq + 1
    jitter = rng.integers(60, 900, e_enr.size)
    machine_cls = (e_cls % 200) == 7
    jitter[machine_cls] = 300  # all in the same second
    occurred = starts[e_ses - 1] - jitter
    n_ev = e_enr.size
    device = np.array([f"phone-{p}" for p in person[e_enr - 1] % 10_000_000], dtype=object)
    shared = (e_enr % 1000) < 8
    device[shared] = "phone-shared-" + (e_cls[shared] // 50).astype(str).astype(object)
    events = _tbl("events", {
        "event_id": np.arange(1, n_ev + 1, dtype=np.int64), "enrollment_id": e_enr,
        "person_id": person[e_enr - 1], "class_id": e_cls, "session_id": e_ses,
        "institution_id": inst[e_cls - 1], "kind": np.ones(n_ev, dtype=np.int64),
        "method": np.full(n_ev, 2), "occurred_s": occurred,
        "latitude": lat[e_cls - 1] + rng.normal(0, 0.001, n_ev),
        "longitude": lon[e_cls - 1] + rng.normal(0, 0.001, n_ev),
        "too_far": rng.random(n_ev) < 0.02, "outside_window": rng.random(n_ev) < 0.02,
        "device": device})
    teaching = _tbl("teaching", {"class_id": cls, "institution_id": inst,
                                 "teacher_hash": np.array([f"t{c % (n_class // 2 + 1)}"
                                                           for c in cls], dtype=object)})
    cand_enr = enr_id[rng.random(enr_id.size) < 0.8]
    c_cls = enr_cls[cand_enr - 1]
    score = np.clip(rng.normal(72, 10, cand_enr.size), 0, 100).round(1)
    candidates = _tbl("candidates", {
        "candidate_id": cand_enr, "sitting_id": c_cls, "person_id": person[cand_enr - 1],
        "class_id": c_cls, "evaluator_id": (c_cls % 20) + 10_000,
        "sitting_day": end_day[c_cls - 1] + 3, "score": score,
        "pass_mark": np.full(cand_enr.size, 60.0), "passed": score >= 60,
        "occupation_id": occ[c_cls - 1], "level_id": lvl[c_cls - 1]})
    examiners = _tbl("examiners", {"sitting_id": cls, "examiner_hash": np.array(
        [f"x{c}" for c in cls], dtype=object)})
    passed = cand_enr[score >= 60]
    certificates = _tbl("certificates", {
        "certificate_id": passed, "person_id": person[passed - 1],
        "class_id": enr_cls[passed - 1], "issued_day": end_day[enr_cls[passed - 1] - 1] + 10})
    tables = {"enrollments": enrollments, "sessions": sessions, "events": events,
              "sites": sites, "teaching": teaching, "candidates": candidates,
              "examiners": examiners, "certificates": certificates, "classes": classes}
    tables.update(_second_round(rng, person, enr_id, enr_cls, inst, site, occ, lvl, first_day,
                                end_day, passed))
    return tables


def _months(day: np.ndarray) -> np.ndarray:
    """Epoch days → year × 12 + month − 1."""
    m = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return m + 1970 * 12


def _second_round(rng, person, enr_id, enr_cls, inst, site, occ, lvl, first_day, end_day,
                  passed) -> dict[str, pa.Table]:
    """The tables of R08 and R12–R17: a phone per person (one in 1,000 sharing a ring's phone
    with the next five), a payee account per claim; a training claim per certificate (one in
    500 claimed twice); social-insurance months for one trainee in ten (one in 50 of them in
    another city); age limits (one in 1,000 past retirement) and exclusion lists (one in
    1,000); online learning for one enrollment in ten (5 evenings of an hour; one in 100 of
    them twelve hours in a day), with an interaction ten minutes into each hour but for the
    twelve-hour learners (R17D)."""
    people = np.unique(person)
    ring = (people % 1000) < 6
    phone = np.array([f"ph{p}" for p in people], dtype=object)
    phone[ring] = "ring-" + (people[ring] // 1000).astype(str).astype(object)
    contacts = _tbl("contacts", {"person_id": people, "kind": np.full(people.size, "phone",
                                                                     dtype=object),
                                 "value_hash": phone})
    c_cls = enr_cls[passed - 1]
    twice = passed[(passed % 500) == 3]
    cl_person = np.concatenate([person[passed - 1], person[twice - 1]])
    cl_cls = np.concatenate([c_cls, enr_cls[twice - 1]])
    cert = np.concatenate([passed, twice])
    n = cl_person.size
    claims = _tbl("claims", {
        "claim_id": np.arange(1, n + 1, dtype=np.int64), "person_id": cl_person,
        "person_key": np.array([f"h{p}" for p in cl_person], dtype=object),
        "kind": np.full(n, "training", dtype=object), "class_id": cl_cls,
        "certificate_key": np.array([f"id:{c}" for c in cert], dtype=object),
        "occupation_id": occ[cl_cls - 1], "level_id": lvl[cl_cls - 1],
        "claim_day": end_day[cl_cls - 1] + 20, "year": np.full(n, 2025)})
    site_cities = _tbl("site_cities", {"site_id": site, "city": np.array(
        [f"5201{s % 9:02d}" for s in site], dtype=object)})
    ins = enr_id[(enr_id % 10) == 1]
    ins_cls = enr_cls[ins - 1]
    elsewhere = (ins % 500) == 1
    insured_cities = _tbl("insured_cities", {
        "person_id": person[ins - 1], "month": _months(first_day[ins_cls - 1]),
        "city": np.where(elsewhere, "520300", np.array(
            [f"5201{s % 9:02d}" for s in site[ins_cls - 1]], dtype=object))})
    old = (people % 1000) == 500
    persons = _tbl("persons", {
        "person_id": people, "id_hash": np.array([f"h{p}" for p in people], dtype=object),
        "birth_day": np.full(people.size, DAY0 - 12_000),
        "adult_day": np.full(people.size, DAY0 - 6_000),
        "retire_day": np.where(old, DAY0 - 10, DAY0 + 9_000)})
    excluded = people[(people % 1000) == 700]
    exclusions = _tbl("exclusions", {
        "id_hash": np.array([f"h{p}" for p in excluded], dtype=object),
        "list_kind": np.full(excluded.size, "student", dtype=object),
        "from_day": np.full(excluded.size, DAY0 - 400), "to_day": np.full(excluded.size, None)})
    learners = enr_id[(enr_id % 10) == 3]
    l_cls = enr_cls[learners - 1]
    per = np.where((learners % 100) == 3, 12, 5)
    o_enr = np.repeat(learners, per)
    o_k = np.concatenate([np.arange(k) for k in per])
    heavy = np.repeat((learners % 100) == 3, per)
    day0 = T0 + (first_day[enr_cls[o_enr - 1] - 1] - DAY0) * 86_400
    at = np.where(heavy, day0 + 3600 * o_k, day0 + 86_400 * o_k + 12 * 3600)
    online = _tbl("online", {
        "event_id": np.arange(10_000_000, 10_000_000 + o_enr.size, dtype=np.int64),
        "enrollment_id": o_enr, "person_id": person[o_enr - 1],
        "class_id": enr_cls[o_enr - 1], "institution_id": inst[enr_cls[o_enr - 1] - 1],
        "occurred_s": at, "seconds": np.full(o_enr.size, 3600)})
    i_enr = o_enr[~heavy]
    interactions = _tbl("interactions", {
        "event_id": np.arange(20_000_000, 20_000_000 + i_enr.size, dtype=np.int64),
        "enrollment_id": i_enr, "person_id": person[i_enr - 1],
        "class_id": enr_cls[i_enr - 1], "institution_id": inst[enr_cls[i_enr - 1] - 1],
        "occurred_s": at[~heavy] + 600})
    del l_cls
    return {"contacts": contacts, "claims": claims, "site_cities": site_cities,
            "insured_cities": insured_cities, "persons": persons, "exclusions": exclusions,
            "online": online, "interactions": interactions}


def peak_rss_mib() -> float:
    """The peak resident memory of this process (VmHWM), MiB."""
    return _status_mib("VmHWM:")


def rss_mib() -> float:
    return _status_mib("VmRSS:")


def _status_mib(key: str) -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def cpu_seconds() -> float:
    """User + system CPU seconds of this process so far (all its threads)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


# --- the snapshot on disk (not timed) -------------------------------------------------------

def ensure_parquet(tier: str, seed: int, data_dir: Path, regenerate: bool) -> dict:
    """Generate the tier's snapshot into `data_dir` as Parquet unless it is there already;
    answer rows per table and the seconds generating took (None when reused)."""
    done = data_dir / "rows.json"
    if done.exists() and not regenerate:
        return {"rows": json.loads(done.read_text()), "generate_seconds": None}
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    t0 = time.perf_counter()
    tables = generate(TIERS[tier], seed)
    gen_s = time.perf_counter() - t0
    rows = {}
    for name in list(tables):
        table = tables.pop(name)
        rows[name] = table.num_rows
        pq.write_table(table, data_dir / f"{name}.parquet", row_group_size=BATCH_ROWS)
        del table
    gc.collect()
    done.write_text(json.dumps(rows))
    return {"rows": rows, "generate_seconds": round(gen_s, 2)}


def readers(data_dir: Path) -> dict[str, pa.RecordBatchReader]:
    """Every snapshot table on disk as a RecordBatchReader (streamed, read once)."""
    out = {}
    for name in SCHEMAS:
        path = data_dir / f"{name}.parquet"
        if path.exists():
            f = pq.ParquetFile(path)
            out[name] = pa.RecordBatchReader.from_batches(
                f.schema_arrow, f.iter_batches(batch_size=BATCH_ROWS))
    return out


# --- one engine, in its own process ---------------------------------------------------------

def connect(engine: str, pg_url: str | None, scratch: Path, memory_limit: str):
    import ibis

    from jineng.supervision.services.engine import duckdb_connect

    if engine == "duckdb":
        return duckdb_connect(scratch / "scan.duckdb", memory_limit=memory_limit,
                              temp_directory=scratch / "spill", threads=os.cpu_count())
    if engine == "postgres":
        if not pg_url:
            raise SystemExit("postgres: DATABASE_URL is not PostgreSQL and no --pg-url")
        return ibis.connect(pg_url)
    if engine == "pyspark":
        from pyspark.sql import SparkSession

        spark = (SparkSession.builder.master("local[2]").appName("risk-bench")
                 .config("spark.ui.enabled", "false")
                 .config("spark.sql.shuffle.partitions", "4").getOrCreate())
        return ibis.pyspark.connect(spark)
    raise SystemExit(f"unknown engine {engine}")


def worker(engine: str, data_dir: Path, pg_url: str | None, memory_limit: str,
           save_alerts: str) -> dict:
    from jineng.supervision.analytics.risk import ALERT_COLUMNS, GraphRule, rule_expressions
    from jineng.supervision.services.engine import ALERT_SCHEMA, load_snapshot

    scratch = Path(tempfile.mkdtemp(prefix=f"scan-{engine}-", dir=data_dir))
    try:
        con = connect(engine, pg_url, scratch, memory_limit)
        load_before = load_average()
        t0 = time.perf_counter()
        loaded = load_snapshot(con, readers(data_dir))
        load_s = time.perf_counter() - t0
        after_load = {"rss_mib": rss_mib(), "peak_rss_mib": peak_rss_mib()}
        if engine == "duckdb":
            size = con.raw_sql("SELECT database_size FROM pragma_database_size()").fetchall()[0]
            after_load["duckdb_database_size"] = size[0]
        params = {c: dict(s.parameters) for c, s in RULES.items()}
        per_rule, cpu_rule, rows, parts = {}, {}, {}, []
        rules_before = load_average()
        t_all, c_all = time.perf_counter(), cpu_seconds()
        for code, expr in rule_expressions(loaded, params).items():
            t, c = time.perf_counter(), cpu_seconds()
            if isinstance(expr, GraphRule):  # R08: edges on the engine, components in networkx
                out = expr.finish(expr.edges.to_pyarrow(), expr.nodes.to_pyarrow())
            else:
                out = expr.select(*ALERT_COLUMNS).to_pyarrow()
            per_rule[code] = round(time.perf_counter() - t, 3)
            cpu_rule[code] = round(cpu_seconds() - c, 2)
            rows[code] = out.num_rows
            if save_alerts:
                parts.append(out.cast(ALERT_SCHEMA))
        total, total_cpu = time.perf_counter() - t_all, cpu_seconds() - c_all
        if save_alerts and parts:
            alerts = pa.concat_tables(parts)
            alerts = alerts.sort_by([(c, "ascending") for c in alerts.column_names])
            Path(save_alerts).mkdir(parents=True, exist_ok=True)
            pq.write_table(alerts, Path(save_alerts) / f"alerts_{engine}.parquet")
        return {"engine": engine, "load_seconds": round(load_s, 2),
                "rules_seconds": round(total, 2), "per_rule": per_rule,
                "rules_cpu_seconds": round(total_cpu, 1), "per_rule_cpu": cpu_rule,
                "alert_rows": rows,
                "peak_rss_mib": peak_rss_mib(), "after_load": after_load,
                "memory_limit": memory_limit if engine == "duckdb" else None,
                "load_average": {"before_load": load_before, "before_rules": rules_before,
                                 "after_rules": load_average()}}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run_engine(engine: str, a: argparse.Namespace, data_dir: Path) -> dict:
    """`worker` in a subprocess: its peak memory is the engine's own."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", engine, "--tier", a.tier,
           "--data-dir", str(data_dir), "--memory-limit", a.memory_limit]
    if a.pg_url:
        cmd += ["--pg-url", a.pg_url]
    if a.save_alerts:
        cmd += ["--save-alerts", a.save_alerts]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False,
                              timeout=a.engine_timeout or None)
    except subprocess.TimeoutExpired:
        return {"engine": engine, "error": f"stopped after {a.engine_timeout:.0f} s "
                                           "(--engine-timeout)"}
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        return {"engine": engine, "error": (proc.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _pg_url(arg: str) -> str | None:
    url = arg or os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    if arg:
        return url
    return url.rsplit("/", 1)[0].replace("postgresql://", "postgres://", 1) + "/postgres"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tier", default="S", choices=TIERS)
    p.add_argument("--engines", default="duckdb")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pg-url", default="")
    p.add_argument("--json", action="store_true")
    p.add_argument("--data-dir", default="", help="where the Parquet snapshot is kept "
                   "(default: <tmp>/jineng-supervision-<tier>-seed<seed>)")
    p.add_argument("--regenerate", action="store_true")
    p.add_argument("--memory-limit", default="4GB", help="DuckDB memory_limit (the process's peak "
                   "stays about 0.2 GB above it at tier L)")
    p.add_argument("--save-alerts", default="")
    p.add_argument("--engine-timeout", type=float, default=0,
                   help="stop an engine's process after this many seconds (0: never)")
    p.add_argument("--worker", default="", help=argparse.SUPPRESS)
    a = p.parse_args()
    data_dir = Path(a.data_dir or Path(tempfile.gettempdir())
                    / f"jineng-supervision-{a.tier}-seed{a.seed}")
    if a.worker:
        print(json.dumps(worker(a.worker, data_dir, _pg_url(a.pg_url), a.memory_limit,
                                a.save_alerts)))
        return
    snap = ensure_parquet(a.tier, a.seed, data_dir, a.regenerate)
    results = [run_engine(e.strip(), a, data_dir) for e in a.engines.split(",") if e.strip()]
    goal = GOAL_SECONDS.get(a.tier)
    report = {"tier": a.tier, "seed": a.seed, "machine": machine(),
              "load_average_at_start": load_average(), "data_dir": str(data_dir),
              "generate_seconds": snap["generate_seconds"], "rows": snap["rows"],
              "results": results, "goal_seconds": goal, "goal_rss_mib": GOAL_RSS_MIB}
    ok = [r for r in results if "error" not in r]
    duck = next((r for r in ok if r["engine"] == "duckdb"), None)
    if goal is not None and duck is not None:
        report["goal_met"] = bool(duck["rules_seconds"] < goal
                                  and duck["peak_rss_mib"] < GOAL_RSS_MIB)
    pg = next((r for r in ok if r["engine"] == "postgres"), None)
    if duck and pg and duck["rules_seconds"] > 0:
        report["postgres_over_duckdb"] = round(pg["rules_seconds"] / duck["rules_seconds"], 1)
    same = {json.dumps(r["alert_rows"], sort_keys=True) for r in ok}
    report["same_alert_rows_on_all_engines"] = len(same) <= 1
    if a.json:
        print(json.dumps(report, indent=2, default=str))
        return
    print(f"tier {a.tier} (seed {a.seed}): " + ", ".join(f"{k} {v:,}"
                                                         for k, v in report["rows"].items()))
    m = report["machine"]
    print(f"machine: {m['nproc']} cores, {m['ram_gib']} GiB, {m['cpu']}; load average at start "
          f"{report['load_average_at_start']}")
    print("snapshot: " + (f"generated in {snap['generate_seconds']:.2f} s" if
                          snap["generate_seconds"] is not None else "reused") + f", {data_dir}")
    for r in results:
        if "error" in r:
            print(f"{r['engine']}: FAILED {r['error']}")
            continue
        la = r["load_average"]
        print(f"{r['engine']}: load {r['load_seconds']:.2f} s, all rules "
              f"{r['rules_seconds']:.2f} s, peak RSS {r['peak_rss_mib']:.0f} MiB "
              f"(after load {r['after_load']['peak_rss_mib']:.0f} MiB"
              + (f", database {r['after_load']['duckdb_database_size']}, memory_limit "
                 f"{r['memory_limit']}" if r["engine"] == "duckdb" else "")
              + f"); load average before load {la['before_load']}, before rules "
                f"{la['before_rules']}, after {la['after_rules']}")
        print(f"  CPU seconds of the rules (user + system, all threads of this process): "
              f"{r['rules_cpu_seconds']:.1f}")
        for code, s in r["per_rule"].items():
            print(f"  {code:5s} {s:8.3f} s  (CPU {r['per_rule_cpu'][code]:7.2f} s)  "
                  f"{r['alert_rows'][code]:>7,} alert rows")
    print("alert rows per rule the same on every engine: "
          + ("yes" if report["same_alert_rows_on_all_engines"] else "NO"))
    if "postgres_over_duckdb" in report:
        print(f"PostgreSQL / DuckDB (all rules): {report['postgres_over_duckdb']}x "
              f"(goal ≥ 10x)")
    if "goal_met" in report:
        print(f"goal (< {goal:.0f} s, < {GOAL_RSS_MIB} MiB): "
              f"{'met' if report['goal_met'] else 'NOT met'}")


if __name__ == "__main__":
    main()
