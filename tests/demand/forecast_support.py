"""The world of the forecast tests: staff of the province, a city and another city, industry
departments of two sectors, an enterprise with demand lists over eight past quarters (a known
series), a training class finishing in the target quarter (declared through the training
service)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jineng.accounts.models import Role
from jineng.demand.choices import DemandListStatus
from jineng.demand.models import DemandForecast, DemandLine, DemandList
from jineng.demand.services import forecasts as fs
from jineng.registry.choices import OrganizationKind
from jineng.registry.models import Occupation
from tests import factories as f
from tests.training import helpers as th

D = dt.date
# The target quarter is the next one (classes are declared for it: a declaration may not start
# long in the past), so every date below follows from today.
_TODAY = dt.date.today()
YEAR, QUARTER = fs._shift(_TODAY.year, (_TODAY.month - 1) // 3 + 1, 1)
FIRST, LAST = fs.quarter_bounds(YEAR, QUARTER)
MID = FIRST + dt.timedelta(days=30)  # a day inside the target quarter
AFTER = LAST + dt.timedelta(days=1)  # the first day after it
PREVIOUS = fs._shift(YEAR, QUARTER, -1)
PREVIOUS_LABEL = f"{PREVIOUS[0]}Q{PREVIOUS[1]}"
CARE = "elderly_child_care"
BUILD = "construction"
# The eight quarters before the target, oldest first: the series of
# tests/demand/test_forecast_rules.py
CARE_SERIES = [10, 20, 30, 40, 14, 24, 34, 44]
ELECTRIC_SERIES = [5] * 8


def occupation(code: str) -> Occupation:
    return Occupation.objects.get(code=code)


def care() -> Occupation:
    return occupation("4-10-01-05")  # 养老护理员


def electrician() -> Occupation:
    return occupation("6-31-01-03")  # 电工


@dataclass
class World:
    province_staff: object
    city_staff: object
    county_staff: object
    other_city_staff: object
    industry: object  # elderly care sector, province
    other_industry: object  # construction sector, province
    enterprise: object
    enterprise_user: object
    training: object


def _list(org, year, quarter, status=DemandListStatus.SUBMITTED, sector=CARE):
    return DemandList.objects.create(organization=org, region=org.region, sector=sector,
                                     year=year, quarter=quarter, status=status)


def world(*, care_trainees: int = 10) -> World:
    enterprise = f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type="",
                                       name="测试养老企业")
    builder = f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type="",
                                    name="测试建筑企业")
    quarters = [fs._shift(YEAR, QUARTER, -k) for k in range(8, 0, -1)]
    for (y, q), n, e in zip(quarters, CARE_SERIES, ELECTRIC_SERIES, strict=True):
        lst = _list(enterprise, y, q)
        last = (y, q) == quarters[-1]
        DemandLine.objects.create(
            demand_list=lst, occupation=care(), headcount=n,
            needed_by=MID if last else fs.quarter_bounds(y, q)[1],
            filled=30 if last else n)
        blst = _list(builder, y, q, sector=BUILD)
        DemandLine.objects.create(demand_list=blst, occupation=electrician(), headcount=e,
                                  needed_by=fs.quarter_bounds(y, q)[1], filled=e)
    # a draft list never counts
    draft = _list(f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type=""),
                  *PREVIOUS, status=DemandListStatus.DRAFT)
    DemandLine.objects.create(demand_list=draft, occupation=care(), headcount=999,
                              needed_by=LAST)
    tw = th.world()
    first_day = FIRST + dt.timedelta(days=(7 - FIRST.weekday()) % 7)  # a Monday in it
    th.declare(tw, planned_size=care_trainees, sessions=th.sessions(start=first_day))
    return World(
        province_staff=f.staff(Role.PROVINCE_STAFF, f.PROVINCE),
        city_staff=f.staff(Role.CITY_STAFF, f.CITY),
        county_staff=f.staff(Role.COUNTY_STAFF, f.COUNTY),
        other_city_staff=f.staff(Role.CITY_STAFF, f.OTHER_CITY),
        industry=f.staff(Role.INDUSTRY_STAFF, f.PROVINCE, sector=CARE),
        other_industry=f.staff(Role.INDUSTRY_STAFF, f.PROVINCE, sector=BUILD),
        enterprise=enterprise, enterprise_user=f.operator(enterprise), training=tw)


def build(w: World, **kw) -> DemandForecast:
    return fs.forecast_build(actor=w.province_staff, region=f.region(f.PROVINCE), year=YEAR,
                             quarter=QUARTER, **kw)


def in_review(w: World) -> DemandForecast:
    return fs.forecast_transition(actor=w.province_staff, forecast=build(w), action="submit")


def approved(w: World) -> DemandForecast:
    return fs.forecast_transition(actor=w.province_staff, forecast=in_review(w),
                                  action="approve")
