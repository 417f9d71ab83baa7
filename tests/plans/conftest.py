import datetime as dt

import pytest

from jineng.plans import services
from jineng.plans.rules.packs import read_shipped
from tests import factories as f


@pytest.fixture
def guizhou_plan(db, province_staff):
    return services.plan_load_pack(actor=province_staff, text=read_shipped("guizhou-2025-2027"))


def fact(metric="person_times_trained", day=dt.date(2025, 6, 1), region=f.COUNTY, value=1,
         **kw):
    return services.FactInput(metric=metric, day=day, region_code=region, value=value, **kw)


def add(*facts, source="test"):
    services.actual_facts_add_many(actor=None, source=source, facts=list(facts))
