"""Attendance rules: where an event belongs, whether it is suspicious, how many hours it earns,
and when a trainee has completed. Pure functions over plain values (seconds, datetimes,
degrees)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
HOUR = Decimal(3600)
TWO_PLACES = Decimal("0.01")

RULE_SESSION_CREDIT = (
    "每次课计入学时 = 签到至签退与课次时段的重叠时长，不超过该课次学时；"
    "带有异常标记（时段外、距离过远）的打卡不计学时"
)
RULE_ONLINE_CREDIT = "线上学时按学习平台xAPI记录的时长累计，不超过总学时 × 线上学时占比上限"
RULE_COMPLETION = "累计学时 ≥ 目录规定学时 × 最低出勤比例 即为结业"


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points (haversine formula)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def too_far(distance_m: float | None, radius_m: int) -> bool:
    """An event with coordinates farther than the radius from the site is flagged. Events
    without coordinates (online records) are not."""
    return distance_m is not None and distance_m > radius_m


@dataclass(frozen=True)
class SessionWindow:
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime


def match_session(at: dt.datetime, sessions: Sequence[SessionWindow],
                  grace: dt.timedelta) -> tuple[int | None, bool]:
    """The session an event at `at` belongs to, and whether it falls outside that session's
    window widened by `grace` on both sides. The nearest session on the same local calendar day
    is chosen (an event between two sessions goes to the nearer one); no session that day →
    (None, True)."""
    best: tuple[dt.timedelta, SessionWindow] | None = None
    day = at.date()
    for s in sessions:
        if s.starts_at.astimezone(at.tzinfo).date() != day:
            continue
        if s.starts_at <= at <= s.ends_at:
            return s.id, False
        gap = s.starts_at - at if at < s.starts_at else at - s.ends_at
        if best is None or gap < best[0]:
            best = (gap, s)
    if best is None:
        return None, True
    return best[1].id, best[0] > grace


def overlap_seconds(a_start: dt.datetime, a_end: dt.datetime,
                    b_start: dt.datetime, b_end: dt.datetime) -> int:
    start, end = max(a_start, b_start), min(a_end, b_end)
    return max(0, int((end - start).total_seconds()))


def credited_session_seconds(session_start: dt.datetime, session_end: dt.datetime,
                             session_seconds: int, check_in: dt.datetime | None,
                             check_out: dt.datetime | None) -> int:
    """Seconds earned in one session: the overlap of [first check-in, last check-out] with the
    session window, capped at the session's hours (a window may include a lunch break). A
    check-in without a check-out (or the reverse) earns nothing."""
    if check_in is None or check_out is None or check_out <= check_in:
        return 0
    return min(overlap_seconds(session_start, session_end, check_in, check_out),
               session_seconds)


_DURATION = re.compile(
    r"^P(?!$)(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> int:
    """Whole seconds of an ISO 8601 duration as xAPI `result.duration` carries it
    (e.g. `PT1H30M`, `PT45M10.5S`, `P1DT2H`). Years, months and weeks are refused: their
    length in hours is ambiguous. Raises ValueError."""
    match = _DURATION.match((text or "").strip().upper())
    if not match or (text.strip().upper().endswith("T")):
        raise ValueError(f"not an ISO 8601 duration in days, hours, minutes, seconds: {text!r}")
    parts = {k: Decimal(v) for k, v in match.groupdict().items() if v}
    seconds = (parts.get("days", 0) * 86400 + parts.get("hours", 0) * 3600
               + parts.get("minutes", 0) * 60 + parts.get("seconds", 0))
    return int(seconds)


def online_credit_seconds(online_seconds: int, required_hours: Decimal,
                          online_share: Decimal) -> int:
    """Online learning time counted toward hours: at most the class's online share of the
    required hours."""
    cap = int(Decimal(required_hours) * Decimal(online_share) * HOUR)
    return max(0, min(online_seconds, cap))


def hours(seconds: int) -> Decimal:
    return (Decimal(seconds) / HOUR).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Completion:
    """A trainee's hours against the class's requirement, with the rule used."""

    offline_hours: Decimal
    online_hours: Decimal
    attended_hours: Decimal
    required_hours: Decimal
    min_share: Decimal
    threshold_hours: Decimal
    completed: bool

    @property
    def share(self) -> Decimal:
        if not self.required_hours:
            return Decimal(0)
        return (self.attended_hours / self.required_hours).quantize(Decimal("0.001"))

    @property
    def rule(self) -> str:
        return (f"{RULE_COMPLETION}：{self.attended_hours} ≥ {self.required_hours} × "
                f"{self.min_share} = {self.threshold_hours}")


def completion(*, offline_seconds: int, online_seconds: int, required_hours: Decimal,
               min_share: Decimal, online_share: Decimal) -> Completion:
    """A trainee completes when credited hours reach the catalog's required share."""
    required = Decimal(required_hours)
    online = online_credit_seconds(online_seconds, required, Decimal(online_share))
    offline_h, online_h = hours(offline_seconds), hours(online)
    attended = offline_h + online_h
    threshold = (required * Decimal(min_share)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    return Completion(offline_hours=offline_h, online_hours=online_h, attended_hours=attended,
                      required_hours=required, min_share=Decimal(min_share),
                      threshold_hours=threshold, completed=attended >= threshold)
