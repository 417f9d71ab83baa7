"""The world of the demand-list tests: an enterprise of 南明区 with a user, another enterprise of
红花岗区 (遵义, another city), HRSS staff of the county, the city and the other city, an industry
department of the list's sector and of another one. Dates are relative to a fixed TODAY passed
to the services (today=), so the tests do not depend on the day they run."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import openpyxl

from jineng.accounts.models import Role, User
from jineng.demand import services
from jineng.demand.models import DemandList
from jineng.registry.choices import OrganizationKind
from jineng.registry.models import Occupation, Organization, SkillLevel
from tests import factories as f

TODAY = dt.date(2026, 12, 5)
YEAR, QUARTER = 2026, 4
NEEDED = dt.date(2026, 12, 20)


def occupation(name: str = "养老护理员") -> Occupation:
    return Occupation.objects.filter(name=name).order_by("pk").first()


def level(code: str = "grade5") -> SkillLevel:
    return SkillLevel.objects.get(code=code)


@dataclass
class World:
    enterprise: Organization
    user: User
    other_enterprise: Organization
    other_user: User
    county_staff: User
    city_staff: User
    other_city_staff: User
    industry: User
    other_industry: User
    trainer: User


def world() -> World:
    ent = f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type="",
                                name="测试企业甲", sector="elderly_child_care")
    other = f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type="",
                                  name="测试企业乙", region=f.region(f.OTHER_CITY_COUNTY))
    return World(
        enterprise=ent, user=f.operator(ent), other_enterprise=other,
        other_user=f.operator(other),
        county_staff=f.staff(Role.COUNTY_STAFF, f.COUNTY),
        city_staff=f.staff(Role.CITY_STAFF, f.CITY),
        other_city_staff=f.staff(Role.CITY_STAFF, f.OTHER_CITY),
        industry=f.staff(Role.INDUSTRY_STAFF, f.PROVINCE, sector="elderly_child_care"),
        other_industry=f.staff(Role.INDUSTRY_STAFF, f.PROVINCE, sector="digital_economy"),
        trainer=f.operator(f.OrganizationFactory()))


def list_input(**kw) -> services.DemandListInput:
    return services.DemandListInput(**{"year": YEAR, "quarter": QUARTER,
                                       "sector": "elderly_child_care", **kw})


def open_list(w: World, **kw) -> DemandList:
    return services.demand_list_create(actor=w.user, data=list_input(**kw), today=TODAY)[0]


def line_input(**kw) -> services.DemandLineInput:
    return services.DemandLineInput(**{"occupation": occupation(), "level": level(),
                                       "headcount": 20, "needed_by": NEEDED,
                                       "order_class_wanted": True, "wage_min": 3500,
                                       "wage_max": 5000, **kw})


def with_line(w: World, **kw) -> DemandList:
    dl = open_list(w)
    services.demand_line_add(actor=w.user, demand_list=dl, data=line_input(**kw), today=TODAY)
    return dl


def submitted(w: World) -> DemandList:
    dl = with_line(w)
    return services.demand_list_transition(actor=w.user, demand_list=dl, action="submit",
                                           today=TODAY)


def xlsx(rows: list[list], header: list[str] | None = None) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header or ["职业（工种）", "技能等级", "需求人数", "需求日期", "接受订单班",
                            "月薪下限（元）", "月薪上限（元）"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "lines.xlsx"
    return out
