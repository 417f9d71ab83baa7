"""Each outcome measure's definition (MEASURES.md, docs/outcomes.md) on small hand-built
histories, run by the same Ibis expression on DuckDB and — when DATABASE_URL is PostgreSQL — on
PostgreSQL through `ibis.postgres` (temporary tables), with the same answers."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import ibis
import pyarrow as pa
import pytest

from jineng.outcomes.analytics.measures import MEASURE_COLUMNS, outcome_measures
from jineng.outcomes.services.snapshot import load_arrow


def M(year: int, month: int) -> int:  # the month index of MEASURES.md
    return year * 12 + month - 1


S, E = M(2025, 1), M(2025, 3)  # class start and end (exit) unless a case says otherwise
FAR = M(2027, 12)  # data_through long after every window

EXIT_SCHEMA = pa.schema([
    ("enrollment_id", pa.int64()), ("person_id", pa.int64()), ("class_id", pa.int64()),
    ("institution_id", pa.int64()), ("city_code", pa.string()),
    ("training_type", pa.string()), ("occupation_code", pa.string()),
    ("level_code", pa.string()), ("start_month", pa.int32()), ("exit_month", pa.int32()),
    ("completed", pa.bool_()), ("certified", pa.bool_()), ("level_up", pa.bool_()),
    ("demand_matched", pa.bool_()), ("order_employer_code", pa.string()),
])
RECORD_SCHEMA = pa.schema([("person_id", pa.int64()), ("employer_code", pa.string()),
                           ("month", pa.int32()), ("wage_base", pa.float64())])
BUSINESS_SCHEMA = pa.schema([("person_id", pa.int64()), ("founded_month", pa.int32()),
                             ("closed_month", pa.int32())])


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    # The server of the tests, its maintenance database: the expressions use temporary tables
    # only, and the database DATABASE_URL names need not exist (the tests' own is test_<name>).
    return url.rsplit("/", 1)[0] + "/postgres"


BACKENDS = ["duckdb", pytest.param("postgres", marks=pytest.mark.skipif(
    postgres_url() is None, reason="DATABASE_URL is not PostgreSQL"))]


@pytest.fixture(params=BACKENDS)
def con(request) -> Iterator:
    """An Ibis connection of each backend; on PostgreSQL the tables are temporary."""
    if request.param == "duckdb":
        c = ibis.duckdb.connect()
    else:
        c = ibis.connect(postgres_url().replace("postgresql://", "postgres://", 1))
    yield c
    c.disconnect()


@dataclass
class Case:
    name: str
    expected: dict
    records: list[tuple[str, int, float]] = field(default_factory=list)  # employer, month, wage
    businesses: list[tuple[int, int | None]] = field(default_factory=list)  # founded, closed
    start: int = S
    exit: int = E
    order_code: str | None = None
    data_through: int = FAR


NOTHING = {"employed_q2": False, "employed_q4": False, "employed_3m": False,
           "employed_6m": False, "employed_12m": False, "self_employed_12m": False,
           "stable_employment": False, "wage_before": None, "wage_after": None,
           "wage_growth": None, "same_employer": None, "order_employer": None}

CASES = [
    Case("never worked: every window known and false, no wages", dict(NOTHING)),
    # Exit in March (Q1): the 2nd quarter after is Q3 = Jul–Sep, which holds August.
    Case("employed in month 5 after a March exit", {
        **NOTHING, "employed_3m": False, "employed_6m": True, "employed_12m": True,
        "employed_q2": True, "employed_q4": False, "wage_after": 3000.0},
        records=[("A", E + 5, 3000.0)]),
    # Exit in April (Q2): the 2nd quarter after is Q4 = Oct–Dec; month 5 is September.
    Case("employed in month 5 after an April exit", {
        **NOTHING, "employed_3m": False, "employed_6m": True, "employed_12m": True,
        "employed_q2": False, "employed_q4": False, "wage_after": 3000.0},
        start=M(2025, 2), exit=M(2025, 4), records=[("A", M(2025, 9), 3000.0)]),
    Case("employed in the 4th quarter after exit (Q1 2026) only", {
        **NOTHING, "employed_q4": True, "employed_12m": True, "wage_after": 2000.0},
        records=[("A", M(2026, 2), 2000.0)]),
    Case("a gap: 3 months, a month without, 5 months — not stable", {
        **NOTHING, "employed_3m": True, "employed_6m": True, "employed_12m": True,
        "employed_q2": True, "stable_employment": False, "wage_after": 1000.0},
        records=[("A", E + k, 1000.0) for k in (1, 2, 3, 5, 6, 7, 8, 9)]),
    Case("a gap: 2 months, a month without, 6 months — stable", {
        **NOTHING, "employed_3m": True, "employed_6m": True, "employed_12m": True,
        "employed_q2": True, "stable_employment": True, "wage_after": 1000.0},
        records=[("A", E + k, 1000.0) for k in (1, 2, 4, 5, 6, 7, 8, 9)]),
    Case("six continuous months across two employers — stable", {
        **NOTHING, "employed_3m": True, "employed_6m": True, "employed_12m": True,
        "employed_q2": True, "stable_employment": True, "wage_after": 1000.0},
        records=[("A", E + k, 1000.0) for k in (1, 2, 3)]
        + [("B", E + k, 1000.0) for k in (4, 5, 6)]),
    Case("six continuous months from month 6 (e+6..e+11) — stable", {
        **NOTHING, "employed_6m": True, "employed_12m": True, "employed_q2": True,
        "employed_q4": True, "stable_employment": True, "wage_after": 1000.0},
        records=[("A", E + k, 1000.0) for k in range(6, 12)]),
    Case("six continuous months from month 7 (e+7..e+12) — starts too late, not stable", {
        **NOTHING, "employed_12m": True, "employed_q4": True,
        "stable_employment": False, "wage_after": 1000.0},
        records=[("A", E + k, 1000.0) for k in range(7, 13)]),
    Case("six continuous months ending after month 12 — not stable", {
        **NOTHING, "employed_12m": True, "employed_q4": True, "stable_employment": False,
        "wage_after": 1000.0},
        records=[("A", E + k, 1000.0) for k in range(8, 14)]),
    Case("self-employed: business founded in month 4 after exit", {
        **NOTHING, "employed_3m": False, "employed_6m": True, "employed_12m": True,
        "self_employed_12m": True},
        businesses=[(E + 4, None)]),
    Case("self-employed: business founded during the class, still open", {
        **NOTHING, "employed_3m": True, "employed_6m": True, "employed_12m": True,
        "self_employed_12m": True},
        businesses=[(S + 1, None)]),
    Case("business founded before the class started does not count", dict(NOTHING),
         businesses=[(S - 3, None)]),
    Case("business closed before the month after exit does not count", dict(NOTHING),
         businesses=[(S, E)]),
    Case("business closed in month 2 after exit still counts (open when the windows start)", {
        **NOTHING, "employed_3m": True, "employed_6m": True, "employed_12m": True,
        "self_employed_12m": True},
        businesses=[(S, E + 2)]),
    # Two employers in one month: the month's wage is the sum; the earlier employer pays again.
    Case("two employers: wages summed per month, same employer retained", {
        **NOTHING, "employed_3m": True, "employed_6m": True, "employed_12m": True,
        "wage_before": 4000.0, "wage_after": 4000.0, "wage_growth": 0.0,
        "same_employer": True},
        records=[("A", S - 1, 3000.0), ("B", S - 1, 1000.0), ("A", E + 2, 3000.0),
                 ("A", E + 3, 3000.0), ("B", E + 3, 2000.0)]),
    Case("another employer after training: not retained; wage growth 25 %", {
        **NOTHING, "employed_3m": True, "employed_6m": True, "employed_12m": True,
        "wage_before": 2000.0, "wage_after": 2500.0, "wage_growth": 0.25,
        "same_employer": False},
        records=[("C", S - 1, 2000.0), ("D", E + 1, 2500.0)]),
    # Medians over the months with a record in s-12..s-1 and e+1..e+12 only.
    Case("medians over the four quarters before and after", {
        **NOTHING, "employed_3m": True, "employed_6m": True, "employed_12m": True,
        "employed_q4": True, "wage_before": 2000.0, "wage_after": 2500.0,
        "wage_growth": 0.25, "same_employer": False},
        records=[("E", S - 13, 9000.0), ("E", S - 12, 2000.0), ("E", S - 6, 2000.0),
                 ("G", S - 1, 3000.0), ("F", E + 1, 2000.0), ("F", E + 12, 3000.0),
                 ("F", E + 13, 9000.0)]),
    Case("order class: its employer pays in month 6", {
        **NOTHING, "employed_6m": True, "employed_12m": True, "employed_q2": True,
        "order_employer": True, "wage_after": 3000.0},
        order_code="X", records=[("X", E + 6, 3000.0)]),
    Case("order class: its employer first pays in month 7", {
        **NOTHING, "employed_12m": True, "employed_q4": False, "order_employer": False,
        "employed_q2": False, "wage_after": 3000.0},
        order_code="X", records=[("X", E + 7, 3000.0)]),
    Case("order class: another employer pays", {
        **NOTHING, "employed_3m": True, "employed_6m": True, "employed_12m": True,
        "order_employer": False, "wage_after": 3000.0},
        order_code="X", records=[("Y", E + 1, 3000.0)]),
    # Records complete through month 4 after exit: later windows are not yet known.
    Case("windows beyond data_through are NULL", {
        **NOTHING, "employed_3m": False, "employed_6m": None, "employed_12m": None,
        "employed_q2": None, "employed_q4": None, "self_employed_12m": None,
        "stable_employment": None, "order_employer": None},
        order_code="X", data_through=E + 4),
    Case("employment already seen is TRUE before the window ends", {
        **NOTHING, "employed_3m": True, "employed_6m": True, "employed_12m": True,
        "employed_q2": None, "employed_q4": None, "self_employed_12m": None,
        "stable_employment": None, "wage_after": None, "same_employer": True,
        "wage_before": 2000.0, "order_employer": True},
        order_code="X", records=[("X", S - 1, 2000.0), ("X", E + 2, 2000.0)],
        data_through=E + 4),
    Case("a record after data_through is not seen", {
        **NOTHING, "employed_3m": False, "employed_6m": None, "employed_12m": None,
        "employed_q2": None, "employed_q4": None, "self_employed_12m": None,
        "stable_employment": None},
        records=[("A", E + 5, 2000.0)], data_through=E + 4),
    Case("same employer: nobody paid in the month before the start → NULL", {
        **NOTHING, "employed_3m": True, "employed_6m": True, "employed_12m": True,
        "wage_before": 1000.0, "wage_after": 1000.0, "wage_growth": 0.0},
        records=[("A", S - 2, 1000.0), ("A", E + 1, 1000.0)]),
]


def snapshot(cases: list[Case], con) -> tuple:
    exits, records, businesses = [], [], []
    for i, case in enumerate(cases, start=1):
        exits.append({"enrollment_id": i, "person_id": 100 + i, "class_id": i,
                      "institution_id": 7, "city_code": "320700", "training_type": "employment",
                      "occupation_code": "4-10-01-01", "level_code": "grade5",
                      "start_month": case.start, "exit_month": case.exit, "completed": True,
                      "certified": False, "level_up": False, "demand_matched": False,
                      "order_employer_code": case.order_code})
        records += [{"person_id": 100 + i, "employer_code": emp, "month": m, "wage_base": w}
                    for emp, m, w in case.records]
        businesses += [{"person_id": 100 + i, "founded_month": f, "closed_month": c}
                       for f, c in case.businesses]
    return (load_arrow(con, "exits", pa.Table.from_pylist(exits, EXIT_SCHEMA)),
            load_arrow(con, "records", pa.Table.from_pylist(records, RECORD_SCHEMA)),
            load_arrow(con, "businesses", pa.Table.from_pylist(businesses, BUSINESS_SCHEMA)))


def clean(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    try:
        import pandas as pd
        if v is pd.NA or v is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    return v.item() if hasattr(v, "item") else v


def measures_by_case(con) -> dict[str, dict]:
    exits, records, businesses = snapshot(CASES, con)
    answers: dict[str, dict] = {}
    for dt in sorted({c.data_through for c in CASES}):
        rows = outcome_measures(exits, records, businesses, data_through=dt).to_pyarrow()
        by_id = {r["enrollment_id"]: r for r in rows.to_pylist()}
        for i, case in enumerate(CASES, start=1):
            if case.data_through == dt:
                answers[case.name] = {k: clean(by_id[i][k]) for k in MEASURE_COLUMNS}
    return answers


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_measure_definition(con, case: Case) -> None:
    got = measures_by_case(con)[case.name]
    for column, expected in case.expected.items():
        if isinstance(expected, float):
            assert got[column] == pytest.approx(expected), column
        else:
            assert got[column] is expected, (column, got[column])


def test_one_row_per_exit_with_the_exits_columns(con) -> None:
    exits, records, businesses = snapshot(CASES, con)
    out = outcome_measures(exits, records, businesses, data_through=FAR).to_pyarrow()
    assert out.num_rows == len(CASES)
    assert sorted(out.column("enrollment_id").to_pylist()) == list(range(1, len(CASES) + 1))
    assert {"institution_id", "city_code", "exit_month", *MEASURE_COLUMNS} <= set(
        out.column_names)


@pytest.mark.skipif(postgres_url() is None, reason="DATABASE_URL is not PostgreSQL")
def test_duckdb_and_postgres_give_the_same_answers() -> None:
    duck = ibis.duckdb.connect()
    pg = ibis.connect(postgres_url().replace("postgresql://", "postgres://", 1))
    try:
        assert measures_by_case(duck) == measures_by_case(pg)
    finally:
        pg.disconnect()
