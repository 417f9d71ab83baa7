"""The demo's steps in order: evaluator codes, the finished classes and their trainees, the
assessor's work on the demo date, self-evaluation and direct recognition, sittings with
candidates and results, assessed classes, certificates."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from jineng.assessment.choices import (
    AssessmentRoute,
    CertificateKind,
    EvaluatorFiledWith,
    SittingStatus,
)
from jineng.assessment.demo.catalog import _Catalog
from jineng.assessment.demo.certificates import _Issuer, _scores
from jineng.assessment.demo.facts import _basis, _plan_facts
from jineng.assessment.demo.params import (
    ABSENT_SHARE,
    APPROVER,
    ASSESSOR_USERNAME,
    DEMO_USER,
    DIRECT_RECOGNITION_RATE,
    DUAL_ITEMS,
    DUAL_SHARE,
    OUTSIDE_SHARE,
    PATHS,
    RECENT_DAYS,
    RECOGNITION_REASONS,
    RETURN_REASON,
    SITTING_SPREAD,
    STEPS,
    TZ,
    Listing,
    Sitting,
    _at,
    _weekday,
    pass_rate,
)
from jineng.assessment.models import (
    AssessmentSitting,
    Candidate,
    Certificate,
    CertificateStatusChange,
    EvaluatorCode,
    SittingExaminer,
    SittingStatusChange,
)
from jineng.assessment.rules import routes as route_rules
from jineng.assessment.rules import separation as sep_rules
from jineng.core import audit
from jineng.core.bulk import insert_rows as _insert
from jineng.core.bulk import next_pk as _next_pk
from jineng.core.bulk import reset_sequences as _reset_sequences
from jineng.registry.choices import KeyGroup, OrganizationKind
from jineng.registry.models import (
    KeyGroupMembership,
    Organization,
    Person,
    Region,
    SkillLevel,
    TrainingSite,
)
from jineng.training.models import ClassStatusChange, Enrollment, TrainingClass


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
