"""The outcomes app's part of the demo province: social-insurance contribution records of the
demo's trainees (and of other persons), business registrations, rows without a usable ID number
for the linker, the province's indicator settings, and a first computation of the outcomes.

`build_demo_outcomes(scale=, seed=, today=, anchors=)` is called by the demo generator after
the assessment demo and before the demand demo. Rows go in as tuples with explicit primary keys
(the returned `blocks` say which, [model label, first, last] in creation order, so a reset
deletes them newest first); the linker and the computation then write through their own
services, and every row they add is recorded as a block too. Deterministic for a seed on the
same province. Every share is SYNTHETIC (see `histories`).

Records run up to the month before `today` (complete months only): each trainee's twelve
months before the class start, and after the exit employed at the rates of
`histories.EMPLOYED_AFTER` by key group and occupation (订单班 trainees mostly with the order's
employer), wage bases 3,000-12,000 yuan rising for some, with gaps, job changes, a second
employer, and people who never work. Employers are the demo's enterprises (their credit codes
from the registry) and generated ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from collections import defaultdict
from decimal import Decimal

from django.db import models
from django.db.models import Max
from django.utils import timezone

from jineng.core import pii
from jineng.core.bulk import insert_rows as _insert
from jineng.core.bulk import next_pk as _next_pk
from jineng.core.bulk import reset_sequences as _reset_sequences
from jineng.core.validators import CREDIT_ALPHABET, make_credit_code, make_resident_id
from jineng.outcomes.choices import (
    BusinessKind,
    ImportKind,
    ImportSource,
    ImportStatus,
    LinkReason,
    LinkStatus,
)
from jineng.outcomes.demo import histories
from jineng.outcomes.models import (
    BusinessRegistration,
    IndicatorSettings,
    IndicatorValue,
    InsuranceImport,
    InsuranceRecord,
    InsuranceRecordRevision,
    OutcomeMeasure,
    OutcomeRun,
    RecordLink,
)
from jineng.registry.choices import OrganizationKind, RegionLevel
from jineng.registry.models import KeyGroupMembership, Organization, Person, Region
from jineng.training.models import Enrollment

PROVINCE_CODE = "520000"
# The run feeds the plans' `employed_after_training` facts under this source; a demo reset
# removes them (they point at demo organizations), as it does the training demo's facts.
PLAN_FACTS_SOURCE = "outcomes.employment"
DEMO_SOURCE_FILE = "演示数据：参保缴费记录（合成）.csv"
DEMO_BUSINESS_FILE = "演示数据：市场主体登记（合成）.csv"
# SYNTHETIC shares.
OTHER_PERSONS_SHARE = 0.25  # persons never trained who have records
UNREGISTERED_SHARE = 0.004  # contributors not (yet) in the person registry, per trainee
BUSINESS_SHARE = 0.03  # trainees (other than 创业培训) who found a business after exit
ENTREPRENEUR_SHARE = 0.30  # 创业培训 trainees who found one within a year
INDIVIDUAL_SHARE = 0.85  # of the businesses: 个体工商户 (the rest enterprises)
CLOSED_SHARE = 0.10  # businesses deregistered since
GENERATED_EMPLOYERS_PER_TRAINEE = 1 / 40  # employers beyond the registry's enterprises
LINK_ROWS_REAL, LINK_ROWS_NOBODY = 36, 5  # rows without a usable ID number
SHOP_WORDS = ("便利店", "小吃店", "家政服务部", "汽车修理店", "养老服务部", "电商服务部")
KINDS = ((True, True, True), (True, True, True), (True, True, True), (True, True, True),
         (True, True, True), (True, True, True), (True, True, True), (True, True, True),
         (True, False, True), (False, False, True))  # pension, unemployment, injury


def _month_date(m: int) -> dt.date:
    return dt.date(m // 12, m % 12 + 1, 1)


def _mi(day: dt.date) -> int:
    return histories.month_index(day.year, day.month)


class _Employers:
    """The employer pool: the demo's enterprises and generated employers, by city, so that a
    person mostly works in their own city (SYNTHETIC: 85 %)."""

    def __init__(self, rng: random.Random, counties: list[tuple[int, str]], generated: int):
        self.region: dict[str, int] = {}
        self.region_code: dict[str, str] = {}
        self.by_city: dict[str, list[str]] = defaultdict(list)
        taken = set(Organization.objects.values_list("credit_code", flat=True))
        for code, region_id, region_code in (Organization.objects
                                             .filter(kind=OrganizationKind.ENTERPRISE)
                                             .order_by("pk")
                                             .values_list("credit_code", "region_id",
                                                          "region__code")):
            self._add(code, region_id, region_code)
        for _ in range(generated):
            region_id, region_code = rng.choice(counties)
            body = "MA" + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(6))
            code = make_credit_code("91", region_code, body)
            if code in taken or code in self.region:
                continue
            self._add(code, region_id, region_code)
        self.all = [c for codes in self.by_city.values() for c in codes]

    def _add(self, code: str, region_id: int, region_code: str) -> None:
        self.region[code] = region_id
        self.region_code[code] = region_code
        self.by_city[region_code[:4]].append(code)

    def picker(self, city: str):
        local = self.by_city.get(city) or self.all

        def pick(rng: random.Random) -> str:
            pool = local if rng.random() < 0.85 else self.all
            return pool[int(rng.random() * len(pool))]
        return pick


def _kinds(rng: random.Random) -> tuple[bool, bool, bool]:
    return KINDS[int(rng.random() * len(KINDS))]


def _garble_name(rng: random.Random, name: str) -> str:
    """A typing or transcription slip: a similar-sounding character, or one dropped."""
    similar = {"王": "汪", "张": "章", "李": "黎", "刘": "柳", "陈": "程", "杨": "扬", "黄": "王",
               "周": "邹", "吴": "伍", "徐": "许", "明": "铭", "华": "化", "红": "宏",
               "丽": "莉", "军": "君", "伟": "玮", "芳": "方", "平": "萍", "文": "雯"}
    chars = list(name)
    for i in rng.sample(range(len(chars)), len(chars)):
        if chars[i] in similar:
            chars[i] = similar[chars[i]]
            return "".join(chars)
    if len(chars) > 2:
        del chars[-1]
    return "".join(chars)


def _garble_id(rng: random.Random, number: str) -> str:
    """One digit changed in the birth-date or sequence part: the check character then fails."""
    while True:
        i = rng.randrange(6, 17)
        digit = str((int(number[i]) + rng.randint(1, 9)) % 10)
        bad = number[:i] + digit + number[i + 1:]
        if not pii._check_digit_ok(bad):
            return bad


def build_demo_outcomes(*, scale: str, seed: int, today: dt.date,
                        anchors: dict[str, int] | None = None) -> dict:
    """Build the outcomes demo on top of the training and assessment demos; returns counts,
    seconds and the primary-key `blocks` made."""
    started = time.perf_counter()
    rng = random.Random(f"jineng-outcomes-demo:{seed}:{scale}")
    now = timezone.now()
    through = _mi(today) - 1  # the last complete month
    province = Region.objects.filter(code=PROVINCE_CODE).first()
    if province is None:
        return {"insurance_records": 0, "seconds": 0.0, "blocks": []}
    blocks: list[tuple[str, int, int]] = []

    def block(model: type[models.Model], first: int, n: int) -> None:
        if n > 0:
            blocks.append((model._meta.label_lower, first, first + n - 1))

    # --- who trained, in what -------------------------------------------------------------
    groups: dict[int, list[str]] = defaultdict(list)
    for person_id, group in (KeyGroupMembership.objects.filter(start_date__lte=today)
                             .order_by("pk").values_list("person_id", "group")
                             .iterator(chunk_size=50_000)):
        groups[person_id].append(group)
    order_codes = dict(Organization.objects.filter(ordered_classes__isnull=False).distinct()
                       .values_list("pk", "credit_code"))
    trainees: dict[int, histories.Trainee] = {}
    for (person_id, start, end, occupation, level, employer_id, ttype) in (
            Enrollment.objects.exclude(status="withdrawn")
            .order_by("training_class__start_date", "pk")
            .values_list("person_id", "training_class__start_date", "training_class__end_date",
                         "training_class__occupation__name", "training_class__level__code",
                         "training_class__employer_id", "training_class__training_type")
            .iterator(chunk_size=50_000)):
        t = trainees.get(person_id)
        if t is None:  # the first class starts the history; the last one's exit ends it
            trainees[person_id] = histories.Trainee(
                groups=tuple(groups.get(person_id, ())), start=_mi(start), exit=_mi(end),
                occupation=occupation, level=level,
                order_employer=order_codes.get(employer_id, "") if employer_id else "",
                entrepreneurship=ttype == "entrepreneurship")
        else:
            t.exit = max(t.exit, _mi(end))
            t.entrepreneurship = t.entrepreneurship or ttype == "entrepreneurship"
            if employer_id:
                t.order_employer = order_codes.get(employer_id, "")
    persons = {pk: (h, name, birth, region_id, code) for pk, h, name, birth, region_id, code in
               Person.objects.order_by("pk").values_list("pk", "id_hash", "name", "birth_date",
                                                         "region_id", "region__code")
               .iterator(chunk_size=50_000)}
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY, code__startswith="52")
                    .order_by("code").values_list("pk", "code"))
    county_names = dict(Region.objects.filter(level=RegionLevel.COUNTY, code__startswith="52")
                        .values_list("code", "name"))
    employers = _Employers(rng, counties,
                           max(20, int(len(trainees) * GENERATED_EMPLOYERS_PER_TRAINEE)))

    # --- the imports the rows came by ---------------------------------------------------------
    first_import = _next_pk(InsuranceImport)
    import_rows = [
        (first_import, ImportKind.RECORDS, ImportSource.FILE, DEMO_SOURCE_FILE,
         hashlib.sha256(f"jineng-demo:{seed}:{scale}:records".encode()).hexdigest(),
         province.pk, ImportStatus.SUCCEEDED, now, now),
        (first_import + 1, ImportKind.BUSINESSES, ImportSource.FILE, DEMO_BUSINESS_FILE,
         hashlib.sha256(f"jineng-demo:{seed}:{scale}:businesses".encode()).hexdigest(),
         province.pk, ImportStatus.SUCCEEDED, now, now),
    ]
    records_import, business_import = first_import, first_import + 1

    # --- contribution months ------------------------------------------------------------------
    first_record = _next_pk(InsuranceRecord)
    record_rows: list[tuple] = []
    stats = defaultdict(lambda: [0, 0])  # group → [employed after, exited]
    order_stats = [0, 0]

    def add(h: str, person_id: int | None, months, kinds_rng: random.Random) -> None:
        kinds = {}
        for m, employer, wage in months:
            k = kinds.get(employer)
            if k is None:
                k = kinds[employer] = _kinds(kinds_rng)
            record_rows.append((first_record + len(record_rows), h, person_id, employer,
                                employers.region[employer], _month_date(m), *k,
                                Decimal(wage), records_import, None, now))

    exited = []
    for person_id in sorted(trainees):
        t = trainees[person_id]
        h, _name, _birth, _region, region_code = persons[person_id]
        history = histories.draw_history(
            rng, t, through=through, pick_employer=employers.picker(region_code[:4]),
            base_wage=histories.base_wage(t.occupation, t.level))
        if t.exit < through:
            exited.append(person_id)
            stats[history.group][1] += 1
            stats[history.group][0] += history.employed_after
            if t.order_employer:
                order_stats[1] += 1
                order_stats[0] += history.with_order_employer
        add(h, person_id, history.months, rng)
    others = [pk for pk in persons if pk not in trainees]
    rng.shuffle(others)
    for person_id in sorted(others[:int(len(others) * OTHER_PERSONS_SHARE)]):
        h, _name, _birth, _region, region_code = persons[person_id]
        pick = employers.picker(region_code[:4])
        employer, wage = pick(rng), histories.clamp_wage(4200 * rng.lognormvariate(0, 0.3))
        end = through - (0 if rng.random() < 0.7 else rng.randint(1, 12))
        begin = end - rng.randint(3, 24)
        add(h, person_id, [(m, employer, wage) for m in range(begin, end + 1)], rng)
    # Contributors not in the registry (yet): their records wait for them to register.
    for n in range(max(3, int(len(trainees) * UNREGISTERED_SHARE))):
        region_id, code = counties[int(rng.random() * len(counties))]
        number = make_resident_id(code, dt.date(1975 + rng.randrange(30), 1 + rng.randrange(12),
                                                1 + rng.randrange(28)), 900 + n % 100)
        h = pii.keyed_hash(number)
        if Person.objects.filter(id_hash=h).exists():
            continue
        pick = employers.picker(code[:4])
        employer = pick(rng)
        add(h, None, [(m, employer, 4000) for m in range(through - rng.randint(2, 10),
                                                         through + 1)], rng)

    # --- business registrations (创业) -----------------------------------------------------------
    first_business = _next_pk(BusinessRegistration)
    business_rows: list[tuple] = []
    taken_codes = set(BusinessRegistration.objects.values_list("credit_code", flat=True))
    founders = [p for p in exited if rng.random() < (
        ENTREPRENEUR_SHARE if trainees[p].entrepreneurship else BUSINESS_SHARE)]
    if len(founders) < 3:  # the smallest tiers still show a few
        founders += [p for p in exited if p not in founders][:3 - len(founders)]
    # Kinds by quota, not by draw: a small tier's three founders would otherwise come out mostly
    # enterprises on some days, against the share every tier is meant to show.
    enterprise_due = 0.5
    for person_id in founders:
        t = trainees[person_id]
        h, name, _birth, region_id, region_code = persons[person_id]
        founded_m = min(through, t.exit + 1 + int(rng.random() * 9))
        founded = _month_date(founded_m) + dt.timedelta(days=rng.randrange(28))
        if founded > today:
            continue
        enterprise_due += 1 - INDIVIDUAL_SHARE
        individual = enterprise_due < 1
        enterprise_due -= not individual
        while True:
            body = ("L" if individual else "MA") + "".join(
                rng.choice(CREDIT_ALPHABET) for _ in range(7 if individual else 6))
            code = make_credit_code("92" if individual else "91", region_code, body)
            if code not in taken_codes and code not in employers.region:
                break
        taken_codes.add(code)
        place = county_names.get(region_code, "")[:2]
        label = (f"{place}{name}{rng.choice(SHOP_WORDS)}" if individual
                 else f"贵州{name}{rng.choice(('商贸', '科技', '农业'))}有限公司")
        closed = None
        if rng.random() < CLOSED_SHARE and (today - founded).days > 90:
            closed = founded + dt.timedelta(days=rng.randint(60, (today - founded).days))
        business_rows.append((
            first_business + len(business_rows), code,
            BusinessKind.INDIVIDUAL if individual else BusinessKind.ENTERPRISE, label[:200], h,
            person_id, founded, closed, region_id, business_import, None, [], now))

    # --- rows without a usable ID number, for the linker -------------------------------------
    first_link = _next_pk(RecordLink)
    link_rows: list[tuple] = []
    real = [pk for pk in exited if persons[pk][2]]  # trainees with a birth date
    rng.shuffle(real)
    linker_employer = employers.all[int(rng.random() * len(employers.all))]
    numbers = dict(Person.objects.filter(pk__in=real[:LINK_ROWS_REAL])
                   .values_list("pk", "id_encrypted"))
    for n, person_id in enumerate(sorted(real[:LINK_ROWS_REAL])):
        _h, name, birth, region_id, _code = persons[person_id]
        number = pii.decrypt(numbers[person_id])
        slip = n % 4  # exact; a slip in the name; a birth date a day off; both
        if slip in (1, 3):
            name = _garble_name(rng, name)
        if slip in (2, 3):
            birth = birth + dt.timedelta(days=rng.choice((-1, 1)))
        missing = n % 3 == 0
        given = "" if missing else _garble_id(rng, number)
        link_rows.append(_link_row(first_link + len(link_rows), rng, name, birth, region_id,
                                   given, linker_employer, employers, through, records_import,
                                   len(link_rows) + 1, now))
    nobody = ("欧阳明轩", "司马静怡", "诸葛文博", "上官雨桐", "慕容子涵", "皇甫志远")
    for n in range(LINK_ROWS_NOBODY):
        region_id, _code = counties[int(rng.random() * len(counties))]
        birth = dt.date(1970 + rng.randrange(35), 1 + rng.randrange(12), 1 + rng.randrange(28))
        link_rows.append(_link_row(first_link + len(link_rows), rng, nobody[n % len(nobody)],
                                   birth, region_id, "", linker_employer, employers, through,
                                   records_import, len(link_rows) + 1, now))

    # --- write -----------------------------------------------------------------------------------
    _insert(InsuranceImport, ["id", "kind", "source", "filename", "content_sha256", "region_id",
                              "status", "started_at", "finished_at"], import_rows)
    block(InsuranceImport, first_import, len(import_rows))
    _insert(RecordLink, ["id", "kind", "source_import_id", "row_number", "row_key", "reason",
                         "name", "birth_date", "region_id", "id_given_masked",
                         "id_given_encrypted", "payload", "status", "comparison",
                         "decision_reason", "created_at"], link_rows)
    block(RecordLink, first_link, len(link_rows))
    _insert(InsuranceRecord, ["id", "id_hash", "person_id", "employer_code",
                              "employer_region_id", "month", "pension", "unemployment",
                              "injury", "wage_base", "source_import_id", "link_id",
                              "updated_at"], record_rows)
    block(InsuranceRecord, first_record, len(record_rows))
    _insert(BusinessRegistration, ["id", "credit_code", "kind", "name", "legal_person_hash",
                                   "person_id", "founded_on", "closed_on", "region_id",
                                   "source_import_id", "link_id", "history", "updated_at"],
            business_rows)
    block(BusinessRegistration, first_business, len(business_rows))
    InsuranceImport.objects.filter(pk=records_import).update(
        total_rows=len(record_rows) + len(link_rows), created=len(record_rows),
        unlinked=len(link_rows), seconds=round(time.perf_counter() - started, 2))
    InsuranceImport.objects.filter(pk=business_import).update(
        total_rows=len(business_rows), created=len(business_rows))
    settings_made = 0
    if not IndicatorSettings.objects.filter(region=province).exists():
        first_settings = _next_pk(IndicatorSettings)
        _insert(IndicatorSettings, ["id", "region_id", "valid_from", "weight_demand_match",
                                    "weight_pass_rate", "weight_level_up", "weight_employment",
                                    "weight_wage_growth", "min_cell", "link_auto_probability",
                                    "link_review_probability", "reason", "created_at"],
                [(first_settings, province.pk, dt.date(2025, 1, 1), Decimal("0.2"),
                  Decimal("0.2"), Decimal("0.2"), Decimal("0.2"), Decimal("0.2"), 10, 0.99,
                  0.5, "演示数据：河南省五项指标等权（合成）", now)])
        block(IndicatorSettings, first_settings, 1)
        settings_made = 1
    _reset_sequences(InsuranceImport, RecordLink, InsuranceRecord, BusinessRegistration,
                     IndicatorSettings)
    counts = {
        "insurance_records": len(record_rows), "business_registrations": len(business_rows),
        "record_links": len(link_rows), "indicator_settings": settings_made,
        "employers": len(employers.region), "trainees_exited": len(exited),
        "employment_by_group": {g: round(e / n, 3) for g, (e, n) in sorted(stats.items())
                                if n},
        "order_employer_share": round(order_stats[0] / order_stats[1], 3)
        if order_stats[1] else None,
    }
    phases = {"records": round(time.perf_counter() - started, 2)}

    # --- the linker and the computation, through their own services -------------------------
    after = _run_services(today=today, blocks=blocks, counts=counts)
    phases.update(after)
    phases["total"] = round(time.perf_counter() - started, 2)
    return {**counts, "seconds": phases["total"], "phases": phases,
            "blocks": [list(b) for b in blocks]}


def _link_row(pk: int, rng: random.Random, name: str, birth: dt.date, region_id: int,
              given: str, employer: str, employers: _Employers, through: int,
              source_import: int, row_number: int, now: dt.datetime) -> tuple:
    month = _month_date(through - rng.randint(0, 5))
    wage = histories.clamp_wage(4500 * rng.lognormvariate(0, 0.2))
    payload = {"employer_code": employer,
               "employer_region": employers.region_code[employer],
               "month": month.isoformat(), "pension": True, "unemployment": True,
               "injury": True, "wage_base": f"{wage}.00"}
    key = hashlib.sha256(f"demo|{name}|{birth}|{given}|{employer}|{month}|{pk}"
                         .encode()).hexdigest()
    return (pk, ImportKind.RECORDS, source_import, row_number, key,
            LinkReason.MISSING if not given else LinkReason.INVALID, name, birth, region_id,
            pii.mask_id_number(given) if given else "", pii.encrypt(given) if given else "",
            payload, LinkStatus.PENDING, {}, "", now)


def _high(model: type[models.Model]) -> int:
    return model._base_manager.aggregate(m=Max("pk"))["m"] or 0


# Rows the linker and the computation may add, in the order a reset must delete them last
# (a run before its measures and values; links before the records they place).
SERVICE_MODELS = (RecordLink, InsuranceRecord, InsuranceRecordRevision, BusinessRegistration,
                  OutcomeRun, OutcomeMeasure, IndicatorValue)


def _run_services(*, today: dt.date, blocks: list, counts: dict) -> dict:
    """The linker over the rows left for it, then the first computation of every measure and
    indicator (so the link queue, dashboards and scorecards have something on the first
    start); each adds rows through its own services, recorded here as blocks."""
    from django.contrib.auth import get_user_model

    from jineng.outcomes.services import linkage

    phases: dict[str, float] = {}
    actor = get_user_model().objects.filter(username="province", is_active=True).first()
    marks = {model: _high(model) for model in SERVICE_MODELS}
    t0 = time.perf_counter()
    summary = linkage.link_pending(actor=actor)
    counts["links"] = {"linked": summary.linked, "pending": summary.pending,
                       "unmatched": summary.unmatched}
    phases["linkage"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    counts["outcome_run"] = _compute(actor=actor, today=today)
    phases["compute"] = round(time.perf_counter() - t0, 2)
    for model in SERVICE_MODELS:
        last = _high(model)
        if last > marks[model]:
            blocks.append((model._meta.label_lower, marks[model] + 1, last))
    return phases


def _compute(*, actor, today: dt.date) -> str:
    """The first run, computed synchronously (`services.runs.outcomes_compute`, as the CLI
    does) through the month before today; skipped while another run is queued or running."""
    from jineng.outcomes.choices import RunStatus
    from jineng.outcomes.services import runs

    if OutcomeRun.objects.filter(status__in=(RunStatus.QUEUED, RunStatus.RUNNING)).exists():
        return "skipped: a run is active"
    through = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    run = OutcomeRun.objects.create(requested_by=actor, data_through=through,
                                    parameters={"province": PROVINCE_CODE, "source": "demo"})
    run = runs.outcomes_compute(run, by_user=actor)
    if run.status != RunStatus.SUCCEEDED:
        return f"{run.status}: {run.error[:200]}"
    return f"{run.status}: {run.trainees} trainees, {run.indicator_values} indicator values"
