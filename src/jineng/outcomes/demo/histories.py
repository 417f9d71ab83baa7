"""Drawing one person's contribution history for the demo (pure: no Django).

A history is a list of (month index, employer code, wage base) with month index
`year * 12 + month - 1` (docs/outcomes.md). Every share below is SYNTHETIC: plausible figures
for a Chinese province, not statistics, and labelled so in place.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# SYNTHETIC: share of trainees employed after exit (any month of e+1..e+9), by the trainee's
# key group, checked in the order written (a person in several groups takes the first).
EMPLOYED_AFTER = {
    "order_class": 0.88,  # 订单班: employed, mostly by the order's employer
    "enterprise_employee": 0.92,  # upskilling of people already in work
    "graduate": 0.66,  # 高校毕业生
    "unemployed": 0.56,  # 失业人员
    "hard_to_employ": 0.45,
    "disabled": 0.40,
    "left_behind_woman": 0.45,
    "migrant_worker": 0.71,  # 农民工
    "veteran": 0.66,
    "poverty_monitored": 0.55,
    "relocated": 0.55,
    "": 0.60,
}
GROUP_ORDER = tuple(EMPLOYED_AFTER)
# SYNTHETIC: share employed in the months before the class start.
EMPLOYED_BEFORE = {"enterprise_employee": 0.95, "graduate": 0.08, "unemployed": 0.55,
                   "migrant_worker": 0.55, "": 0.40}
ORDER_EMPLOYER_SHARE = 0.85  # SYNTHETIC: order-class trainees hired by the order's employer
SAME_EMPLOYER_SHARE = 0.80  # SYNTHETIC: employees who stay with their employer after upskilling
# SYNTHETIC: employment-rate adjustment by occupation (care and trades in demand; rural less).
OCCUPATION_ADJUSTMENT = {"养老护理员": 0.06, "电工": 0.05, "焊工": 0.05, "育婴员": 0.03,
                         "网约配送员": 0.05, "快递员": 0.04, "茶艺师": -0.06,
                         "农作物植保员": -0.15, "农业经理人": -0.12, "缝纫工": -0.04}
# SYNTHETIC monthly contribution wage bases (yuan) by skill level, before the occupation's
# factor; every base is kept within 3,000-12,000 (the contribution bases of a Chinese city).
LEVEL_WAGE = {"grade5": 3700, "grade4": 4400, "grade3": 5300, "grade2": 6600, "grade1": 8000}
OCCUPATION_WAGE = {"人工智能训练师": 1.25, "电工": 1.12, "焊工": 1.15, "汽车维修工": 1.05,
                   "工业机器人系统运维员": 1.2, "养老护理员": 0.95, "家政服务员": 0.92,
                   "保育师": 0.9, "茶艺师": 0.9, "网约配送员": 1.05}
WAGE_MIN, WAGE_MAX = 3000, 12000
# SYNTHETIC: months from exit to the first job (1 = the month after the class ends).
FIRST_JOB_DELAY = ((1, 0.36), (2, 0.24), (3, 0.14), (4, 0.09), (5, 0.06), (6, 0.04),
                   (7, 0.03), (8, 0.02), (9, 0.02))
GAP_SHARE = 0.18  # SYNTHETIC: a gap of 1-3 months in the employment after exit
CHANGE_SHARE = 0.15  # SYNTHETIC: a change of employer after the gap (or without one)
QUIT_SHARE = 0.10  # SYNTHETIC: work stops after 2-5 months and does not resume
SECOND_EMPLOYER_SHARE = 0.03  # SYNTHETIC: a second employer paying at the same time
RAISE_SHARE = 0.45  # SYNTHETIC: wage after exit 5-30 % above the wage before
CUT_SHARE = 0.12  # SYNTHETIC: wage after exit 3-15 % below


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def clamp_wage(value: float) -> int:
    return int(min(WAGE_MAX, max(WAGE_MIN, round(value / 10) * 10)))


@dataclass
class Trainee:
    """What the draw needs of one trainee: groups, the class's months, occupation, level."""

    groups: tuple[str, ...]
    start: int  # month index of the (first) class start
    exit: int  # month index of the (last) class end
    occupation: str
    level: str
    order_employer: str = ""
    entrepreneurship: bool = False


@dataclass
class History:
    months: list[tuple[int, str, int]] = field(default_factory=list)
    group: str = ""
    employed_before: bool = False
    employed_after: bool = False
    with_order_employer: bool = False


def primary_group(groups: tuple[str, ...], order_class: bool) -> str:
    if order_class:
        return "order_class"
    for g in GROUP_ORDER:
        if g and g in groups:
            return g
    return ""


