"""Wage guidance (工资指导价位) as pure rules: percentiles of monthly wages and cell suppression.
No Django here.

Policy: Hunan (十一) "定期发布技能劳动者市场供求信息和工资指导价位，促进技能人才资源合理配置流动".

Percentile: the nearest-rank method — the smallest value with at least p % of the values at or
below it: with the n values sorted, P_p = x[k] where k = ceil(p / 100 × n) (1-based, k ≥ 1).
It is Hyndman & Fan, "Sample quantiles in statistical packages", The American Statistician 50
(1996), definition 1 (the inverse of the empirical distribution function); it always answers a
wage someone was actually paid, never an interpolation between two people.

One person counts once per cell: a person's monthly wage in a year is the mean of their
contribution months in it (rounded to the yuan, half up), so someone with twelve months weighs
as much as someone with three.

Suppression: a cell with fewer than `min_people` people publishes its count only, never a
figure (statistical disclosure control: a small cell's percentiles come close to one person's
wage). `min_people` is a parameter (default 10).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

DEFAULT_MIN_PEOPLE = 10
PERCENTILES = (10, 50, 90)


def nearest_rank(values: Sequence[int], p: int) -> int:
    """The p-th percentile (0 < p ≤ 100) of `values` by the nearest-rank method."""
    if not values:
        raise ValueError("no values")
    if not 0 < p <= 100:
        raise ValueError("p must be in (0, 100]")
    ordered = sorted(values)
    k = int((Decimal(p) * len(ordered) / 100).to_integral_value(rounding=ROUND_CEILING))
    return ordered[max(k, 1) - 1]


def person_wage(months: Iterable[Decimal | int]) -> int:
    """One person's monthly wage in a cell: the mean of their months, to the yuan."""
    values = [Decimal(m) for m in months]
    if not values:
        raise ValueError("no months")
    return int((sum(values, Decimal(0)) / len(values)).to_integral_value(
        rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Cell:
    people: int
    suppressed: bool
    p10: int | None
    p50: int | None
    p90: int | None


def cell_of(wages: Sequence[int], min_people: int = DEFAULT_MIN_PEOPLE) -> Cell:
    """A cell from its people's monthly wages (one value per person)."""
    if min_people < 1:
        raise ValueError("min_people must be at least 1")
    n = len(wages)
    if n < min_people:
        return Cell(people=n, suppressed=True, p10=None, p50=None, p90=None)
    return Cell(people=n, suppressed=False, p10=nearest_rank(wages, 10),
                p50=nearest_rank(wages, 50), p90=nearest_rank(wages, 90))


def cells_of(months: Mapping[Hashable, Mapping[Hashable, Sequence[Decimal | int]]],
             min_people: int = DEFAULT_MIN_PEOPLE) -> dict[Hashable, Cell]:
    """Cells from {cell key: {person: [monthly wages]}}."""
    return {key: cell_of([person_wage(m) for m in people.values()], min_people)
            for key, people in months.items()}
