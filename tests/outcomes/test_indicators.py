"""Henan's five indicators and the composite on a small cohort with hand-computed numerators and
denominators (DuckDB, and PostgreSQL when DATABASE_URL is PostgreSQL); the pure rules: weights,
wage-growth score, composite, small-cell suppression."""

from __future__ import annotations

from decimal import Decimal

import ibis
import pyarrow as pa
import pytest

from jineng.outcomes.analytics.indicators import indicator_values
from jineng.outcomes.analytics.measures import EXIT_COLUMNS, MEASURE_COLUMNS
from jineng.outcomes.rules import indicators as rules
from jineng.outcomes.services.snapshot import load_arrow
from tests.outcomes.test_measures import M, clean, con, postgres_url  # noqa: F401 - fixture

WEIGHTS = {"demand_match": 0.1, "pass_rate": 0.2, "level_up": 0.2, "employment": 0.3,
           "wage_growth": 0.2}
SCHEMA = pa.schema([
    ("enrollment_id", pa.int64()), ("person_id", pa.int64()), ("class_id", pa.int64()),
    ("institution_id", pa.int64()), ("city_code", pa.string()),
    ("training_type", pa.string()), ("occupation_code", pa.string()),
    ("level_code", pa.string()), ("start_month", pa.int32()), ("exit_month", pa.int32()),
    ("completed", pa.bool_()), ("certified", pa.bool_()), ("level_up", pa.bool_()),
    ("demand_matched", pa.bool_()),
    ("employed_q2", pa.bool_()), ("employed_q4", pa.bool_()), ("employed_3m", pa.bool_()),
    ("employed_6m", pa.bool_()), ("employed_12m", pa.bool_()),
    ("self_employed_12m", pa.bool_()), ("stable_employment", pa.bool_()),
    ("wage_before", pa.float64()), ("wage_after", pa.float64()), ("wage_growth", pa.float64()),
    ("same_employer", pa.bool_()), ("order_employer", pa.bool_()),
])
assert SCHEMA.names == [*EXIT_COLUMNS, *MEASURE_COLUMNS]

# (institution, city, occupation, level, exit month,
#  completed, certified, level_up, demand_matched, employed_6m, wage_before, wage_after)
COHORT = [
    (1, "320700", "O1", "grade5", M(2025, 3), True, True, True, True, True, 2000.0, 2600.0),
    (1, "320700", "O1", "grade5", M(2025, 3), True, True, False, True, False, 3000.0, 3000.0),
    (1, "320700", "O3", "grade5", M(2025, 3), False, False, False, False, None, None, 2000.0),
    (2, "320800", "O2", None, M(2025, 8), True, False, False, True, True, 4000.0, 5000.0),
    (2, "320800", "O2", None, M(2025, 8), True, True, True, False, True, None, None),
    (2, "320800", "O2", None, M(2025, 8), True, True, True, False, False, 1000.0, 1100.0),
]


def measures_table(backend):
    rows = []
    for i, (inst, city, occ, level, exit_month, completed, certified, level_up, demand, emp6,
            before, after) in enumerate(COHORT, start=1):
        rows.append({"enrollment_id": i, "person_id": i, "class_id": inst, "institution_id": inst,
                     "city_code": city, "training_type": "employment", "occupation_code": occ,
                     "level_code": level, "start_month": exit_month - 2,
                     "exit_month": exit_month, "completed": completed, "certified": certified,
                     "level_up": level_up, "demand_matched": demand, "employed_6m": emp6,
                     "wage_before": before, "wage_after": after})
    return load_arrow(backend, "measures", pa.Table.from_pylist(rows, SCHEMA))


def cells(backend) -> dict[tuple, dict]:
    out = indicator_values(measures_table(backend), weights=WEIGHTS).to_pyarrow().to_pylist()
    by_key: dict[tuple, dict] = {}
    for row in out:
        key = (row["indicator"], row["dimension"], row["key"], row["period"])
        assert key not in by_key, key
        by_key[key] = {k: clean(v) for k, v in row.items()}
    return by_key


