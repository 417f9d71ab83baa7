"""Outcome measures and Henan's indicators over a synthetic snapshot, on DuckDB and inside
PostgreSQL, with the same Ibis expressions (issue 11, "Speed": tier L — 2 million trainees
against 120 million monthly records — under 60 s on this machine within 8 GB, the snapshot
excluded and reported separately; the same computation on PostgreSQL, timed in the same run).

    .venv/bin/python benchmarks/outcomes_compute.py --tier L                  # DuckDB L, PG M
    .venv/bin/python benchmarks/outcomes_compute.py --tier M --engines duckdb,postgres
    .venv/bin/python benchmarks/outcomes_compute.py --tier XS --engines duckdb --json

Steps, each timed on its own:
1. generate: benchmarks/outcomes_data.py writes the tier's Parquet files (exits, records,
   businesses) in DuckDB SQL, in a child process (its memory is not this process's); a folder
   with the same parameters is reused.
2. load (the snapshot): DuckDB — a fresh database file in the folder, `CREATE TABLE … AS
   SELECT * FROM read_parquet(…)`, with `memory_limit` (8 GB) and `threads` (2) set;
   PostgreSQL — the scratch database `jineng_bench_outcomes` is dropped and created, tables
   filled by COPY (the Parquet streamed as CSV), then ANALYZE (timed apart).
3. measures: `jineng.outcomes.analytics.measures.outcome_measures(exits, records, businesses,
   data_through=2025-12)` materialized as a table (`create_table(obj=expr)`: the whole
   expression runs in the engine, nothing comes back to Python).
4. indicators: `jineng.outcomes.analytics.indicators.indicator_values(measures, weights=…)`
   over that table, materialized the same way.

Peak memory: this process's peak resident set (VmHWM, reset before each engine's compute,
so the load does not count; DuckDB runs inside this process), and for PostgreSQL the peak of
the server backend that ran the queries (its parallel workers are separate processes and not
counted). PostgreSQL runs at tier M by default whatever `--tier` is (`--pg-tier`): on this
machine tier L (120 M rows, ~10 GB of table and more of sort files) would take hours. When the
two tiers differ, DuckDB also runs at the PostgreSQL tier, so the two columns compare.

`--impl FILE.py` times another formulation (a file defining outcome_measures and
indicator_values) instead of the project's, to compare one against the other.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import ibis
import psycopg
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from _machine import machine  # noqa: E402
from outcomes_data import LAST_MONTH, TIERS, Params  # noqa: E402

GOAL_SECONDS = 60.0
GOAL_BYTES = 8 * 1024**3
TIER_ORDER = list(TIERS)
# Henan's five indicators weighed equally (the settings' weights are a run parameter).
WEIGHTS = {"demand_match": 0.2, "pass_rate": 0.2, "level_up": 0.2, "employment": 0.2,
           "wage_growth": 0.2}
PG_TYPES = {
    "exits": """enrollment_id bigint, person_id bigint, class_id bigint, institution_id bigint,
        city_code text, training_type text, occupation_code text, level_code text,
        start_month integer, exit_month integer, completed boolean, certified boolean,
        level_up boolean, demand_matched boolean, order_employer_code text""",
    "records": "person_id bigint, employer_code text, month integer, wage_base double precision",
    "businesses": "person_id bigint, founded_month integer, closed_month integer",
}


def _functions(impl: str | None):
    if impl:
        spec = importlib.util.spec_from_file_location("outcomes_impl", impl)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.outcome_measures, module.indicator_values, impl
    measures = importlib.import_module("jineng.outcomes.analytics.measures")
    indicators = importlib.import_module("jineng.outcomes.analytics.indicators")
    return (measures.outcome_measures, indicators.indicator_values,
            "jineng.outcomes.analytics")


def _hwm(pid: str | int = "self") -> int:
    """Peak resident set of a process in bytes (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_hwm() -> None:
    # Linux: writing 5 to clear_refs resets the peak resident set of this process.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _files(folder: Path) -> dict[str, str]:
    return {"exits": str(folder / "exits.parquet"),
            "records": str(folder / "records" / "*.parquet"),
            "businesses": str(folder / "businesses.parquet")}


def _generate(tier: str, root: Path, seed: int, log) -> tuple[Path, dict]:
    trainees, records = TIERS[tier]
    folder = root / Params(tier, trainees, records, seed).folder
    if not (folder / "params.json").exists():
        log(f"generating tier {tier} in {folder} …")
        subprocess.run([sys.executable, str(HERE / "outcomes_data.py"), "--tier", tier,
                        "--dir", str(root), "--seed", str(seed)], check=True,
                       stdout=sys.stderr if log is not print else None)
        reused = False
    else:
        reused = True
    info = json.loads((folder / "params.json").read_text())
    info["reused"] = reused
    return folder, info


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) of another process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _compute(con, functions, data_through: int, cpu=time.process_time) -> dict:
    """Both steps, wall-clock and CPU seconds (on a shared machine the CPU time is the figure
    other work does not lengthen)."""
    outcome_measures, indicator_values, _ = functions
    out: dict = {}
    t0, c0 = time.perf_counter(), cpu()
    expr = outcome_measures(con.table("exits"), con.table("records"), con.table("businesses"),
                            data_through=data_through)
    con.create_table("measures", obj=expr)
    out["measures_s"], out["measures_cpu"] = time.perf_counter() - t0, cpu() - c0
    t0, c0 = time.perf_counter(), cpu()
    expr = indicator_values(con.table("measures"), weights=WEIGHTS)
    con.create_table("indicators", obj=expr)
    out["indicators_s"], out["indicators_cpu"] = time.perf_counter() - t0, cpu() - c0
    out["compute_s"] = out["measures_s"] + out["indicators_s"]
    out["measure_rows"] = int(con.table("measures").count().execute())
    out["indicator_rows"] = int(con.table("indicators").count().execute())
    m = con.table("measures")
    out["fingerprint"] = _fingerprint(con)
    # A sanity figure to compare engines: employed in 6 months, over those known.
    rate = m.aggregate(yes=m.employed_6m.sum(), known=m.employed_6m.count()).execute()
    known = int(rate["known"][0])
    out["employed_6m_rate"] = round(int(rate["yes"][0]) / known, 4) if known else None
    out["employed_6m_known"] = round(known / out["measure_rows"], 4) if known else 0.0
    return out


