"""Enterprise demand lists (企业需求清单): the state machine as data, and the checks of one
line, pure.

Guizhou 黔就劳发〔2025〕3号 (十三): "各行业主管部门……指导建立就业培训联盟并每季度报送“企业需求清单”"
— an enterprise (or the lead enterprise of an employment-and-training alliance, 就业培训联盟)
files one list per quarter. Zhejiang 二(一): "岗位需求+技能培训+技能评价+就业服务"; Lianyungang
二(一)2 and 三(二)1: 订单班 / 订单式 training — each line says whether the enterprise would take
an order class.

draft → submitted → accepted, or returned (with a reason) → submitted again. The filing
enterprise edits its lines in draft and returned; HRSS staff of the list's region review it.
Accepted is final.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Set
from dataclasses import dataclass

DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
ACCEPTED = "accepted"

STATES = (DRAFT, SUBMITTED, RETURNED, ACCEPTED)
FINAL_STATES = frozenset({ACCEPTED})
# States in which the enterprise may change the list's header and lines.
EDITABLE_STATES = frozenset({DRAFT, RETURNED})
# States waiting for the HRSS office.
REVIEW_STATES = frozenset({SUBMITTED})
# States whose lines count as the enterprise's declared demand (the demand list of 四张清单).
FILED_STATES = frozenset({SUBMITTED, ACCEPTED})

FILER = "filer"  # a user of the filing enterprise (the alliance's lead enterprise)
HRSS = "hrss"  # HRSS staff governing the list's region
ACTORS = (FILER, HRSS)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    reason_required: bool = False


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition("submit", frozenset({DRAFT, RETURNED}), SUBMITTED, frozenset({FILER})),
    Transition("return", frozenset({SUBMITTED}), RETURNED, frozenset({HRSS}), True),
    Transition("accept", frozenset({SUBMITTED}), ACCEPTED, frozenset({HRSS})),
)}


class TransitionRefused(Exception):
    """Why an action cannot be taken: `code` is one of unknown_action, not_permitted,
    not_allowed_from, reason_required."""

    def __init__(self, code: str, action: str, status: str) -> None:
        super().__init__(f"{code}: {action} from {status}")
        self.code = code
        self.action = action
        self.status = status


def plan_transition(action: str, status: str, actor_kinds: Set[str], reason: str = "") -> str:
    """The state `action` leads to from `status` for an actor of `actor_kinds`; raises
    TransitionRefused otherwise."""
    t = TRANSITIONS.get(action)
    if t is None:
        raise TransitionRefused("unknown_action", action, status)
    if not (t.actors & set(actor_kinds)):
        raise TransitionRefused("not_permitted", action, status)
    if status not in t.sources:
        raise TransitionRefused("not_allowed_from", action, status)
    if t.reason_required and not reason.strip():
        raise TransitionRefused("reason_required", action, status)
    return t.target


def available_actions(status: str, actor_kinds: Set[str]) -> list[str]:
    """The actions an actor may take now (for buttons)."""
    return [t.action for t in TRANSITIONS.values()
            if status in t.sources and t.actors & set(actor_kinds)]


# --- quarters --------------------------------------------------------------------------------

def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter."""
    first = dt.date(year, 3 * (quarter - 1) + 1, 1)
    if quarter == 4:
        return first, dt.date(year, 12, 31)
    return first, dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)


def quarter_add(year: int, quarter: int, n: int) -> tuple[int, int]:
    index = year * 4 + (quarter - 1) + n
    return index // 4, index % 4 + 1


# A list is filed for the current quarter or one of the next QUARTERS_AHEAD (planning ahead);
# a quarter that has ended is history, not a list to file.
QUARTERS_AHEAD = 4


def fileable_quarter(year: int, quarter: int, today: dt.date) -> str:
    """"" when a list may be opened for (year, quarter) on `today`, else the problem's code:
    quarter_invalid, quarter_past, quarter_too_far."""
    if not 1 <= quarter <= 4 or not 2000 <= year <= 2100:
        return "quarter_invalid"
    now = quarter_of(today)
    if (year, quarter) < now:
        return "quarter_past"
    if (year, quarter) > quarter_add(*now, QUARTERS_AHEAD):
        return "quarter_too_far"
    return ""


def fileable_quarters(today: dt.date) -> list[tuple[int, int]]:
    now = quarter_of(today)
    return [quarter_add(*now, n) for n in range(QUARTERS_AHEAD + 1)]


# --- one line ---------------------------------------------------------------------------------

HEADCOUNT_MIN, HEADCOUNT_MAX = 1, 100_000
# A monthly wage in yuan: above zero; 200,000 a month is far beyond any skilled post offered.
WAGE_MIN, WAGE_MAX = 1, 200_000


@dataclass(frozen=True)
class LineFacts:
    headcount: int | None
    needed_by: dt.date | None
    wage_min: int | None = None
    wage_max: int | None = None


def line_problems(line: LineFacts, *, year: int, quarter: int,
                  today: dt.date) -> list[tuple[str, str]]:
    """Every problem of one line as (field, code): headcount 1..100,000; a needed-by date
    inside the list's quarter and not in the past; wages 1..200,000 yuan a month with the
    lower bound not above the upper one."""
    out: list[tuple[str, str]] = []
    if line.headcount is None:
        out.append(("headcount", "required"))
    elif not HEADCOUNT_MIN <= line.headcount <= HEADCOUNT_MAX:
        out.append(("headcount", "headcount_out_of_range"))
    if line.needed_by is None:
        out.append(("needed_by", "required"))
    else:
        first, last = quarter_bounds(year, quarter)
        if not first <= line.needed_by <= last:
            out.append(("needed_by", "date_outside_quarter"))
        elif line.needed_by < today:
            out.append(("needed_by", "date_past"))
    for name in ("wage_min", "wage_max"):
        value = getattr(line, name)
        if value is not None and not WAGE_MIN <= value <= WAGE_MAX:
            out.append((name, "wage_out_of_range"))
    if (line.wage_min is not None and line.wage_max is not None
            and WAGE_MIN <= line.wage_min <= WAGE_MAX and WAGE_MIN <= line.wage_max <= WAGE_MAX
            and line.wage_min > line.wage_max):
        out.append(("wage_min", "wage_min_above_max"))
    return out
