"""Matching services on the real database: wishes → classes (SMS once per class, region job),
order-class proposals (both agree, then declare through training), referrals (consent,
steps, history, the outcomes hook)."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.utils import timezone

from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditEvent
from jineng.demand import services
from jineng.demand.choices import DemandListStatus, ProposalStatus, ReferralStatus, WishStatus
from jineng.demand.models import OrderClassProposal, Referral, ReferralStatusChange, WishMatch
from jineng.demand.selectors import matching as selectors
from jineng.training.choices import ClassStatus, OrderForm
from jineng.training.models import TrainingClass
from tests import factories as f
from tests.demand import matching_support as ms
from tests.training import helpers as th

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return ms.world()


@pytest.fixture
def sms_log(settings, caplog):
    """The development SMS backend writes to the log when DEBUG is on."""
    settings.DEBUG = True
    settings.JINENG_SMS_BACKEND = ""
    caplog.set_level(logging.WARNING, logger="jineng.sms")
    return caplog


def sms_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "jineng.sms"]


# --- wishes → classes ------------------------------------------------------------------------

def test_a_wish_is_matched_with_reasons_and_told_once(
        w, sms_log, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.wish_match(actor=w.county_staff, wish=w.wish)
    assert (run.new_matches, run.told) == (1, 1)
    match = WishMatch.objects.get(wish=w.wish)
    assert match.training_class == w.upcoming and match.notified_at is not None
    rules_seen = {r["rule"] for r in match.reasons}
    assert {"occupation", "dates", "distance", "time", "level", "key_group", "subsidy"} \
        <= rules_seen
    assert Decimal("2") < match.distance_km < Decimal("2.5")
    lines = sms_lines(sms_log)
    assert len(lines) == 1 and w.upcoming.name in lines[0]
    assert "139" in lines[0] and w.wish.phone not in lines[0]  # the phone is masked
    w.wish.refresh_from_db()
    assert w.wish.status == WishStatus.MATCHED
    # Again: nothing new, nobody told again.
    with django_capture_on_commit_callbacks(execute=True):
        again = services.wish_match(actor=w.county_staff, wish=w.wish)
    assert (again.new_matches, again.told) == (0, 0)
    assert len(sms_lines(sms_log)) == 1
    assert WishMatch.objects.filter(wish=w.wish).count() == 1
    # A new class comes: the worker is told of it alone.
    second = ms.upcoming_class(w.training, days=15, name="养老护理员第2期")
    with django_capture_on_commit_callbacks(execute=True):
        third = services.wish_match(actor=w.county_staff, wish=w.wish)
    assert third.new_matches == 1
    lines = sms_lines(sms_log)
    assert len(lines) == 2 and second.name in lines[1] and w.upcoming.name not in lines[1]


def test_classes_out_of_reach_or_time_are_not_matched(w):
    far = ms.wish(latitude=Decimal("27.700000"), longitude=Decimal("106.900000"))
    evening = ms.wish(preferred_time="weekday_evening")
    other_level = ms.wish(level=th.level("grade3"))
    for wish in (far, evening, other_level):
        assert services.wish_match(actor=w.county_staff, wish=wish).new_matches == 0
    groups = ms.wish()
    cls = ms.upcoming_class(w.training, days=12, name="退役军人专班",
                            target_group="veteran")
    assert services.wish_match(actor=w.county_staff, wish=groups).new_matches == 1
    assert not WishMatch.objects.filter(wish=groups, training_class=cls).exists()


def test_a_full_class_or_one_that_started_long_ago_is_not_offered(w):
    start = timezone.localdate() - dt.timedelta(days=20)
    TrainingClass.objects.filter(pk=w.upcoming.pk).update(status=ClassStatus.OPEN,
                                                          start_date=start)
    assert services.wish_match(actor=w.county_staff, wish=w.wish).new_matches == 0


def test_wish_match_refusals(w):
    with pytest.raises(NotFound):
        services.wish_match(actor=w.other_city_staff, wish=w.wish)
    with pytest.raises(NotFound):
        services.wish_match(actor=w.enterprise_user, wish=w.wish)
    with pytest.raises(NotFound):
        services.wish_match(actor=w.industry_staff, wish=w.wish)
    w.wish.status = WishStatus.WITHDRAWN
    w.wish.save()
    with pytest.raises(DomainError) as refused:
        services.wish_match(actor=w.county_staff, wish=w.wish)
    assert refused.value.code == "wish_closed"
    assert not WishMatch.objects.exists()


def test_region_matching_runs_as_a_job_with_progress(w, settings, tmp_path):
    from tests.jobs.worker import run_worker

    settings.STORAGES = {**settings.STORAGES, "jobs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path, "base_url": None}}}
    from django_tasks_db.models import DBTaskResult

    # The world's approval queued a refresh of that class's matches (test_matching_refresh):
    # dropped, so that the region job is what matches here.
    DBTaskResult.objects.all().delete()
    others = [ms.wish() for _ in range(3)]
    job = services.wish_match_region_start(actor=w.city_staff, region_code=f.CITY)
    assert job.total == 4
    run_worker()
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.done == 4 and job.row_count == 4
    assert WishMatch.objects.filter(wish__in=[w.wish, *others]).count() == 4
    events = AuditEvent.objects.filter(entity_type="demand.wishmatch")
    assert events.count() == 1 and events.get().after["new_matches"] == 4
    with pytest.raises(NotFound):
        services.wish_match_region_start(actor=w.county_staff, region_code=f.OTHER_CITY)
    with pytest.raises(Forbidden):
        services.wish_match_region_start(actor=w.enterprise_user, region_code=f.CITY)
    with pytest.raises(DomainError):
        services.wish_match_region_start(actor=w.city_staff, region_code="52xx")


# --- order classes ---------------------------------------------------------------------------

def _agree_both(w, proposal):
    services.order_proposal_answer(actor=w.enterprise_user, proposal=proposal, agree=True)
    return services.order_proposal_answer(actor=w.training.operator, proposal=proposal,
                                          agree=True)


def test_order_class_proposed_agreed_and_declared(w):
    proposals = services.order_class_propose(actor=w.enterprise_user, demand_line=w.line)
    assert [p.institution for p in proposals] == [w.training.org, w.training.other_org]
    first = proposals[0]
    assert first.reasons[0] == {"rule": "listed", "ok": True, "reason": "listed"}
    assert first.planned_size == 20
    # Asked again: the same institutions are not proposed twice.
    with pytest.raises(DomainError) as again:
        services.order_class_propose(actor=w.county_staff, demand_line=w.line)
    assert again.value.code == "no_institution"
    p = services.order_proposal_answer(actor=w.enterprise_user, proposal=first, agree=True)
    assert p.status == ProposalStatus.PROPOSED and p.enterprise_agreed_at
    with pytest.raises(Conflict):
        services.order_proposal_answer(actor=w.enterprise_user, proposal=first, agree=True)
    with pytest.raises(DomainError) as early:
        services.order_proposal_declare(actor=w.training.operator, proposal=first,
                                        data=ms.order_input(w))
    assert early.value.code == "not_agreed"
    p = services.order_proposal_answer(actor=w.training.operator, proposal=first, agree=True)
    assert p.status == ProposalStatus.AGREED
    p = services.order_proposal_declare(actor=w.training.operator, proposal=first,
                                        data=ms.order_input(w))
    cls = p.training_class
    assert p.status == ProposalStatus.DECLARED
    assert (cls.order_form, cls.employer, cls.occupation, cls.level, cls.status) == (
        OrderForm.ORDER, w.enterprise, w.line.occupation, w.line.level, ClassStatus.DECLARED)
    assert cls.client_ref == f"order-proposal-{p.pk}"
    # The enterprise follows its order class.
    assert TrainingClass.objects.visible_to(w.enterprise_user).filter(pk=cls.pk).exists()
    with pytest.raises(Conflict):
        services.order_proposal_declare(actor=w.training.operator, proposal=first,
                                        data=ms.order_input(w))
    assert TrainingClass.objects.filter(employer=w.enterprise).count() == 1


def test_either_party_declining_ends_the_proposal(w):
    p = services.order_class_propose(actor=w.county_staff, demand_line=w.line)[1]
    with pytest.raises(DomainError):  # a refusal needs its reason
        services.order_proposal_answer(actor=w.training.other_operator, proposal=p, agree=False)
    p = services.order_proposal_answer(actor=w.training.other_operator, proposal=p,
                                       agree=False, reason="师资已满")
    assert p.status == ProposalStatus.DECLINED
    with pytest.raises(DomainError) as closed:
        services.order_proposal_answer(actor=w.enterprise_user, proposal=p, agree=True)
    assert closed.value.code == "proposal_closed"


def test_proposal_refusals(w):
    with pytest.raises(NotFound):  # another enterprise does not see the line
        services.order_class_propose(actor=w.other_enterprise_user, demand_line=w.line)
    with pytest.raises(NotFound):  # an institution does not see demand lists
        services.order_class_propose(actor=w.training.operator, demand_line=w.line)
    with pytest.raises(Forbidden):  # the industry department sees its sector's lists
        services.order_class_propose(actor=w.industry_staff, demand_line=w.line)
    plain = ms.demand_line(w.enterprise, order_class_wanted=False, quarter=2)
    with pytest.raises(DomainError) as no_order:
        services.order_class_propose(actor=w.enterprise_user, demand_line=plain)
    assert no_order.value.code == "no_order_class"
    draft = ms.demand_line(w.enterprise, status=DemandListStatus.DRAFT, quarter=3)
    with pytest.raises(DomainError) as closed:
        services.order_class_propose(actor=w.enterprise_user, demand_line=draft)
    assert closed.value.code == "demand_closed"
    p = services.order_class_propose(actor=w.enterprise_user, demand_line=w.line)[0]
    with pytest.raises(NotFound):  # the other institution does not see this proposal
        services.order_proposal_answer(actor=w.training.other_operator, proposal=p, agree=True)
    with pytest.raises(Forbidden):  # staff see it but do not answer for a party
        services.order_proposal_answer(actor=w.county_staff, proposal=p, agree=True)
    _agree_both(w, p)
    with pytest.raises(Forbidden):
        services.order_proposal_declare(actor=w.enterprise_user, proposal=p,
                                        data=ms.order_input(w))
    with pytest.raises(DomainError):  # training's own checks: a site not its own
        services.order_proposal_declare(actor=w.training.operator, proposal=p,
                                        data=ms.order_input(w, site=w.training.other_site))
    p.refresh_from_db()
    assert p.status == ProposalStatus.AGREED and p.training_class_id is None


def test_no_institution_far_away(w):
    far = ms.enterprise(name="远方企业", region=f.region(f.OTHER_CITY_COUNTY))
    f.SiteFactory(organization=far, latitude=Decimal("27.900000"),
                  longitude=Decimal("107.500000"))
    line = ms.demand_line(far)
    with pytest.raises(DomainError) as none:
        services.order_class_propose(actor=f.staff(), demand_line=line)
    assert none.value.code == "no_institution"
    assert not OrderClassProposal.objects.filter(demand_line=line).exists()


# --- referrals -------------------------------------------------------------------------------

def test_referral_with_consent_steps_history_and_confirmation(w):
    candidates = selectors.referral_candidates(actor=w.county_staff, line=w.line)
    done = [e for e in w.trainees if e.completed]
    assert [c.enrollment for c in candidates] == done  # the one who did not complete: no
    today = timezone.localdate()
    r = services.referral_create(actor=w.county_staff, demand_line=w.line,
                                 enrollment=done[0], consent_on=today)
    assert r.status == ReferralStatus.REFERRED and r.person == done[0].person
    assert timezone.localtime(r.consent_at).date() == today
    assert {x["rule"] for x in r.reasons} >= {"completed", "occupation", "level",
                                              "demand_open", "distance"}
    with pytest.raises(Conflict):
        services.referral_create(actor=w.county_staff, demand_line=w.line,
                                 enrollment=done[0], consent_on=today)
    with pytest.raises(DomainError) as not_done:
        services.referral_create(actor=w.county_staff, demand_line=w.line,
                                 enrollment=w.trainees[-1], consent_on=today)
    assert not_done.value.code == "not_completed"
    with pytest.raises(DomainError):
        services.referral_create(actor=w.county_staff, demand_line=w.line,
                                 enrollment=done[1], consent_on=today + dt.timedelta(days=1))
    with pytest.raises(Forbidden):
        services.referral_create(actor=w.enterprise_user, demand_line=w.line,
                                 enrollment=done[1], consent_on=today)
    services.referral_transition(actor=w.enterprise_user, referral=r, action="interview")
    with pytest.raises(DomainError):  # a hire needs its date
        services.referral_transition(actor=w.enterprise_user, referral=r, action="hire")
    with pytest.raises(Forbidden):
        services.referral_transition(actor=w.county_staff, referral=r, action="hire",
                                     hired_on=today)
    r = services.referral_transition(actor=w.enterprise_user, referral=r, action="hire",
                                     hired_on=today)
    assert r.status == ReferralStatus.HIRED and r.hired_on == today
    with pytest.raises(NotFound):
        services.referral_transition(actor=w.other_enterprise_user, referral=r,
                                     action="decline", reason="x")
    # The outcomes app's hook: confirmed from insurance records.
    from jineng.catalog.services import SYSTEM

    r = services.referral_confirm_hire(actor=SYSTEM, referral_id=r.pk, confirmed_on=today,
                                       source="社保缴费记录 2026-12")
    assert r.status == ReferralStatus.CONFIRMED and r.confirmed_on == today
    steps = list(ReferralStatusChange.objects.filter(referral=r)
                 .values_list("from_status", "to_status"))
    assert steps == [("", "referred"), ("referred", "interviewed"), ("interviewed", "hired"),
                     ("hired", "confirmed")]
    with pytest.raises(DomainError):
        services.referral_confirm_hire(actor=SYSTEM, referral_id=r.pk, confirmed_on=today,
                                       source="again")


def test_confirm_hire_refusals(w):
    done = [e for e in w.trainees if e.completed]
    today = timezone.localdate()
    r = services.referral_create(actor=w.county_staff, demand_line=w.line,
                                 enrollment=done[0], consent_on=today)
    with pytest.raises(DomainError):  # not hired yet
        services.referral_confirm_hire(actor=w.county_staff, referral_id=r.pk,
                                       confirmed_on=today, source="社保")
    with pytest.raises(Forbidden):
        services.referral_confirm_hire(actor=w.enterprise_user, referral_id=r.pk,
                                       confirmed_on=today, source="社保")
    with pytest.raises(NotFound):
        services.referral_confirm_hire(actor=w.other_city_staff, referral_id=r.pk,
                                       confirmed_on=today, source="社保")
    services.referral_transition(actor=w.county_staff, referral=r, action="withdraw",
                                 reason="本人撤回同意")
    r.refresh_from_db()
    assert r.status == ReferralStatus.WITHDRAWN
    assert Referral.objects.filter(status=ReferralStatus.CONFIRMED).count() == 0
