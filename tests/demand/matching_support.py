"""The world of the matching tests: a training institution (listed for 养老护理员 up to 高级工)
with a site in 南明区 and an upcoming approved class, a second listed institution, an
enterprise with a site and an accepted demand list whose line would take an order class, a
finished class with completed trainees, a wish near the site, and the users around them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from jineng.demand.choices import DemandListStatus, PreferredTime
from jineng.demand.models import DemandLine, DemandList, TrainingWish
from jineng.registry.choices import OrganizationKind
from jineng.registry.models import Organization
from jineng.training import services as training_services
from jineng.training.choices import ClassStatus
from jineng.training.models import Enrollment, TrainingClass
from tests import factories as f
from tests.demand import factories as df
from tests.training import helpers as th

SITE_POINT = (Decimal("26.570000"), Decimal("106.710000"))  # th.world()'s site


def today() -> dt.date:
    return timezone.localdate()


def weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


@dataclass
class MatchWorld:
    training: th.World
    upcoming: TrainingClass
    finished: TrainingClass
    trainees: list[Enrollment]
    enterprise: Organization
    enterprise_user: object
    other_enterprise_user: object
    demand_list: DemandList
    line: DemandLine
    wish: TrainingWish
    county_staff: object
    city_staff: object
    other_city_staff: object
    industry_staff: object


def enterprise(**kw) -> Organization:
    return f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type="",
                                 name=kw.pop("name", "贵州测试养老服务有限公司"), **kw)


def demand_line(org: Organization, *, status: str = DemandListStatus.ACCEPTED,
                order_class_wanted: bool = True, quarter: int = 1, **kw) -> DemandLine:
    lst = DemandList.objects.create(organization=org, region=org.region, year=today().year,
                                    quarter=quarter, status=status,
                                    sector="elderly_child_care")
    values = {"occupation": th.occupation(), "level": th.level("grade5"), "headcount": 20,
              "needed_by": today() + dt.timedelta(days=90),
              "order_class_wanted": order_class_wanted, "wage_min": 4000, "wage_max": 6000}
    values.update(kw)
    return DemandLine.objects.create(demand_list=lst, **values)


def upcoming_class(w: th.World, *, days: int = 10, **overrides) -> TrainingClass:
    start = weekday_on_or_after(today() + dt.timedelta(days=days))
    overrides.setdefault("teachers", ())
    cls = th.declare(w, sessions=th.sessions(start=start), **overrides)
    return training_services.class_transition(actor=w.county_staff, training_class=cls,
                                              action="approve")


def finished_class(w: th.World, *, trainees: int = 3, completed: int = 2,
                   ) -> tuple[TrainingClass, list[Enrollment]]:
    cls = th.declare(w, name="养老护理员（初级）第0期")
    enrollments = [th.enroll(w, cls, n=100 + i) for i in range(trainees)]
    end = today() - dt.timedelta(days=5)
    TrainingClass.objects.filter(pk=cls.pk).update(status=ClassStatus.FINISHED, end_date=end,
                                                   start_date=end - dt.timedelta(days=10))
    for i, e in enumerate(enrollments):
        Enrollment.objects.filter(pk=e.pk).update(completed=i < completed)
        e.refresh_from_db()
    cls.refresh_from_db()
    return cls, enrollments


def wish(**kw) -> TrainingWish:
    values = {"latitude": SITE_POINT[0] + Decimal("0.02"), "longitude": SITE_POINT[1],
              "preferred_time": PreferredTime.WEEKDAY_DAYTIME, "max_distance_km": 20}
    values.update(kw)
    return df.WishFactory(**values)


def world() -> MatchWorld:
    tw = th.world()
    upcoming = upcoming_class(tw)
    finished, trainees = finished_class(tw)
    ent = enterprise()
    f.SiteFactory(organization=ent, latitude=SITE_POINT[0] + Decimal("0.05"),
                  longitude=SITE_POINT[1], name="企业厂区")
    line = demand_line(ent)
    return MatchWorld(
        training=tw, upcoming=upcoming, finished=finished, trainees=trainees, enterprise=ent,
        enterprise_user=f.operator(ent), other_enterprise_user=f.operator(enterprise(
            name="另一家企业")), demand_list=line.demand_list, line=line, wish=wish(),
        county_staff=tw.county_staff, city_staff=f.staff("city_staff", f.CITY),
        other_city_staff=f.staff("city_staff", f.OTHER_CITY),
        industry_staff=f.staff("industry_staff", f.PROVINCE, sector="elderly_child_care"))


def order_input(w: MatchWorld, **kw):
    from jineng.demand import services

    start = weekday_on_or_after(today() + dt.timedelta(days=20))
    values = {"name": "养老护理员订单班第1期", "site": w.training.site,
              "training_type": "employment", "sector": "elderly_child_care",
              "funding_source": "employment_subsidy", "sessions": th.sessions(start=start),
              "teachers": (w.training.teacher,)}
    values.update(kw)
    return services.OrderClassInput(**values)
