"""Demo data of the assessment app: evaluator codes, sittings of the demo's finished classes
with candidates and scores, certificates (skill-level, 一试双证 pairs, training certificates),
revocations, certificates recorded from outside, and work waiting for the assessor demo login.

`build_demo_assessment(scale=, seed=, today=, anchors=)` is called by the demo generator after
the training demo. Rows go in as tuples with explicit primary keys (the returned `blocks` say
which, for the demo's reset), set-based: no service call per row. What must hold for real data
holds here too: each sitting's evaluator is listed in the evaluation catalog for its
occupation and level on the sitting date; candidates completed the class (or are social
candidates, direct recognitions or an enterprise's own workers with their route's basis);
certificate numbers follow `rules.numbering`, in sequence per prefix (the sequences are left
at the last number used); every issued certificate is signed (`services.signing`) so that it
verifies, and revoked ones verify as revoked. Deterministic for a seed (only signatures made
by a newly generated key differ between builds, as Fernet ciphertexts do).

Pass rates (SYNTHETIC: plausible figures of a provincial skill-level assessment, not
statistics; the share of candidates present who pass, by level, before the occupation's
adjustment and a sitting's own variation of up to ±`SITTING_SPREAD`):

| level | pass rate |
| --- | --- |
| 初级工 (grade5) | 87.5 % |
| 中级工 (grade4) | 77.5 % |
| 高级工 (grade3) | 65 % |
| 技师 (grade2) | 55 % |
| 高级技师 (grade1) | 45 % |
| 特级技师, 首席技师 | 40 % |

`OCCUPATION_ADJUSTMENT` moves an occupation's rate by a few points (welding, electrical and
chemical work harder; care and delivery work easier). Direct recognitions pass at
`DIRECT_RECOGNITION_RATE` (the candidates are chosen for outstanding results).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.db.models.base import ModelState
from django.utils import timezone, translation

from jineng.assessment import plan_facts
from jineng.assessment.choices import (
    AssessmentRoute,
    CertificateKind,
    CertificateOrigin,
    CertificateStatus,
    EvaluatorFiledWith,
    RevocationReason,
    SittingStatus,
)
from jineng.assessment.models import (
    AssessmentSitting,
    Candidate,
    Certificate,
    CertificateSequence,
    CertificateStatusChange,
    EvaluatorCode,
    SittingExaminer,
    SittingStatusChange,
)
from jineng.assessment.rules import numbering
from jineng.assessment.rules import routes as route_rules
from jineng.assessment.rules import separation as sep_rules
from jineng.assessment.services import issuance, signing
from jineng.assessment.services.sittings import explain_route
from jineng.catalog.choices import PUBLIC_STATUSES, CatalogKind
from jineng.catalog.models import EvaluationCatalogEntry
from jineng.core import audit
from jineng.plans import services as plans_services
from jineng.registry.choices import KeyGroup, OrganizationKind, OrganizationStatus
from jineng.registry.models import (
    KeyGroupMembership,
    Organization,
    Person,
    Region,
    SkillLevel,
    TrainingSite,
)
from jineng.training.models import ClassStatusChange, Enrollment, TrainingClass

TZ = ZoneInfo("Asia/Shanghai")
DEMO_USER = "demo"
ASSESSOR_USERNAME = "assessor"  # the evaluation operator demo login (demo.users)
PLAN_FACTS_SOURCE = "demo.assessment"

# SYNTHETIC pass rates (see the module's docstring).
PASS_RATES = {"grade5": 0.875, "grade4": 0.775, "grade3": 0.65, "grade2": 0.55,
              "grade1": 0.45, "principal": 0.40, "chief": 0.40}
# The bands the demo's tests hold the rates of class sittings to (by level).
PASS_RATE_BANDS = {"grade5": (0.80, 0.95), "grade4": (0.68, 0.86), "grade3": (0.52, 0.78),
                   "grade2": (0.40, 0.70), "grade1": (0.30, 0.60)}
OCCUPATION_ADJUSTMENT = {  # SYNTHETIC
    "焊工": -0.03, "电工": -0.04, "化工总控工": -0.05, "工业机器人系统运维员": -0.04,
    "工业机器人系统操作员": -0.03, "人工智能训练师": -0.03, "无人机装调检修工": -0.03,
    "汽车维修工": -0.02, "养老护理员": 0.02, "家政服务员": 0.03, "育婴员": 0.02,
    "保育师": 0.01, "快递员": 0.04, "网约配送员": 0.04, "茶艺师": 0.02,
}
SITTING_SPREAD = 0.04  # SYNTHETIC: a sitting's own rate varies this much either way
DIRECT_RECOGNITION_RATE = 0.9  # SYNTHETIC
ABSENT_SHARE = 0.02  # SYNTHETIC: candidates who do not come (缺考)
# 一试双证: an occupation's sitting that also issues a special-ability certificate, where the
# evaluation catalog lists the evaluator for that item too (the generator passes these pairs
# to the catalog demo, which lists an evaluator of the occupation for the item as well).
DUAL_ITEMS = {"养老护理员": "失智老年人照护", "电子商务师": "电商直播带货",
              "互联网营销师": "短视频制作", "缝纫工": "苗绣制作", "农业经理人": "农产品初级加工",
              "农作物植保员": "农产品初级加工"}
DUAL_SHARE = 0.6  # SYNTHETIC: of the sittings that may
FRAUD_SHARE = 0.004  # SYNTHETIC: skill-level certificates revoked for fraud (替考, 伪造材料)
ERROR_SHARE = 0.003  # SYNTHETIC: revoked as issued in error
OUTSIDE_SHARE = 0.012  # SYNTHETIC: persons holding a certificate from outside
RECENT_DAYS = 20  # a class that finished this recently may still wait for its assessment

FRAUD_REASONS = ("经核查，该考生由他人替考，撤销证书（演示数据）",
                 "申报材料中的工作年限证明系伪造，撤销证书（演示数据）")
ERROR_REASONS = ("证书等级录入错误，撤销后重新核发（演示数据）",
                 "成绩汇总有误，该考生实际未达合格线（演示数据）")
RECOGNITION_REASONS = (
    "在全省职业技能大赛中获得第一名，经省人力资源社会保障厅批准直接认定（演示数据）",
    "获得“贵州工匠”称号，业绩突出，经审核直接认定（演示数据）",
    "在企业技术革新中取得重大成果，获市级以上表彰，破格直接认定（演示数据）",
)
VERIFIED_NOTE = "已向发证机构核实（演示数据）"
RETURN_REASON = "考点场地证明和考评员名单不全，请补充后重新申报（演示数据）"
APPROVER = "province"  # the province HRSS demo login approves direct recognitions
OTHER_PROVINCES = (("44", "广东省"), ("33", "浙江省"), ("32", "江苏省"), ("35", "福建省"))
SPECIAL_OPERATIONS = ("低压电工作业", "熔化焊接与热切割作业", "高处安装、维护、拆除作业")

# The sitting's steps: (action, reached status) as rules/lifecycle names them.
STEPS = {"declared": ("declare", SittingStatus.DECLARED),
         "returned": ("return", SittingStatus.RETURNED),
         "resubmitted": ("resubmit", SittingStatus.DECLARED),
         "approved": ("approve", SittingStatus.APPROVED),
         "results": ("record_results", SittingStatus.RESULTS),
         "closed": ("close", SittingStatus.CLOSED)}
PATHS = {SittingStatus.DECLARED: ["declared"],
         SittingStatus.RETURNED: ["declared", "returned"],
         SittingStatus.APPROVED: ["declared", "approved"],
         SittingStatus.RESULTS: ["declared", "approved", "results"],
         SittingStatus.CLOSED: ["declared", "approved", "results", "closed"]}


@dataclass
class Listing:
    organization: int
    kind: str
    occupation: int
    low: int
    high: int
    version: int
    start: dt.date
    end: dt.date | None
    self_evaluation: bool
    top_filing: str
    entry: int


@dataclass
class Sitting:
    pk: int
    evaluator: int
    occupation: int
    level: str
    route: str
    region: int
    place: str
    day: dt.date
    version: int
    status: str
    declared_at: dt.datetime
    training_class: int | None = None
    dual: str = ""  # 一试双证: the special-ability item of the second certificate
    listing: Listing | None = None
    declared_by: str = DEMO_USER
    steps: dict[str, dt.datetime] = field(default_factory=dict)
    # (person, enrollment, route, basis, justification)
    candidates: list[tuple] = field(default_factory=list)


def _next_pk(model: type[models.Model]) -> int:
    return (model._base_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def _insert(model: type[models.Model], fields: list[str], rows: list[tuple]) -> None:
    """INSERT rows with explicit primary keys (COPY on PostgreSQL); values converted by the
    fields themselves."""
    if not rows:
        return
    opts = model._meta
    by_name = {f.attname: f for f in opts.concrete_fields}
    cols = [by_name[n] for n in fields]
    # Columns not named take their model default (a field added later needs no change here).
    extra = [f for f in opts.concrete_fields if f.attname not in fields and not f.primary_key
             and (f.has_default() or f.null or f.empty_strings_allowed)]
    if extra:
        cols += extra
        defaults = tuple(f.get_default() if f.has_default() else None if f.null else ""
                         for f in extra)
        rows = [(*row, *defaults) for row in rows]
    qn = connection.ops.quote_name
    table, columns = qn(opts.db_table), ", ".join(qn(c.column) for c in cols)
    convert = [(i, c) for i, c in enumerate(cols)
               if isinstance(c, models.DateField | models.DecimalField | models.JSONField)]
    caches: list[dict] = [{} for _ in convert]  # dates and times repeat: convert each once
    prepared = []
    for row in rows:
        values = list(row)
        for (i, c), cache in zip(convert, caches, strict=True):
            value = values[i]
            if value is None:
                continue
            if isinstance(value, dict | list):
                values[i] = c.get_db_prep_save(value, connection)
                continue
            converted = cache.get(value)
            if converted is None:
                converted = cache[value] = c.get_db_prep_save(value, connection)
            values[i] = converted
        prepared.append(values)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in prepared:
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(cols))
            for start in range(0, len(prepared), 20_000):
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                                   prepared[start:start + 20_000])


def _reset_sequences(*models_: type[models.Model]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def pass_rate(level: str, occupation_name: str) -> float:
    """The SYNTHETIC pass rate of a level and occupation (before a sitting's variation)."""
    return PASS_RATES.get(level, 0.5) + OCCUPATION_ADJUSTMENT.get(occupation_name, 0.0)


class _Catalog:
    """The evaluation catalog's entries (published versions), checked in Python the way
    `catalog.selectors.evaluator_listed_as_of` checks them (the demo's tests confirm every
    sitting with that selector)."""

    def __init__(self) -> None:
        self.ranks = dict(SkillLevel.objects.values_list("code", "rank"))
        listed = set(Organization.objects.filter(status=OrganizationStatus.LISTED)
                     .values_list("pk", flat=True))
        self.by_occupation: dict[int, list[Listing]] = defaultdict(list)
        self.by_organization: dict[int, list[Listing]] = defaultdict(list)
        rows = (EvaluationCatalogEntry.objects
                .filter(version__catalog__kind=CatalogKind.EVALUATION_INSTITUTION,
                        version__catalog__base__isnull=True,
                        version__status__in=PUBLIC_STATUSES, occupation__isnull=False)
                .order_by("pk")
                .values_list("organization_id", "organization__kind", "occupation_id",
                             "min_level__rank", "max_level__rank", "version_id",
                             "version__effective_from", "version__effective_to", "valid_from",
                             "valid_to", "self_evaluation", "top_filing_number", "pk"))
        self.items: dict[tuple[int, str], list[tuple]] = defaultdict(list)
        for org, item, v_from, v_to, e_from, e_to in (EvaluationCatalogEntry.objects.filter(
                version__catalog__kind=CatalogKind.EVALUATION_INSTITUTION,
                version__catalog__base__isnull=True, version__status__in=PUBLIC_STATUSES,
                occupation__isnull=True).exclude(special_ability_item="").values_list(
                "organization_id", "special_ability_item", "version__effective_from",
                "version__effective_to", "valid_from", "valid_to")):
            ends = [d for d in (v_to, e_to) if d is not None]
            self.items[(org, item)].append((max(v_from, e_from) if e_from else v_from,
                                            min(ends) if ends else None))
        for (org, kind, occ, low, high, version, v_from, v_to, e_from, e_to, own, top,
             entry) in rows:
            if org not in listed:
                continue
            start = max(v_from, e_from) if e_from else v_from
            ends = [d for d in (v_to, e_to) if d is not None]
            item = Listing(org, kind, occ, low or 0, high or 99, version, start,
                           min(ends) if ends else None, own, top, entry)
            self.by_occupation[occ].append(item)
            self.by_organization[org].append(item)

    def lists_item(self, organization: int, item: str, day: dt.date) -> bool:
        return any(start <= day and (end is None or day <= end)
                   for start, end in self.items.get((organization, item), ()))

    def evaluators(self, occupation: int, level: str, day: dt.date, *,
                   kind: str = OrganizationKind.EVALUATION) -> list[Listing]:
        rank = self.ranks[level]
        return [e for e in self.by_occupation.get(occupation, ())
                if e.kind == kind and e.low <= rank <= e.high and e.start <= day
                and (e.end is None or day <= e.end)]


def build_demo_assessment(*, scale: str, seed: int, today: dt.date,
                          anchors: dict[str, int] | None = None) -> dict:
    """Build the assessment demo on top of the training demo; returns counts, seconds and the
    primary-key blocks made (`blocks`: [model label, first, last], dependencies first)."""
    started = time.perf_counter()
    rng = random.Random(f"jineng-assessment-demo:{seed}:{scale}")
    now = timezone.now() if today == timezone.localdate() else _at(today, 12)
    anchors = anchors or {}
    catalog = _Catalog()
    if not catalog.by_organization:
        return {"sittings": 0, "seconds": 0.0, "blocks": []}
    levels = dict(SkillLevel.objects.values_list("code", "pk"))
    level_digit = {"grade1": 1, "grade2": 2, "grade3": 3, "grade4": 4, "grade5": 5}
    orgs = {o[0]: o for o in Organization.objects.filter(
        pk__in=list(catalog.by_organization)).values_list("pk", "kind", "name", "region_id",
                                                          "region__code", "address")}
    sites: dict[int, tuple[int, str]] = {}
    for org, region, name, address in (TrainingSite.objects.filter(
            organization_id__in=list(orgs), is_active=True).order_by("pk")
            .values_list("organization_id", "region_id", "name", "address")):
        sites.setdefault(org, (region, f"{name}（{address}）"))
    region_codes = dict(Region.objects.filter(
        pk__in={*(s[0] for s in sites.values()), *(o[3] for o in orgs.values()),
                *TrainingClass.objects.values_list("region_id", flat=True).distinct()})
        .values_list("pk", "code"))

    def venue(org: int) -> tuple[int, str]:
        if org in sites:
            return sites[org]
        return orgs[org][3], orgs[org][5]

    # --- evaluator codes (人社鉴发〔2019〕2号) ----------------------------------------------
    first_code = _next_pk(EvaluatorCode)
    taken = set(EvaluatorCode.objects.values_list("organization_id", flat=True))
    code_rows, codes = [], {}
    serial = defaultdict(int)
    for org in sorted(orgs):
        if org in taken:
            continue
        kind, region_code = orgs[org][1], orgs[org][4]
        letter = "Y" if kind == OrganizationKind.ENTERPRISE else "S"
        ministry = kind == OrganizationKind.EVALUATION and rng.random() < 0.15
        serial[region_code[:4]] += 1
        site_code = f"{region_code[2:4]}{serial[region_code[:4]]:04d}"
        ministry_code = f"{rng.randint(1, 9999):04d}" if ministry else ""
        codes[org] = (letter, EvaluatorFiledWith.MINISTRY if ministry
                      else EvaluatorFiledWith.PROVINCE, ministry_code, site_code)
        code_rows.append((first_code + len(code_rows), org, *codes[org]))
    for org, *code in EvaluatorCode.objects.filter(organization_id__in=list(orgs)).values_list(
            "organization_id", "letter", "filed_with", "ministry_code", "site_code"):
        codes[org] = tuple(code)
    _insert(EvaluatorCode, ["id", "organization_id", "letter", "filed_with", "ministry_code",
                            "site_code"], code_rows)

    # --- the finished classes and their completed trainees --------------------------------
    classes = list(TrainingClass.objects.filter(
        status__in=("finished", "assessed", "settled"), end_date__lt=today)
        .order_by("pk").values_list("pk", "institution_id", "region_id", "occupation_id",
                                    "occupation__name", "level__code", "start_date",
                                    "end_date", "status", "name", "training_type"))
    trainees: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for epk, cls, person in (Enrollment.objects.filter(
            training_class_id__in=[c[0] for c in classes], completed=True)
            .order_by("pk").values_list("pk", "training_class_id", "person_id")
            .iterator(chunk_size=50_000)):
        trainees[cls].append((epk, person))
    enrolled = set(Enrollment.objects.values_list("person_id", flat=True).distinct()
                   .iterator(chunk_size=50_000))
    in_classes = {person for people in trainees.values() for _e, person in people}
    persons = list(Person.objects.order_by("pk").values_list("pk", "name", "birth_date",
                                                              "id_hash"))
    person_name = {p[0]: p[1] for p in persons}
    # Examiners, social candidates, enterprise workers and outstanding workers: persons the
    # demo did not train first, then trainees of classes not finished (SYNTHETIC pool, drawn
    # in a fixed order); never a candidate of the demo's class sittings.
    spare = [p[0] for p in persons if p[0] not in enrolled]
    later = [p[0] for p in persons if p[0] in enrolled and p[0] not in in_classes]
    rng.shuffle(spare)
    rng.shuffle(later)
    spare += later
    employees = set(KeyGroupMembership.objects.filter(
        group=KeyGroup.ENTERPRISE_EMPLOYEE).values_list("person_id", flat=True))
    examiner_pool = spare[: max(12, len(persons) // 400)]
    spare = spare[len(examiner_pool):]
    spare_workers = [p for p in spare if p in employees]
    spare_others = [p for p in spare if p not in employees]
    hashes = {p[0]: p[3] for p in persons}

    anchor_evaluator = anchors.get(OrganizationKind.EVALUATION)
    anchor_training = anchors.get(OrganizationKind.TRAINING)
    first_sitting = _next_pk(AssessmentSitting)
    plans: list[Sitting] = []

    def choose(occupation: int, level: str, day: dt.date, region: int,
               institution: int) -> Listing | None:
        options = catalog.evaluators(occupation, level, day)
        if not options:
            return None
        city = region_codes.get(region, "")[:4] if region in region_codes else ""
        weights = []
        for e in options:
            w = 1.0
            if city and orgs[e.organization][4][:4] == city:
                w *= 4
            if institution == anchor_training and e.organization == anchor_evaluator:
                w *= 20
            weights.append(w)
        return rng.choices(options, weights=weights)[0]

    def new_sitting(listing: Listing, occupation: int, level: str, route: str, day: dt.date,
                    status: str, *, training_class: int | None = None,
                    dual: str = "") -> Sitting:
        region, place = venue(listing.organization)
        declared = _at(day - dt.timedelta(days=rng.randint(12, 20)), 9, rng.randint(0, 59))
        sitting = Sitting(pk=first_sitting + len(plans), evaluator=listing.organization,
                          occupation=occupation, level=level, route=route, region=region,
                          place=place, day=day, version=listing.version, status=status,
                          declared_at=declared, training_class=training_class, dual=dual,
                          declared_by=ASSESSOR_USERNAME
                          if listing.organization == anchor_evaluator else DEMO_USER,
                          listing=listing)
        review = declared + dt.timedelta(days=rng.randint(2, 5), hours=rng.randint(0, 6))
        results = _at(day + dt.timedelta(days=rng.randint(1, 3)), 15, rng.randint(0, 59))
        closed = results + dt.timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 3))
        sitting.steps = {"declared": declared,
                         "returned": declared + dt.timedelta(days=2),
                         "resubmitted": declared + dt.timedelta(days=4),
                         "approved": review, "results": min(results, now),
                         "closed": min(closed, now)}
        plans.append(sitting)
        return sitting

    occupation_names: dict[int, str] = {}
    assessed_classes: list[tuple[int, dt.datetime]] = []  # finished → assessed by closing
    for (cpk, institution, region, occ, occ_name, level, _start, end, status, _name,
         _ttype) in classes:
        occupation_names[occ] = occ_name
        if not trainees.get(cpk) or level not in level_digit:
            continue
        age = (today - end).days
        day = _weekday(end + dt.timedelta(days=rng.randint(2, 5)))
        listing = choose(occ, level, day, region, institution)
        if listing is None:
            continue
        if status in ("assessed", "settled") or age > RECENT_DAYS:
            sitting_status = SittingStatus.CLOSED
        else:  # recently finished: somewhere on the way
            roll = rng.random()
            sitting_status = (SittingStatus.CLOSED if roll < 0.35 else
                              SittingStatus.RESULTS if roll < 0.5 else
                              SittingStatus.APPROVED if roll < 0.8 else
                              SittingStatus.DECLARED)
            if sitting_status in (SittingStatus.CLOSED, SittingStatus.RESULTS) and day >= today:
                sitting_status = SittingStatus.APPROVED
            if sitting_status == SittingStatus.DECLARED and day <= today:
                day = _weekday(today + dt.timedelta(days=rng.randint(5, 12)))
        item = DUAL_ITEMS.get(occ_name, "")
        dual = item if (item and catalog.lists_item(listing.organization, item, day)
                        and rng.random() < DUAL_SHARE) else ""
        sitting = new_sitting(listing, occ, level, AssessmentRoute.CLASS_COMPLETED, day,
                              sitting_status, training_class=cpk, dual=dual)
        for epk, person in trainees[cpk]:
            sitting.candidates.append((person, epk, AssessmentRoute.CLASS_COMPLETED,
                                       {"class": (cpk, institution, occ, level, _ttype)}, ""))
        if sitting_status == SittingStatus.CLOSED and status == "finished":
            assessed_classes.append((cpk, sitting.steps["closed"]))

    cursor_others, cursor_workers = 0, 0

    def take(pool: list[int], cursor: int, n: int) -> tuple[list[int], int]:
        return pool[cursor:cursor + n], cursor + n

    def crowd(n: int) -> int:  # a group's size, smaller at the test tier
        return max(2, n // 3) if scale == "XS" else n

    # --- the assessor's work on the demo date ---------------------------------------------
    if anchor_evaluator in catalog.by_organization:
        mine = [s for s in plans if s.evaluator == anchor_evaluator]
        want = {SittingStatus.APPROVED: 2, SittingStatus.DECLARED: 2}
        waiting = {st: sum(1 for s in mine if s.status == st and
                           (st != SittingStatus.APPROVED or s.day <= today))
                   for st in want}
        items = [e for e in catalog.by_organization[anchor_evaluator] if e.start <= today]
        extra = [(SittingStatus.APPROVED, -rng.randint(1, 4)) for _ in
                 range(max(0, want[SittingStatus.APPROVED] - waiting[SittingStatus.APPROVED]))]
        extra += [(SittingStatus.DECLARED, rng.randint(7, 14)) for _ in
                  range(max(0, want[SittingStatus.DECLARED] - waiting[SittingStatus.DECLARED]))]
        extra.append((SittingStatus.RETURNED, rng.randint(10, 20)))
        for status, offset in extra:
            if not items:
                break
            item = rng.choice(items)
            # social candidates (申报条件 on work years): 初级工 or 中级工
            options = [c for c, r in catalog.ranks.items() if item.low <= r <= item.high
                       and c in ("grade5", "grade4")]
            if not options:
                continue
            level = rng.choice(options)
            day = today + dt.timedelta(days=offset)
            day = day if day.weekday() < 5 or offset < 0 else _weekday(day)
            sitting = new_sitting(item, item.occupation, level, AssessmentRoute.SOCIAL, day,
                                  status)
            people, cursor_others = take(spare_others, cursor_others, crowd(rng.randint(8, 20)))
            for person in people:
                years = rng.randint(1, 12) if level == "grade5" else rng.randint(6, 15)
                sitting.candidates.append((person, None, AssessmentRoute.SOCIAL,
                                           {"years": Decimal(years)}, ""))

    # --- enterprise self-evaluation and direct recognition ---------------------------------
    # A self-evaluating enterprise assesses its own workers (企业自主评价) and directly
    # recognises outstanding ones at 高级工 and above (Zhejiang (七)), with a justification and
    # the HRSS approval.
    size = {"XS": 1, "S": 4, "M": 12, "L": 40}.get(scale, 4)
    own = sorted({e.organization for items in catalog.by_organization.values()
                  for e in items if e.self_evaluation})
    for n_org, org in enumerate(own[:3] if scale == "XS" else own):
        plan = [AssessmentRoute.SELF_EVALUATION] * max(1, size // 2)
        plan += [AssessmentRoute.DIRECT_RECOGNITION] * (1 if n_org % 2 == 0 else 0)
        if org == anchors.get(OrganizationKind.ENTERPRISE):
            plan.append(AssessmentRoute.SELF_EVALUATION)
        for route in plan:
            day = _weekday(today - dt.timedelta(days=rng.randint(20, 300)))
            items = [e for e in catalog.by_organization[org] if e.start <= day]
            lowest = catalog.ranks["grade3"] if route == AssessmentRoute.DIRECT_RECOGNITION \
                else 0
            choices = [(e, c) for e in items for c, r in catalog.ranks.items()
                       if max(e.low, lowest) <= r <= e.high and c in level_digit]
            if not choices:
                continue
            item, level = rng.choice(choices)
            sitting = new_sitting(item, item.occupation, level, route, day,
                                  SittingStatus.CLOSED)
            if route == AssessmentRoute.SELF_EVALUATION:
                people, cursor_workers = take(spare_workers, cursor_workers,
                                              crowd(rng.randint(6, 15)))
            else:
                people, cursor_workers = take(spare_workers, cursor_workers,
                                              crowd(rng.randint(2, 5)))
            for person in people:
                facts: dict = {"employer": org}
                justification = ""
                if route == AssessmentRoute.DIRECT_RECOGNITION:
                    facts["approved_at"] = sitting.steps["declared"] + dt.timedelta(
                        days=rng.randint(1, 3))
                    justification = rng.choice(RECOGNITION_REASONS)
                sitting.candidates.append((person, None, route, facts, justification))

    plans = [s for s in plans if s.candidates]
    for number, sitting in enumerate(plans):  # keys in order after dropping empty ones
        sitting.pk = first_sitting + number
    phases = {"plan": round(time.perf_counter() - started, 2)}

    # --- sittings, history, examiners, candidates and results ------------------------------
    sitting_rows, history_rows, examiner_rows, candidate_rows = [], [], [], []
    first_history = _next_pk(SittingStatusChange)
    first_examiner = _next_pk(SittingExaminer)
    first_candidate = _next_pk(Candidate)
    rosters: dict[int, list[int]] = {}
    passed_by_sitting: dict[int, list[tuple[int, int]]] = defaultdict(list)  # (cand, person)
    rates: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # class route: level → [pass, n]
    for sitting in plans:
        second = CertificateKind.SPECIAL_ABILITY if sitting.dual else ""
        steps = PATHS[sitting.status]
        sitting_rows.append((
            sitting.pk, sitting.evaluator, sitting.occupation, "", levels[sitting.level],
            sitting.dual, sitting.route, sitting.training_class, sitting.region, sitting.place,
            sitting.day,
            Decimal(60), Decimal(60), second, sitting.version, sitting.status,
            sitting.declared_by, sitting.declared_at, ""))
        previous = ""
        for step in steps:
            action, to = STEPS[step]
            history_rows.append((first_history + len(history_rows), sitting.pk, action,
                                 previous, to, None,
                                 RETURN_REASON if step == "returned" else "", {}, None,
                                 sitting.declared_by if step in ("declared", "results")
                                 else DEMO_USER, sitting.steps[step]))
            previous = to
        roster = rosters.get(sitting.evaluator)
        if roster is None:
            roster = rosters[sitting.evaluator] = [
                examiner_pool[int(rng.random() * len(examiner_pool))] for _ in range(6)]
        chosen = list(dict.fromkeys(rng.sample(roster, 3)))
        for i, person in enumerate(chosen):
            examiner_rows.append((first_examiner + len(examiner_rows), sitting.pk, person,
                                  hashes[person], i == 0))
        entered = sitting.status in (SittingStatus.RESULTS, SittingStatus.CLOSED)
        occ_name = occupation_names.get(sitting.occupation, "")
        if sitting.route == AssessmentRoute.DIRECT_RECOGNITION:
            rate = DIRECT_RECOGNITION_RATE
        else:
            rate = pass_rate(sitting.level, occ_name) + rng.uniform(-SITTING_SPREAD,
                                                                    SITTING_SPREAD)
        people = sitting.candidates
        absent = {i for i in range(len(people)) if rng.random() < ABSENT_SHARE}
        present = [i for i in range(len(people)) if i not in absent]
        passing = set(rng.sample(present, round(len(present) * min(1.0, max(0.0, rate)))))
        facts = route_rules.SittingFacts(
            evaluator_id=sitting.evaluator, level=catalog.ranks[sitting.level],
            occupation_id=sitting.occupation, region_code=region_codes.get(sitting.region, ""),
            sitting_date=sitting.day, self_evaluation=sitting.listing.self_evaluation,
            top_filing_number=sitting.listing.top_filing)
        evaluator_side = sep_rules.EvaluatorSide(
            evaluator_id=sitting.evaluator, self_evaluation=sitting.listing.self_evaluation,
            examiner_hashes=frozenset(hashes[p] for p in chosen))
        for i, (person, epk, route, given, justification) in enumerate(people):
            basis = _basis(route, facts, evaluator_side, given, epk, justification,
                           sitting.listing.entry, catalog.ranks)
            cpk = first_candidate + len(candidate_rows)
            theory = practical = passed = None
            is_absent = entered and i in absent
            if entered and not is_absent:
                passed = i in passing
                theory, practical = _scores(rng, passed)
            elif is_absent:
                passed = False
            approved_by, approved_at = "", None
            if route == AssessmentRoute.DIRECT_RECOGNITION:
                approved_by, approved_at = APPROVER, given["approved_at"]
            candidate_rows.append((
                cpk, sitting.pk, person, epk, route, basis, justification, approved_by,
                approved_at, theory, practical, is_absent, passed,
                sitting.steps["results"] if entered else None,
                sitting.declared_by if entered else ""))
            if entered and route == AssessmentRoute.CLASS_COMPLETED and not is_absent:
                rates[sitting.level][0] += int(bool(passed))
                rates[sitting.level][1] += 1
            if passed and sitting.status == SittingStatus.CLOSED:
                passed_by_sitting[sitting.pk].append((cpk, person))
    _insert(AssessmentSitting, [
        "id", "evaluator_id", "occupation_id", "work_type", "level_id", "special_ability_item",
        "route", "training_class_id", "region_id", "place", "sitting_date", "theory_pass_mark",
        "practical_pass_mark", "second_certificate_kind", "listing_version_id", "status",
        "declared_by", "created_at", "client_ref"], sitting_rows)
    _insert(SittingStatusChange, [
        "id", "sitting_id", "action", "from_status", "to_status", "effective_date", "reason",
        "note", "actor_id", "actor_username", "at"], history_rows)
    _insert(SittingExaminer, ["id", "sitting_id", "person_id", "id_hash", "is_chief"],
            examiner_rows)
    _insert(Candidate, [
        "id", "sitting_id", "person_id", "enrollment_id", "route", "route_basis",
        "justification", "approved_by", "approved_at", "theory_score", "practical_score",
        "absent", "passed", "result_entered_at", "result_entered_by"], candidate_rows)

    # --- finished classes whose sitting closed are "assessed" -----------------------------
    first_class_change = _next_pk(ClassStatusChange)
    class_changes = [(first_class_change + i, cpk, "assess", "finished", "assessed", "",
                      None, "assessment", at, {}) for i, (cpk, at) in
                     enumerate(assessed_classes)]
    _insert(ClassStatusChange, ["id", "training_class_id", "action", "from_status",
                                "to_status", "reason", "actor_id", "actor_username", "at",
                                "note"], class_changes)
    for cpk, at in assessed_classes:
        TrainingClass.objects.filter(pk=cpk).update(status="assessed", status_changed_at=at)
    phases["sittings"] = round(time.perf_counter() - started - sum(phases.values()), 2)

    # --- certificates ------------------------------------------------------------------------
    issued = _Issuer(rng=rng, codes=codes, region_codes=region_codes, now=now,
                     evaluator_regions={pk: o[4] for pk, o in orgs.items()})
    by_pk = {s.pk: s for s in plans}
    for spk, people in passed_by_sitting.items():
        sitting = by_pk[spk]
        org = orgs[sitting.evaluator]
        day = sitting.steps["closed"].astimezone(TZ).date()
        for cpk, person in people:
            cert = issued.skill_level(
                person=person, name=person_name[person], occupation=sitting.occupation,
                level=sitting.level, level_pk=levels[sitting.level],
                evaluator=sitting.evaluator, evaluator_name=org[2], region=sitting.region,
                day=day, candidate=cpk, sitting=sitting.pk,
                training_class=sitting.training_class)
            if sitting.dual:
                issued.second(paired=cert, item=sitting.dual)
    institutions = dict(Organization.objects.filter(
        pk__in={c[1] for c in classes}).values_list("pk", "name"))
    for (cpk, institution, region, occ, _occ_name, _level, start, end, _status, name,
         ttype) in classes:
        day = min(end + dt.timedelta(days=rng.randint(1, 5)), today)
        for _epk, person in trainees.get(cpk, ()):
            issued.training(person=person, name=person_name[person], occupation=occ,
                            institution=institution,
                            institution_name=institutions[institution], region=region,
                            day=day, title=name, start=start, end=end, training_class=cpk,
                            entrepreneurship=ttype == "entrepreneurship")
    issued.revoke_some(today)
    outside_people = spare_others[cursor_others:]
    issued.outside(outside_people[: max(4, round(len(persons) * OUTSIDE_SHARE))],
                   person_name, list(occupation_names), levels, today)
    result = issued.write()
    phases["certificates"] = round(time.perf_counter() - started - sum(phases.values()), 2)
    counts_facts = _plan_facts(plans, issued.items, classes, region_codes)
    phases["plan_facts"] = round(time.perf_counter() - started - sum(phases.values()), 2)

    _reset_sequences(EvaluatorCode, AssessmentSitting, SittingStatusChange, SittingExaminer,
                     Candidate, ClassStatusChange, Certificate, CertificateStatusChange)
    counts = {
        "evaluator_codes": len(code_rows), "sittings": len(sitting_rows),
        "candidates": len(candidate_rows), "examiners": len(examiner_rows),
        "classes_assessed": len(assessed_classes), **result["counts"],
        "assessment_plan_facts": counts_facts,
        "pass_rates": {lv: round(p / n, 3) for lv, (p, n) in sorted(rates.items()) if n},
    }
    audit.record(actor=None, action="import", entity_type="assessment.demo",
                 label=f"demo assessment {scale}/{seed}",
                 after={k: v for k, v in counts.items() if k != "pass_rates"})
    blocks = [
        ("assessment.evaluatorcode", first_code, first_code + len(code_rows) - 1),
        ("assessment.assessmentsitting", first_sitting, first_sitting + len(sitting_rows) - 1),
        ("assessment.sittingstatuschange", first_history,
         first_history + len(history_rows) - 1),
        ("assessment.sittingexaminer", first_examiner, first_examiner + len(examiner_rows) - 1),
        ("assessment.candidate", first_candidate, first_candidate + len(candidate_rows) - 1),
        ("training.classstatuschange", first_class_change,
         first_class_change + len(class_changes) - 1),
        *result["blocks"],
    ]
    phases["total"] = round(time.perf_counter() - started, 2)
    return {**counts, "seconds": phases["total"], "phases": phases,
            "blocks": [list(b) for b in blocks if b[2] >= b[1]]}


def _scores(rng: random.Random, passed: bool) -> tuple[Decimal, Decimal]:
    """Theory and practical scores (百分制, in half points) that pass both parts or fail at
    least one (SYNTHETIC distributions)."""

    def good() -> Decimal:
        return Decimal(min(200, max(120, round(rng.gauss(78, 9) * 2)))) / 2

    def bad() -> Decimal:
        return Decimal(rng.randint(50, 119)) / 2

    if passed:
        return good(), good()
    roll = rng.random()
    if roll < 0.45:
        return bad(), good()
    if roll < 0.8:
        return good(), bad()
    return bad(), bad()


@dataclass
class _Cert:
    """One certificate to issue or record (numbered, then signed, then written)."""

    kind: str
    person: int
    name: str
    region: int
    day: dt.date
    issuer: int | None
    issuer_name: str
    occupation: int | None = None
    level: int | None = None
    level_code: str = ""
    candidate: int | None = None
    title: str = ""
    training_class: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    work_type: str = ""
    origin: str = CertificateOrigin.ISSUED
    verified: bool = True
    number: str = ""
    prefix: tuple = ()  # how to number it: ("skill", prefix) or ("pattern", kind, region code)
    site: int | str = 0  # a pattern's {site}: the evaluator's site code, the institution
    special_ability_item: str = ""
    sitting: int | None = None
    pair: _Cert | None = None
    revoked: tuple[str, str, dt.date] | None = None  # (reason, note, day)
    pk: int = 0


class _Issuer:
    """Certificates of the demo: numbered by `rules.numbering` (sequences per prefix, in order
    of issue), signed by `services.signing.certificates_sign_bulk`, written in bulk."""

    def __init__(self, *, rng: random.Random, codes: dict, region_codes: dict[int, str],
                 evaluator_regions: dict[int, str], now: dt.datetime) -> None:
        self.rng, self.codes, self.region_codes, self.now = rng, codes, region_codes, now
        self.evaluator_regions = evaluator_regions
        self.items: list[_Cert] = []

    def skill_level(self, *, person: int, name: str, occupation: int, level: str,
                    level_pk: int, evaluator: int, evaluator_name: str, region: int,
                    day: dt.date, candidate: int, sitting: int,
                    training_class: int | None) -> _Cert:
        letter, _filed, ministry_code, site_code = self.codes[evaluator]
        prefix = numbering.skill_level_prefix(
            category=letter, evaluator_code=ministry_code or None,
            province=self.evaluator_regions[evaluator][:2], site_code=site_code,
            year=day.year, level_code=level)
        cert = _Cert(CertificateKind.SKILL_LEVEL, person, name, region, day, evaluator,
                     evaluator_name, occupation=occupation, level=level_pk, level_code=level,
                     candidate=candidate, prefix=("skill", prefix), sitting=sitting,
                     training_class=training_class)
        self.items.append(cert)
        return cert

    def second(self, *, paired: _Cert, item: str) -> None:
        """一试双证: the special-ability certificate of the same assessment, paired."""
        cert = _Cert(CertificateKind.SPECIAL_ABILITY, paired.person, paired.name,
                     paired.region, paired.day, paired.issuer, paired.issuer_name,
                     occupation=paired.occupation, candidate=paired.candidate,
                     special_ability_item=item, sitting=paired.sitting,
                     training_class=paired.training_class,
                     site=self.codes[paired.issuer][3],
                     prefix=("pattern", CertificateKind.SPECIAL_ABILITY,
                             self.region_codes[paired.region]))
        cert.pair, paired.pair = paired, cert
        self.items.append(cert)

    def training(self, *, person: int, name: str, occupation: int, institution: int,
                 institution_name: str, region: int, day: dt.date,
                 title: str, start: dt.date, end: dt.date, training_class: int,
                 entrepreneurship: bool) -> None:
        kind = CertificateKind.ENTREPRENEURSHIP if entrepreneurship else CertificateKind.TRAINING
        self.items.append(_Cert(kind, person, name, region, day, institution,
                                institution_name, occupation=occupation, title=title,
                                training_class=training_class, start=start, end=end,
                                site=institution,
                                prefix=("pattern", kind, self.region_codes[region])))

    def revoke_some(self, today: dt.date) -> None:
        """A few skill-level certificates revoked for fraud or error (at least one of each,
        when there are any), some training certificates for error."""
        skill = [c for c in self.items if c.kind == CertificateKind.SKILL_LEVEL
                 and c.day < today - dt.timedelta(days=10)]
        training = [c for c in self.items if c.kind == CertificateKind.TRAINING
                    and c.day < today - dt.timedelta(days=10)]
        rng = self.rng
        for pool, shares in ((skill, ((RevocationReason.FRAUD, FRAUD_SHARE, FRAUD_REASONS),
                                      (RevocationReason.ERROR, ERROR_SHARE, ERROR_REASONS))),
                             (training, ((RevocationReason.ERROR, 0.001, ERROR_REASONS[:1]),))):
            if not pool:
                continue
            for reason, share, notes in shares:
                n = max(1, round(len(pool) * share))
                for cert in rng.sample(pool, min(n, len(pool))):
                    if cert.revoked is None:
                        gap = max(1, min(120, (today - cert.day).days - 1))
                        cert.revoked = (reason, rng.choice(notes),
                                        cert.day + dt.timedelta(days=rng.randint(1, gap)))
                        if cert.pair is not None and reason == RevocationReason.FRAUD:
                            cert.pair.revoked = cert.revoked

    def outside(self, people: list[int], names: dict[int, str], occupations: list[int],
                levels: dict[str, int], today: dt.date) -> None:
        """Certificates recorded from elsewhere: other provinces and the national platform
        (skill-level numbers in the 2019 layout), special-operation certificates of the safety
        authority, and legacy 职业资格证书 of a previous system."""
        rng = self.rng
        if not occupations:
            return
        for i, person in enumerate(people):
            kind_roll = i % 4 if i < 4 else rng.randrange(4)
            day = today - dt.timedelta(days=rng.randint(60, 2000))
            level = rng.choice(("grade5", "grade4", "grade4", "grade3", "grade2"))
            occupation = rng.choice(occupations)
            if kind_roll in (0, 1):  # another province, or the national platform
                province, province_name = rng.choice(OTHER_PROVINCES)
                origin = (CertificateOrigin.OTHER_PROVINCE if kind_roll == 0
                          else CertificateOrigin.NATIONAL)
                year = max(day.year, 2000 + numbering.FIRST_YEAR)
                prefix = numbering.skill_level_prefix(
                    category=rng.choice("SY"), evaluator_code=None, province=province,
                    site_code=f"{province}{rng.randint(1, 9999):04d}", year=year,
                    level_code=level)
                number = numbering.skill_level_number(prefix, rng.randint(1, 99_999))
                body = rng.choice(("职业技能等级认定中心", "技能人才评价中心"))
                issuer = f"{province_name}{body}（演示数据）"
                cert = _Cert(CertificateKind.SKILL_LEVEL, person, names[person], 0,
                             dt.date(year, day.month, min(day.day, 28)), None, issuer,
                             occupation=occupation, level=levels[level], level_code=level,
                             origin=origin, verified=rng.random() < 0.7, number=number)
            elif kind_roll == 2:  # special-operation certificate (应急管理部门)
                work = rng.choice(SPECIAL_OPERATIONS)
                serial = rng.randint(0, 10**10 - 1)
                number = f"T{rng.choice(OTHER_PROVINCES)[0]}{day:%y%m}{serial:010d}"
                cert = _Cert(CertificateKind.SPECIAL_OPERATION, person, names[person], 0, day,
                             None, "贵州省应急管理厅（演示数据）", work_type=work,
                             origin=CertificateOrigin.OTHER_AUTHORITY,
                             verified=rng.random() < 0.6, number=number)
            else:  # legacy 职业资格证书 of a previous system (16 digits)
                year = rng.randint(2008, 2018)
                digit = numbering.DIGIT_OF_LEVEL[level]
                number = (f"{year % 100:02d}52{rng.randint(1, 27):02d}{rng.randint(0, 4)}"
                          f"{rng.randint(1, 999):03d}{digit}{rng.randint(1, 99_999):05d}")
                cert = _Cert(CertificateKind.QUALIFICATION, person, names[person], 0,
                             dt.date(year, rng.randint(1, 12), rng.randint(1, 28)), None,
                             "贵州省职业技能鉴定指导中心", occupation=occupation,
                             level=levels[level], level_code=level,
                             origin=CertificateOrigin.LEGACY, verified=True, number=number)
            self.items.append(cert)

    # --- numbering, signing, writing --------------------------------------------------------

    def _number(self) -> dict[str, int]:
        """Numbers in order of issue, each prefix's sequence continuing from its row; returns
        the last number used per prefix."""
        keys = {}
        patterns: dict[tuple[str, str], numbering.NumberPattern] = {}
        for cert in self.items:
            if cert.number:
                continue
            if cert.prefix[0] == "skill":
                keys[id(cert)] = (cert.prefix[1], None)
            else:
                _, kind, region_code = cert.prefix
                pattern = patterns.get((kind, region_code[:2]))
                if pattern is None:
                    pattern = patterns[(kind, region_code[:2])] = numbering.pattern_for(
                        kind, region_code[:2], issuance.number_patterns())
                values = {"region": region_code[:6], "province": region_code[:2],
                          "year": cert.day.year, "year4": cert.day.year, "site": cert.site}
                # the sequence's key as services.issuance names it: kind and pattern
                keys[id(cert)] = (f"{kind}:{pattern.sequence_key(values)}", (pattern, values))
        last = dict(CertificateSequence.objects.filter(
            prefix__in={k for k, _ in keys.values()}).values_list("prefix", "last"))
        used: dict[str, int] = {}
        for cert in sorted((c for c in self.items if id(c) in keys),
                           key=lambda c: (c.day, c.kind)):
            key, pattern = keys[id(cert)]
            seq = used[key] = used.get(key, last.get(key, 0)) + 1
            cert.number = (numbering.skill_level_number(key, seq) if pattern is None
                           else pattern[0].build(pattern[1], seq))
        return used

    def write(self) -> dict:
        used = self._number()
        issued = [c for c in self.items if c.origin == CertificateOrigin.ISSUED]
        persons, homes = {}, {}
        for pk, masked, home in Person.objects.filter(
                pk__in={c.person for c in self.items}).values_list("pk", "id_masked",
                                                                   "region_id"):
            persons[pk], homes[pk] = _unsaved(Person, {}, id=pk, id_masked=masked), home
        for cert in self.items:  # recorded from outside: the holder's region records it
            if not cert.region:
                cert.region = homes[cert.person]
        regions = {r.pk: r for r in Region.objects.filter(
            pk__in={c.region for c in self.items})}
        occupations = {o.pk: o for o in _occupations({c.occupation for c in self.items})}
        levels = {lv.pk: lv for lv in SkillLevel.objects.all()}
        issuers = {o.pk: o for o in Organization.objects.filter(
            pk__in={c.issuer for c in issued if c.issuer}).only("pk", "credit_code", "name")}
        first = _next_pk(Certificate)
        for i, cert in enumerate(sorted(self.items, key=lambda c: (c.day, c.number))):
            cert.pk = first + i
        objects = []
        for cert in issued:
            objects.append(_unsaved(
                Certificate,
                {"person": persons[cert.person], "occupation": occupations.get(cert.occupation),
                 "level": levels.get(cert.level), "issuer": issuers.get(cert.issuer),
                 "region": regions[cert.region]},
                id=cert.pk, kind=cert.kind, number=cert.number, person_id=cert.person,
                holder_name=cert.name, occupation_id=cert.occupation, work_type=cert.work_type,
                level_id=cert.level, title=cert.title,
                special_ability_item=cert.special_ability_item, training_start=cert.start,
                training_end=cert.end, issuer_id=cert.issuer, issuer_name=cert.issuer_name,
                region_id=cert.region, issued_on=cert.day))
        signing.certificates_sign_bulk(objects, save=False)
        signed = {o.pk: o for o in objects}
        rows, history = [], []
        first_history = _next_pk(CertificateStatusChange)
        for cert in sorted(self.items, key=lambda c: c.pk):
            o = signed.get(cert.pk)
            revoked = cert.revoked
            outside = o is None
            rows.append((
                cert.pk, cert.kind, cert.number, cert.origin, cert.verified,
                VERIFIED_NOTE if outside and cert.verified else "",
                DEMO_USER if outside and cert.verified else "",
                _at(cert.day + dt.timedelta(days=30), 10) if outside and cert.verified
                else None, cert.person,
                cert.name, cert.occupation, cert.work_type, cert.level,
                cert.special_ability_item, cert.title,
                cert.training_class, cert.start, cert.end, cert.issuer, cert.issuer_name,
                cert.region, cert.day, cert.candidate, cert.pair.pk if cert.pair else None,
                CertificateStatus.REVOKED if revoked else CertificateStatus.VALID,
                revoked[2] if revoked else None, revoked[0] if revoked else "",
                o.status_index if o else None, o.key_id if o else "",
                o.signature if o else "", o.signed_payload if o else {},
                _fingerprint(cert) if outside else "", DEMO_USER,
                _at(cert.day, 17)))
            if revoked:
                history.append((first_history + len(history), cert.pk, "revoke",
                                CertificateStatus.VALID, CertificateStatus.REVOKED,
                                revoked[2], revoked[1], {"revocation_reason": revoked[0]},
                                None, DEMO_USER, _at(revoked[2], 10)))
        _insert(Certificate, [
            "id", "kind", "number", "origin", "verified", "verified_note", "verified_by",
            "verified_at", "person_id", "holder_name",
            "occupation_id", "work_type", "level_id", "special_ability_item", "title",
            "training_class_id", "training_start", "training_end", "issuer_id", "issuer_name",
            "region_id", "issued_on", "candidate_id", "paired_with_id", "status", "revoked_on",
            "revocation_reason", "status_index", "key_id", "signature", "signed_payload",
            "fingerprint", "recorded_by", "created_at"], rows)
        _insert(CertificateStatusChange, [
            "id", "certificate_id", "action", "from_status", "to_status", "effective_date",
            "reason", "note", "actor_id", "actor_username", "at"], history)
        first_sequence = _next_pk(CertificateSequence)
        existing = set(CertificateSequence.objects.filter(prefix__in=list(used))
                       .values_list("prefix", flat=True))
        new_sequences = [(first_sequence + i, prefix, last) for i, (prefix, last) in
                         enumerate(sorted((p, v) for p, v in used.items() if p not in existing))]
        for prefix in existing:
            CertificateSequence.objects.filter(prefix=prefix).update(last=used[prefix])
        _insert(CertificateSequence, ["id", "prefix", "last"], new_sequences)
        _reset_sequences(CertificateSequence)
        kinds: dict[str, int] = defaultdict(int)
        for cert in self.items:
            kinds[cert.kind if cert.origin == CertificateOrigin.ISSUED else "outside"] += 1
        counts = {"certificates": len(rows), "certificates_signed": len(objects),
                  "certificates_revoked": sum(1 for c in self.items if c.revoked),
                  "certificates_dual": sum(1 for c in issued if c.pair is not None) // 2,
                  **{f"certificates_{k}": v for k, v in sorted(kinds.items())}}
        blocks = [("assessment.certificate", first, first + len(rows) - 1),
                  ("assessment.certificatestatuschange", first_history,
                   first_history + len(history) - 1),
                  ("assessment.certificatesequence", first_sequence,
                   first_sequence + len(new_sequences) - 1)]
        return {"counts": counts, "blocks": blocks}


def _fingerprint(cert: _Cert) -> str:
    """The content print the outside area gives a recorded certificate (a later import of the
    same certificate counts once)."""
    from jineng.assessment.services.outside import content_fingerprint

    return content_fingerprint({
        "kind": cert.kind, "origin": cert.origin, "person_id": cert.person,
        "holder_name": cert.name, "occupation_id": cert.occupation,
        "work_type": cert.work_type, "level_id": cert.level, "special_ability_item": "",
        "title": cert.title, "issuer_name": cert.issuer_name, "issued_on": cert.day,
        "training_start": cert.start, "training_end": cert.end})


def _occupations(pks: set) -> list:
    from jineng.registry.models import Occupation

    return list(Occupation.objects.filter(pk__in={p for p in pks if p}))




def _plan_facts(sittings: list[Sitting], certificates: list[_Cert], classes: list[tuple],
                region_codes: dict[int, str]) -> int:
    """What issuing these certificates adds to the plans' progress: the facts
    `plan_facts.record_issued` writes for a sitting (built by its own `issued_facts` and
    `self_evaluation_facts`, per closed sitting), written in one set-based call under the
    demo's source (so that removing the demo removes exactly them)."""
    from types import SimpleNamespace

    by_class = {c[0]: c for c in classes}
    sector_of = dict(TrainingClass.objects.filter(pk__in=list(by_class)).values_list(
        "pk", "sector"))
    group_of = dict(TrainingClass.objects.filter(pk__in=list(by_class)).values_list(
        "pk", "target_group"))
    regions = {r.pk: r for r in Region.objects.filter(pk__in={s.region for s in sittings})}
    issued: dict[int, list] = defaultdict(list)
    for cert in certificates:
        if cert.sitting and cert.origin == CertificateOrigin.ISSUED:
            issued[cert.sitting].append(SimpleNamespace(
                pk=cert.pk, kind=cert.kind, person_id=cert.person, level_id=cert.level,
                issued_on=cert.day))
    facts = []
    for sitting in sittings:
        if sitting.status != SittingStatus.CLOSED:
            continue
        model = AssessmentSitting(pk=sitting.pk, evaluator_id=sitting.evaluator,
                                  region=regions[sitting.region], route=sitting.route)
        extra = {"sector": sector_of.get(sitting.training_class, ""),
                 "key_group": group_of.get(sitting.training_class, "")}
        day = sitting.steps["closed"].astimezone(TZ).date()
        facts += plan_facts.issued_facts(model, issued.get(sitting.pk, []), **extra)
        facts += plan_facts.self_evaluation_facts(model, day, **extra)
    if not facts:
        return 0
    return plans_services.actual_facts_add_many(actor=None, source=PLAN_FACTS_SOURCE,
                                                facts=facts)


_EXPLAINED: dict[str, str] = {}


def _basis(route: str, sitting: route_rules.SittingFacts, evaluator: sep_rules.EvaluatorSide,
           given: dict, enrollment: int | None, justification: str, entry: int,
           ranks: dict[str, int]) -> dict:
    """A candidate's route_basis as `services.sittings` keeps it: the route's answer and
    考培分离's, from the pure rules (a demo candidate the rules refuse is a demo bug)."""
    employer = given.get("employer")
    enrolled = None
    if enrollment is not None:
        _class, institution, occupation, level, training_type = given["class"]
        enrolled = route_rules.ClassFacts(
            enrollment_id=enrollment, completed=True, occupation_id=occupation,
            level=ranks[level], institution_id=institution, training_type=training_type)
    facts = route_rules.CandidateFacts(
        enrollment=enrolled, employer_id=employer,
        years_in_occupation=given.get("years", Decimal(0)), justification=justification,
        direct_recognition_approved="approved_at" in given)
    answer = route_rules.check_route(route, sitting, facts)
    if not answer.allowed:
        raise ValueError(f"demo candidate refused by the {route} rule: {answer.code}")
    side = sep_rules.CandidateSide(
        trained_by=frozenset({enrolled.institution_id}) if enrolled else frozenset(),
        employer_id=employer)
    separation = sep_rules.check(evaluator, side)
    if not separation.allowed:
        raise ValueError(f"demo candidate refused by 考培分离: {separation.code}")
    route_answer = answer.as_dict()
    # One sentence per kind of answer (an enrollment's id is not part of it): explaining costs
    # thirty translations a call, and classes have thousands of candidates.
    key = json.dumps({**route_answer, "params": {k: v for k, v in route_answer["params"].items()
                                                 if k != "enrollment"}},
                     sort_keys=True, default=str) + (translation.get_language() or "")
    explanation = _EXPLAINED.get(key)
    if explanation is None:
        explanation = _EXPLAINED[key] = explain_route(answer)
    return {"route": route_answer, "explanation": explanation,
            "separation": separation.as_dict(),
            "facts": {"employer_id": employer,
                      "years_in_occupation": str(facts.years_in_occupation),
                      "certificates": [], "listing_entry_id": entry}}


_DEFAULTS: dict[type, dict] = {}


def _unsaved(model: type[models.Model], related: dict, **values) -> models.Model:
    """An unsaved instance built without `Model.__init__` (tens of thousands of them are only
    read by the signing service): every concrete field its default or the value given, and
    the related objects given put in the instance's cache, as a query would leave them."""
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = _DEFAULTS[model] = {
            f.attname: f.get_default() for f in model._meta.concrete_fields}
    obj = model.__new__(model)
    obj.__dict__.update(defaults)
    obj.__dict__.update(values)
    obj._state = ModelState()
    obj._state.adding = True
    obj._state.fields_cache.update(related)
    return obj
