"""Planning the demo's classes: each a class its institution is listed for in the catalogs on
its first and last day, with a subsidy standard; the sites' timelines, the demo institution's
own story around the demo date, and each class's status on that date."""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from jineng.registry.models import (
    Organization,
    Region,
    SkillLevel,
    TrainingSite,
)
from jineng.training.demo.shares import (
    ANCHOR_HISTORY_DAYS,
    BLENDED_SHARE,
    FUNDING,
    LEVELS,
    OCCUPATION_SECTORS,
    ORDER_SHARE,
    RESUBMITTED_SHARE,
    RETURNED_SHARE,
    SECTOR_WEIGHTS,
    STEP_OFFSETS,
    TARGET_GROUPS,
    TRAINING_TYPES,
    TZ,
    occupation_weights,
)


@dataclass
class Plan:
    pk: int
    name: str
    institution: int
    site: tuple
    occupation: int
    level: str
    training_type: str
    sector: str
    target_group: str
    order_form: str
    employer: int | None
    funding: str
    online_share: Decimal
    required_hours: int
    planned_size: int
    sessions: list[tuple[int, dt.datetime, dt.datetime, Decimal]] = field(default_factory=list)
    status: str = ""  # empty: decided by the dates (_status_on)
    teacher: int | None = None
    min_share: Decimal = Decimal("0.800")
    standard_version: int | None = None
    standard_entry: int | None = None
    resubmitted: bool = False  # declared again after a return for correction


def _pick(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]

def _step_times(p, now: dt.datetime) -> dict[str, dt.datetime]:
    """The time of each step of a demo class's history (none later than now), so that its
    history, its last change and the plans facts dated by its finish tell a real story."""
    ends = (p.sessions[0][1], p.sessions[-1][2])
    return {step: min(ends[anchor] + dt.timedelta(hours=hours), now)
            for step, (anchor, hours) in STEP_OFFSETS.items()}


def _weekdays(start: dt.date, n: int) -> list[dt.date]:
    out, day = [], start
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out