def _delay(rng: random.Random) -> int:
    u, acc = rng.random(), 0.0
    for months, share in FIRST_JOB_DELAY:
        acc += share
        if u < acc:
            return months
    return FIRST_JOB_DELAY[-1][0]


def draw_history(rng: random.Random, t: Trainee, *, through: int,
                 pick_employer, base_wage: float) -> History:
    """One trainee's months: before the class (some employed, some not), after the exit
    (employed at the group's rate, some with gaps, job changes, a second employer, some never),
    up to `through` (the last month with complete records)."""
    h = History(group=primary_group(t.groups, bool(t.order_employer)))
    employee = "enterprise_employee" in t.groups
    before_key = next((g for g in ("enterprise_employee", "graduate", "unemployed",
                                   "migrant_worker") if g in t.groups), "")
    wage = base_wage * rng.lognormvariate(0, 0.18)
    first = t.start - 12
    employer0 = ""
    if rng.random() < EMPLOYED_BEFORE[before_key]:
        h.employed_before = True
        employer0 = pick_employer(rng)
        begin = first if rng.random() < 0.7 else first + rng.randint(1, 8)
        # Employees keep working through an upskilling class; the unemployed lost their job
        # some months before the class; others stopped around its start.
        if employee:
            end = min(t.exit, through)
        elif "unemployed" in t.groups:
            end = t.start - rng.randint(2, 9)
        else:
            end = t.start - rng.randint(0, 3) - 1
        before_wage = clamp_wage(wage * 0.92)
        for m in range(begin, min(end, through) + 1):
            h.months.append((m, employer0, before_wage))
    if t.exit >= through:  # not yet exited, or the months after are not complete
        return h
    p = EMPLOYED_AFTER[h.group] + OCCUPATION_ADJUSTMENT.get(t.occupation, 0.0)
    if not rng.random() < min(0.97, max(0.05, p)):
        return h
    h.employed_after = True
    u = rng.random()
    growth = (rng.uniform(0.05, 0.30) if u < RAISE_SHARE
              else -rng.uniform(0.03, 0.15) if u < RAISE_SHARE + CUT_SHARE
              else rng.uniform(-0.02, 0.03))
    after_wage = clamp_wage(wage * (1 + growth))
    if t.order_employer and rng.random() < ORDER_EMPLOYER_SHARE:
        employer, start = t.order_employer, t.exit + 1
        h.with_order_employer = True
    elif employee and employer0 and rng.random() < SAME_EMPLOYER_SHARE:
        employer, start = employer0, t.exit + 1
    else:
        employer, start = pick_employer(rng), t.exit + _delay(rng)
    end = through
    if rng.random() < QUIT_SHARE:
        end = min(through, start + rng.randint(1, 4))
    gap_at = start + rng.randint(3, 10) if rng.random() < GAP_SHARE else None
    gap_len = rng.randint(1, 3)
    change_at = gap_at if gap_at is not None and rng.random() < 0.6 else (
        start + rng.randint(4, 12) if rng.random() < CHANGE_SHARE else None)
    m = start
    while m <= end:
        if gap_at is not None and m == gap_at:
            m += gap_len
            continue
        if change_at is not None and m >= change_at:
            employer, after_wage = pick_employer(rng), clamp_wage(after_wage
                                                                 * rng.uniform(1.0, 1.15))
            change_at = None
        if m % 12 == 0 and m > start and rng.random() < 0.5:  # January: a yearly raise
            after_wage = clamp_wage(after_wage * rng.uniform(1.02, 1.06))
        h.months.append((m, employer, after_wage))
        m += 1
    if rng.random() < SECOND_EMPLOYER_SHARE and h.months:
        second, part = pick_employer(rng), clamp_wage(after_wage * 0.5)
        begin = h.months[-1][0] - rng.randint(2, 6)
        taken = {(mm, e) for mm, e, _w in h.months}
        for mm in range(max(start, begin), h.months[-1][0] + 1):
            if (mm, second) not in taken:
                h.months.append((mm, second, part))
    # One employer a month at most once (a change lands on a month the old one paid).
    seen: set[tuple[int, str]] = set()
    unique = []
    for row in h.months:
        if (row[0], row[1]) not in seen:
            seen.add((row[0], row[1]))
            unique.append(row)
    h.months = unique
    return h


def base_wage(occupation: str, level: str) -> float:
    return LEVEL_WAGE.get(level, 4000) * OCCUPATION_WAGE.get(occupation, 1.0)
