"""Matching, each match explained (issue 14). Pure: plain values in, a verdict with its reasons
out; no Django. Three matchings share the distance rule:

- a training wish → open or upcoming classes within reach (`match_class`);
- an enterprise's demand line → listed institutions near it, for an order class
  (`rank_institution`);
- a finished trainee → an enterprise's open demand line, 培训就业直通车 (`match_referral`).

Citations: Zhejiang 二(一) “推行‘订单式’培训促进精准就业 … ‘岗位需求+技能培训+技能评价+就业服务’
四位一体” and “符合条件的可享受职业培训补贴” (二(四)); Lianyungang 二(一)2 “建立培训就业直通车” and
三(二) “通过企业提供岗位需求、技术标准和实践导师，院校输送人才资源 … 开展联合招生、定向培养”;
Lianyungang 二(三)1 “采用项目制、订单式、套餐制等培训方式”.

A reason is `{"rule": <code>, "ok": bool, **params}`; the pages and the API turn the code and
its parameters into a sentence in the reader's language (services.matching_text).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

ZHEJIANG_2_1 = ("浙江省“技能促富”行动方案 二(一)：推行“订单式”培训促进精准就业，“岗位需求+技能培训+"
                "技能评价+就业服务”四位一体项目化培训模式")
LIANYUNGANG_2_1_2 = "连云港市 二(一)2：建立培训就业直通车"
LIANYUNGANG_3_2 = ("连云港市 三(二)：企业提供岗位需求、技术标准和实践导师，院校输送人才资源 … "
                   "开展联合招生、定向培养")

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG), for the haversine distance

# --- parameters (named, so a page can say which) ---------------------------------------------
JOIN_LATE_DAYS = 7  # an open class is still offered this many days after its first session
TIME_SHARE_MIN = 0.5  # at least half of a class's sessions in the wished time
ORDER_CLASS_MAX_KM = 50  # institutions proposed for an order class: nearest site within this
REFERRAL_MAX_KM = 50  # trainees referred to an enterprise within this distance
MAX_MATCHES_PER_WISH = 5

# Score weights (0–100): distance 40, time 25, level 15, subsidy 10, key group 10.
W_DISTANCE, W_TIME, W_LEVEL, W_SUBSIDY, W_GROUP = 40.0, 25.0, 15.0, 10.0, 10.0

# Preferred times (demand.choices.PreferredTime) and the session windows they accept.
WEEKDAY_DAY, WEEKDAY_EVENING, WEEKEND, ANY = "weekday_day", "weekday_evening", "weekend", "any"
EVENING_FROM_MINUTE = 18 * 60  # a weekday session starting at 18:00 or later is an evening one


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees (haversine formula)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def session_window(weekday: int, start_minute: int) -> str:
    """The window a session falls in: weekend (Saturday 5, Sunday 6), weekday evening (starting
    at 18:00 or later) or weekday daytime."""
    if weekday >= 5:
        return WEEKEND
    return WEEKDAY_EVENING if start_minute >= EVENING_FROM_MINUTE else WEEKDAY_DAY


def time_share(preferred: str, windows: Sequence[str]) -> float:
    """The share of a class's sessions in the wished time (1.0 for "any time" or a class with
    no session left to place)."""
    if preferred == ANY or not windows:
        return 1.0
    return sum(1 for w in windows if w == preferred) / len(windows)


# --- a wish → classes ------------------------------------------------------------------------

@dataclass(frozen=True)
class WishFacts:
    occupation_ids: frozenset[int]
    level_rank: int | None  # None: no level wished
    preferred_time: str
    lat: float | None
    lon: float | None
    max_km: float
    key_groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ClassFacts:
    occupation_id: int
    occupation_parent_id: int | None
    level_rank: int
    start_ordinal: int  # date.toordinal()
    end_ordinal: int
    status: str  # "approved" or "open" (the others are never offered)
    lat: float
    lon: float
    windows: tuple[str, ...]  # session_window of each session not yet held
    subsidized: bool
    target_group: str = ""  # empty: open to every eligible worker
    seats_left: int = 1
    employer_id: int | None = None  # an order class's employer


@dataclass(frozen=True)
class Verdict:
    fits: bool
    score: float
    distance_km: float | None
    reasons: list[dict] = field(default_factory=list)


OFFERED_STATES = ("approved", "open")


def class_dates_fit(c: ClassFacts, today_ordinal: int) -> tuple[bool, dict]:
    """Upcoming (first session today or later), or open and started at most JOIN_LATE_DAYS
    ago; never a class that has ended."""
    if c.status not in OFFERED_STATES or c.end_ordinal < today_ordinal:
        return False, {"rule": "dates", "ok": False, "when": "closed"}
    if c.start_ordinal >= today_ordinal:
        return True, {"rule": "dates", "ok": True, "when": "upcoming",
                      "days": c.start_ordinal - today_ordinal}
    late = today_ordinal - c.start_ordinal
    ok = c.status == "open" and late <= JOIN_LATE_DAYS
    return ok, {"rule": "dates", "ok": ok, "when": "started", "days": late,
                "limit": JOIN_LATE_DAYS}


def match_class(w: WishFacts, c: ClassFacts, today_ordinal: int) -> Verdict:
    """Does this class fit this wish, and why (or why not)? Every criterion is a reason; the
    first failed one makes the verdict a refusal (its reasons say which)."""
    reasons: list[dict] = []

    def refuse(reason: dict) -> Verdict:
        reasons.append(reason)
        return Verdict(False, 0.0, distance, reasons)

    distance = None
    occ_ok = c.occupation_id in w.occupation_ids or (
        c.occupation_parent_id is not None and c.occupation_parent_id in w.occupation_ids)
    if not occ_ok:
        return refuse({"rule": "occupation", "ok": False})
    reasons.append({"rule": "occupation", "ok": True})
    ok, reason = class_dates_fit(c, today_ordinal)
    if not ok:
        return refuse(reason)
    reasons.append(reason)
    if c.seats_left <= 0:
        return refuse({"rule": "seats", "ok": False, "left": 0})
    if w.lat is None or w.lon is None:
        return refuse({"rule": "distance", "ok": False, "km": None, "limit": w.max_km})
    raw = haversine_km(w.lat, w.lon, c.lat, c.lon)
    distance = round(raw, 1)
    if raw > w.max_km:
        return refuse({"rule": "distance", "ok": False, "km": distance, "limit": w.max_km})
    reasons.append({"rule": "distance", "ok": True, "km": distance, "limit": w.max_km})
    share = time_share(w.preferred_time, c.windows)
    time_ok = share >= TIME_SHARE_MIN
    time_reason = {"rule": "time", "ok": time_ok, "preferred": w.preferred_time,
                   "share": round(share, 2), "min": TIME_SHARE_MIN}
    if not time_ok:
        return refuse(time_reason)
    reasons.append(time_reason)
    if w.level_rank is not None and c.level_rank != w.level_rank:
        return refuse({"rule": "level", "ok": False, "wished": w.level_rank,
                       "class": c.level_rank})
    reasons.append({"rule": "level", "ok": True, "wished": w.level_rank, "class": c.level_rank})
    if c.target_group and c.target_group not in w.key_groups:
        return refuse({"rule": "key_group", "ok": False, "group": c.target_group})
    reasons.append({"rule": "key_group", "ok": True, "group": c.target_group})
    reasons.append({"rule": "subsidy", "ok": True, "subsidized": c.subsidized})
    if c.employer_id is not None:
        reasons.append({"rule": "order_class", "ok": True, "employer": c.employer_id})
    return Verdict(True, class_score(distance=raw, max_km=w.max_km, share=share,
                                     level_wished=w.level_rank is not None,
                                     subsidized=c.subsidized, group=c.target_group),
                   distance, reasons)


def class_score(*, distance: float, max_km: float, share: float, level_wished: bool,
                subsidized: bool, group: str) -> float:
    """0–100: nearer, more sessions in the wished time, the wished level, subsidized, aimed
    at the worker's key group score higher (weights W_*)."""
    near = 1.0 - min(distance, max_km) / max_km if max_km > 0 else 0.0
    score = (W_DISTANCE * near + W_TIME * share + W_LEVEL * (1.0 if level_wished else 2 / 3)
             + W_SUBSIDY * (1.0 if subsidized else 0.0) + W_GROUP * (1.0 if group else 0.5))
    return round(score, 3)