# indicator, dimension, key, period → numerator, denominator, value, trainees (by hand)
EXPECTED = [
    ("demand_match", "all", "", "all", 3, 6, 0.5, 6),
    ("pass_rate", "all", "", "all", 4, 5, 0.8, 6),
    ("level_up", "all", "", "all", 3, 5, 0.6, 6),
    ("employment", "all", "", "all", 3, 5, 0.6, 6),
    # medians over trainees with both wages known (1, 2, 4, 6): after median(2600, 3000, 5000,
    # 1100) = 2800, before median(2000, 3000, 4000, 1000) = 2500; 2800 / 2500 - 1 = 0.12
    ("wage_growth", "all", "", "all", 2800, 2500, 0.12, 6),
    # 0.1×0.5 + 0.2×0.8 + 0.2×0.6 + 0.3×0.6 + 0.2×clamp(0.12/0.30) = 0.05+0.16+0.12+0.18+0.08
    ("composite", "all", "", "all", None, 6, 0.59, 6),
    ("demand_match", "institution", "1", "all", 2, 3, 2 / 3, 3),
    ("pass_rate", "institution", "1", "all", 2, 2, 1.0, 3),
    ("level_up", "institution", "1", "all", 1, 2, 0.5, 3),
    ("employment", "institution", "1", "all", 1, 2, 0.5, 3),
    ("wage_growth", "institution", "1", "all", 2800, 2500, 0.12, 3),
    ("composite", "institution", "1", "all", None, 3, 0.1 * 2 / 3 + 0.2 + 0.1 + 0.15 + 0.08, 3),
    ("pass_rate", "institution", "2", "2025Q3", 2, 3, 2 / 3, 3),
    # institution 2: after median(5000, 1100) = 3050, before median(4000, 1000) = 2500
    ("wage_growth", "institution", "2", "2025", 3050, 2500, 0.22, 3),
    ("employment", "region", "320800", "all", 2, 3, 2 / 3, 3),
    ("employment", "program", "employment", "2025Q1", 1, 2, 0.5, 3),
    ("demand_match", "occupation", "O1", "all", 2, 2, 1.0, 2),
    # occupation O3: nobody completed → pass rate NULL → composite NULL
    ("pass_rate", "occupation", "O3", "all", 0, 0, None, 1),
    ("composite", "occupation", "O3", "all", None, 1, None, 1),
    ("level_up", "level", "grade5", "all", 1, 2, 0.5, 3),
]


@pytest.mark.parametrize("row", EXPECTED, ids=[" ".join(map(str, r[:4])) for r in EXPECTED])
def test_indicator_cell(con, row) -> None:  # noqa: F811 - the backend fixture
    indicator, dimension, key, period, numerator, denominator, value, trainees = row
    got = cells(con)[(indicator, dimension, key, period)]
    assert got["trainees"] == trainees
    assert got["numerator"] == (None if numerator is None else pytest.approx(numerator))
    assert got["denominator"] == pytest.approx(denominator)
    assert got["value"] == (None if value is None else pytest.approx(value))


def test_cells_cover_every_dimension_and_period_once(con) -> None:  # noqa: F811
    got = cells(con)
    keys = {(d, k, p) for (_i, d, k, p) in got}
    # trainees without a level are left out of the level dimension only
    assert {k for d, k, _p in keys if d == "level"} == {"grade5"}
    assert {p for d, _k, p in keys if d == "all"} == {"all", "2025", "2025Q1", "2025Q3"}
    assert {k for d, k, _p in keys if d == "institution"} == {"1", "2"}
    for cell in keys:  # six indicators in every cell
        assert sum(1 for (_i, d, k, p) in got if (d, k, p) == cell) == 6
    assert len(got) == 6 * len(keys)


def test_the_composite_is_the_rules_composite(con) -> None:  # noqa: F811
    got = cells(con)
    for (indicator, d, k, p), row in got.items():
        if indicator != "composite":
            continue
        values = {name: got[(name, d, k, p)]["value"] for name in rules.INDICATORS}
        expected = rules.composite(values, WEIGHTS)
        assert row["value"] == (None if expected is None else pytest.approx(expected))


