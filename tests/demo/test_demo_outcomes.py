"""The outcomes part of the demo province: contribution records of the trainees at realistic
rates by key group, wages within contribution bases, gaps, job changes and second employers,
people who never work, records of persons never trained, business registrations, rows without
a usable ID number for the linker, and a reset that removes all of it.

The province is built once for the module (tier XS, today) inside a transaction that is rolled
back at the end, so the other tests never see it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import defaultdict

import pytest
from django.db.models import Count, Max, Min
from django.utils import timezone

from jineng.core import pii
from jineng.demo.generator import reset_demo
from jineng.demo.models import DemoRows
from jineng.outcomes.choices import BusinessKind, LinkReason
from jineng.outcomes.demo import histories
from jineng.outcomes.models import (
    BusinessRegistration,
    IndicatorValue,
    InsuranceImport,
    InsuranceRecord,
    OutcomeMeasure,
    OutcomeRun,
    RecordLink,
)
from jineng.registry.models import Organization, Person
from jineng.training.models import Enrollment


@pytest.fixture(scope="module")
def province(demo_province):  # the shared build (tests/demo_fixture.py)
    return demo_province


def test_the_outcomes_part_is_built_counted_and_recorded_in_blocks(province, db):
    linked = RecordLink.objects.filter(status="linked").count()
    assert province["insurance_records"] == InsuranceRecord.objects.filter(
        link=None).count() > 500
    # a linked row becomes a record (the same person × employer × month already on file
    # counts once)
    assert 1 <= InsuranceRecord.objects.exclude(link=None).count() <= linked
    assert province["business_registrations"] == BusinessRegistration.objects.count() >= 1
    assert province["record_links"] == RecordLink.objects.count() == 41
    labels = set(DemoRows.objects.values_list("model", flat=True))
    assert {"outcomes.insurancerecord", "outcomes.insuranceimport", "outcomes.recordlink",
            "outcomes.businessregistration"} <= labels
    # Every outcomes row is inside a recorded block, so a reset finds it.
    for model in (InsuranceRecord, InsuranceImport, RecordLink, BusinessRegistration):
        ranges = list(DemoRows.objects.filter(model=model._meta.label_lower)
                      .values_list("first_pk", "last_pk"))
        for pk in model.objects.values_list("pk", flat=True):
            assert any(lo <= pk <= hi for lo, hi in ranges), (model, pk)


def test_the_first_outcomes_run_is_computed_and_recorded_in_blocks(province, db):
    run = OutcomeRun.objects.get()
    assert run.status == "succeeded", run.error
    assert run.trainees == OutcomeMeasure.objects.count() > 50
    assert IndicatorValue.objects.filter(run=run, dimension="all").exists()
    for model in (OutcomeRun, OutcomeMeasure, IndicatorValue):
        ranges = list(DemoRows.objects.filter(model=model._meta.label_lower)
                      .values_list("first_pk", "last_pk"))
        assert all(any(lo <= pk <= hi for lo, hi in ranges)
                   for pk in model.objects.values_list("pk", flat=True)), model
    # order-class trainees: the order employer's measure is known for some
    assert OutcomeMeasure.objects.filter(order_employer__isnull=False).exists()


def test_records_run_to_the_month_before_today_with_plausible_wage_bases(province, db):
    today = timezone.localdate()
    last = InsuranceRecord.objects.aggregate(m=Max("month"))["m"]
    assert last == (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assert not InsuranceRecord.objects.exclude(month__day=1).exists()
    span = InsuranceRecord.objects.aggregate(lo=Min("wage_base"), hi=Max("wage_base"))
    assert span["lo"] >= 3000 and span["hi"] <= 12000
    # employers: the demo's enterprises and generated ones
    codes = set(InsuranceRecord.objects.values_list("employer_code", flat=True))
    registry = set(Organization.objects.filter(kind="enterprise")
                   .values_list("credit_code", flat=True))
    assert codes & registry and codes - registry
    # records of persons never trained, and of contributors not registered
    trained = set(Enrollment.objects.values_list("person_id", flat=True))
    people = set(InsuranceRecord.objects.exclude(person=None)
                 .values_list("person_id", flat=True))
    assert people - trained
    assert InsuranceRecord.objects.filter(person=None).exists()
    hashes = dict(Person.objects.values_list("pk", "id_hash"))
    for person_id, h in InsuranceRecord.objects.exclude(person=None).values_list(
            "person_id", "id_hash")[:500]:
        assert hashes[person_id] == h


def _exits():
    ends = {}
    for person_id, end in Enrollment.objects.exclude(status="withdrawn").values_list(
            "person_id", "training_class__end_date"):
        ends[person_id] = max(end, ends.get(person_id, end))
    return ends


def test_histories_have_gaps_job_changes_second_employers_and_never_workers(province, db):
    by_person = defaultdict(list)
    for person_id, month, employer in InsuranceRecord.objects.exclude(person=None).values_list(
            "person_id", "month", "employer_code"):
        by_person[person_id].append((histories.month_index(month.year, month.month), employer))
    gaps = changes = two = 0
    for rows in by_person.values():
        months = sorted({m for m, _e in rows})
        gaps += any(b - a > 1 for a, b in itertools.pairwise(months))
        employers = {e for _m, e in rows}
        changes += len(employers) > 1
        per_month = defaultdict(set)
        for m, e in rows:
            per_month[m].add(e)
        two += any(len(s) > 1 for s in per_month.values())
    assert gaps > 5 and changes > 5 and two >= 1
    never = [p for p in _exits() if p not in by_person]
    assert len(never) > 10


def test_employment_after_exit_is_in_a_realistic_band(province, db):
    # At tier XS the classes end in the last few months: the first two months after exit.
    today = timezone.localdate()
    through = histories.month_index(today.year, today.month) - 1
    months = defaultdict(set)
    for person_id, month in InsuranceRecord.objects.exclude(person=None).values_list(
            "person_id", "month"):
        months[person_id].add(histories.month_index(month.year, month.month))
    known = employed = 0
    for person_id, end in _exits().items():
        e = histories.month_index(end.year, end.month)
        if e + 2 > through:
            continue
        known += 1
        employed += any(e < m <= e + 2 for m in months.get(person_id, ()))
    assert known > 30
    assert 0.35 <= employed / known <= 0.9, (employed, known)


def _after_rate(group: tuple[str, ...], order: str = "", n: int = 3000) -> tuple[float, float]:
    """Share employed within 12 months of exit, and share with the order's employer."""
    t = histories.Trainee(groups=group, start=24300, exit=24303, occupation="某职业",
                          level="grade4", order_employer=order)
    employed = with_order = 0
    for seed in range(n):
        h = histories.draw_history(random.Random(seed), t, through=24330,
                                   pick_employer=lambda rng: f"E{rng.randrange(50)}",
                                   base_wage=4400)
        employed += any(24303 < m <= 24315 for m, _e, _w in h.months)
        with_order += any(e == order and m > 24303 for m, e, _w in h.months)
    return employed / n, with_order / n


