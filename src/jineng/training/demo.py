"""Demo data of the training app: classes across sectors and key groups, real-name enrollments
and a year of realistic attendance (late arrivals, early leaves, absences, dropouts, flagged
check-ins, online hours), built set-based on top of the demo registry.

`build_demo_training(scale=, seed=, today=)` is called by the demo generator after the
registry (organizations, sites, persons, key groups) exists. Rows go in as tuples with explicit
primary keys (the returned `blocks` say which, for a later reset); attendance goes in with
COPY on PostgreSQL and executemany on SQLite. Deterministic for a seed.

Proportions: sectors follow the targets of the Guizhou (黔就劳发〔2025〕3号, 二(一)–(九)) and
Henan (2025 技能河南 方案, 二(一)) seeds, averaged as shares; key groups follow Guizhou (十一)
(青年 7万 of 100万) and (十二) (就业困难群体 6万), Henan 6 (青年 15万 of 200万). Everything
marked SYNTHETIC is an assumption of the demo, not a policy figure.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import time
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from jineng.core import audit
from jineng.registry.choices import KeyGroup, OrganizationKind, OrganizationStatus
from jineng.registry.models import (
    KeyGroupMembership,
    Occupation,
    Organization,
    Person,
    Region,
    SkillLevel,
    TrainingSite,
)
from jineng.training import plan_facts
from jineng.training.models import (
    AttendanceEvent,
    ClassSession,
    ClassStatusChange,
    Enrollment,
    Teacher,
    TrainingClass,
)
from jineng.training.rules import attendance as att_rules

TZ = ZoneInfo("Asia/Shanghai")

# The plans facts of the demo's finished classes: the training app's own facts, under a source
# of their own so that removing the demo removes exactly them.
PLAN_FACTS_SOURCE = "demo.training"

# Enrollments a year per tier (DESIGN.md); XS is for tests.
TIER_ENROLLMENTS = {"XS": 300, "S": 35_000, "M": 350_000, "L": 2_000_000}

# Targets in 10,000 person-times by sector: Guizhou 2025–2027, Henan 2025.
GUIZHOU = {"advanced_manufacturing": 8, "elderly_child_care": 15, "rural": 10,
           "culture_tourism": 10, "digital_economy": 2, "transport": 8, "low_altitude": 1,
           "construction": 3, "special_operations": 30}
HENAN = {"advanced_manufacturing": 23, "elderly_child_care": 35, "culture_tourism": 3,
         "modern_services": 3, "special_operations": 3, "rural": 18, "digital_economy": 5,
         "transport": 4, "low_altitude": 1, "water_conservancy": 1}
SECTOR_WEIGHTS = {s: GUIZHOU.get(s, 0) / sum(GUIZHOU.values())
                  + HENAN.get(s, 0) / sum(HENAN.values()) for s in {*GUIZHOU, *HENAN}}

SECTOR_OCCUPATIONS = {
    "advanced_manufacturing": ["焊工", "电工", "工业机器人系统运维员", "工业机器人系统操作员",
                               "化工总控工", "汽车维修工", "缝纫工"],
    "elderly_child_care": ["养老护理员", "保育师", "育婴员", "家政服务员", "医疗护理员",
                           "健康照护师", "孤残儿童护理员", "长期照护师"],
    "rural": ["农业经理人", "农作物植保员", "动物疫病防治员", "农机驾驶操作员", "中药材种植员",
              "乡村建设工匠", "电子商务师"],
    "culture_tourism": ["导游", "讲解员", "中式烹调师", "茶艺师", "文物修复师"],
    "digital_economy": ["数据标注员", "人工智能训练师", "数字化管理师", "互联网营销师"],
    "transport": ["快递员", "网约配送员", "网约车驾驶员", "物流服务师", "汽车维修工"],
    "low_altitude": ["无人机驾驶员", "无人机装调检修工"],
    "construction": ["乡村建设工匠", "电工", "焊工"],
    "special_operations": ["电工", "焊工", "起重装卸机械操作工"],
    "modern_services": ["电子商务师", "中式烹调师", "家政服务员"],
    "water_conservancy": ["电工", "农机驾驶操作员"],
}
# SYNTHETIC: target key groups of classes (the rest are open to every eligible worker).
TARGET_GROUPS = {KeyGroup.GRADUATE: 0.072, KeyGroup.MIGRANT_WORKER: 0.05,
                 KeyGroup.UNEMPLOYED: 0.012, KeyGroup.HARD_TO_EMPLOY: 0.006,
                 KeyGroup.POVERTY_MONITORED: 0.006, KeyGroup.RELOCATED: 0.006,
                 KeyGroup.VETERAN: 0.008, KeyGroup.DISABLED: 0.004}
TRAINING_TYPES = {"employment": 0.55, "upskilling": 0.30, "entrepreneurship": 0.04,
                  "apprenticeship": 0.04, "high_skilled": 0.07}  # SYNTHETIC
LEVELS = {"grade5": 0.6, "grade4": 0.27, "grade3": 0.1, "grade2": 0.03}  # SYNTHETIC
HOURS_BY_LEVEL = {"grade5": 72, "grade4": 96, "grade3": 120, "grade2": 144}  # SYNTHETIC
HOURS_BY_TYPE = {"entrepreneurship": 60, "special_operation": 48}  # SYNTHETIC
ORDER_SHARE = 0.05  # SYNTHETIC: 订单班/定岗班/冠名班
BLENDED_SHARE = 0.15  # SYNTHETIC: classes with an online part
FUNDING = {"employment_subsidy": 0.55, "skills_account": 0.25, "east_west": 0.04,
           "rural_revitalization": 0.06, "industry": 0.05, "enterprise": 0.05}
# SYNTHETIC attendance behaviour
ABSENT = 0.06
LATE = 0.12
EARLY_LEAVE = 0.06
NO_CHECK_OUT = 0.02
FORGOT_UNTIL_EVENING = 0.005  # a check-out hours after the session: flagged outside window
FAR_AWAY = 0.015  # a mobile check-in far from the site: flagged
DROPOUT = 0.05
LATE_JOIN = 0.02
METHODS = ((1, 0.6), (2, 0.25), (3, 0.15))  # terminal, mobile, QR

CHUNK = 20_000


@dataclass
class Block:
    model: str
    first: int
    last: int


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


def _next_pk(model: type[models.Model]) -> int:
    return (model._base_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def _insert(model, fields: list[str], rows: list[tuple]) -> None:
    """executemany with explicit primary keys; values converted by the fields themselves."""
    if not rows:
        return
    opts = model._meta
    by_name = {f.attname: f for f in opts.concrete_fields}
    cols = [by_name[n] for n in fields]
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(opts.db_table)} ({', '.join(qn(c.column) for c in cols)}) "
           f"VALUES ({', '.join(['%s'] * len(cols))})")
    convert = [(i, c) for i, c in enumerate(cols)
               if isinstance(c, models.DateField | models.DecimalField | models.JSONField)]
    prepared = []
    for row in rows:
        values = list(row)
        for i, c in convert:
            if values[i] is not None:
                values[i] = c.get_db_prep_save(values[i], connection)
        prepared.append(values)
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), CHUNK):
            cursor.executemany(sql, prepared[start:start + CHUNK])


def _insert_m2m(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _reset_sequences(*models_) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


# SYNTHETIC: when each step of a class's life happens, relative to its first session's start
# (declared three weeks before, …) or its last session's end (finished two hours after, …).
STEP_OFFSETS = {"declared": (0, -21 * 24), "returned": (0, -18 * 24),
                "resubmitted": (0, -16 * 24),
                "approved": (0, -14 * 24), "rejected": (0, -14 * 24),
                "cancelled": (0, -7 * 24), "open": (0, -1), "suspended": (1, -10 * 24),
                "finished": (1, 2), "assessed": (1, 12 * 24), "settled": (1, 40 * 24)}


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


class _EventSink:
    """Attendance rows, already formatted as tab-separated COPY text lines, to the table:
    COPY on PostgreSQL; split back into tuples for executemany on SQLite."""

    COLUMNS = ("id", "institution_id", "training_class_id", "session_id", "enrollment_id",
               "kind", "method", "occurred_at", "received_at", "latitude", "longitude",
               "distance_m", "online_seconds", "outside_window", "too_far", "idempotency_key",
               "device")

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.lines: list[str] = []
        qn = connection.ops.quote_name
        self.table = qn(AttendanceEvent._meta.db_table)
        self.columns = ", ".join(qn(c) for c in self.COLUMNS)
        self._cursor = self._copy_context = self._copy = None
        if self.postgres:
            # One COPY for the whole load: the server stores rows while Python makes the next
            # ones (the connection is busy with it until close()).
            self._cursor = connection.cursor()
            self._copy_context = self._cursor.cursor.copy(
                f"COPY {self.table} ({self.columns}) FROM STDIN")
            self._copy = self._copy_context.__enter__()

    def flush(self) -> None:
        if not self.lines:
            return
        if self.postgres:
            self._copy.write("".join(self.lines))
        else:
            placeholders = ", ".join(["%s"] * len(self.COLUMNS))
            rows = [[None if v == NULL else v for v in line[:-1].split("\t")]
                    for line in self.lines]
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.columns}) VALUES ({placeholders})", rows)
        self.lines = []

    def close(self) -> None:
        self.flush()
        if self._copy_context is not None:
            self._copy_context.__exit__(None, None, None)
            self._cursor.close()


NULL = "\\N"


class _Clock:
    """Timestamp text from (day ordinal, local seconds of day) without datetime objects: the
    hot loop makes two per event. PostgreSQL gets local time with its offset; SQLite naive UTC,
    as Django stores it there."""

    def __init__(self, postgres: bool) -> None:
        self.tod = [f"{h:02d}:{m:02d}:{sec:02d}" for h in range(24) for m in range(60)
                    for sec in range(60)]
        self.suffix = "+08" if postgres else ""
        self.shift = 0 if postgres else -8 * 3600
        self.days: dict[int, str] = {}

    def __call__(self, ordinal: int, seconds: int) -> str:
        seconds += self.shift
        ordinal += seconds // 86400
        day = self.days.get(ordinal)
        if day is None:
            day = self.days[ordinal] = dt.date.fromordinal(ordinal).isoformat() + " "
        return day + self.tod[seconds % 86400] + self.suffix


SECONDARY_INDEXES = ("attendance_idempotent", "attendance_class_time")


def _drop_secondary_indexes() -> list[str]:
    """For a large load on PostgreSQL: drop the two secondary indexes (rebuilt afterwards, which
    is several times faster than maintaining them row by row)."""
    table = AttendanceEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                       "AND indexname = ANY(%s)", [table, list(SECONDARY_INDEXES)])
        found = cursor.fetchall()
        for name, _definition in found:
            if name == "attendance_idempotent":
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            else:
                cursor.execute(f'DROP INDEX "{name}"')
    return [d for _n, d in found]


def _restore_secondary_indexes(definitions: list[str]) -> None:
    table = AttendanceEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for definition in definitions:
            if "attendance_idempotent" in definition:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "attendance_idempotent" '
                               'UNIQUE ("institution_id", "idempotency_key")')
            else:
                cursor.execute(definition)


# The window of classes around the demo date, in days.
WINDOW_BEFORE = 330
WINDOW_AFTER = 45
# History rows of the steps that are not plain transitions: (action, status reached).
HISTORY_ACTIONS = {"declared": ("declare", "declared"), "returned": ("return", "returned"),
                   "resubmitted": ("resubmit", "declared")}
HISTORY_REASONS = {  # SYNTHETIC reasons an HRSS office gives
    "returned": "课程安排表缺少实操课时，请补充后重新提交（演示数据）",
    "rejected": "该机构本年度已开班数超过场地承载能力（演示数据）",
    "cancelled": "报名人数不足，机构申请撤销（演示数据）",
    "suspended": "抽查发现签到异常，暂停待核查（演示数据）",
}
ANCHOR_HISTORY_DAYS = 120  # the demo institution's finished classes before the demo date
RETURNED_SHARE = 0.06  # SYNTHETIC: future declarations sent back for correction
RESUBMITTED_SHARE = 0.25  # SYNTHETIC: of those still waiting, declared again after a return
OCCUPATION_SECTORS: dict[str, list[str]] = defaultdict(list)
for _sector, _names in SECTOR_OCCUPATIONS.items():
    for _name in _names:
        OCCUPATION_SECTORS[_name].append(_sector)


def occupation_weights() -> dict[str, float]:
    """How often the demo trains each occupation (the sector shares of the seeds, split among
    the sector's occupations): the demo's training-institution catalog lists institutions for
    occupations in these proportions, so classes can follow them."""
    weights: dict[str, float] = defaultdict(float)
    for sector, names in SECTOR_OCCUPATIONS.items():
        for name in names:
            weights[name] += SECTOR_WEIGHTS.get(sector, 0) / len(names)
    return dict(weights)


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



def build_demo_training(*, scale: str, seed: int, today: dt.date,
                        anchors: dict[str, int] | None = None) -> dict:
    """Build the training demo on top of the demo registry; returns counts, seconds and the
    primary-key blocks made (`blocks`: [model label, first, last], dependencies first)."""
    started = time.perf_counter()
    rng = random.Random(f"jineng-training-demo:{seed}:{scale}")
    now = timezone.now() if today == timezone.localdate() else dt.datetime.combine(
        today, dt.time(12), tzinfo=TZ)
    sites = list(TrainingSite.objects.filter(
        is_active=True, organization__kind=OrganizationKind.TRAINING,
        organization__status=OrganizationStatus.LISTED).order_by("pk").values_list(
        "pk", "organization_id", "region_id", "latitude", "longitude", "capacity"))
    if not sites:
        return {"classes": 0, "seconds": 0.0, "blocks": []}
    enterprises = list(Organization.objects.filter(kind=OrganizationKind.ENTERPRISE)
                       .order_by("pk").values_list("pk", flat=True))
    levels = dict(SkillLevel.objects.values_list("code", "pk"))
    catalogs = _Catalogs(today - dt.timedelta(days=WINDOW_BEFORE),
                         today + dt.timedelta(days=WINDOW_AFTER))

    # persons safely inside the age limits on every day of the window (SYNTHETIC pool)
    oldest = dt.date(today.year - 54, today.month, 1)
    youngest = dt.date(today.year - 18, today.month, 1)
    pool = array("q", Person.objects.filter(birth_date__gt=oldest, birth_date__lt=youngest)
                 .order_by("pk").values_list("pk", flat=True).iterator(chunk_size=50_000))
    rng.shuffle(pool)  # type: ignore[arg-type]
    groups: dict[str, list[int]] = defaultdict(list)
    for person_id, group in (KeyGroupMembership.objects
                             .filter(group__in=list(TARGET_GROUPS), start_date__lte=today)
                             .order_by("pk").values_list("person_id", "group")
                             .iterator(chunk_size=50_000)):
        groups[group].append(person_id)
    target = min(TIER_ENROLLMENTS.get(scale, TIER_ENROLLMENTS["S"]), len(pool))
    used: set[int] = set()

    # --- plan classes on the sites' timelines --------------------------------------------
    # Each class is one its institution is listed for in the training-institutions catalog
    # (occupation, level, site) on its first and last day, with a subsidy standard in force
    # on its first day; its hours and attendance threshold are the standard's.
    window_start = today - dt.timedelta(days=WINDOW_BEFORE)
    window_end = today + dt.timedelta(days=WINDOW_AFTER)
    avg_size = 38
    wanted = max(1, math.ceil(target / avg_size / 0.9))
    first_class = _next_pk(TrainingClass)
    first_session = _next_pk(ClassSession)
    planner = _Planner(rng=rng, catalogs=catalogs, levels=levels, enterprises=enterprises,
                       first_class=first_class, first_session=first_session)
    anchor = (anchors or {}).get(OrganizationKind.TRAINING)
    anchor_sites = [s for s in sites if s[1] == anchor]
    if anchor_sites:  # the demo institution's own story around today (see _anchor_story)
        _anchor_story(planner, anchor_sites, today, window_start,
                      employer=(anchors or {}).get(OrganizationKind.ENTERPRISE))
    told = len(planner.plans)
    # Every site's timeline runs through the whole window; then classes are dropped at random
    # down to the tier's number, so that classes run on every day of the window, the demo
    # date included (filling sites until the number was reached ended them months before).
    free_from = {s[0]: window_start + dt.timedelta(days=rng.randint(0, 30)) for s in sites}
    active_sites = [s for s in sites if s[1] != anchor]
    site_index = 0
    while active_sites:
        site = active_sites[site_index % len(active_sites)]
        site_index += 1
        start = free_from[site[0]]
        if start > window_end:
            active_sites.remove(site)
            continue
        plan = planner.plan(site, _weekday_from(start))
        if plan is None:  # nothing this institution may run here then: try a week later
            free_from[site[0]] = start + dt.timedelta(days=7)
            continue
        free_from[site[0]] = plan.sessions[-1][1].date() + dt.timedelta(days=rng.randint(1, 12))
    generic = planner.plans[told:]
    keep = max(wanted - told, wanted // 2)
    if len(generic) > keep:
        generic = [generic[i] for i in sorted(rng.sample(range(len(generic)), keep))]
    plans = planner.plans[:told] + generic
    session_pk = first_session
    for number, p in enumerate(plans):  # primary keys in order again after the thinning
        p.pk = first_class + number
        p.sessions = [(session_pk + j, a, b, h) for j, (_pk, a, b, h) in enumerate(p.sessions)]
        session_pk += len(p.sessions)
    if not plans:
        return {"classes": 0, "seconds": round(time.perf_counter() - started, 1),
                "blocks": []}

    # --- statuses, names, teachers ---------------------------------------------------------
    occupation_names = dict(Occupation.objects.filter(
        pk__in={p.occupation for p in plans}).values_list("pk", "name"))
    level_names = dict(SkillLevel.objects.values_list("code", "name"))
    runs: dict[tuple, int] = defaultdict(int)
    for p in plans:
        if not p.status:
            p.status, p.resubmitted = _status_on(p, today, rng)
        runs[(p.institution, p.occupation, p.level)] += 1
        p.name = (f"{occupation_names[p.occupation]}（{level_names[p.level]}）"
                  f"第{runs[(p.institution, p.occupation, p.level)]}期")
    teachers: list[tuple] = []
    teacher_free: dict[int, list[list]] = defaultdict(list)  # institution → [pk, free_from]
    first_teacher = _next_pk(Teacher)
    for p in sorted(plans, key=lambda p: p.sessions[0][1]):
        first, last = p.sessions[0][1].date(), p.sessions[-1][1].date()
        free = next((t for t in teacher_free[p.institution] if t[1] <= first), None)
        if free is None:
            pk = first_teacher + len(teachers)
            teachers.append((pk, p.institution, f"教师{len(teachers) + 1:05d}", "", "",
                             rng.choice(("高级技师", "技师", "高级工", "讲师")), True))
            free = [pk, first]
            teacher_free[p.institution].append(free)
        free[1] = last + dt.timedelta(days=1)
        p.teacher = free[0]

    # --- write classes, sessions, teachers, history ----------------------------------------
    _insert(Teacher, ["id", "organization_id", "name", "id_hash", "id_masked",
                      "qualification", "is_active"], teachers)
    class_rows, session_rows, m2m_rows, history_rows = [], [], [], []
    created = timezone.now()
    first_history = _next_pk(ClassStatusChange)
    path = {"declared": ["declared"], "approved": ["declared", "approved"],
            "rejected": ["declared", "rejected"], "cancelled": ["declared", "cancelled"],
            "returned": ["declared", "returned"],
            "open": ["declared", "approved", "open"],
            "suspended": ["declared", "approved", "open", "suspended"],
            "finished": ["declared", "approved", "open", "finished"],
            "assessed": ["declared", "approved", "open", "finished", "assessed"],
            "settled": ["declared", "approved", "open", "finished", "assessed", "settled"]}
    for p in plans:
        scheduled = sum((s[3] for s in p.sessions), Decimal(0))
        when = _step_times(p, created)
        class_rows.append((
            p.pk, p.name, p.institution, p.site[0], p.site[2], p.occupation, levels[p.level],
            p.training_type, p.order_form, p.employer, p.sector, p.target_group,
            p.planned_size, p.funding, p.online_share, p.sessions[0][1].date(),
            p.sessions[-1][1].date(), Decimal(p.required_hours), p.min_share, scheduled,
            p.standard_version, p.standard_entry, 500, p.status,
            "open" if p.status == "suspended" else "",
            when["resubmitted" if p.resubmitted else p.status], when["declared"], "demo"))
        for seq, (spk, start, end, hours) in enumerate(p.sessions, start=1):
            session_rows.append((spk, p.pk, seq, start.date(), start, end, hours, ""))
        m2m_rows.append((p.pk, p.teacher))
        previous = ""
        steps = (["declared", "returned", "resubmitted"] if p.resubmitted
                 else path[p.status])
        for step in steps:
            action, to = HISTORY_ACTIONS.get(step, (step, step))
            history_rows.append((first_history + len(history_rows), p.pk, action, previous,
                                 to, HISTORY_REASONS.get(step, ""), None, "demo", when[step],
                                 {}))
            previous = to
    _insert(TrainingClass, [
        "id", "name", "institution_id", "site_id", "region_id", "occupation_id", "level_id",
        "training_type", "order_form", "employer_id", "sector", "target_group",
        "planned_size", "funding_source", "online_share", "start_date", "end_date",
        "required_hours", "min_attendance_share", "scheduled_hours", "standard_version_id",
        "standard_entry_id", "checkin_radius_m", "status", "status_before_suspension",
        "status_changed_at", "declared_at", "declared_by"], class_rows)
    _insert(ClassSession, ["id", "training_class_id", "seq", "date", "starts_at", "ends_at",
                           "hours", "topic"], session_rows)
    through = TrainingClass.teachers.through
    first_m2m = _next_pk(through)
    _insert_m2m(through._meta.db_table, ("id", "trainingclass_id", "teacher_id"),
                [(first_m2m + i, c, t) for i, (c, t) in enumerate(m2m_rows)])
    _insert(ClassStatusChange, ["id", "training_class_id", "action", "from_status",
                                "to_status", "reason", "actor_id", "actor_username", "at",
                                "note"],
            history_rows)

    # --- enrollments and attendance ---------------------------------------------------------
    first_enrollment = _next_pk(Enrollment)
    first_event = _next_pk(AttendanceEvent)
    enrollment_pk, event_pk = first_enrollment, first_event
    phases = {"plan_and_classes": round(time.perf_counter() - started, 1)}
    large = connection.vendor == "postgresql" and target >= 200_000
    saved_indexes = _drop_secondary_indexes() if large else []
    sink = _EventSink()
    clock = _Clock(sink.postgres)
    enrollment_rows: list[tuple] = []
    enrollment_lines: list[str] = []
    cursor_pool = 0
    group_cursor: dict[str, int] = defaultdict(int)
    attended_states = {"open", "suspended", "finished", "assessed", "settled"}
    frozen_states = {"finished", "assessed", "settled"}
    fill = {"declared": (0.0, 0.6), "returned": (0.0, 0.4), "approved": (0.3, 0.9),
            "rejected": (0, 0), "cancelled": (0, 0)}
    now_ord = timezone.localtime(now).date().toordinal()
    now_sec = (now_ord, timezone.localtime(now).hour * 3600 + timezone.localtime(now).minute * 60)
    rand = rng.random
    lines = sink.lines
    for p in plans:
        low, high = fill.get(p.status, (0.85, 1.0))
        size = int(p.planned_size * rng.uniform(low, high))
        members: list[int] = []
        if p.target_group:
            candidates = groups.get(p.target_group, [])
            while len(members) < size and group_cursor[p.target_group] < len(candidates):
                pid = candidates[group_cursor[p.target_group]]
                group_cursor[p.target_group] += 1
                if pid not in used:
                    members.append(pid)
                    used.add(pid)
        else:
            while len(members) < size and cursor_pool < len(pool):
                pid = pool[cursor_pool]
                cursor_pool += 1
                if pid not in used:
                    members.append(pid)
                    used.add(pid)
        site_lat, site_lon = float(p.site[3]), float(p.site[4])
        metres_lat = att_rules.EARTH_RADIUS_M * math.pi / 180
        metres_lon = metres_lat * math.cos(math.radians(site_lat))
        required = Decimal(p.required_hours)
        # (pk, day ordinal, start and end in local seconds of day, counted seconds)
        sessions = []
        for spk, start, end, hours in p.sessions:
            s0 = start.hour * 3600 + start.minute * 60
            sessions.append((spk, start.date().toordinal(), s0,
                             end.hour * 3600 + end.minute * 60, int(hours * 3600)))
        recording = p.status in attended_states
        head = f"\t{p.institution}\t{p.pk}\t"
        for pid in members:
            epk = enrollment_pk
            enrollment_pk += 1
            late_join = recording and rand() < LATE_JOIN
            dropout_at = 1 + int(rand() * len(sessions)) \
                if recording and rand() < DROPOUT else None
            offline = 0
            online = 0
            for index, (spk, day, start, end, seconds) in enumerate(sessions, start=1):
                if not recording or (day, start) >= now_sec:
                    break
                if dropout_at is not None and index >= dropout_at:
                    break
                if (late_join and index == 1) or rand() < ABSENT:
                    continue
                roll = rand()
                check_in = start + (300 + int(rand() * 2400) if roll < LATE
                                    else -int(rand() * 1200))
                method = 1 if roll < 0.6 else 2 if roll < 0.85 else 3
                far = method == 2 and rand() < FAR_AWAY
                if method == 1:
                    place = f"{NULL}\t{NULL}\t{NULL}"
                else:
                    if far:
                        lat, lon = site_lat + 0.02 + rand() * 0.06, site_lon
                    else:
                        lat = site_lat + (rand() - 0.5) * 0.003
                        lon = site_lon + (rand() - 0.5) * 0.003
                    # equirectangular: within a metre of the haversine at these distances
                    dist = round(math.hypot((lat - site_lat) * metres_lat,
                                            (lon - site_lon) * metres_lon))
                    place = f"{lat:.6f}\t{lon:.6f}\t{dist}"
                flag = "1" if far else "0"
                # the class room's terminal, else the trainee's own phone (one device per trainee:
                # one device checking in many people is a risk pattern, R07)
                device = f"demo-terminal{p.pk}" if method == 1 else f"demo-phone{epk}"
                stamp = clock(day, check_in)
                lines.append(f"{event_pk}{head}{spk}\t{epk}\t1\t{method}\t{stamp}\t{stamp}"
                             f"\t{place}\t0\t0\t{flag}\tdemo{event_pk}\t{device}\n")
                event_pk += 1
                roll = rand()
                if roll < NO_CHECK_OUT or (day, end) > now_sec:
                    continue
                outside = roll < NO_CHECK_OUT + FORGOT_UNTIL_EVENING
                if outside:
                    check_out = end + 7200 + int(rand() * 7200)
                elif roll < NO_CHECK_OUT + FORGOT_UNTIL_EVENING + EARLY_LEAVE:
                    check_out = end - 900 - int(rand() * 4500)
                else:
                    check_out = end + int(rand() * 900)
                stamp = clock(day, check_out)
                lines.append(f"{event_pk}{head}{spk}\t{epk}\t2\t{method}\t{stamp}\t{stamp}"
                             f"\t{place}\t0\t{'1' if outside else '0'}\t{flag}"
                             f"\tdemo{event_pk}\t{device}\n")
                event_pk += 1
                if not far:  # the credit rule of rules.attendance, on plain seconds
                    overlap = min(end, check_out) - max(start, check_in)
                    if overlap > 0:
                        offline += min(overlap, seconds)
            if recording and p.online_share and dropout_at is None:
                goal = int(float(required * p.online_share) * 3600 * rng.uniform(0.5, 1.1))
                day = sessions[0][1]
                while goal > 0 and (day, 72000) < now_sec:
                    piece = min(goal, 1800 + int(rand() * 5400))
                    stamp = clock(day, 72000)
                    lines.append(f"{event_pk}{head}{NULL}\t{epk}\t3\t4\t{stamp}\t{stamp}"
                                 f"\t{NULL}\t{NULL}\t{NULL}\t{piece}\t0\t0"
                                 f"\txapi:demo{event_pk}\tlms\n")
                    event_pk += 1
                    online += piece
                    goal -= piece
                    day += 1
            if len(lines) >= 50_000:
                sink.flush()
                lines = sink.lines
            attended = completed = None
            rule = ""
            if p.status in frozen_states:
                result = att_rules.completion(
                    offline_seconds=offline, online_seconds=online, required_hours=required,
                    min_share=p.min_share, online_share=p.online_share)
                attended, rule = result.attended_hours, result.rule
                completed = result.completed and dropout_at is None
            row = (epk, p.pk, pid, "withdrawn" if dropout_at else "enrolled", created, "demo",
                   "报名截止后补录" if late_join else "", None, [],
                   "中途退学" if dropout_at else "", attended, completed, rule)
            if sink.postgres:
                enrollment_lines.append(_copy_line(row))
            else:
                enrollment_rows.append(row)
                if len(enrollment_rows) >= CHUNK:
                    _write_enrollments(enrollment_rows)
                    enrollment_rows = []
    _write_enrollments(enrollment_rows)
    sink.close()
    phases["attendance"] = round(time.perf_counter() - started - sum(phases.values()), 1)
    if enrollment_lines:
        _copy_enrollments(enrollment_lines)
    if saved_indexes:
        mark = time.perf_counter()
        _restore_secondary_indexes(saved_indexes)
        phases["indexes"] = round(time.perf_counter() - mark, 1)
    _reset_sequences(Teacher, TrainingClass, ClassSession, ClassStatusChange, Enrollment,
                     AttendanceEvent, through)
    counts = {"classes": len(plans), "sessions": len(session_rows), "teachers": len(teachers),
              "enrollments": enrollment_pk - first_enrollment,
              "attendance_events": event_pk - first_event}
    if plans:  # what finishing these classes would have added to the plans' progress
        mark = time.perf_counter()
        counts["plan_facts"] = plan_facts.record_finished_classes(
            actor=None, class_ids=(first_class, first_class + len(plans) - 1),
            source=PLAN_FACTS_SOURCE)
        phases["plan_facts"] = round(time.perf_counter() - mark, 1)
    audit.record(actor=None, action="import", entity_type="training.demo",
                 label=f"demo training {scale}/{seed}", after=counts)
    blocks = [Block("training.teacher", first_teacher, first_teacher + len(teachers) - 1),
              Block("training.trainingclass", first_class, first_class + len(plans) - 1),
              Block("training.classsession", first_session, session_pk - 1),
              Block("training.trainingclass_teachers", first_m2m, first_m2m + len(m2m_rows) - 1),
              Block("training.classstatuschange", first_history,
                    first_history + len(history_rows) - 1),
              Block("training.enrollment", first_enrollment, enrollment_pk - 1),
              Block("training.attendanceevent", first_event, event_pk - 1)]
    return {**counts, "seconds": round(time.perf_counter() - started, 1), "phases": phases,
            "blocks": [[b.model, b.first, b.last] for b in blocks if b.last >= b.first]}


ENROLLMENT_COLUMNS = ["id", "training_class_id", "person_id", "status", "enrolled_at",
                      "enrolled_by", "late_reason", "draws_pension", "eligibility",
                      "withdrawn_reason", "attended_hours", "completed", "completion_rule"]


def _copy_line(row: tuple) -> str:
    """One row as COPY text (the demo's values hold no tab, newline or backslash)."""
    out = []
    for v in row:
        if v is None:
            out.append(NULL)
        elif isinstance(v, bool):
            out.append("t" if v else "f")
        elif isinstance(v, list):
            out.append("[]")
        elif isinstance(v, dt.datetime):
            out.append(v.isoformat())
        else:
            out.append(str(v))
    return "\t".join(out) + "\n"


def _copy_enrollments(lines: list[str]) -> None:
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in ENROLLMENT_COLUMNS)
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {qn(Enrollment._meta.db_table)} ({cols}) FROM STDIN") as copy:
        for start in range(0, len(lines), 100_000):
            copy.write("".join(lines[start:start + 100_000]))


def _write_enrollments(rows: list[tuple]) -> None:
    _insert(Enrollment, ENROLLMENT_COLUMNS, rows)
