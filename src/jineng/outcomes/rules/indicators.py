"""Henan's training-quality indicators: their definitions with the policy text they come from,
the composite's weights, the wage-growth score and the small-cell rule. Pure: no Django.

Seed 003 (Henan, 2025 "技能河南" work plan), 三(三): "探索建立以需求匹配度、培训合格率、
等级提升率、就业创业率、薪资增长率为重要指标的培训质量评估体系". Seed 002 (Lianyungang),
二(一)1: "力争培训后就业创业率45%以上" — the employment indicator is that rate.

The set-based computation is `analytics.indicators.indicator_values`; this module is the
single statement of the formulas that it, the docs and the pages share.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

WAGE_GROWTH_FULL = 0.30  # 30 % wage growth earns the full composite score
MIN_CELL_DEFAULT = 10
HENAN = "seed 003 (Henan 2025 技能河南 work plan) 三(三)"
LIANYUNGANG_EMPLOYMENT_TARGET = 0.45  # seed 002 二(一)1: 培训后就业创业率45%以上


@dataclass(frozen=True)
class Definition:
    code: str
    name_zh: str
    numerator: str
    denominator: str
    source: str


DEFINITIONS: dict[str, Definition] = {d.code: d for d in (
    Definition("demand_match", "需求匹配度",
               "trainees in an urgently-needed or demand-list occupation, or an order class",
               "trainees (exits)", HENAN),
    Definition("pass_rate", "培训合格率",
               "completed trainees certified for the class's sitting",
               "completed trainees", HENAN),
    Definition("level_up", "等级提升率",
               "completed trainees certified above the highest level held before the class "
               "(a first certificate counts)", "completed trainees", HENAN),
    Definition("employment", "就业创业率",
               "trainees employed or self-employed within 6 months after exit",
               "trainees whose 6 months after exit are within the records",
               HENAN + "; seed 002 (Lianyungang) 二(一)1: 培训后就业创业率45%以上"),
    Definition("wage_growth", "薪资增长率",
               "median monthly wage base in the 12 months after exit",
               "median monthly wage base in the 12 months before the start "
               "(trainees with both known); value = numerator / denominator - 1", HENAN),
)}
INDICATORS = tuple(DEFINITIONS)


class WeightsError(ValueError):
    """Composite weights that are not five shares in [0, 1] summing to 1; `code` is stable."""

    def __init__(self, code: str, indicator: str = "") -> None:
        super().__init__(code if not indicator else f"{code}: {indicator}")
        self.code = code
        self.indicator = indicator


def composite_weights(weights: Mapping[str, float | Decimal | None]) -> dict[str, float]:
    """The five weights as floats, checked: every indicator present, each in [0, 1], and
    summing to 1 (within 0.001, the settings service's tolerance)."""
    unknown = set(weights) - set(INDICATORS)
    if unknown:
        raise WeightsError("unknown", sorted(unknown)[0])
    out: dict[str, float] = {}
    for name in INDICATORS:
        value = weights.get(name)
        if value is None:
            raise WeightsError("missing", name)
        value = float(value)
        if not 0.0 <= value <= 1.0 or math.isnan(value):
            raise WeightsError("range", name)
        out[name] = value
    if abs(sum(out.values()) - 1.0) > 0.001 + 1e-9:
        raise WeightsError("sum")
    return out


def wage_growth_score(growth: float | None) -> float | None:
    """Wage growth as a composite score: clamp(growth / 0.30, 0, 1)."""
    if growth is None:
        return None
    return min(1.0, max(0.0, growth / WAGE_GROWTH_FULL))


def composite(values: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """Σ weight × score over the five (rates as they are, wage growth scored); NULL if any
    component is NULL."""
    total = 0.0
    for name in INDICATORS:
        value = values.get(name)
        if value is None:
            return None
        score = wage_growth_score(value) if name == "wage_growth" else value
        total += weights[name] * score
    return total


def suppressed(count: int | float | None, min_cell: int = MIN_CELL_DEFAULT) -> bool:
    """Whether a public page hides a cell: its count (the denominator of a rate, the cell's
    trainees for wage growth and the composite) is unknown or below `min_cell`. Stored values
    are kept; only what the public sees is suppressed."""
    return count is None or count < min_cell


def suppression_count(indicator: str, *, trainees: int, denominator: float | None) -> float:
    """The count the small-cell rule looks at for this indicator."""
    if indicator in ("wage_growth", "composite") or denominator is None:
        return trainees
    return min(trainees, denominator)