@pytest.mark.parametrize(("group", "low", "high"), [
    (("unemployed",), 0.50, 0.62),  # 失业人员 ~50-60 %
    (("graduate",), 0.60, 0.71),  # 高校毕业生 ~65 %
    (("migrant_worker",), 0.65, 0.76),  # 农民工 ~70 %
    (("left_behind_woman",), 0.38, 0.52),
])
def test_the_draw_employs_each_group_at_its_rate(group, low, high):
    rate, _order = _after_rate(group)
    assert low <= rate <= high, rate


def test_order_class_trainees_are_mostly_hired_by_the_order_employer():
    rate, order = _after_rate(("unemployed",), order="ORDER", n=2000)
    assert 0.84 <= rate <= 0.92 and 0.70 <= order <= 0.82, (rate, order)


def test_some_wages_rise_and_some_people_never_work():
    t = histories.Trainee(groups=("migrant_worker",), start=24300, exit=24303,
                          occupation="电工", level="grade4")
    rises = never = 0
    for seed in range(1000):
        h = histories.draw_history(random.Random(seed), t, through=24330,
                                   pick_employer=lambda rng: f"E{rng.randrange(50)}",
                                   base_wage=histories.base_wage("电工", "grade4"))
        before = [w for m, _e, w in h.months if m < 24300]
        after = [w for m, _e, w in h.months if m > 24303]
        never += not h.months
        rises += bool(before and after and max(after) > max(before) * 1.05)
    assert rises > 150 and never > 80, (rises, never)


def test_business_registrations_are_mostly_individual_and_founded_after_exit(province, db):
    rows = list(BusinessRegistration.objects.values("kind", "person_id", "founded_on",
                                                    "closed_on", "legal_person_hash"))
    ends = _exits()
    hashes = dict(Person.objects.values_list("pk", "id_hash"))
    for r in rows:
        assert r["person_id"] in ends and r["founded_on"] > ends[r["person_id"]]
        assert r["legal_person_hash"] == hashes[r["person_id"]]
        assert r["closed_on"] is None or r["closed_on"] >= r["founded_on"]
    kinds = BusinessRegistration.objects.values("kind").annotate(n=Count("id"))
    by_kind = {k["kind"]: k["n"] for k in kinds}
    assert by_kind.get(BusinessKind.INDIVIDUAL, 0) >= by_kind.get(BusinessKind.ENTERPRISE, 0)


def test_link_rows_carry_slips_and_invalid_or_missing_id_numbers(province, db):
    links = list(RecordLink.objects.all())
    invalid = [r for r in links if r.reason == LinkReason.INVALID]
    missing = [r for r in links if r.reason == LinkReason.MISSING]
    assert invalid and missing
    for r in invalid:
        number = pii.decrypt(r.id_given_encrypted)
        assert len(number) == 18 and not pii._check_digit_ok(number)
    names = set(Person.objects.values_list("name", flat=True))
    assert sum(r.name not in names for r in links) >= 5  # typos, and people who are nobody
    by_status = RecordLink.objects.values("status").annotate(n=Count("id"))
    assert sum(s["n"] for s in by_status) == 41


def test_the_draw_is_deterministic_and_keeps_wages_in_bounds():
    t = histories.Trainee(groups=("unemployed",), start=24300, exit=24302, occupation="电工",
                          level="grade4")

    def pick(rng):
        return rng.choice(["A", "B", "C"])

    one = histories.draw_history(random.Random(5), t, through=24318, pick_employer=pick,
                                 base_wage=histories.base_wage("电工", "grade4"))
    two = histories.draw_history(random.Random(5), t, through=24318, pick_employer=pick,
                                 base_wage=histories.base_wage("电工", "grade4"))
    assert one == two
    for seed in range(300):
        h = histories.draw_history(random.Random(seed), t, through=24318, pick_employer=pick,
                                   base_wage=20000)
        assert all(3000 <= w <= 12000 and m <= 24318 for m, _e, w in h.months)
        assert len({(m, e) for m, e, _w in h.months}) == len(h.months)


def test_a_reset_removes_every_outcomes_row(province, db):
    # (last in the module: the province is gone after it; rolled back at the end)
    assert InsuranceRecord.objects.exists()
    reset_demo()
    for model in (InsuranceRecord, InsuranceImport, RecordLink, BusinessRegistration,
                  OutcomeRun, OutcomeMeasure, IndicatorValue):
        assert not model.objects.exists(), model
