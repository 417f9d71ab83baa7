"""Synthetic snapshot for the outcomes benchmark (issue 11, "Speed"), generated in DuckDB SQL.

Three Parquet files shaped like the outcomes snapshot (notes: exits, records, businesses):

- exits: one per trainee (enrollment_id = person_id), in classes of 30 with an institution,
  city (Henan's 18 prefecture codes), training type, occupation (300), level, start and exit
  months over 2023–2025; completed 92 %, certified 78 % of them, level-up 55 % of those; one
  class in ten is an order class with an employer's credit code; demand-matched = one
  occupation in three or an order class.
- records: person × employer × month, 2021-01 … 2025-12. A trainee worked before the class with
  probability 0.85 (jobs of 8–47 months, then another employer), 30 % of them keep working
  during it, 63 % work after the exit (half from the first month, the others after 1–9
  months), 35 % of those at the same employer, half of an order class's trainees at the order
  employer; 5 % of months are gaps, 5 % have a second employer; wages 2,200–7,200 rising 4 % a
  year, half of those employed after training with a 5–35 % rise. The rest of the tier's rows
  belong to persons who never trained (ids above the trainees'), so the join is selective.
- businesses: 3 % of the trainee count: two thirds trainees (founded around the exit, 15 %
  closed later), one third other persons.

Randomness is `hash(person, month, salt)`, not `random()`: it is the same on every run and
every thread count, so a tier's files are reproducible (the seed is one of the salts).

    .venv/bin/python benchmarks/outcomes_data.py --tier M [--dir /tmp/jineng-bench-outcomes]

The files are reused when a folder with the same parameters is complete (params.json).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

VERSION = 1  # bump when the generator's output changes, so old folders are not reused
TIERS = {  # trainees, records (DESIGN.md tiers; L = issue 11's 2 M trainees × 120 M records)
    "XS": (2_000, 120_000),
    "S": (20_000, 1_200_000),
    "M": (200_000, 12_000_000),
    "L": (2_000_000, 120_000_000),
}
FIRST_MONTH = 2021 * 12  # 2021-01 as a month index (year * 12 + month - 1)
LAST_MONTH = 2025 * 12 + 11  # 2025-12: the data_through of the benchmark
FIRST_EXIT = 2023 * 12  # exits spread over 2023-01 … 2025-12
CITIES = [f"41{n:02d}" for n in range(1, 18)] + ["4190"]
TYPES = ["employment", "upskilling", "entrepreneurship", "apprentice"]
LEVELS = ["5", "4", "3", "2", "1"]


@dataclass(frozen=True)
class Params:
    tier: str
    trainees: int
    records: int
    seed: int
    version: int = VERSION

    @property
    def employers(self) -> int:
        return max(self.trainees // 4, 100)

    @property
    def folder(self) -> str:
        return f"{self.tier}-{self.trainees}-{self.records}-s{self.seed}-v{self.version}"


def _macros(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    # Uniform [0, 1) from a hash of the arguments and the seed.
    con.execute(f"CREATE OR REPLACE MACRO u(a, b) AS "
                f"(hash(a, b, {seed}) % 1000000)::DOUBLE / 1000000")
    con.execute(f"CREATE OR REPLACE MACRO u3(a, b, c) AS "
                f"(hash(a, b, c, {seed}) % 1000000)::DOUBLE / 1000000")
    con.execute("CREATE OR REPLACE MACRO employer(n) AS "
                "'91410' || lpad(n::VARCHAR, 13, '0')")


def _lit(values: list[str]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def _exits_sql(p: Params) -> str:
    institutions = max(p.trainees // 600, 5)
    return f"""
    WITH people AS (
        SELECT range + 1 AS person_id, range // 30 + 1 AS class_id FROM range({p.trainees})
    ), classes AS (
        SELECT DISTINCT class_id,
          (1 + hash(class_id, 1, {p.seed}) % {institutions})::BIGINT AS institution_id,
          {_lit(CITIES)}[1 + (hash(class_id, 2, {p.seed}) % {len(CITIES)})::BIGINT] AS city_code,
          {_lit(TYPES)}[1 + (hash(class_id, 3, {p.seed}) % {len(TYPES)})::BIGINT] AS training_type,
          (hash(class_id, 4, {p.seed}) % 300)::INTEGER AS occ,
          {_lit(LEVELS)}[1 + least(hash(class_id, 9, {p.seed}) % 10, 4)::BIGINT] AS level_code,
          ({FIRST_EXIT} + hash(class_id, 5, {p.seed}) % 36)::INTEGER AS exit_month,
          (1 + hash(class_id, 6, {p.seed}) % 3)::INTEGER AS months,
          CASE WHEN hash(class_id, 7, {p.seed}) % 10 = 0
               THEN employer(hash(class_id, 8, {p.seed}) % {p.employers}) END
            AS order_employer_code
        FROM people
    )
    SELECT person_id AS enrollment_id, person_id, class_id, institution_id, city_code,
      training_type,
      printf('%d-%02d-%02d-%02d', 2 + occ % 5, 1 + (occ // 5) % 12, 1 + occ // 60, 1)
        AS occupation_code,
      level_code, (exit_month - months)::INTEGER AS start_month, exit_month,
      u(person_id, 11) < 0.92 AS completed,
      u(person_id, 11) < 0.92 AND u(person_id, 12) < 0.78 AS certified,
      u(person_id, 11) < 0.92 AND u(person_id, 12) < 0.78 AND u(person_id, 13) < 0.55
        AS level_up,
      occ % 3 = 0 OR order_employer_code IS NOT NULL AS demand_matched,
      order_employer_code
    FROM people JOIN classes USING (class_id)
    ORDER BY enrollment_id
    """


def _trainee_records_sql(p: Params, exits: str) -> str:
    # One candidate row per trainee × month; kept when the person works that month.
    return f"""
    WITH person AS (
        SELECT person_id, start_month AS s, exit_month AS e, order_employer_code,
          u(person_id, 21) < 0.85 AS pre,
          u(person_id, 22) < 0.63 AS post,
          CASE WHEN u(person_id, 23) < 0.5 THEN 1
               ELSE 1 + floor(u(person_id, 24) * 9)::INTEGER END AS lag,
          u(person_id, 25) < 0.35 AS retained,
          order_employer_code IS NOT NULL AND u(person_id, 26) < 0.5 AS to_order,
          8 + floor(u(person_id, 27) * 40)::INTEGER AS tenure,
          (hash(person_id, 28) % 60)::INTEGER AS off,
          2200 + floor(u(person_id, 29) * 5000) AS wage0,
          CASE WHEN u(person_id, 30) < 0.5 THEN 0.05 + u(person_id, 31) * 0.3 ELSE 0 END
            AS bump,
          u(person_id, 32) < 0.3 AS in_training
        FROM read_parquet('{exits}')
    ), month AS (
        SELECT person.*, range::INTEGER AS m, u3(person_id, range, 33) AS r
        FROM person CROSS JOIN range({FIRST_MONTH}, {LAST_MONTH + 1})
    ), worked AS (
        SELECT *,
          CASE WHEN m > e AND to_order AND m < e + lag + 18 THEN NULL
               WHEN m > e AND NOT retained
                 THEN hash(person_id, 1000 + (m - e - lag + off) // tenure, {p.seed})
               ELSE hash(person_id, (m + off) // tenure, {p.seed}) END % {p.employers}
            AS employer_n,
          wage0 * (1 + 0.04 * (m - {FIRST_MONTH}) / 12.0)
            * CASE WHEN m > e THEN 1 + bump ELSE 1 END AS wage
        FROM month
        WHERE r >= 0.05 AND CASE WHEN m < s THEN pre
                                 WHEN m <= e THEN pre AND in_training
                                 ELSE post AND m >= e + lag END
    )
    SELECT person_id,
      CASE WHEN employer_n IS NULL THEN order_employer_code ELSE employer(employer_n) END
        AS employer_code,
      m AS month, round(wage * (0.95 + r * 0.1)) AS wage_base
    FROM worked
    UNION ALL
    SELECT person_id, employer(hash(person_id, m, 36) % {p.employers}), m,
      round(wage * 0.4)
    FROM worked WHERE r >= 0.95
    """


def _other_records_sql(p: Params, rows: int) -> str:
    # Persons who never trained: 48 months each, one employer per two years.
    return f"""
    WITH r AS (
        SELECT {p.trainees + 1} + range // 48 AS person_id, range % 48 AS k FROM range({rows})
    )
    SELECT person_id,
      employer(hash(person_id, (k + hash(person_id, 50) % 12) // 24, {p.seed}) % {p.employers})
        AS employer_code,
      ({FIRST_MONTH} + k + hash(person_id, 51) % 12)::INTEGER AS month,
      round(2000 + u(person_id, 52) * 6000 + k * 10) AS wage_base
    FROM r
    """


def _businesses_sql(p: Params, exits: str) -> str:
    others = max(p.trainees * 3 // 100 // 3, 1)
    return f"""
    SELECT person_id,
      (exit_month - 6 + floor(u(person_id, 41) * 24))::INTEGER AS founded_month,
      CASE WHEN u(person_id, 42) < 0.15
           THEN (exit_month - 6 + floor(u(person_id, 41) * 24) + 3
                 + floor(u(person_id, 43) * 12))::INTEGER END AS closed_month
    FROM read_parquet('{exits}') WHERE u(person_id, 40) < 0.02
    UNION ALL
    SELECT {p.trainees + 1} + range * 7 AS person_id,
      ({FIRST_MONTH} + hash(range, 44) % 60)::INTEGER, NULL::INTEGER
    FROM range({others})
    """


def generate(p: Params, root: Path, *, threads: int = 2, log=print) -> tuple[Path, dict]:
    """Write (or reuse) the tier's files; answer the folder and what it holds."""
    folder = root / p.folder
    marker = folder / "params.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        info["reused"] = True
        return folder, info
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "records").mkdir(parents=True)
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute("SET memory_limit = '8GB'")
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"SET temp_directory = '{folder / 'tmp'}'")
    _macros(con, p.seed)
    exits = folder / "exits.parquet"
    t0 = time.perf_counter()
    con.execute(f"COPY ({_exits_sql(p)}) TO '{exits}' (FORMAT parquet)")
    t_exits = time.perf_counter() - t0
    log(f"  exits: {p.trainees:,} rows in {t_exits:.1f} s")
    t0 = time.perf_counter()
    trainee_file = folder / "records" / "trainees.parquet"
    con.execute(f"COPY ({_trainee_records_sql(p, str(exits))}) TO '{trainee_file}' "
                "(FORMAT parquet)")
    trainee_rows = con.execute(f"SELECT count(*) FROM read_parquet('{trainee_file}')").fetchone()[0]
    other_rows = max(p.records - trainee_rows, 0)
    con.execute(f"COPY ({_other_records_sql(p, other_rows)}) TO "
                f"'{folder / 'records' / 'others.parquet'}' (FORMAT parquet)")
    t_records = time.perf_counter() - t0
    log(f"  records: {trainee_rows + other_rows:,} rows ({trainee_rows:,} of trainees) "
        f"in {t_records:.1f} s")
    t0 = time.perf_counter()
    con.execute(f"COPY ({_businesses_sql(p, str(exits))}) TO "
                f"'{folder / 'businesses.parquet'}' (FORMAT parquet)")
    businesses = con.execute(
        f"SELECT count(*) FROM read_parquet('{folder / 'businesses.parquet'}')").fetchone()[0]
    t_business = time.perf_counter() - t0
    con.close()
    shutil.rmtree(folder / "tmp", ignore_errors=True)
    info = {**asdict(p), "exits": p.trainees, "records": trainee_rows + other_rows,
            "trainee_records": trainee_rows, "businesses": businesses,
            "seconds": {"exits": round(t_exits, 1), "records": round(t_records, 1),
                        "businesses": round(t_business, 1)},
            "bytes": sum(f.stat().st_size for f in folder.rglob("*.parquet"))}
    marker.write_text(json.dumps(info, indent=1))
    info["reused"] = False
    return folder, info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tier", choices=TIERS, default="L")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/jineng-bench-outcomes"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    trainees, records = TIERS[args.tier]
    folder, info = generate(Params(args.tier, trainees, records, args.seed), args.dir)
    print(folder)
    print(json.dumps(info, indent=1))


if __name__ == "__main__":
    main()
