"""Actuals from the fact table: by region subtree, cut, period and as-of date; the rollup kept
incrementally equals the rollup rebuilt set-based; a fact sent twice counts once."""

import datetime as dt
from decimal import Decimal as D

import pytest

from jineng.core.errors import DomainError
from jineng.plans import actuals, services
from jineng.plans.models import ActualFact, ActualRollup
from tests import factories as f
from tests.plans.conftest import add, fact

pytestmark = pytest.mark.django_db

Q = actuals.ActualQuery
START, END = dt.date(2025, 1, 1), dt.date(2027, 12, 31)


@pytest.fixture
def facts():
    # 南明区 (520102) and 云岩区 (520103) in 贵阳市; 红花岗区 (520302) in 遵义市.
    add(fact(day=dt.date(2025, 3, 1), region="520102", value=100, sector="digital_economy",
             key_group="youth", training_type="employment_skills"),
        fact(day=dt.date(2025, 4, 1), region="520103", value=40, sector="rural"),
        fact(day=dt.date(2026, 4, 1), region="520302", value=70, sector="rural",
             key_group="youth"),
        fact(day=dt.date(2026, 5, 1), region="520102", value=-5, sector="digital_economy",
             key_group="youth", training_type="employment_skills"),  # a correction
        fact(metric="employed_after_training", day=dt.date(2026, 5, 2), region="520102",
             value=9, key_group="unemployed"),
        fact(day=dt.date(2026, 5, 2), region="520102", value=20, key_group="unemployed"),
        fact(metric="employment_observed", day=dt.date(2026, 5, 2), region="520102",
             value=18, key_group="unemployed"))


def ask(**kw):
    base = {"metric": "person_times_trained", "region_code": "520000", "start": START,
            "end": END}
    return actuals.actual(Q(**{**base, **kw})).value


def test_sums_by_region_subtree(facts):
    assert ask() == D(225)  # 100 + 40 + 70 − 5 + 20
    assert ask(region_code="520100") == D(155)
    assert ask(region_code="520300") == D(70)
    assert ask(region_code="520102") == D(115)
    assert ask(region_code="520103") == D(40)
    assert ask(region_code="530000") == D(0)


def test_cuts_and_periods(facts):
    assert ask(sector="rural") == D(110)
    assert ask(key_group="youth") == D(165)
    assert ask(region_code="520100", key_group="youth") == D(95)
    assert ask(region_code="520102", sector="digital_economy") == D(95)  # county: from facts
    assert ask(sector="digital_economy", key_group="youth") == D(95)  # two cuts: from facts
    assert ask(start=dt.date(2026, 1, 1)) == D(85)
    assert ask(end=dt.date(2025, 12, 31)) == D(140)
    assert ask(end=dt.date(2026, 4, 30)) == D(210)  # as of a day: the correction comes later
    assert ask(start=dt.date(2026, 1, 1), end=dt.date(2025, 1, 1)) == D(0)


def test_rates_are_numerator_over_denominator(facts):
    answer = actuals.actual(Q(metric="post_training_employment_rate", region_code="520000",
                              start=START, end=END, key_group="unemployed"))
    # Over the trainees whose six months have passed, not all those trained.
    assert (answer.numerator, answer.denominator, answer.value) == (D(9), D(18), D("50.00"))


def test_reported_metrics_answer_none_without_reports(facts):
    answer = actuals.actual(Q(metric="carriers_built", region_code="520000", start=START,
                              end=END, carrier="any"))
    assert answer.value is None and answer.source == "reported"


def test_institution_cut(facts):
    org = f.OrganizationFactory()
    add(fact(day=dt.date(2026, 6, 1), region="520102", value=7, organization_id=org.pk))
    assert ask(organization_id=org.pk) == D(7)


def test_a_fact_sent_twice_counts_once():
    one = fact(day=dt.date(2026, 1, 5), region="520102", value=3, source_ref="enrol:1")
    assert services.actual_fact_add(source="training", fact=one) is True
    assert services.actual_fact_add(source="training", fact=one) is False
    add(one, fact(day=dt.date(2026, 1, 5), region="520102", value=4, source_ref="enrol:2"))
    assert ask() == D(7)
    assert ActualFact.objects.count() == 2


SELECT_ONE = ("SELECT %s AS metric, %s AS day, '520102' AS region_code, '520102' AS county_code, "
              "CAST(NULL AS bigint) AS organization_id, 'rural' AS sector, '' AS key_group, "
              "'' AS training_type, '' AS program, 5 AS value, 'bulk:1' AS source_ref")


