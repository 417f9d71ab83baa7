"""Plausibility of the figures in catalog entries: amounts, class hours, shares, uplifts,
level ranges and filings. Each function returns the problems it finds (empty: all good)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jineng.catalog.rules.problems import Problem

ZERO = Decimal("0")
ONE = Decimal("1")
CENT = Decimal("0.01")
# Default plausibility caps; deployments may change the amount cap (settings).
DEFAULT_AMOUNT_CAP = Decimal("30000.00")
MAX_HOURS = 2000
# Rank of 特级技师 on the 新八级工 ladder (registry.SkillLevel.rank): assessing it or 首席技师
# needs the enterprise's filing (备案) with the HRSS department (Henan (二)).
TOP_LEVEL_RANK = 6


@dataclass(frozen=True)
class SubsidyValues:
    amount: Decimal
    required_hours: int
    min_attendance_share: Decimal
    government_share: Decimal
    enterprise_share: Decimal
    individual_share: Decimal
    urgent_uplift: Decimal = ZERO
    key_group_uplift: Decimal = ZERO
    material_cost: Decimal = ZERO


def money_problems(field: str, value: Decimal, *, cap: Decimal,
                   allow_zero: bool = False) -> list[Problem]:
    if not value.is_finite():
        return [Problem(field, "not_a_number", {"value": value})]
    if value < ZERO or (value == ZERO and not allow_zero):
        return [Problem(field, "not_positive", {"value": value})]
    if value > cap:
        return [Problem(field, "above_cap", {"value": value, "cap": cap})]
    if value != value.quantize(CENT):
        return [Problem(field, "too_many_decimals", {"value": value})]
    return []


def share_problems(field: str, value: Decimal, *, allow_zero: bool = True) -> list[Problem]:
    if not value.is_finite() or value < ZERO or value > ONE or (value == ZERO and not allow_zero):
        return [Problem(field, "share_range", {"value": value})]
    return []


def subsidy_problems(v: SubsidyValues, *, cap: Decimal = DEFAULT_AMOUNT_CAP,
                     max_hours: int = MAX_HOURS) -> list[Problem]:
    """A subsidy standard: amount > 0 and below the cap, hours in range, the attendance share
    in (0, 1], cost shares in [0, 1] adding up to 1 (政府补一点、企业出一点、个人付一点),
    uplifts in [0, 1], material cost a part of the amount."""
    problems = money_problems("amount", v.amount, cap=cap)
    if not 1 <= v.required_hours <= max_hours:
        problems.append(Problem("required_hours", "hours_range",
                                {"value": v.required_hours, "max": max_hours}))
    problems += share_problems("min_attendance_share", v.min_attendance_share, allow_zero=False)
    shares = {"government_share": v.government_share, "enterprise_share": v.enterprise_share,
              "individual_share": v.individual_share}
    share_errors = [p for name, value in shares.items() for p in share_problems(name, value)]
    problems += share_errors
    total = sum(shares.values(), ZERO)
    if not share_errors and total != ONE:
        problems.append(Problem("individual_share", "shares_sum", {"total": total}))
    problems += share_problems("urgent_uplift", v.urgent_uplift)
    problems += share_problems("key_group_uplift", v.key_group_uplift)
    mc = money_problems("material_cost", v.material_cost, cap=cap, allow_zero=True)
    problems += mc
    if not mc and not problems_for(problems, "amount") and v.material_cost > v.amount:
        problems.append(Problem("material_cost", "material_above_amount",
                                {"value": v.material_cost, "amount": v.amount}))
    return problems


def problems_for(problems: list[Problem], field: str) -> list[Problem]:
    return [p for p in problems if p.field == field]


def level_range_problems(min_rank: int | None, max_rank: int | None) -> list[Problem]:
    if min_rank is not None and max_rank is not None and min_rank > max_rank:
        return [Problem("min_level", "level_order", {})]
    return []


def evaluation_problems(*, max_rank: int | None, self_evaluation: bool, is_enterprise: bool,
                        filing_number: str, filing_date_set: bool) -> list[Problem]:
    """Self-evaluation (企业自主评价) is for enterprises; assessing 特级技师/首席技师 needs the
    filing (备案) number and date."""
    problems = []
    if self_evaluation and not is_enterprise:
        problems.append(Problem("self_evaluation", "self_evaluation_not_enterprise", {}))
    if not self_evaluation and is_enterprise:
        problems.append(Problem("self_evaluation", "enterprise_needs_self_evaluation", {}))
    if max_rank is not None and max_rank >= TOP_LEVEL_RANK:
        if not filing_number.strip():
            problems.append(Problem("top_filing_number", "top_filing_required", {}))
        elif not filing_date_set:
            problems.append(Problem("top_filing_date", "top_filing_required", {}))
    return problems


def count_problems(field: str, value: int | None, *, allow_zero: bool = True,
                   cap: int = 10_000_000) -> list[Problem]:
    if value is None:
        return []
    if value < 0 or (value == 0 and not allow_zero):
        return [Problem(field, "not_positive", {"value": value})]
    if value > cap:
        return [Problem(field, "above_cap", {"value": value, "cap": cap})]
    return []
