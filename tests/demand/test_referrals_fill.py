"""A hire counts on its demand line (DemandLine.filled, issue 14's 培训就业直通车): each hire once,
by the service and by the API alike; a refusal, a withdrawn consent or a confirmation from the
records does not count again; a line whose people are all hired is no longer open (no new
referral, candidates or order class for it)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jineng.core.errors import DomainError
from jineng.demand import services
from jineng.demand.models import DemandLine
from jineng.demand.selectors import matching as selectors
from jineng.training.models import Enrollment
from tests.demand import matching_support as ms
from tests.openapi import OpenApiClient

pytestmark = pytest.mark.django_db


def filled(line) -> int:
    return DemandLine.objects.get(pk=line.pk).filled


def test_hires_fill_the_line_once_each_and_a_full_line_closes():
    w = ms.world()
    DemandLine.objects.filter(pk=w.line.pk).update(headcount=1)
    Enrollment.objects.filter(pk__in=[e.pk for e in w.trainees]).update(completed=True)
    today = timezone.localdate()
    refs = [services.referral_create(actor=w.county_staff, demand_line=w.line, enrollment=e,
                                     consent_on=today) for e in w.trainees[:3]]
    services.referral_transition(actor=w.enterprise_user, referral=refs[0], action="decline",
                                 reason="面试未通过")
    services.referral_transition(actor=w.county_staff, referral=refs[1], action="withdraw",
                                 reason="本人撤回同意")
    assert filled(w.line) == 0
    line = selectors.demand_line_get(actor=w.county_staff, pk=w.line.pk)
    assert selectors.line_is_open(line, today)
    # The hire through the API counts like the service's.
    api = OpenApiClient().login(w.enterprise_user)
    answer = api.call("demand_referral_transition", path={"referral_id": refs[2].pk},
                      json_body={"action": "hire", "hired_on": today.isoformat()})
    assert answer.status == 200 and filled(w.line) == 1
    services.referral_confirm_hire(actor=w.county_staff, referral_id=refs[2].pk,
                                   confirmed_on=today, source="测试缴费记录")
    assert filled(w.line) == 1  # confirming is not hiring again
    # Everyone needed is hired: the line is closed to referrals and order classes.
    line = selectors.demand_line_get(actor=w.county_staff, pk=w.line.pk)
    assert not selectors.line_is_open(line, today)
    assert not selectors.referral_candidates(actor=w.county_staff, line=line)
    with pytest.raises(DomainError) as refused:
        services.referral_create(actor=w.county_staff, demand_line=w.line,
                                 enrollment=w.trainees[0], consent_on=today)
    assert refused.value.code == "referral_demand_open"
    with pytest.raises(DomainError):
        services.order_class_propose(actor=w.county_staff, demand_line=w.line)