def _weekday_from(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _weekdays_before(end: dt.date, n: int) -> list[dt.date]:
    out, day = [], end
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day -= dt.timedelta(days=1)
    return sorted(out)


class _Catalogs:
    """The catalogs in force, as the declaration checks them (catalog.selectors), with the
    answers remembered per catalog period (the days between two version changes)."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        from jineng.catalog.choices import PUBLIC_STATUSES, CatalogKind
        from jineng.catalog.models import CatalogVersion

        kinds = (CatalogKind.SUBSIDY_STANDARD, CatalogKind.TRAINING_INSTITUTION)
        bounds: set[dt.date] = set()
        for start, end in CatalogVersion.objects.filter(
                catalog__kind__in=kinds, status__in=PUBLIC_STATUSES).values_list(
                "effective_from", "effective_to"):
            bounds.add(start)
            if end is not None:
                bounds.add(end + dt.timedelta(days=1))
        self.bounds = sorted(bounds)
        self._listed: dict[tuple, bool] = {}
        self._standard: dict[tuple, object] = {}
        self._options: dict[tuple, list[tuple[int, str, int, int]]] = {}
        self._orgs: dict[int, Organization] = {}
        self._sites: dict[int, TrainingSite] = {}
        self.ranks = dict(SkillLevel.objects.values_list("code", "rank"))

    def period(self, day: dt.date) -> int:
        return bisect.bisect_right(self.bounds, day)

    def options(self, institution: int, day: dt.date) -> list[tuple[int, str, int, int]]:
        """(occupation, its name, lowest and highest level rank) the institution is listed
        for on `day` (candidates; `listed` confirms each with the catalog's own rule)."""
        from jineng.catalog.choices import CatalogKind
        from jineng.catalog.models import InstitutionCatalogEntry
        from jineng.catalog.selectors import entry_in_force_q, in_force_q

        key = (institution, self.period(day))
        if key not in self._options:
            rows = (InstitutionCatalogEntry.objects
                    .filter(in_force_q(day, None, "version__"), entry_in_force_q(day),
                            version__catalog__kind=CatalogKind.TRAINING_INSTITUTION,
                            organization_id=institution, occupation__isnull=False)
                    .order_by("occupation_id")
                    .values_list("occupation_id", "occupation__name", "min_level__rank",
                                 "max_level__rank"))
            self._options[key] = [(o, n, lo or 0, hi or 99) for o, n, lo, hi in rows]
        return self._options[key]

    def listed(self, institution: int, occupation: int, level: str, site: int,
               day: dt.date) -> bool:
        from jineng.catalog.selectors import institution_listed_as_of

        key = (institution, occupation, level, site, self.period(day))
        if key not in self._listed:
            org = self._orgs.get(institution) or Organization.objects.get(pk=institution)
            self._orgs[institution] = org
            place = self._sites.get(site) or TrainingSite.objects.select_related(
                "region").get(pk=site)
            self._sites[site] = place
            self._listed[key] = bool(institution_listed_as_of(org, occupation, level, place,
                                                              day))
        return self._listed[key]

    def standard(self, occupation: int, level: str, region: int, training_type: str,
                 day: dt.date):
        from jineng.catalog.selectors import subsidy_standard_as_of

        key = (occupation, level, region, training_type, self.period(day))
        if key not in self._standard:
            place = next((s.region for s in self._sites.values() if s.region_id == region),
                         None) or Region.objects.get(pk=region)
            self._standard[key] = subsidy_standard_as_of(occupation, level, place,
                                                         training_type, day)
        return self._standard[key]


class _Planner:
    """Plans one class at a site from a day: an occupation and level its institution is listed
    for, a training type with a subsidy standard, the standard's hours as its schedule."""

    def __init__(self, *, rng: random.Random, catalogs: _Catalogs, levels: dict[str, int],
                 enterprises: list[int], first_class: int, first_session: int) -> None:
        self.rng, self.catalogs, self.levels = rng, catalogs, levels
        self.enterprises = enterprises
        self.first_class = first_class
        self.session_pk = first_session
        self.plans: list[Plan] = []
        self.weights = occupation_weights()

    def _choose(self, site: tuple, day: dt.date):
        """(occupation, name, level, training type, standard answer) or None."""
        rng, catalogs = self.rng, self.catalogs
        options = [o for o in catalogs.options(site[1], day) if self.weights.get(o[1])]
        if not options:
            return None
        for _attempt in range(6):
            occ, name, low, high = rng.choices(
                options, weights=[self.weights[o[1]] for o in options])[0]
            level_pool = {lv: w for lv, w in LEVELS.items()
                          if low <= catalogs.ranks.get(lv, 0) <= high}
            if not level_pool:
                continue
            level = _pick(rng, level_pool)
            types = list(TRAINING_TYPES)
            rng.shuffle(types)
            types.sort(key=lambda t: -TRAINING_TYPES[t] * rng.random())
            for ttype in types:
                answer = catalogs.standard(occ, level, site[2], ttype, day)
                if answer is not None:
                    return occ, name, level, ttype, answer
        return None

    def plan(self, site: tuple, start: dt.date, *, days: list[dt.date] | None = None,
             evening: bool | None = None, status: str = "", resubmitted: bool = False,
             employer: int | None = None, end: dt.date | None = None) -> Plan | None:
        """A class at `site` from `start` (or on exactly `days`, or ending on `end`), checked
        against the catalogs on its first and last day; None when none fits."""
        rng = self.rng
        chosen = self._choose(site, start)
        if chosen is None:
            return None
        occ, name, level, ttype, answer = chosen
        entry = answer.entry
        hours = int(Decimal(entry.required_hours))
        online = Decimal(rng.choice(("0.20", "0.25", "0.30"))) \
            if rng.random() < BLENDED_SHARE else Decimal(0)
        on_site = math.ceil(hours * (1 - float(online)))
        if evening is None:
            evening = ttype == "upskilling" and rng.random() < 0.4
        begin, finish, per = ((dt.time(19), dt.time(21, 30), Decimal("2.5")) if evening
                              else (dt.time(9), dt.time(16, 30), Decimal(6)))
        n_sessions = max(3, math.ceil(on_site / float(per)))
        if days is None and end is not None:  # ending on `end` (a weekend day too)
            days = (_weekdays_before(end, n_sessions) if end.weekday() < 5 else
                    [*_weekdays_before(end - dt.timedelta(days=1), n_sessions - 1), end])
        elif days is None:
            days = _weekdays(start, n_sessions)
        elif len(days) < n_sessions:  # a fixed part (today) plus weekdays after it
            days = sorted({*days, *_weekdays(days[-1] + dt.timedelta(days=1),
                                             n_sessions - len(days))})
        first, last = days[0], days[-1]
        if not (self.catalogs.listed(site[1], occ, level, site[0], first)
                and self.catalogs.listed(site[1], occ, level, site[0], last)):
            return None
        sectors = [s for s in OCCUPATION_SECTORS[name] if SECTOR_WEIGHTS.get(s)]
        sector = rng.choices(sectors, weights=[SECTOR_WEIGHTS[s] for s in sectors])[0]
        target_group = _pick(rng, {**TARGET_GROUPS, "": 1 - sum(TARGET_GROUPS.values())})
        if employer is None and self.enterprises and rng.random() < ORDER_SHARE:
            employer = rng.choice(self.enterprises)
        plan = Plan(
            pk=self.first_class + len(self.plans), name="", institution=site[1], site=site,
            occupation=occ, level=level, training_type=ttype, sector=sector,
            target_group=target_group,
            order_form=rng.choice(("order", "fixed_post", "named")) if employer else "",
            employer=employer, funding=_pick(rng, FUNDING), online_share=online,
            required_hours=hours, planned_size=min(site[5], rng.randint(25, 50)),
            status=status, resubmitted=resubmitted,
            min_share=Decimal(entry.min_attendance_share).quantize(Decimal("0.001")),
            standard_version=answer.version_id, standard_entry=entry.pk)
        for day in days:
            plan.sessions.append((self.session_pk, dt.datetime.combine(day, begin, tzinfo=TZ),
                                  dt.datetime.combine(day, finish, tzinfo=TZ), per))
            self.session_pk += 1
        self.plans.append(plan)
        return plan


def _status_on(p: Plan, today: dt.date, rng: random.Random) -> tuple[str, bool]:
    """A class's status on the demo date from its dates (SYNTHETIC shares); and whether a
    waiting declaration was returned for correction once and declared again."""
    first, last = p.sessions[0][1].date(), p.sessions[-1][1].date()
    roll = rng.random()
    if first > today:
        if roll < 0.02:
            return "rejected", False
        if roll < 0.04:
            return "cancelled", False
        if roll < 0.04 + RETURNED_SHARE:
            return "returned", False
        if roll < 0.7:
            return "approved", False
        return "declared", rng.random() < RESUBMITTED_SHARE
    if last >= today:
        return ("suspended" if roll < 0.02 else "open"), False
    if (today - last).days > 60:
        return ("settled" if roll < 0.75 else "assessed" if roll < 0.95 else "finished"), False
    if (today - last).days > 20:
        return ("assessed" if roll < 0.6 else "finished"), False
    return "finished", False


def _anchor_story(planner: _Planner, sites: list[tuple], today: dt.date,
                  window_start: dt.date, *, employer: int | None) -> None:
    """The demo training institution (the one the demo operator logs into) on the demo date:
    a class in session today (an order class of the demo enterprise), one ending this week,
    one about to start, declarations waiting for review (one resubmitted after a return),
    one returned for correction, and finished classes before them. Each site has its own
    timeline, so site and teachers are never double-booked."""
    week_end = today + dt.timedelta(days=max(0, 4 - today.weekday()))
    rng = planner.rng
    stories = [  # per site: the class around today, then the classes after it
        ("running", [("declared", True, employer)]),
        ("finishing", [("returned", False, None), ("declared", False, None)]),
        (None, [("approved", False, employer), ("declared", False, None)]),
    ]
    for index, site in enumerate(sites):
        current, later = stories[index % len(stories)]
        earliest = today + dt.timedelta(days=2)
        plan = None
        for _attempt in range(5):
            if current == "running":
                before = _weekdays_before(today - dt.timedelta(days=1), 8)
                plan = planner.plan(site, before[0], days=[*before, today], status="open",
                                    employer=employer)
            elif current == "finishing":
                plan = planner.plan(site, today, end=week_end, status="open")
                if plan is not None and today not in {s[1].date() for s in plan.sessions}:
                    _drop_last(planner)  # must be in session today too: try again
                    plan = None
            else:
                break
            if plan is not None:
                break
        history_end = today - dt.timedelta(days=3)
        if plan is not None:
            earliest = plan.sessions[-1][1].date() + dt.timedelta(days=3)
            history_end = plan.sessions[0][1].date() - dt.timedelta(days=rng.randint(3, 8))
        for status, resubmitted, order_of in later:  # the future, one after another
            for _attempt in range(5):
                nxt = planner.plan(site, _weekday_from(earliest), status=status,
                                   resubmitted=resubmitted, employer=order_of)
                if nxt is not None:
                    earliest = nxt.sessions[-1][1].date() + dt.timedelta(days=3)
                    break
                earliest += dt.timedelta(days=7)
        since = max(window_start, today - dt.timedelta(days=ANCHOR_HISTORY_DAYS))
        while history_end > since:  # the past, backwards
            past = planner.plan(site, history_end, end=_weekday_back(history_end))
            if past is None:
                history_end -= dt.timedelta(days=14)
                continue
            if past.sessions[0][1].date() < since:
                _drop_last(planner)
                break
            history_end = past.sessions[0][1].date() - dt.timedelta(days=rng.randint(3, 10))


def _weekday_back(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _drop_last(planner: _Planner) -> None:
    plan = planner.plans.pop()
    planner.session_pk -= len(plan.sessions)
