"""Referrals and the outcomes app: a hire counts on the demand line, and a reported hire is
confirmed from the person's social-insurance records with the enterprise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jineng.core.errors import Forbidden
from jineng.demand import services
from jineng.demand.choices import ReferralStatus
from jineng.demand.models import DemandLine
from jineng.outcomes.models import InsuranceImport, InsuranceRecord
from tests.demand import matching_support as ms

pytestmark = pytest.mark.django_db


def _record(person, code: str, month: dt.date, region) -> InsuranceRecord:
    batch, _ = InsuranceImport.objects.get_or_create(
        kind="records", content_sha256="t" * 64,
        defaults={"source": "api", "region": region, "status": "succeeded"})
    return InsuranceRecord.objects.create(
        id_hash=person.id_hash, person=person, employer_code=code, employer_region=region,
        month=month.replace(day=1), pension=True, wage_base=Decimal("4500"),
        source_import=batch)


def test_a_hire_fills_the_line_and_records_confirm_it():
    w = ms.world()
    today = timezone.localdate()
    done = [e for e in w.trainees if e.completed]
    before = DemandLine.objects.get(pk=w.line.pk).filled
    refs = [services.referral_create(actor=w.county_staff, demand_line=w.line, enrollment=e,
                                     consent_on=today) for e in done[:2]]
    for r in refs:
        services.referral_transition(actor=w.enterprise_user, referral=r, action="hire",
                                     hired_on=today)
    assert DemandLine.objects.get(pk=w.line.pk).filled == before + 2

    code = w.line.demand_list.organization.credit_code
    region = w.line.demand_list.region
    # The first trainee contributes with the enterprise from this month; the second with
    # another employer only.
    _record(refs[0].person, code, today, region)
    _record(refs[1].person, "91320700MA1XXXXX0X"[:18], today, region)
    with pytest.raises(Forbidden):
        services.referrals_confirm_from_records(actor=w.enterprise_user)
    assert services.referrals_confirm_from_records(actor=w.county_staff) == 1
    refs[0].refresh_from_db()
    refs[1].refresh_from_db()
    assert refs[0].status == ReferralStatus.CONFIRMED
    assert refs[0].confirmed_on == today
    assert refs[1].status == ReferralStatus.HIRED
    # Run again: nothing more to confirm, nothing confirmed twice.
    assert services.referrals_confirm_from_records(actor=w.county_staff) == 0


def test_records_before_the_hire_do_not_confirm_it():
    w = ms.world()
    today = timezone.localdate()
    e = next(e for e in w.trainees if e.completed)
    r = services.referral_create(actor=w.county_staff, demand_line=w.line, enrollment=e,
                                 consent_on=today)
    services.referral_transition(actor=w.enterprise_user, referral=r, action="hire",
                                 hired_on=today)
    _record(r.person, w.line.demand_list.organization.credit_code,
            today - dt.timedelta(days=120), w.line.demand_list.region)
    assert services.referrals_confirm_from_records(actor=w.county_staff) == 0
    r.refresh_from_db()
    assert r.status == ReferralStatus.HIRED


def test_the_api_confirms_hires_for_staff_only():
    from tests.openapi import OpenApiClient

    w = ms.world()
    op = "demand_referrals_confirm_from_records"
    answer = OpenApiClient().login(w.county_staff).call(op)
    assert answer.status == 200 and answer.body == {"confirmed": 0}
    assert OpenApiClient().login(w.enterprise_user).call(op).status == 403
