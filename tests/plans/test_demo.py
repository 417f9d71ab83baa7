"""The demo plan: the Guizhou pack run by the demo province, some cities ahead, some behind."""

import datetime as dt

import pytest
from django.db.models import Sum

from jineng.demo.plans_demo import PLAN_KEY, SOURCE, build_demo_plan
from jineng.plans import selectors, services
from jineng.plans.models import ActualFact, Plan, QuarterlyReport
from jineng.registry.models import Region
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 21)


def city_statuses(actor):
    plan = selectors.plan_get(actor=actor, key=PLAN_KEY)
    total = plan.targets.get(key="total")
    return {c.region.code: c.progress.status for c in selectors.children_progress(
        actor=actor, plan=plan, region=Region.objects.get(code=f.PROVINCE), target=total,
        as_of=TODAY)}


def test_demo_plan_puts_some_cities_ahead_and_some_behind():
    summary = build_demo_plan(seed=1, today=TODAY)
    assert summary["synthetic"] is True and summary["plan"] == PLAN_KEY
    plan = Plan.objects.get(key=PLAN_KEY)
    assert plan.is_demo and plan.region.code == "520000"
    assert ActualFact.objects.exclude(source=SOURCE).count() == 0
    assert not ActualFact.objects.filter(day__gt=TODAY).exists()
    # Subsidized person-times are on the dashboard: about 62 % of the trainees (finished
    # classes no longer count them; the demo's paid subsidies and synthetic volumes do).
    sums = dict(ActualFact.objects.values_list("metric").annotate(n=Sum("value")))
    assert 0.5 < sums["person_times_subsidized"] / sums["person_times_trained"] < 0.75
    statuses = city_statuses(f.staff())
    assert len(statuses) == 9
    assert {"ahead", "done"} & set(statuses.values())
    assert {"behind", "far_behind"} & set(statuses.values())
    assert QuarterlyReport.objects.filter(plan=plan, year=2026, quarter=3).count() == 7
    assert {r.status for r in QuarterlyReport.objects.filter(plan=plan)} == {
        "draft", "submitted", "returned", "reviewed"}


@pytest.mark.slow
def test_demo_plan_rebuilds_to_the_same_numbers():
    build_demo_plan(seed=3, today=TODAY)
    first = (ActualFact.objects.count(), city_statuses(f.staff()))
    build_demo_plan(seed=3, today=TODAY)
    assert (ActualFact.objects.count(), city_statuses(f.staff())) == first
    assert Plan.objects.filter(is_demo=True).count() == 1


def _synthetic(city: str, month: dt.date) -> int:
    nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return ActualFact.objects.filter(
        source=SOURCE, metric="person_times_trained", county_code__startswith=city[:4],
        day__gte=month, day__lt=nxt).aggregate(n=Sum("value"))["n"] or 0


def test_the_demos_own_classes_count_first_and_synthetic_volumes_fill_the_rest():
    march = dt.date(2026, 3, 1)
    build_demo_plan(seed=2, today=TODAY)
    before = _synthetic("520100", march)
    assert before > 2000
    services.actual_facts_add_many(actor=None, source="demo.training", facts=[
        services.FactInput(metric="person_times_trained", day=dt.date(2026, 3, 10),
                           region_code="520102", value=1000, sector="elderly_child_care")])
    build_demo_plan(seed=2, today=TODAY)
    after = _synthetic("520100", march)
    assert 600 < before - after < 1400  # ≈ 1,000 fewer made up (each county ±30 % noise)
    assert ActualFact.objects.filter(source="demo.training").count() == 1  # kept