def best_matches(verdicts: Iterable[tuple[int, Verdict]],
                 limit: int = MAX_MATCHES_PER_WISH) -> list[tuple[int, Verdict]]:
    """The fitting classes, best first (score, then nearer, then the lower class id)."""
    fitting = [(cid, v) for cid, v in verdicts if v.fits]
    fitting.sort(key=lambda item: (-item[1].score, item[1].distance_km or 0.0, item[0]))
    return fitting[:limit]


# --- a demand line → institutions (订单班) ----------------------------------------------------

@dataclass(frozen=True)
class InstitutionFacts:
    organization_id: int
    listed: bool  # catalog.institution_listed_as_of for the occupation and level
    listing_reason: str  # the catalog's code (listed, not_listed, level_not_listed …)
    nearest_km: float | None  # its nearest site in use to the enterprise
    classes_in_occupation: int = 0  # classes it declared in this occupation before


def rank_institution(i: InstitutionFacts, max_km: float = ORDER_CLASS_MAX_KM) -> Verdict:
    """An institution fits an order class when the catalog lists it for the line's occupation
    and level and one of its sites is within `max_km` of the enterprise. Nearer and more
    experienced in the occupation ranks higher."""
    reasons = [{"rule": "listed", "ok": i.listed, "reason": i.listing_reason}]
    if not i.listed:
        return Verdict(False, 0.0, i.nearest_km, reasons)
    ok = i.nearest_km is not None and i.nearest_km <= max_km
    reasons.append({"rule": "distance", "ok": ok, "km": i.nearest_km, "limit": max_km})
    if not ok:
        return Verdict(False, 0.0, i.nearest_km, reasons)
    reasons.append({"rule": "experience", "ok": True, "classes": i.classes_in_occupation})
    score = 70.0 * (1.0 - i.nearest_km / max_km) + 30.0 * min(i.classes_in_occupation, 10) / 10
    return Verdict(True, round(score, 3), i.nearest_km, reasons)


