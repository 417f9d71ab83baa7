"""Demo data of the demand app: matching, through the real services (so every match, proposal
and referral carries its reasons, history and audit events):

- every open demo wish of the province matched to the offered classes (no message is sent);
- one order class (订单班) for the demo enterprise: its demand line that would take one (a line
  is added to its list when the demand-list demo made none), proposed to listed institutions
  near it, agreed by the enterprise and the demo training institution and declared by it, so
  the `enterprise` login has an order class to follow;
- finished trainees referred to that line (培训就业直通车), one interviewed, one hired.

A step the demo province cannot support (no listed institution near the enterprise, no
finished trainee of the occupation) is skipped and counted in `matching_skipped`.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Max, Min
from django.utils import timezone

from jineng.core.errors import DomainError

STAFF, ENTERPRISE, TRAINER = "province", "enterprise", "trainer"


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _block(model, label: str, pk_after: int) -> tuple[str, int, int] | None:
    got = model.objects.filter(pk__gt=pk_after).aggregate(lo=Min("pk"), hi=Max("pk"))
    return (label, got["lo"], got["hi"]) if got["lo"] is not None else None


def _high(model) -> int:
    return model.objects.aggregate(hi=Max("pk"))["hi"] or 0


def _order_line(enterprise, trainer_org, today: dt.date):
    """The demo enterprise's open line that would take an order class; one is added (for an
    occupation the demo institution trains, at its level) when none exists."""
    from jineng.demand.choices import DemandListStatus
    from jineng.demand.models import DemandLine, DemandList
    from jineng.demand.rules import demand_lists as list_rules
    from jineng.training.models import TrainingClass

    found = (DemandLine.objects
             .filter(demand_list__organization=enterprise, order_class_wanted=True,
                     demand_list__status=DemandListStatus.ACCEPTED, needed_by__gte=today)
             .order_by("pk").first())
    if found is not None:
        return found, None
    model = (TrainingClass.objects.filter(institution=trainer_org)
             .order_by("-start_date", "pk").first())
    if model is None:
        return None, None
    # An accepted list of a quarter not yet ended: this quarter's or a later one's (the lists
    # demo leaves this quarter's returned and the next one's a draft), made when none is free.
    lst = None
    for ahead in range(5):
        year, quarter = list_rules.quarter_add(*list_rules.quarter_of(today), ahead)
        first, last = list_rules.quarter_bounds(year, quarter)
        if last <= today:
            continue
        lst = DemandList.objects.filter(organization=enterprise, year=year,
                                        quarter=quarter).first()
        if lst is None:
            lst = DemandList.objects.create(
                organization=enterprise, region=enterprise.region, year=year, quarter=quarter,
                status=DemandListStatus.ACCEPTED, sector=model.sector, contact_name="人事部",
                note="演示：订单班需求")
        if lst.status == DemandListStatus.ACCEPTED:
            break
        lst = None
    if lst is None:
        return None, None
    first, last = list_rules.quarter_bounds(lst.year, lst.quarter)
    needed_by = max(first + (last - first) // 2, min(today + dt.timedelta(days=1), last))
    line = DemandLine.objects.create(
        demand_list=lst, occupation=model.occupation, level=model.level, headcount=30,
        needed_by=needed_by, order_class_wanted=True, wage_min=4200, wage_max=6000)
    return line, model


def _sessions(first: dt.date, hours_needed: Decimal):
    from jineng.training import services as training

    tz = timezone.get_current_timezone()
    n = max(1, math.ceil(hours_needed / Decimal(6)))
    out, day = [], first
    while len(out) < n:
        if day.weekday() < 5:
            out.append(training.SessionInput(dt.datetime.combine(day, dt.time(9), tz),
                                             dt.datetime.combine(day, dt.time(16), tz),
                                             Decimal(6)))
        day += dt.timedelta(days=1)
    return tuple(out)


def _declare(proposal, trainer, model_class, today: dt.date) -> bool:
    """The demo institution declares the agreed order class at one of its sites, a few weeks
    ahead (moved on by a week while the site or schedule is taken)."""
    from jineng.catalog import selectors as catalog
    from jineng.demand import services
    from jineng.registry.models import TrainingSite

    line = proposal.demand_line
    site = (TrainingSite.objects.filter(organization=proposal.institution, is_active=True)
            .order_by("pk").first())
    if site is None or model_class is None:
        return False
    standard = catalog.subsidy_standard_as_of(line.occupation, line.level, site.region,
                                              model_class.training_type, today)
    hours = Decimal(standard.entry.required_hours) if standard else Decimal(30)
    for week in range(3, 12):
        first = today + dt.timedelta(weeks=week)
        data = services.OrderClassInput(
            name=f"{line.occupation.name}订单班（{line.demand_list.organization.name}）",
            site=site, training_type=model_class.training_type, sector=model_class.sector,
            funding_source=model_class.funding_source, sessions=_sessions(first, hours),
            planned_size=min(line.headcount, site.capacity))
        try:
            services.order_proposal_declare(actor=trainer, proposal=proposal, data=data)
            return True
        except DomainError:
            continue
    return False


def build(*, rng, today, anchors, scale: str) -> dict:
    """Build this area's demo rows; returns counts and the blocks of rows made."""
    from jineng.demand import services
    from jineng.demand.models import (
        DemandLine,
        DemandList,
        OrderClassProposal,
        Referral,
        ReferralStatusChange,
        WishMatch,
    )
    from jineng.demand.selectors import matching as selectors
    from jineng.registry.models import Organization
    from jineng.training.models import ClassSession, ClassStatusChange, TrainingClass

    staff, enterprise_user, trainer = _user(STAFF), _user(ENTERPRISE), _user(TRAINER)
    counts = {"wish_matches": 0, "order_proposals": 0, "order_classes": 0, "referrals": 0,
              "matching_skipped": 0}
    if staff is None or staff.region_id is None:
        return {**counts, "matching_skipped": 1}
    models = [(TrainingClass, "training.trainingclass"),
              (ClassSession, "training.classsession"),
              (ClassStatusChange, "training.classstatuschange"),
              # The order-class line (and its list, when the enterprise has none this quarter)
              # is made here: recorded, so a reset removes it before the lists demo's rows.
              (DemandList, "demand.demandlist"),
              (DemandLine, "demand.demandline"),
              (OrderClassProposal, "demand.orderclassproposal"),
              (Referral, "demand.referral"),
              (ReferralStatusChange, "demand.referralstatuschange"),
              (WishMatch, "demand.wishmatch")]
    marks = {label: _high(model) for model, label in models}
    run = services.wishes_match(actor=staff, region_code=staff.region.code, tell=False)
    counts["wish_matches"] = run.new_matches
    enterprise = Organization.objects.filter(pk=anchors.get("enterprise")).first()
    trainer_org = Organization.objects.filter(pk=anchors.get("training")).first()
    line, model_class = (_order_line(enterprise, trainer_org, today)
                         if enterprise and trainer_org else (None, None))
    if line is not None and enterprise_user is not None and trainer is not None:
        if model_class is None:
            model_class = (TrainingClass.objects.filter(institution=trainer_org)
                           .order_by("-start_date").first())
        try:
            proposals = services.order_class_propose(actor=staff, demand_line=line,
                                                     today=today)
        except DomainError:
            proposals = []
        counts["order_proposals"] = len(proposals)
        ours = next((p for p in proposals if p.institution_id == trainer_org.pk), None)
        if ours is not None:
            services.order_proposal_answer(actor=enterprise_user, proposal=ours, agree=True)
            services.order_proposal_answer(actor=trainer, proposal=ours, agree=True)
            counts["order_classes"] = int(_declare(ours, trainer, model_class, today))
        else:
            counts["matching_skipped"] += 1
        for n, c in enumerate(selectors.referral_candidates(actor=staff, line=line, today=today,
                                                            limit=3)):
            try:
                r = services.referral_create(actor=staff, demand_line=line,
                                             enrollment=c.enrollment,
                                             consent_on=today - dt.timedelta(days=n + 1))
            except DomainError:
                continue
            counts["referrals"] += 1
            if n == 0:
                services.referral_transition(actor=enterprise_user, referral=r,
                                             action="interview")
            elif n == 1:
                services.referral_transition(actor=enterprise_user, referral=r, action="hire",
                                             hired_on=today)
    else:
        counts["matching_skipped"] += 1
    blocks = [b for model, label in models if (b := _block(model, label, marks[label]))]
    return {**counts, "blocks": blocks}