def test_facts_inserted_by_a_select_count_once_and_reach_the_rollup():
    day = dt.date(2026, 1, 5)
    insert = {"actor": None, "source": "bulk", "select_sql": SELECT_ONE, "first": day,
              "last": day, "metrics": ["person_times_trained"],
              "params": ["person_times_trained", day]}
    assert services.actual_facts_insert_select(**insert) == 1
    assert services.actual_facts_insert_select(**insert) == 0  # the same source_ref
    assert ask() == D(5)
    assert ActualRollup.objects.filter(level="province", dimension="sector",
                                       dimension_value="rural").get().value == 5
    with pytest.raises(DomainError):
        services.actual_facts_insert_select(**{**insert, "metrics": ["no_such_metric"]})
    assert ActualFact.objects.count() == 1


def test_incremental_rollup_equals_rebuilt_rollup():
    for i, (day, region, kw) in enumerate([
            (dt.date(2026, 1, 5), "520102", {"sector": "rural", "key_group": "youth"}),
            (dt.date(2026, 1, 5), "520102", {"sector": "rural"}),
            (dt.date(2026, 1, 6), "520302", {"program": "x", "training_type": "safety"}),
            (dt.date(2026, 1, 6), "520103", {})]):
        services.actual_fact_add(source="t", fact=fact(day=day, region=region, value=i + 1,
                                                       source_ref=f"r{i}", **kw))
    fields = ("metric", "day", "level", "region_code", "parent_code", "dimension",
              "dimension_value", "value")
    incremental = sorted(ActualRollup.objects.values_list(*fields))
    services.rollup_rebuild(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))
    assert sorted(ActualRollup.objects.values_list(*fields)) == incremental
    assert ("person_times_trained", dt.date(2026, 1, 5), "province", "520000", "", "sector",
            "rural", 3) in incremental


@pytest.mark.parametrize(("kw", "field"), [
    ({"region": "520100"}, "region_code"),        # a city: facts are kept for counties
    ({"metric": "post_training_employment_rate"}, "metric"),  # a rate is computed, not added
    ({"sector": "farming"}, "sector"),
])
def test_bad_facts_are_refused(kw, field):
    with pytest.raises(DomainError) as exc:
        services.actual_fact_add(source="t", fact=fact(**kw))
    assert exc.value.field == field
    assert ActualFact.objects.count() == 0


def test_a_provider_can_be_replaced():
    calls = []

    def fixed(queries):
        calls.append(len(queries))
        return [actuals.Actual(D(42), "test") for _ in queries]

    actuals.register("skill_villages", fixed)
    try:
        assert actuals.actual(Q(metric="skill_villages", region_code="330000", start=START,
                                end=END)).value == D(42)
    finally:
        actuals._PROVIDERS.pop("skill_villages")
    assert calls == [1]


def test_combined_cuts_of_a_plan_are_kept_in_the_rollup_and_agree_with_the_facts(db):
    from jineng.plans import selectors
    from jineng.plans.rules.packs import read_shipped
    from jineng.registry.models import Region

    henan = f.staff("province_staff", "410000")
    # Facts before the plan exists: loading it folds its combinations into the rollup.
    add(fact(day=dt.date(2025, 3, 1), region="410102", value=30, program="colleges",
             training_type="apprenticeship"),
        fact(day=dt.date(2025, 3, 1), region="410102", value=5, program="colleges"))
    plan = services.plan_load_pack(actor=henan, text=read_shipped("henan-2025"))
    services.actual_fact_add(source="t", fact=fact(
        day=dt.date(2025, 4, 1), region="410202", value=7, program="colleges",
        training_type="apprenticeship", source_ref="a1"))
    services.actual_fact_add(source="t", fact=fact(
        day=dt.date(2025, 4, 1), region="410202", value=2, program="youth", key_group="youth",
        metric="new_technicians", source_ref="a2"))
    assert ActualRollup.objects.filter(dimension="cut").exists()
    rows = {r.target.key: r for r in selectors.progress(
        actor=henan, plan=plan, region=Region.objects.get(code="410000"),
        as_of=dt.date(2025, 12, 31))}
    assert rows["p08.apprenticeship"].actual.value == D(37)
    assert rows["p08.trained"].actual.value == D(42)
    assert rows["p06.technicians"].actual.value == D(2)
    fields = ("metric", "day", "level", "region_code", "dimension", "dimension_value", "value")
    before = sorted(ActualRollup.objects.values_list(*fields))
    services.rollup_rebuild(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    assert sorted(ActualRollup.objects.values_list(*fields)) == before
    # the county answers from the facts: the same figures
    county = {r.target.key: r for r in selectors.progress(
        actor=henan, plan=plan, region=Region.objects.get(code="410102"),
        as_of=dt.date(2025, 12, 31))}
    assert county["p08.apprenticeship"].actual.value == D(30)
