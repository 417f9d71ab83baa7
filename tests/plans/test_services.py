"""Loading packs, decomposing targets down the region tree, and progress on a hand-computed
fixture."""

import datetime as dt
from decimal import Decimal as D

import pytest

from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditEvent
from jineng.plans import selectors, services
from jineng.plans.models import Plan, TargetAllocation
from jineng.plans.rules.packs import read_shipped
from jineng.registry.models import Region
from tests import factories as f
from tests.plans.conftest import add, fact

pytestmark = pytest.mark.django_db


def region(code):
    return Region.objects.get(code=code)


def test_loading_a_pack_is_audited_and_idempotent(province_staff):
    text = read_shipped("guizhou-2025-2027")
    plan = services.plan_load_pack(actor=province_staff, text=text)
    assert plan.targets.count() == 13 and plan.checklist.count() == 8
    assert AuditEvent.objects.filter(entity_type="plans.plan", action="create").count() == 1
    assert services.plan_load_pack(actor=province_staff, text=text).pk == plan.pk
    with pytest.raises(Conflict):
        services.plan_load_pack(actor=province_staff, text=text.replace("# Policy pack", "#"))
    assert Plan.objects.count() == 1


def test_only_staff_of_the_plans_region_load_it(db):
    henan = read_shipped("henan-2025")
    with pytest.raises(Forbidden):
        services.plan_load_pack(actor=f.staff(), text=henan)  # Guizhou staff
    with pytest.raises(Forbidden):
        services.plan_load_pack(actor=f.staff("city_staff", f.CITY),
                                text=read_shipped("guizhou-2025-2027"))
    assert Plan.objects.count() == 0


def test_an_invalid_pack_is_refused_with_its_problems(province_staff):
    bad = read_shipped("guizhou-2025-2027").replace("sector: rural\n", "secotr: rural\n")
    with pytest.raises(services.PackInvalid) as exc:
        services.plan_load_pack(actor=province_staff, text=bad)
    assert [i.code for i in exc.value.issues] == ["unknown_key"]
    assert "secotr" in exc.value.message
    assert Plan.objects.count() == 0


def test_plans_are_seen_along_their_branch_of_the_tree(guizhou_plan):
    key = guizhou_plan.key
    assert selectors.plan_get(actor=f.staff("county_staff", f.COUNTY), key=key)
    assert selectors.plan_get(actor=f.staff("city_staff", f.OTHER_CITY), key=key)
    with pytest.raises(NotFound):
        selectors.plan_get(actor=f.staff("province_staff", "410000"), key=key)
    with pytest.raises(NotFound):
        selectors.plan_get(actor=f.operator(f.OrganizationFactory()), key=key)


# --- decomposition -------------------------------------------------------------------------

def test_manual_split_that_does_not_add_up_is_refused_with_the_difference(guizhou_plan,
                                                                          province_staff):
    total = guizhou_plan.targets.get(key="total")
    cities = services.child_regions(region(f.PROVINCE))
    shares = {c.code: D(100000) for c in cities}  # 9 × 100,000 = 900,000
    with pytest.raises(DomainError) as exc:
        services.target_decompose(actor=province_staff, target=total,
                                  parent=region(f.PROVINCE),
                                  data=services.DecompositionInput("manual", shares=shares))
    assert exc.value.code == "shares_mismatch"
    assert "−100,000" in exc.value.message and "900,000" in exc.value.message
    assert TargetAllocation.objects.count() == 0


def test_each_level_splits_its_own_and_sees_its_own(guizhou_plan, province_staff):
    total = guizhou_plan.targets.get(key="total")
    province = region(f.PROVINCE)
    cities = services.child_regions(province)
    shares = {c.code: D(100000) for c in cities}
    shares[f.CITY] = D(200000)
    services.target_decompose(actor=province_staff, target=total, parent=province,
                              data=services.DecompositionInput("manual", shares=shares))
    assert services.target_value_for(total, region(f.CITY)) == D(200000)

    city_staff = f.staff("city_staff", f.CITY)
    with pytest.raises(Forbidden):  # a city does not split the province's target
        services.target_decompose(actor=city_staff, target=total, parent=province,
                                  data=services.DecompositionInput("equal"))
    with pytest.raises(Forbidden):  # nor another city's
        services.target_decompose(actor=city_staff, target=total,
                                  parent=region(f.OTHER_CITY),
                                  data=services.DecompositionInput("equal"))
    rows = services.target_decompose(actor=city_staff, target=total, parent=region(f.CITY),
                                     data=services.DecompositionInput("equal"))
    assert sum(r.value for r in rows) == D(200000)

    # Each level sees its own targets.
    city_view = selectors.progress(actor=city_staff, plan=guizhou_plan, region=region(f.CITY),
                                   as_of=dt.date(2025, 6, 1))
    assert {r.target.key: r.target_value for r in city_view}["total"] == D(200000)
    county_staff = f.staff("county_staff", f.COUNTY)
    county_view = selectors.progress(actor=county_staff, plan=guizhou_plan,
                                     region=region(f.COUNTY), as_of=dt.date(2025, 6, 1))
    county_total = {r.target.key: r.target_value for r in county_view}["total"]
    assert county_total == TargetAllocation.objects.get(target=total,
                                                        region__code=f.COUNTY).value
    with pytest.raises(NotFound):  # a county does not see its city
        selectors.dashboard_region(actor=county_staff, plan=guizhou_plan, code=f.CITY)
    with pytest.raises(NotFound):  # nor the next county
        selectors.dashboard_region(actor=county_staff, plan=guizhou_plan, code=f.OTHER_COUNTY)

    # A new province split changes 贵阳市: the split below it is cleared.
    shares[f.CITY], shares[f.OTHER_CITY] = D(150000), D(150000)
    services.target_decompose(actor=province_staff, target=total, parent=province,
                              data=services.DecompositionInput("manual", shares=shares))
    assert not TargetAllocation.objects.filter(target=total, parent_region__code=f.CITY).exists()