# --- a finished trainee → an open demand line (培训就业直通车) ----------------------------------

@dataclass(frozen=True)
class TraineeFacts:
    completed: bool
    occupation_id: int
    occupation_parent_id: int | None
    level_rank: int
    finished_ordinal: int
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class DemandFacts:
    occupation_id: int
    level_rank: int | None
    open: bool  # list accepted, not yet filled
    needed_by_ordinal: int
    lat: float | None
    lon: float | None
    wage_min: int | None = None
    wage_max: int | None = None


def match_referral(t: TraineeFacts, d: DemandFacts, today_ordinal: int,
                   max_km: float = REFERRAL_MAX_KM) -> Verdict:
    """A trainee fits a demand line when they completed a class of its occupation at or above
    its level, the line is open and not past its date, and they live (or trained) within
    `max_km` of the enterprise."""
    reasons: list[dict] = []

    def refuse(reason: dict, distance: float | None = None) -> Verdict:
        reasons.append(reason)
        return Verdict(False, 0.0, distance, reasons)

    if not t.completed:
        return refuse({"rule": "completed", "ok": False})
    reasons.append({"rule": "completed", "ok": True, "finished": t.finished_ordinal})
    if not (t.occupation_id == d.occupation_id or t.occupation_parent_id == d.occupation_id):
        return refuse({"rule": "occupation", "ok": False})
    reasons.append({"rule": "occupation", "ok": True})
    if d.level_rank is not None and t.level_rank < d.level_rank:
        return refuse({"rule": "level", "ok": False, "wished": d.level_rank,
                       "class": t.level_rank})
    reasons.append({"rule": "level", "ok": True, "wished": d.level_rank, "class": t.level_rank})
    if not d.open or d.needed_by_ordinal < today_ordinal:
        return refuse({"rule": "demand_open", "ok": False})
    reasons.append({"rule": "demand_open", "ok": True, "needed_by": d.needed_by_ordinal})
    if None in (t.lat, t.lon, d.lat, d.lon):
        return refuse({"rule": "distance", "ok": False, "km": None, "limit": max_km})
    distance = round(haversine_km(t.lat, t.lon, d.lat, d.lon), 1)
    if distance > max_km:
        return refuse({"rule": "distance", "ok": False, "km": distance, "limit": max_km},
                      distance)
    reasons.append({"rule": "distance", "ok": True, "km": distance, "limit": max_km})
    if d.wage_min is not None or d.wage_max is not None:
        reasons.append({"rule": "wage", "ok": True, "min": d.wage_min, "max": d.wage_max})
    score = 60.0 * (1.0 - distance / max_km) + 40.0 * (1.0 if d.level_rank is None
                                                        or t.level_rank == d.level_rank else 0.5)
    return Verdict(True, round(score, 3), distance, reasons)


# --- lifecycles ------------------------------------------------------------------------------

PROPOSED, AGREED, DECLINED, DECLARED = "proposed", "agreed", "declined", "declared"
ENTERPRISE, INSTITUTION = "enterprise", "institution"


def proposal_after_answer(status: str, *, enterprise_agreed: bool, institution_agreed: bool,
                          party: str, agree: bool) -> tuple[str, bool, bool]:
    """An order-class proposal after one party's answer: (status, enterprise agreed,
    institution agreed). Either party declining ends it; both agreeing makes it agreed.
    ValueError when the proposal no longer takes answers or the party answered already."""
    if status != PROPOSED:
        raise ValueError("closed")
    if party not in (ENTERPRISE, INSTITUTION):
        raise ValueError("party")
    already = enterprise_agreed if party == ENTERPRISE else institution_agreed
    if already:
        raise ValueError("answered")
    if not agree:
        return DECLINED, enterprise_agreed, institution_agreed
    ent = enterprise_agreed or party == ENTERPRISE
    inst = institution_agreed or party == INSTITUTION
    return (AGREED if ent and inst else PROPOSED), ent, inst


REFERRAL_TRANSITIONS: dict[str, dict[str, str]] = {
    # action → {from: to}
    "interview": {"referred": "interviewed"},
    "hire": {"referred": "hired", "interviewed": "hired"},
    "decline": {"referred": "declined", "interviewed": "declined"},
    "withdraw": {"referred": "withdrawn", "interviewed": "withdrawn"},
    "confirm": {"hired": "confirmed"},
}
ENTERPRISE_ACTIONS = frozenset({"interview", "hire", "decline"})
STAFF_ACTIONS = frozenset({"withdraw"})


def referral_next(status: str, action: str) -> str | None:
    """The status a referral moves to by `action`, or None when it cannot from `status`."""
    return REFERRAL_TRANSITIONS.get(action, {}).get(status)
