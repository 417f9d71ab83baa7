"""Henan 三(三)'s five training-quality indicators and the weighted composite, per cell, as one
set-based Ibis expression over the measures table of `analytics.measures.outcome_measures`.

Pure: no Django. Cells: dimension ∈ {all, institution, program, occupation, level, region} ×
key × exit period (year "2025", quarter "2025Q3", "all"). A trainee whose key is NULL (e.g. a
class without a level) is left out of that dimension only.

Formulas (numerator / denominator; `trainees` = exits in the cell):
  demand_match = demand_matched / trainees
  pass_rate    = certified (among completed) / completed
  level_up     = level_up (among completed) / completed
  employment   = employed_6m TRUE / employed_6m known (NOT NULL)
  wage_growth  = median(wage_after) / median(wage_before) - 1 over trainees with both known
                 (numerator, denominator = the two medians)
  composite    = Σ weight_i × score_i; rates as they are, wage growth scored
                 clamp(growth / WAGE_GROWTH_FULL, 0, 1); NULL if any component is NULL.
                 numerator NULL, denominator = trainees.
A rate whose denominator is 0 is NULL.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from jineng.outcomes.rules.indicators import INDICATORS, WAGE_GROWTH_FULL

# dimension → the measures column giving its key ("all" has the empty key).
DIMENSIONS: dict[str, str | None] = {
    "all": None,
    "institution": "institution_id",
    "program": "training_type",
    "occupation": "occupation_code",
    "level": "level_code",
    "region": "city_code",
}


def wage_growth_score(growth: ir.FloatingValue) -> ir.FloatingValue:
    """clamp(growth / 0.30, 0, 1); NULL stays NULL."""
    return (growth / WAGE_GROWTH_FULL).clip(lower=0.0, upper=1.0)


def _ratio(num: ir.NumericValue, den: ir.NumericValue) -> ir.FloatingValue:
    return ibis.cases((den > 0, num.cast("float64") / den.cast("float64")),
                      else_=ibis.null("float64"))


def _long(measures: ir.Table) -> ir.Table:
    """Each measure row once per (dimension, key) and per period: a UNION ALL of projections."""
    year = (measures.exit_month // 12).cast("int64")
    quarter = ((measures.exit_month % 12) // 3 + 1).cast("int64")
    periods = {
        "year": year.cast("string"),
        "quarter": year.cast("string") + ibis.literal("Q") + quarter.cast("string"),
        "all": ibis.literal("all"),
    }
    cols = {
        "demand_matched": measures.demand_matched, "completed": measures.completed,
        "certified": measures.certified, "level_up": measures.level_up,
        "employed_6m": measures.employed_6m, "wage_before": measures.wage_before,
        "wage_after": measures.wage_after,
    }
    parts = []
    for dimension, column in DIMENSIONS.items():
        if column is None:
            key = ibis.literal("")
            base = measures
        else:
            key = measures[column].cast("string")
            base = measures
        for period in periods.values():
            part = base.select(dimension=ibis.literal(dimension), key=key, period=period,
                               **cols)
            if column is not None:
                part = part.filter(part.key.notnull())
            parts.append(part)
    return ibis.union(*parts, distinct=False)


def indicator_values(measures: ir.Table, *, weights: dict[str, float]) -> ir.Table:
    """One row per (indicator, dimension, key, period): numerator, denominator, value, trainees.

    `weights` maps each of INDICATORS to its composite weight (validated by
    `rules.indicators.composite_weights`)."""
    long = _long(measures)
    comp = long.completed.fill_null(False)
    both = long.wage_before.notnull() & long.wage_after.notnull()
    cells = long.group_by(["dimension", "key", "period"]).aggregate(
        trainees=long.count(),
        # COUNT(*) FILTER (WHERE …): PostgreSQL does not cast boolean to bigint.
        dm_num=long.count(where=long.demand_matched.fill_null(False)),
        completed_n=long.count(where=comp),
        pass_num=long.count(where=comp & long.certified.fill_null(False)),
        lu_num=long.count(where=comp & long.level_up.fill_null(False)),
        emp_num=long.count(where=long.employed_6m.fill_null(False)),
        emp_den=long.count(where=long.employed_6m.notnull()),
        wage_after_med=long.wage_after.median(where=both),
        wage_before_med=long.wage_before.median(where=both),
    )
    c = cells
    nums = {
        "demand_match": (c.dm_num.cast("float64"), c.trainees.cast("float64")),
        "pass_rate": (c.pass_num.cast("float64"), c.completed_n.cast("float64")),
        "level_up": (c.lu_num.cast("float64"), c.completed_n.cast("float64")),
        "employment": (c.emp_num.cast("float64"), c.emp_den.cast("float64")),
        "wage_growth": (c.wage_after_med, c.wage_before_med),
    }
    values = {name: _ratio(n, d) for name, (n, d) in nums.items()}
    values["wage_growth"] = ibis.cases(
        (c.wage_before_med > 0, c.wage_after_med / c.wage_before_med - 1.0),
        else_=ibis.null("float64"))
    scores = dict(values.items())
    scores["wage_growth"] = wage_growth_score(values["wage_growth"])
    composite = None
    for name in INDICATORS:
        term = scores[name] * float(weights.get(name, 0.0))
        composite = term if composite is None else composite + term
    parts = []
    for name in INDICATORS:
        num, den = nums[name]
        parts.append(c.select("dimension", "key", "period",
                              indicator=ibis.literal(name), numerator=num, denominator=den,
                              value=values[name], trainees=c.trainees.cast("int64")))
    parts.append(c.select("dimension", "key", "period", indicator=ibis.literal("composite"),
                          numerator=ibis.null("float64"),
                          denominator=c.trainees.cast("float64"),
                          value=composite, trainees=c.trainees.cast("int64")))
    out = ibis.union(*parts, distinct=False)
    return out.select("indicator", "dimension", "key", "period", "numerator", "denominator",
                      "value", "trainees")
