"""The risk rules (issue 13, "Speed and memory") over a synthetic snapshot, timed per rule on
DuckDB, and — same expressions, same data — inside PostgreSQL and on PySpark local mode when
asked. The snapshot is generated in Arrow here (numpy, seeded); the database read is timed by
the scan itself (RiskRun.timings["snapshot"]) and not here.

    .venv/bin/python benchmarks/supervision_scan.py --tier S                   # DuckDB
    .venv/bin/python benchmarks/supervision_scan.py --tier S --engines duckdb,postgres,pyspark
    .venv/bin/python benchmarks/supervision_scan.py --tier L --json            # lead only

Tiers (enrollments; about 25 check-ins each): XS 2,000; S 20,000; M 200,000; L 2,000,000
(≈ 50 million events). Goal (issue 13): tier L, all rules under 30 s after the snapshot within
6 GB on the 2-core machine; DuckDB ≥ 10× faster than PostgreSQL. PostgreSQL uses the
DATABASE_URL server's maintenance database with temporary tables (`--pg-url`).

Prints the tier, rows per table, seconds to load, seconds per rule and in all, alert rows per
rule, the peak resident memory of this process (VmHWM) and whether the goal was met."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from _machine import machine  # noqa: E402
from jineng.supervision.analytics.schema import SCHEMAS  # noqa: E402
from jineng.supervision.rules.catalog import RULES  # noqa: E402

TIERS = {"XS": 2_000, "S": 20_000, "M": 200_000, "L": 2_000_000}
GOAL_SECONDS = {"L": 30.0}
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
    them twelve hours in a day)."""
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
    del l_cls
    return {"contacts": contacts, "claims": claims, "site_cities": site_cities,
            "insured_cities": insured_cities, "persons": persons, "exclusions": exclusions,
            "online": online}


def peak_rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def connect(engine: str, pg_url: str | None):
    import ibis

    if engine == "duckdb":
        con = ibis.duckdb.connect()
        con.raw_sql("SET threads = 2; SET memory_limit = '6GB'")
        return con
    if engine == "postgres":
        return ibis.connect(pg_url)
    if engine == "pyspark":
        from pyspark.sql import SparkSession

        spark = (SparkSession.builder.master("local[2]").appName("risk-bench")
                 .config("spark.ui.enabled", "false")
                 .config("spark.sql.shuffle.partitions", "4").getOrCreate())
        return ibis.pyspark.connect(spark)
    raise SystemExit(f"unknown engine {engine}")


def bench(engine: str, tables: dict, pg_url: str | None) -> dict:
    from jineng.supervision.analytics.risk import ALERT_COLUMNS, GraphRule, rule_expressions
    from jineng.supervision.services.engine import load_snapshot

    con = connect(engine, pg_url)
    t0 = time.perf_counter()
    loaded = load_snapshot(con, tables)
    load_s = time.perf_counter() - t0
    params = {c: dict(s.parameters) for c, s in RULES.items()}
    per_rule, rows = {}, {}
    t_all = time.perf_counter()
    for code, expr in rule_expressions(loaded, params).items():
        t = time.perf_counter()
        if isinstance(expr, GraphRule):  # R08: edges on the engine, components in networkx
            out = expr.finish(expr.edges.to_pyarrow(), expr.nodes.to_pyarrow())
        else:
            out = expr.select(*ALERT_COLUMNS).to_pyarrow()
        per_rule[code] = round(time.perf_counter() - t, 3)
        rows[code] = out.num_rows
    total = time.perf_counter() - t_all
    return {"engine": engine, "load_seconds": round(load_s, 2), "rules_seconds": round(total, 2),
            "per_rule": per_rule, "alert_rows": rows, "peak_rss_mib": peak_rss_mib()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tier", default="S", choices=TIERS)
    p.add_argument("--engines", default="duckdb")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pg-url", default="")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    url = a.pg_url or os.environ.get("DATABASE_URL", "")
    pg_url = (url.rsplit("/", 1)[0].replace("postgresql://", "postgres://", 1) + "/postgres"
              if url.startswith(("postgres://", "postgresql://")) else None)
    t0 = time.perf_counter()
    tables = generate(TIERS[a.tier], a.seed)
    gen_s = time.perf_counter() - t0
    results = [bench(e.strip(), tables, pg_url) for e in a.engines.split(",") if e.strip()]
    goal = GOAL_SECONDS.get(a.tier)
    report = {"tier": a.tier, "machine": machine(), "generate_seconds": round(gen_s, 2),
              "rows": {k: v.num_rows for k, v in tables.items()}, "results": results,
              "goal_seconds": goal}
    duck = next((r for r in results if r["engine"] == "duckdb"), None)
    if goal is not None and duck is not None:
        report["goal_met"] = duck["rules_seconds"] < goal and duck["peak_rss_mib"] < 6 * 1024
    pg = next((r for r in results if r["engine"] == "postgres"), None)
    if duck and pg and duck["rules_seconds"] > 0:
        report["postgres_over_duckdb"] = round(pg["rules_seconds"] / duck["rules_seconds"], 1)
    if a.json:
        print(json.dumps(report, indent=2, default=str))
        return
    print(f"tier {a.tier}: " + ", ".join(f"{k} {v:,}" for k, v in report["rows"].items()))
    print(f"generated in {gen_s:.2f} s")
    for r in results:
        print(f"{r['engine']}: load {r['load_seconds']:.2f} s, all rules {r['rules_seconds']:.2f}"
              f" s, peak RSS {r['peak_rss_mib']:.0f} MiB")
        for code, s in r["per_rule"].items():
            print(f"  {code:5s} {s:8.3f} s  {r['alert_rows'][code]:>7,} alert rows")
    if "postgres_over_duckdb" in report:
        print(f"PostgreSQL / DuckDB: {report['postgres_over_duckdb']}x")
    if "goal_met" in report:
        print(f"goal (< {goal:.0f} s, < 6 GiB): {'met' if report['goal_met'] else 'NOT met'}")


if __name__ == "__main__":
    main()