def test_proportional_split_by_custom_base_adds_up(guizhou_plan, province_staff):
    province = region(f.PROVINCE)
    weights = {c.code: D(i + 1) for i, c in enumerate(services.child_regions(province))}
    n = services.plan_decompose_all(actor=province_staff, plan=guizhou_plan, parent=province,
                                    method="proportional", base="custom", weights=weights)
    assert n == 13
    for target in guizhou_plan.targets.all():
        values = TargetAllocation.objects.filter(target=target, parent_region=province)
        assert sum(a.value for a in values) == target.value
    # 1,000,000 by 1..9 (45): 贵阳市 (weight 1) gets 22,222 + maybe one of the remainders
    total = guizhou_plan.targets.get(key="total")
    assert TargetAllocation.objects.get(target=total, region__code="520100").value in (
        D(22222), D(22223))


def test_split_by_last_years_volume(guizhou_plan, province_staff):
    add(fact(day=dt.date(2024, 5, 1), region="520102", value=3),
        fact(day=dt.date(2024, 5, 1), region="520302", value=1))
    total = guizhou_plan.targets.get(key="total")
    services.target_decompose(actor=province_staff, target=total, parent=region(f.PROVINCE),
                              data=services.DecompositionInput("proportional",
                                                               base="last_year"))
    got = dict(TargetAllocation.objects.filter(target=total).values_list("region__code",
                                                                         "value"))
    assert got["520100"] == D(750000) and got["520300"] == D(250000)
    assert sum(got.values()) == D(1000000)


def test_split_by_registered_persons(guizhou_plan, province_staff):
    for code in ("520102", "520102", "520103", "520302"):  # Guiyang 3, Zunyi 1
        f.PersonFactory(region=region(code))
    f.PersonFactory(region=region("430102"))  # Hunan: not counted
    weights = services.decomposition_weights(
        target=guizhou_plan.targets.get(key="total"), parent=region(f.PROVINCE), base="persons")
    assert weights["520100"] == 3 and weights["520300"] == 1
    assert weights["520200"] == 0 and len(weights) == 9
    city = services.decomposition_weights(
        target=guizhou_plan.targets.get(key="total"), parent=region("520100"), base="persons")
    assert city["520102"] == 2 and city["520103"] == 1


# --- progress on a hand-computed fixture ----------------------------------------------------

def test_progress_hand_computed(guizhou_plan, province_staff):
    add(fact(day=dt.date(2025, 3, 1), region="520102", value=300000, sector="special_operations"),
        fact(day=dt.date(2026, 2, 1), region="520302", value=200000, sector="special_operations"),
        fact(day=dt.date(2026, 3, 1), region="520102", value=12000, sector="digital_economy",
             key_group="youth"),
        fact(metric="order_classes", day=dt.date(2026, 1, 9), region="520302", value=100,
             key_group="migrant_worker"))
    as_of = dt.date(2026, 6, 30)  # 546 of 1095 days: elapsed 0.4986
    rows = {r.target.key: r for r in selectors.progress(
        actor=province_staff, plan=guizhou_plan, region=region(f.PROVINCE), as_of=as_of)}

    total = rows["total"]
    assert total.actual.value == D(512000)
    assert total.actual_this_year == D(212000)
    assert total.progress.elapsed == D("0.4986")
    assert total.progress.share == D("0.5120")
    assert total.progress.expected == D(498600)
    assert total.progress.status == "ahead"           # 0.5120 / 0.4986 = 1.027
    # 512000 × 1095 / 546 = 1,026,813.2
    assert total.progress.projected_end == D(1026813)
    # 2026: 212,000 in 181 days → 212000 × 365 / 181 = 427,513.8; + 300,000 before
    assert total.progress.projected_year_end == D(727514)

    special = rows["sector.special_operations"]
    assert special.actual.value == D(500000) and special.status == "done"
    digital = rows["sector.digital_economy"]
    assert digital.progress.share == D("0.6000") and digital.status == "ahead"
    youth = rows["group.youth"]
    assert youth.progress.share == D("0.1714") and youth.status == "far_behind"
    assert youth.behind
    orders = rows["group.migrant_worker.order_classes"]
    assert orders.progress.share == D("0.2000") and orders.status == "far_behind"
    rural = rows["sector.rural"]
    assert rural.actual.value == D(0) and rural.status == "far_behind"

    # As of an earlier day only the facts up to that day count.
    early = {r.target.key: r for r in selectors.progress(
        actor=province_staff, plan=guizhou_plan, region=region(f.PROVINCE),
        as_of=dt.date(2025, 12, 31))}
    assert early["total"].actual.value == D(300000)
    assert early["total"].progress.elapsed == D("0.3333")

    # The cities: 贵阳市 has 312,000, 遵义市 200,000 (no split yet: no target).
    children = {c.region.code: c for c in selectors.children_progress(
        actor=province_staff, plan=guizhou_plan, region=region(f.PROVINCE),
        target=guizhou_plan.targets.get(key="total"), as_of=as_of)}
    assert children["520100"].actual == D(312000)
    assert children["520300"].actual == D(200000)
    assert children["520100"].progress.status == "no_target"
