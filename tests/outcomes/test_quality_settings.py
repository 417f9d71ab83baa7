"""Setting the indicator parameters: a new dated row (past rows never change), the sum of
weights within ±0.001, ordered thresholds, province staff only; the selector reads it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from jineng.accounts.models import Role
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.models import AuditEvent
from jineng.outcomes.models import IndicatorSettings
from jineng.outcomes.selectors import quality as q
from jineng.outcomes.services import settings as s
from tests import factories as f

pytestmark = pytest.mark.django_db


def values(**kw) -> dict:
    return {"valid_from": timezone.localdate(), "weight_demand_match": Decimal("0.2"),
            "weight_pass_rate": Decimal("0.2"), "weight_level_up": Decimal("0.2"),
            "weight_employment": Decimal("0.2"), "weight_wage_growth": Decimal("0.2"),
            "min_cell": 10, "link_auto_probability": 0.99, "link_review_probability": 0.5,
            "reason": "年度调整", **kw}


def test_a_row_from_today_is_in_force_today_and_audited():
    staff = f.staff()
    row = s.indicator_settings_set(actor=staff, **values(min_cell=12,
                                                         weight_employment=Decimal("0.3"),
                                                         weight_wage_growth=Decimal("0.1")))
    assert row.region.code == f.PROVINCE and row.set_by == staff
    force = q.indicator_settings_in_force(region_code=f.COUNTY)
    assert force.min_cell == 12 and force.weights["employment"] == 0.3
    event = AuditEvent.objects.get(entity_type="outcomes.indicatorsettings")
    assert event.region_code == f.PROVINCE and event.reason == "年度调整"


@pytest.mark.parametrize(("employment", "ok"), [
    (Decimal("0.201"), True), (Decimal("0.199"), True), (Decimal("0.202"), False),
    (Decimal("0.198"), False)])
def test_weights_sum_to_one_within_a_thousandth(employment, ok):
    call = lambda: s.indicator_settings_set(actor=f.staff(),  # noqa: E731
                                            **values(weight_employment=employment))
    if ok:
        call()
    else:
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.field == "weight_wage_growth"
        assert not IndicatorSettings.objects.exists()


def test_equal_thresholds_pass_and_reversed_ones_are_refused():
    s.indicator_settings_set(actor=f.staff(), **values(link_auto_probability=0.8,
                                                       link_review_probability=0.8))
    with pytest.raises(DomainError) as refused:
        s.indicator_settings_set(actor=f.staff(), **values(
            valid_from=timezone.localdate() + dt.timedelta(days=1),
            link_auto_probability=0.8, link_review_probability=0.81))
    assert refused.value.field == "link_review_probability"


def test_a_system_administrator_names_the_province_and_others_are_refused():
    admin = f.UserFactory(role=Role.SYSTEM_ADMIN)
    with pytest.raises(DomainError):
        s.indicator_settings_set(actor=admin, **values())
    row = s.indicator_settings_set(actor=admin, region_code="410100", **values())
    assert row.region.code == "410000"
    with pytest.raises(Forbidden):
        s.indicator_settings_set(actor=f.staff(Role.COUNTY_STAFF, f.COUNTY), **values())


def test_history_is_for_staff_of_the_province_newest_first():
    s.indicator_settings_set(actor=f.staff(), **values())
    s.indicator_settings_set(actor=f.staff(), **values(
        valid_from=timezone.localdate() + dt.timedelta(days=10)))
    with pytest.raises(Conflict):
        s.indicator_settings_set(actor=f.staff(), **values())
    rows = list(q.indicator_settings_history(actor=f.staff(Role.CITY_STAFF, f.CITY)))
    assert [r.valid_from for r in rows] == [timezone.localdate() + dt.timedelta(days=10),
                                            timezone.localdate()]
    assert not q.indicator_settings_history(actor=None).exists()
    assert not q.indicator_settings_history(actor=f.operator(f.OrganizationFactory())).exists()


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="row locks under concurrent writers: PostgreSQL only")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_settings_for_the_same_day_at_once_record_one():
    from tests.concurrency import in_threads

    a, b = f.staff(), f.staff()
    day = timezone.localdate() + dt.timedelta(days=3)
    results = in_threads(
        lambda: s.indicator_settings_set(actor=a, **values(valid_from=day, min_cell=11)),
        lambda: s.indicator_settings_set(actor=b, **values(valid_from=day, min_cell=12)))
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "IndicatorSettings"]
    assert IndicatorSettings.objects.filter(valid_from=day).count() == 1
    assert AuditEvent.objects.filter(entity_type="outcomes.indicatorsettings").count() == 1
