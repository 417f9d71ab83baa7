"""Write-contract cases of the demand app's matching area (see tests/core/write_contract.py):
wishes matched (one, a region, the region's job), order-class proposals (propose, answer,
declare), referrals (create, steps, the outcomes hook)."""

from __future__ import annotations

from django.utils import timezone

from jineng.catalog.services import SYSTEM
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from jineng.demand import services
from jineng.demand.choices import WishStatus
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case
from tests.demand import matching_support as ms

MATCH = "demand.wishmatch"
PROPOSAL = "demand.orderclassproposal"
REFERRAL = "demand.referral"
CLASS = "training.trainingclass"


@case("demand.wish_match", audit=[(A.CREATE, MATCH)])
def _wish_match() -> Attempts:
    w = ms.world()
    closed = ms.wish(status=WishStatus.WITHDRAWN)
    ok = {"actor": w.county_staff, "wish": w.wish}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_city_staff}, NotFound, "another city's wish"),
        Refused({**ok, "actor": w.enterprise_user}, NotFound, "an enterprise"),
        Refused({**ok, "wish": closed}, DomainError, "a withdrawn wish"),
    ])


@case("demand.wishes_match", audit=[(A.CREATE, MATCH)])
def _wishes_match() -> Attempts:
    w = ms.world()
    ok = {"actor": w.city_staff, "region_code": f.CITY}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "region_code": f.OTHER_CITY}, NotFound, "out of scope"),
        Refused({**ok, "actor": w.training.operator}, Forbidden, "an institution"),
        Refused({**ok, "region_code": "52-01"}, DomainError, "not a code"),
    ])


@case("demand.wish_match_region_start", audit=[(A.CREATE, "jobs.job")])
def _wish_match_region_start() -> Attempts:
    w = ms.world()
    ok = {"actor": w.city_staff, "region_code": f.CITY}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "region_code": f.OTHER_CITY}, NotFound, "out of scope"),
        Refused({**ok, "actor": w.industry_staff}, Forbidden, "industry staff"),
    ])


@case("demand.order_class_propose", audit=[(A.CREATE, PROPOSAL), (A.CREATE, PROPOSAL)])
def _order_class_propose() -> Attempts:
    w = ms.world()
    plain = ms.demand_line(w.enterprise, order_class_wanted=False, quarter=2)
    ok = {"actor": w.enterprise_user, "demand_line": w.line}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_enterprise_user}, NotFound, "another enterprise"),
        Refused({**ok, "actor": w.industry_staff}, Forbidden, "industry staff"),
        Refused({**ok, "demand_line": plain}, DomainError, "no order class wanted"),
    ])


@case("demand.order_proposal_answer", audit=[(A.TRANSITION, PROPOSAL)])
def _order_proposal_answer() -> Attempts:
    w = ms.world()
    p = services.order_class_propose(actor=w.enterprise_user, demand_line=w.line)[0]
    ok = {"actor": w.enterprise_user, "proposal": p, "agree": True}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.training.other_operator}, NotFound, "another institution"),
        Refused({**ok, "actor": w.county_staff}, Forbidden, "staff are no party"),
        Refused({**ok, "agree": False}, DomainError, "declining without a reason"),
    ])


@case("demand.order_proposal_declare", audit=[(A.CREATE, CLASS), (A.TRANSITION, PROPOSAL)])
def _order_proposal_declare() -> Attempts:
    w = ms.world()
    p, other = services.order_class_propose(actor=w.enterprise_user, demand_line=w.line)
    services.order_proposal_answer(actor=w.enterprise_user, proposal=p, agree=True)
    services.order_proposal_answer(actor=w.training.operator, proposal=p, agree=True)
    ok = {"actor": w.training.operator, "proposal": p, "data": ms.order_input(w)}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.enterprise_user}, Forbidden, "the enterprise"),
        Refused({**ok, "actor": w.training.other_operator}, NotFound, "another institution"),
        Refused({**ok, "actor": w.training.other_operator, "proposal": other}, DomainError,
                "not agreed yet"),
        Refused({**ok, "data": ms.order_input(w, site=w.training.other_site)}, DomainError,
                "training's checks: another institution's site"),
    ])


