"""The outcomes benchmark (benchmarks/outcomes_compute.py) at tier XS, so it cannot rot: the
generator writes its Parquet files, the project's outcome_measures and indicator_values run on
DuckDB (and inside PostgreSQL when the tests run there, whose results must equal DuckDB's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, engines: str, env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "outcomes_compute.py"), "--tier", "XS",
         "--engines", engines, "--dir", str(tmp_path), "--pg-database",
         "jineng_bench_outcomes_smoke", "--json"],
        capture_output=True, text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_tier_xs_runs_end_to_end(tmp_path):
    env = dict(os.environ)
    url = env.get("DATABASE_URL", "")
    on_postgres = url.startswith(("postgres://", "postgresql://"))
    if on_postgres:
        # The benchmark's scratch database lives on the tests' server.
        env["BENCH_PG_URL"] = "postgresql://" + url.split("://", 1)[1].rsplit("/", 1)[0]
    report = _run(tmp_path, "duckdb,postgres" if on_postgres else "duckdb", env)

    data = report["data"]["XS"]
    assert (data["exits"], data["records"]) == (2_000, 120_000)
    assert not data["reused"]
    assert 0 < data["trainee_records"] < data["records"]  # the join is selective
    assert data["businesses"] > 0
    for run in report["runs"]:
        assert "error" not in run, run.get("error")
        assert run["measure_rows"] == 2_000
        assert run["indicator_rows"] > 0
        assert run["peak_rss"] > 0
        # The generator's trainees work after training at roughly the 60 %.
        assert 0.4 < run["employed_6m_rate"] < 0.75
    assert report["goal"] is None  # the goal is stated for tier L only
    if on_postgres:
        assert [r["engine"] for r in report["runs"]] == ["duckdb", "postgres"]
        assert report["engines_agree"] == {"XS": True}

    # A second run reuses the files written by the first.
    again = _run(tmp_path, "duckdb", env)
    assert again["data"]["XS"]["reused"]
    assert again["runs"][0]["fingerprint"] == report["runs"][0]["fingerprint"]