def _fingerprint(con) -> list:
    """What each engine computed, summed up, so two engines' results can be compared: per
    measure the TRUE and known counts, the wage sums; the indicator rows and their values."""
    m = con.table("measures")
    aggs = {}
    for col in ("employed_q2", "employed_q4", "employed_3m", "employed_6m", "employed_12m",
                "self_employed_12m", "stable_employment", "same_employer", "order_employer"):
        aggs[f"{col}_true"] = m[col].sum()
        aggs[f"{col}_known"] = m[col].count()
    for col in ("wage_before", "wage_after", "wage_growth"):
        aggs[f"{col}_sum"] = m[col].sum()
    row = m.aggregate(**aggs).execute().iloc[0]
    i = con.table("indicators")
    ind = i.group_by("indicator").aggregate(n=i.count(), known=i.value.count(),
                                            total=i.value.sum()).execute()
    # Floating sums to 9 significant digits: the engines add in different orders.
    values = [int(v) if "true" in k or "known" in k else f"{float(v or 0):.9g}"
              for k, v in row.items()]
    values += [(r.indicator, int(r.n), int(r.known), f"{float(r.total or 0):.9g}")
               for r in ind.sort_values("indicator").itertuples()]
    return values


def run_duckdb(folder: Path, functions, args) -> dict:
    db = folder / "snapshot.duckdb"
    for stale in (db, Path(f"{db}.wal")):
        stale.unlink(missing_ok=True)
    con = ibis.duckdb.connect(database=str(db), threads=args.threads,
                              memory_limit=args.memory_limit,
                              temp_directory=str(folder / "duckdb_tmp"))
    out: dict = {"engine": "duckdb", "settings": f"threads={args.threads}, "
                 f"memory_limit={args.memory_limit}"}
    _reset_hwm()
    t0 = time.perf_counter()
    for name, path in _files(folder).items():
        con.raw_sql(f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{path}')")
    con.raw_sql("CHECKPOINT")
    out["load_s"] = time.perf_counter() - t0
    out["load_peak_rss"] = _hwm()
    _reset_hwm()
    out.update(_compute(con, functions, args.data_through))
    out["peak_rss"] = _hwm()
    out["db_bytes"] = db.stat().st_size
    con.disconnect()
    db.unlink(missing_ok=True)
    return out


def _pg_url(database: str | None = None) -> str:
    base = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
    return f"{base}/{database}" if database else f"{base}/postgres"


def run_postgres(folder: Path, functions, args) -> dict:
    name = args.pg_database
    with psycopg.connect(_pg_url(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    out: dict = {"engine": "postgres", "settings": f"work_mem={args.pg_work_mem}"}
    t0 = time.perf_counter()
    with psycopg.connect(_pg_url(name), autocommit=True) as pg:
        out["server"] = pg.execute("SHOW server_version").fetchone()[0]
        for table, columns in PG_TYPES.items():
            pg.execute(f"CREATE TABLE {table} ({columns})")
            paths = (sorted((folder / "records").glob("*.parquet")) if table == "records"
                     else [folder / f"{table}.parquet"])
            with pg.cursor().copy(f"COPY {table} FROM STDIN (FORMAT csv)") as copy:
                for path in paths:
                    for batch in pq.ParquetFile(path).iter_batches(batch_size=200_000):
                        buf = io.BytesIO()
                        pacsv.write_csv(batch, buf, pacsv.WriteOptions(include_header=False))
                        copy.write(buf.getvalue())
        out["load_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        pg.execute("ANALYZE")
        out["analyze_s"] = time.perf_counter() - t0
        out["db_bytes"] = pg.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    con = ibis.connect(_pg_url(name).replace("postgresql://", "postgres://"))
    con.raw_sql(f"SET work_mem = '{args.pg_work_mem}'")
    backend = con.raw_sql("SELECT pg_backend_pid()").fetchone()[0]
    _reset_hwm()
    try:
        _cpu_of(backend)
        cpu = lambda: _cpu_of(backend)  # noqa: E731
        out["cpu_of"] = "PG backend"
    except OSError:  # a server on another machine
        cpu = time.process_time
    out.update(_compute(con, functions, args.data_through, cpu))
    out["peak_rss"] = _hwm()
    try:
        out["server_peak_rss"] = _hwm(backend)
    except OSError:
        out["server_peak_rss"] = None
    con.disconnect()
    return out


def _gib(n: int | None) -> str:
    return "—" if n is None else f"{n / 1024**3:.2f} GiB"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tier", choices=TIERS, default="L")
    parser.add_argument("--engines", default="duckdb,postgres")
    parser.add_argument("--pg-tier", choices=TIERS, default=None,
                        help="tier for PostgreSQL (default: the tier, at most M)")
    parser.add_argument("--pg-database", default="jineng_bench_outcomes")
    parser.add_argument("--pg-work-mem", default="256MB")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/jineng-bench-outcomes"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="8GB")
    parser.add_argument("--data-through", type=int, default=LAST_MONTH)
    parser.add_argument("--impl", default=None, help="a .py file with both functions")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    pg_tier = args.pg_tier or TIER_ORDER[min(TIER_ORDER.index(args.tier),
                                             TIER_ORDER.index("M"))]
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    functions = _functions(args.impl)
    started = datetime.now(UTC)
    load_before = os.getloadavg()[0]
    runs: list[tuple[str, str]] = []
    if "duckdb" in engines:
        runs.append(("duckdb", args.tier))
        if "postgres" in engines and pg_tier != args.tier:
            runs.append(("duckdb", pg_tier))
    if "postgres" in engines:
        runs.append(("postgres", pg_tier))
    data: dict[str, tuple[Path, dict]] = {}
    results = []
    for engine, tier in runs:
        if tier not in data:
            data[tier] = _generate(tier, args.dir, args.seed, log)
        folder = data[tier][0]
        log(f"{engine} at tier {tier} …")
        try:
            result = (run_duckdb if engine == "duckdb" else run_postgres)(folder, functions,
                                                                          args)
        except Exception as exc:  # an engine that fails is reported, the others still run
            log(f"  failed: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            result = {"engine": engine, "error": f"{type(exc).__name__}: {exc}"}
        result["tier"] = tier
        results.append(result)
    report = {"machine": machine(), "date": started.strftime("%Y-%m-%d %H:%M UTC"),
              "versions": {"duckdb": duckdb.__version__, "ibis": ibis.__version__},
              "impl": functions[2], "load_avg": [round(load_before, 2),
                                                 round(os.getloadavg()[0], 2)],
              "data": {tier: info for tier, (_, info) in data.items()}, "runs": results}
    # The same tier on two engines must give the same results.
    for tier in {r["tier"] for r in results}:
        prints = [json.dumps(r["fingerprint"]) for r in results
                  if r["tier"] == tier and "fingerprint" in r]
        if len(prints) > 1:
            report.setdefault("engines_agree", {})[tier] = len(set(prints)) == 1
    main_run = next((r for r in results if r["engine"] == "duckdb" and r["tier"] == "L"), None)
    report["goal"] = None if main_run is None else (
        "error" not in main_run and main_run["compute_s"] < GOAL_SECONDS
        and main_run["peak_rss"] < GOAL_BYTES)
    _print(report, log)
    if args.json:
        print(json.dumps(report, default=str))
    return report


def _print(report: dict, log) -> None:
    mac = report["machine"]
    log(f"machine: {mac['nproc']} cores, {mac['cpu']}, {mac['ram_gib']} GiB RAM; "
        f"python {mac['python']}, duckdb {report['versions']['duckdb']}, "
        f"ibis {report['versions']['ibis']}")
    log(f"date: {report['date']}; load average {report['load_avg'][0]} before, "
        f"{report['load_avg'][1]} after; functions: {report['impl']}")
    for tier, info in report["data"].items():
        how = "reused" if info["reused"] else "generated"
        secs = sum(info["seconds"].values())
        log(f"tier {tier}: exits {info['exits']:,}, records {info['records']:,} "
            f"({info['trainee_records']:,} of trainees), businesses {info['businesses']:,}; "
            f"Parquet {info['bytes'] / 1024**2:,.0f} MiB, {how} (generator {secs:.1f} s)")
    runs = report["runs"]
    head = [f"{r['engine']} {r['tier']}" for r in runs]
    def cells(fmt) -> list[str]:
        return ["failed" if "error" in r else fmt(r) for r in runs]

    rows = [
        ("load snapshot (s)", cells(lambda r: f"{r['load_s']:.1f}")),
        ("  ANALYZE (s)", cells(lambda r: f"{r['analyze_s']:.1f}" if "analyze_s" in r
                                else "—")),
        ("measures (s)", cells(lambda r: f"{r['measures_s']:.1f}")),
        ("indicators (s)", cells(lambda r: f"{r['indicators_s']:.1f}")),
        ("measures + indicators (s)", cells(lambda r: f"{r['compute_s']:.1f}")),
        ("  CPU s: measures, indicators", cells(
            lambda r: f"{r['measures_cpu']:.1f}, {r['indicators_cpu']:.1f}"
                      + (" (backend)" if r.get("cpu_of") else ""))),
        ("measure rows", cells(lambda r: f"{r['measure_rows']:,}")),
        ("indicator rows", cells(lambda r: f"{r['indicator_rows']:,}")),
        ("employed 6m rate / known", cells(lambda r: f"{r['employed_6m_rate'] or 0:.3f} / "
                                                     f"{r['employed_6m_known']:.3f}")),
        ("peak RSS, this process", cells(lambda r: _gib(r["peak_rss"]))),
        ("peak RSS, PG backend", cells(lambda r: _gib(r.get("server_peak_rss")))),
        ("database size", cells(lambda r: _gib(r["db_bytes"]))),
        ("settings", cells(lambda r: r["settings"])),
    ]
    width = max(18, *(len(c) for _, row in rows for c in row)) + 2
    log(f"{'':28}" + "".join(f"{h:>{width}}" for h in head))
    for label, row in rows:
        log(f"{label:28}" + "".join(f"{c:>{width}}" for c in row))
    for r in runs:
        if "error" in r:
            log(f"{r['engine']} {r['tier']} failed: {r['error'].splitlines()[0]}")
    for tier, same in report.get("engines_agree", {}).items():
        log(f"tier {tier}: DuckDB and PostgreSQL results "
            f"{'agree' if same else 'DIFFER'} (measure counts, wage sums, indicator values)")
    if report["goal"] is None:
        log("goal (tier L on DuckDB under 60 s within 8 GB): not run at tier L")
    else:
        log(f"goal (tier L on DuckDB under 60 s within 8 GB): "
            f"{'met' if report['goal'] else 'NOT met'}")


if __name__ == "__main__":
    main()
