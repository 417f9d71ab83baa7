"""The wage-guidance rules: nearest-rank percentiles and suppression, table-driven."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jineng.demand.rules import wages as wr

TEN = [3000, 3100, 3200, 3300, 3400, 3500, 3600, 3700, 3800, 3900]


@pytest.mark.parametrize(("values", "p", "expected"), [
    (TEN, 10, 3000),  # k = ceil(1.0) = 1
    (TEN, 50, 3400),  # k = ceil(5.0) = 5
    (TEN, 90, 3800),  # k = ceil(9.0) = 9
    (TEN, 100, 3900),
    (list(reversed(TEN)), 50, 3400),  # order of input does not matter
    ([5000], 10, 5000),
    ([1, 2, 3], 50, 2),  # k = ceil(1.5) = 2
    ([1, 2, 3], 10, 1),  # k = ceil(0.3) = 1
    ([1, 2, 3], 90, 3),  # k = ceil(2.7) = 3
    ([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110], 90, 100),  # k = ceil(9.9) = 10
    ([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110], 10, 20),  # k = ceil(1.1) = 2
])
def test_nearest_rank_table(values, p, expected):
    assert wr.nearest_rank(values, p) == expected


def test_nearest_rank_refuses_nonsense():
    with pytest.raises(ValueError):
        wr.nearest_rank([], 50)
    with pytest.raises(ValueError):
        wr.nearest_rank([1], 0)


@pytest.mark.parametrize(("months", "expected"), [
    ([3000], 3000),
    ([3000, 3001], 3001),  # 3000.5 → 3001 (half up)
    ([Decimal("3000.40"), Decimal("3000.40")], 3000),
    ([4000] * 12, 4000),
])
def test_person_wage_is_the_mean_of_months(months, expected):
    assert wr.person_wage(months) == expected


@pytest.mark.parametrize(("n", "min_people", "suppressed"), [
    (9, 10, True), (10, 10, False), (0, 10, True), (3, 3, False), (2, 3, True)])
def test_suppression_threshold(n, min_people, suppressed):
    cell = wr.cell_of(TEN[:n] if n <= 10 else TEN, min_people)
    assert cell.people == n
    assert cell.suppressed is suppressed
    if suppressed:
        assert (cell.p10, cell.p50, cell.p90) == (None, None, None)
    else:
        assert cell.p10 is not None and cell.p10 <= cell.p50 <= cell.p90


def test_cells_of_counts_each_person_once():
    months = {("4-10-01-05", "city"): {f"p{i}": [3000 + 100 * i] * (1 + i % 3)
                                       for i in range(10)},
              ("small",): {"a": [1], "b": [2]}}
    cells = wr.cells_of(months, min_people=10)
    big = cells[("4-10-01-05", "city")]
    assert (big.people, big.p10, big.p50, big.p90) == (10, 3000, 3400, 3800)
    assert cells[("small",)].suppressed


@given(st.lists(st.integers(min_value=1, max_value=100000), min_size=1, max_size=200))
def test_percentiles_are_values_and_ordered(values):
    p10, p50, p90 = (wr.nearest_rank(values, p) for p in wr.PERCENTILES)
    assert {p10, p50, p90} <= set(values)
    assert min(values) <= p10 <= p50 <= p90 <= max(values)
    # at least p % of the values are at or below P_p
    for p, v in zip(wr.PERCENTILES, (p10, p50, p90), strict=True):
        assert sum(1 for x in values if x <= v) * 100 >= p * len(values)