@pytest.mark.skipif(postgres_url() is None, reason="DATABASE_URL is not PostgreSQL")
def test_duckdb_and_postgres_give_the_same_cells() -> None:
    duck = ibis.duckdb.connect()
    pg = ibis.connect(postgres_url().replace("postgresql://", "postgres://", 1))
    try:
        a, b = cells(duck), cells(pg)
        assert a.keys() == b.keys()
        for key in a:
            for col in ("numerator", "denominator", "value", "trainees"):
                x, y = a[key][col], b[key][col]
                assert (x is None and y is None) or x == pytest.approx(y), (key, col)
    finally:
        pg.disconnect()


# --- pure rules ----------------------------------------------------------------------------

def test_definitions_cite_the_seed() -> None:
    assert set(rules.DEFINITIONS) == {"demand_match", "pass_rate", "level_up", "employment",
                                      "wage_growth"}
    assert [d.name_zh for d in rules.DEFINITIONS.values()] == [
        "需求匹配度", "培训合格率", "等级提升率", "就业创业率", "薪资增长率"]
    assert all("三(三)" in d.source for d in rules.DEFINITIONS.values())
    assert "45%" in rules.DEFINITIONS["employment"].source
    assert rules.LIANYUNGANG_EMPLOYMENT_TARGET == 0.45


@pytest.mark.parametrize(("weights", "code"), [
    ({**WEIGHTS, "employment": 0.4}, "sum"),
    ({k: v for k, v in WEIGHTS.items() if k != "level_up"}, "missing"),
    ({**WEIGHTS, "demand_match": -0.1, "employment": 0.5}, "range"),
    ({**WEIGHTS, "speed": 0.0}, "unknown"),
])
def test_bad_composite_weights_are_refused(weights, code) -> None:
    with pytest.raises(rules.WeightsError) as err:
        rules.composite_weights(weights)
    assert err.value.code == code


def test_weights_from_decimals_summing_to_one() -> None:
    got = rules.composite_weights({k: Decimal(str(v)) for k, v in WEIGHTS.items()})
    assert got == WEIGHTS
    assert rules.composite_weights({**dict.fromkeys(WEIGHTS, 0.0), "employment": 1})[
        "employment"] == 1.0


@pytest.mark.parametrize(("growth", "score"), [
    (None, None), (-0.2, 0.0), (0.0, 0.0), (0.12, 0.4), (0.30, 1.0), (0.75, 1.0)])
def test_wage_growth_score(growth, score) -> None:
    assert rules.wage_growth_score(growth) == (None if score is None else pytest.approx(score))


def test_composite_null_when_a_component_is_null() -> None:
    values = {"demand_match": 0.5, "pass_rate": 0.8, "level_up": 0.6, "employment": 0.6,
              "wage_growth": 0.12}
    assert rules.composite(values, WEIGHTS) == pytest.approx(0.59)
    assert rules.composite({**values, "pass_rate": None}, WEIGHTS) is None


@pytest.mark.parametrize(("count", "min_cell", "hidden"), [
    (9, 10, True), (10, 10, False), (0, 10, True), (None, 10, True), (3, 3, False),
    (2, 3, True), (9.0, 10, True)])
def test_small_cells_are_suppressed(count, min_cell, hidden) -> None:
    assert rules.suppressed(count, min_cell) is hidden


def test_suppression_counts_the_denominator_of_a_rate_and_the_trainees_otherwise() -> None:
    # 30 trainees but only 8 with their 6 months known: the employment rate is hidden.
    assert rules.suppression_count("employment", trainees=30, denominator=8) == 8
    assert rules.suppressed(rules.suppression_count("employment", trainees=30, denominator=8))
    assert rules.suppression_count("wage_growth", trainees=30, denominator=2500.0) == 30
    assert rules.suppression_count("composite", trainees=12, denominator=12) == 12
    assert not rules.suppressed(rules.suppression_count("composite", trainees=12,
                                                        denominator=None))