def _referral_world():
    w = ms.world()
    done = [e for e in w.trainees if e.completed]
    return w, done


@case("demand.referral_create", audit=[(A.CREATE, REFERRAL)])
def _referral_create() -> Attempts:
    w, done = _referral_world()
    today = timezone.localdate()
    services.referral_create(actor=w.county_staff, demand_line=w.line, enrollment=done[1],
                             consent_on=today)
    ok = {"actor": w.county_staff, "demand_line": w.line, "enrollment": done[0],
          "consent_on": today}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.enterprise_user}, Forbidden, "the enterprise"),
        Refused({**ok, "actor": w.other_city_staff}, NotFound, "out of scope"),
        Refused({**ok, "enrollment": w.trainees[-1]}, DomainError, "did not complete"),
        Refused({**ok, "enrollment": done[1]}, Conflict, "referred already"),
        Refused({**ok, "consent_on": "2026-01-01"}, DomainError, "not a date"),
    ])


@case("demand.referral_transition", audit=[(A.TRANSITION, REFERRAL)])
def _referral_transition() -> Attempts:
    w, done = _referral_world()
    r = services.referral_create(actor=w.county_staff, demand_line=w.line,
                                 enrollment=done[0], consent_on=timezone.localdate())
    ok = {"actor": w.enterprise_user, "referral": r, "action": "hire",
          "hired_on": timezone.localdate()}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_enterprise_user}, NotFound, "another enterprise"),
        Refused({**ok, "actor": w.county_staff}, Forbidden, "staff do not hire"),
        Refused({**ok, "hired_on": None}, DomainError, "a hire without its date"),
        Refused({**ok, "action": "confirm"}, DomainError, "the outcomes' step"),
    ])


@case("demand.referral_confirm_hire", audit=[(A.TRANSITION, REFERRAL)])
def _referral_confirm_hire() -> Attempts:
    w, done = _referral_world()
    today = timezone.localdate()
    hired = services.referral_create(actor=w.county_staff, demand_line=w.line,
                                     enrollment=done[0], consent_on=today)
    services.referral_transition(actor=w.enterprise_user, referral=hired, action="hire",
                                 hired_on=today)
    waiting = services.referral_create(actor=w.county_staff, demand_line=w.line,
                                       enrollment=done[1], consent_on=today)
    ok = {"actor": SYSTEM, "referral_id": hired.pk, "confirmed_on": today,
          "source": "社保缴费记录"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.enterprise_user}, Forbidden, "the enterprise"),
        Refused({**ok, "actor": w.other_city_staff}, NotFound, "out of scope"),
        Refused({**ok, "referral_id": waiting.pk}, DomainError, "not hired"),
        Refused({**ok, "source": ""}, DomainError, "no source"),
    ])


@case("demand.referrals_confirm_from_records", audit=[(A.TRANSITION, REFERRAL)])
def _referrals_confirm_from_records() -> Attempts:
    from decimal import Decimal

    from jineng.outcomes.models import InsuranceImport, InsuranceRecord

    w, done = _referral_world()
    today = timezone.localdate()
    hired = services.referral_create(actor=w.county_staff, demand_line=w.line,
                                     enrollment=done[0], consent_on=today)
    services.referral_transition(actor=w.enterprise_user, referral=hired, action="hire",
                                 hired_on=today)
    region = w.line.demand_list.region
    batch = InsuranceImport.objects.create(kind="records", source="api", region=region,
                                           content_sha256="c" * 64, status="succeeded")
    InsuranceRecord.objects.create(
        id_hash=hired.person.id_hash, person=hired.person, month=today.replace(day=1),
        employer_code=w.line.demand_list.organization.credit_code, employer_region=region,
        pension=True, wage_base=Decimal("5000"), source_import=batch)
    ok = {"actor": w.county_staff}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.enterprise_user}, Forbidden, "the enterprise"),
    ])
