"""Statutory retirement age (法定退休年龄), by birth month and gender. Pure functions.

Sources (quoted by the eligibility explanation):

- 《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定》, adopted 13 September 2024
  at the 11th session of the 14th NPC Standing Committee, in force from 1 January 2025: over
  15 years, men from 60 to 63; women from 50 and 55 to 55 and 58.
- 《国务院关于渐进式延迟法定退休年龄的办法》 (approved by that decision), article 1: from
  1 January 2025, men and women whose original retirement age is 55 have it delayed by one month
  every four months (to 63 and 58); women whose original age is 50 by one month every two months
  (to 55).
- Before 2025 (国发〔1978〕104号): men 60, women cadres 55, women workers 50.

The delay depends only on the month in which a person would have retired under the old ages:
the n-th month from January 2025 (n = 0, 1, …) adds ⌊n / step⌋ + 1 months, up to the cap.
E.g. a man born in January 1965 retires at 60 years 1 month (February 2025); one born in May 1965
at 60 years 2 months; everyone born from September 1976 at 63. A woman worker (original age 50)
born from November 1984 retires at 55.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

MALE = "M"
FEMALE = "F"

SCHEME_FIXED_1978 = "fixed_1978"
SCHEME_GRADUAL_2025 = "gradual_2025"
SCHEMES = (SCHEME_FIXED_1978, SCHEME_GRADUAL_2025)

GRADUAL_START = dt.date(2025, 1, 1)
DECISION_2024 = ("全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定"
                 "（2024年9月13日第十四届全国人大常委会第十一次会议通过，2025年1月1日起施行）")
MEASURES_2024 = "国务院关于渐进式延迟法定退休年龄的办法 第一条"
FIXED_1978 = "国发〔1978〕104号：男60周岁，女干部55周岁，女工人50周岁"

# original age in years → (one month of delay every `step` months, cap in months)
GRADUAL_STEPS = {60: (4, 36), 55: (4, 36), 50: (2, 60)}


@dataclass(frozen=True)
class RetirementAge:
    """A person's statutory retirement age and the day they reach it."""

    years: int
    months: int
    reached_on: dt.date
    original_years: int
    delay_months: int
    scheme: str

    @property
    def label(self) -> str:
        return f"{self.years}周岁{self.months}个月" if self.months else f"{self.years}周岁"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later (the last day where that month is shorter)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def original_age(gender: str, female_basis: int) -> int:
    """The pre-2025 age: 60 for men; 50 (workers) or 55 (cadres) for women."""
    if gender == MALE:
        return 60
    if female_basis not in (50, 55):
        raise ValueError("female_basis must be 50 or 55")
    return female_basis


def delay_months(birth: dt.date, original_years: int) -> int:
    """Months added by the 2025 measures for someone born in `birth`'s month."""
    step, cap = GRADUAL_STEPS[original_years]
    old_month_index = (birth.year + original_years) * 12 + (birth.month - 1)
    n = old_month_index - (GRADUAL_START.year * 12 + GRADUAL_START.month - 1)
    if n < 0:
        return 0
    return min(n // step + 1, cap)


def statutory_retirement(birth: dt.date, gender: str, *, female_basis: int = 50,
                         scheme: str = SCHEME_GRADUAL_2025) -> RetirementAge:
    """The statutory retirement age of a person under `scheme`."""
    years = original_age(gender, female_basis)
    if scheme == SCHEME_FIXED_1978:
        extra = 0
    elif scheme == SCHEME_GRADUAL_2025:
        extra = delay_months(birth, years)
    else:
        raise ValueError(f"unknown retirement scheme {scheme!r}")
    total = years * 12 + extra
    return RetirementAge(
        years=total // 12, months=total % 12, reached_on=add_months(birth, total),
        original_years=years, delay_months=extra, scheme=scheme,
    )


def age_on(birth: dt.date, day: dt.date) -> int:
    """Full years of age on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
