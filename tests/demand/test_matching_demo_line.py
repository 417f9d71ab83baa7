"""The matching demo's order-class line goes on an accepted list of a quarter not yet ended: the
lists demo leaves this quarter's list returned and the next one's a draft, so a free later
quarter gets a new accepted list; its line is open (an order class can be proposed)."""

from __future__ import annotations

import datetime as dt

import pytest

from jineng.demand.choices import DemandListStatus
from jineng.demand.demo import matching as demo_matching
from jineng.demand.models import DemandList
from jineng.demand.rules import demand_lists as list_rules
from jineng.demand.selectors import matching as selectors
from tests.demand import matching_support as ms

pytestmark = pytest.mark.django_db


def test_the_demo_order_line_is_open_whatever_this_quarters_list_is():
    w = ms.world()
    today = ms.today()
    ent = ms.enterprise(name="演示订单企业")
    this = list_rules.quarter_of(today)
    following = list_rules.quarter_add(*this, 1)
    for (year, quarter), status in ((this, DemandListStatus.RETURNED),
                                    (following, DemandListStatus.DRAFT)):
        DemandList.objects.create(organization=ent, region=ent.region, year=year,
                                  quarter=quarter, status=status, sector="elderly_child_care")
    line, model = demo_matching._order_line(ent, w.training.org, today)
    assert model is not None and line.demand_list.status == DemandListStatus.ACCEPTED
    assert (line.demand_list.year, line.demand_list.quarter) == list_rules.quarter_add(*this, 2)
    first, last = list_rules.quarter_bounds(line.demand_list.year, line.demand_list.quarter)
    assert first <= line.needed_by <= last and line.needed_by > today
    assert selectors.line_is_open(line, today)
    # Built again: the same line is found, no second one.
    again, _model = demo_matching._order_line(ent, w.training.org, today)
    assert again.pk == line.pk
    assert today + dt.timedelta(days=400) > line.needed_by
