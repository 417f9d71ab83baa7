"""The demand API: matching, each match with its reasons (the stored rule codes and their
sentences in the caller's language). Wishes → classes (HRSS staff), order-class proposals
(the enterprise of the line, the proposed institution, HRSS staff of the region), referrals
(培训就业直通车: HRSS staff refer, the enterprise records the outcome)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AwareDatetime

from jineng.core.api import ErrorOut, Pagination, error_responses
from jineng.core.errors import DomainError, Forbidden
from jineng.demand import services
from jineng.demand.selectors import matching as selectors
from jineng.training import selectors as training_selectors
from jineng.training import services as training_services

router = Router(tags=["demand"])


class ReasonOut(Schema):
    rule: str = Field(description="occupation, dates, seats, distance, time, level, key_group, "
                                  "subsidy, order_class, listed, experience, completed, "
                                  "demand_open, wage")
    ok: bool
    text: str = Field(description="the reason in the caller's language")
    params: dict = Field(description="the numbers the rule compared")


def _reasons(reasons: list[dict]) -> list[dict]:
    return [{"rule": r.get("rule", ""), "ok": bool(r.get("ok")),
             "text": selectors.reason_text(r),
             "params": {k: v for k, v in r.items() if k not in {"rule", "ok"}}}
            for r in reasons]


# --- wishes → classes ------------------------------------------------------------------------

class WishMatchOut(Schema):
    class_id: int
    class_name: str
    institution: str
    start_date: dt.date
    end_date: dt.date
    score: Decimal
    distance_km: Decimal | None
    matched_at: AwareDatetime
    notified_at: AwareDatetime | None = Field(description="when the worker was told (once)")
    reasons: list[ReasonOut]


class MatchRunOut(Schema):
    wishes: int
    matched_wishes: int
    new_matches: int = Field(description="classes newly matched (each told once by SMS)")
    told: int


def _match_out(m) -> dict:
    c = m.training_class
    return {"class_id": c.pk, "class_name": c.name, "institution": c.institution.name,
            "start_date": c.start_date, "end_date": c.end_date, "score": m.score,
            "distance_km": m.distance_km, "matched_at": m.matched_at,
            "notified_at": m.notified_at, "reasons": _reasons(m.reasons)}


@router.get("/matching/wishes/{wish_id}/matches",
            response={200: list[WishMatchOut], **error_responses(404)},
            operation_id="demand_wish_matches")
def wish_matches(request, wish_id: int):
    """The classes matched to a wish, best first, each with why (HRSS staff of its region)."""
    wish = selectors.wish_for_matching(actor=request.auth, pk=wish_id)
    return [_match_out(m) for m in selectors.wish_matches(actor=request.auth, wish=wish)]


@router.post("/matching/wishes/{wish_id}/match",
             response={200: MatchRunOut, **error_responses(400, 403, 404)},
             operation_id="demand_wish_match")
def wish_match(request, wish_id: int):
    """Match one wish now; the worker is told of new classes by SMS (once per class)."""
    wish = selectors.wish_for_matching(actor=request.auth, pk=wish_id)
    return services.wish_match(actor=request.auth, wish=wish).as_dict()


class MatchJobOut(Schema):
    job_id: int
    status: str
    total: int | None
    status_url: str


@router.post("/matching/regions/{region_code}/match",
             response={202: MatchJobOut, **error_responses(400, 403, 404)},
             operation_id="demand_wish_match_region")
def wish_match_region(request, region_code: str):
    """Match every open wish of a region as a background job (progress: GET /api/jobs/{id})."""
    job = services.wish_match_region_start(actor=request.auth, region_code=region_code)
    return Status(202, {"job_id": job.pk, "status": job.status, "total": job.total,
                        "status_url": f"/api/jobs/{job.pk}"})


# --- order classes (订单班) ------------------------------------------------------------------

class ProposalOut(Schema):
    id: int
    demand_line_id: int
    enterprise: str
    occupation: str
    level: str | None
    institution_id: int
    institution: str
    distance_km: Decimal | None
    planned_size: int | None
    status: str
    enterprise_agreed_at: AwareDatetime | None
    institution_agreed_at: AwareDatetime | None
    training_class_id: int | None
    created_at: AwareDatetime
    reasons: list[ReasonOut]


def _proposal_out(p) -> dict:
    line = p.demand_line
    return {"id": p.pk, "demand_line_id": line.pk,
            "enterprise": line.demand_list.organization.name,
            "occupation": line.occupation.name,
            "level": line.level.name if line.level_id else None,
            "institution_id": p.institution_id, "institution": p.institution.name,
            "distance_km": p.distance_km, "planned_size": p.planned_size, "status": p.status,
            "enterprise_agreed_at": p.enterprise_agreed_at,
            "institution_agreed_at": p.institution_agreed_at,
            "training_class_id": p.training_class_id, "created_at": p.created_at,
            "reasons": _reasons(p.reasons)}


@router.get("/matching/proposals", response=list[ProposalOut],
            operation_id="demand_order_proposal_list")
@paginate(Pagination)
def proposal_list(request, status: str | None = None):
    """Order-class proposals in the caller's scope: an enterprise its lines', an institution
    its own, HRSS staff their region's."""
    return [_proposal_out(p) for p in
            selectors.order_proposal_list(actor=request.auth, status=status)]


@router.get("/matching/proposals/{proposal_id}",
            response={200: ProposalOut, **error_responses(404)},
            operation_id="demand_order_proposal_get")
def proposal_get(request, proposal_id: int):
    return _proposal_out(selectors.order_proposal_get(actor=request.auth, pk=proposal_id))


@router.post("/matching/lines/{line_id}/proposals",
             response={201: list[ProposalOut], **error_responses(400, 403, 404)},
             operation_id="demand_order_class_propose")
def propose(request, line_id: int):
    """Propose order classes for a demand line: listed institutions near the enterprise."""
    line = selectors.demand_line_get(actor=request.auth, pk=line_id)
    created = services.order_class_propose(actor=request.auth, demand_line=line)
    return Status(201, [_proposal_out(selectors.order_proposal_get(actor=request.auth,
                                                                   pk=p.pk)) for p in created])


class AnswerIn(Schema):
    agree: bool
    reason: str = Field("", max_length=500, description="required when declining")


@router.post("/matching/proposals/{proposal_id}/answer",
             response={200: ProposalOut, **error_responses(400, 403, 404, 409)},
             operation_id="demand_order_proposal_answer")
def proposal_answer(request, proposal_id: int, payload: AnswerIn):
    """The enterprise or the institution agrees (or declines, with a reason)."""
    proposal = selectors.order_proposal_get(actor=request.auth, pk=proposal_id)
    services.order_proposal_answer(actor=request.auth, proposal=proposal, agree=payload.agree,
                                   reason=payload.reason)
    return _proposal_out(selectors.order_proposal_get(actor=request.auth, pk=proposal_id))


class OrderClassSessionIn(Schema):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    hours: Decimal | None = None
    topic: str = Field("", max_length=200)


class OrderDeclareIn(Schema):
    name: str = Field(max_length=200)
    site_id: int = Field(description="one of the institution's sites in use")
    level: str = Field("", description="skill-level code; default: the demand line's level")
    training_type: str
    sector: str
    funding_source: str
    planned_size: int | None = Field(None, ge=1, le=100000,
                                     description="default: the people still needed")
    sessions: list[OrderClassSessionIn] = Field(max_length=500)
    teacher_ids: list[int] = Field(default_factory=list, max_length=100)
    online_share: Decimal = Field(Decimal(0), ge=0, le=1)
    late_reason: str = Field("", max_length=500)


@router.post("/matching/proposals/{proposal_id}/declare",
             response={200: ProposalOut, **error_responses(400, 403, 404, 409)},
             operation_id="demand_order_proposal_declare")
def proposal_declare(request, proposal_id: int, payload: OrderDeclareIn):
    """The institution declares the agreed order class (training's declaration checks apply;
    the class is linked to the proposal, whose status becomes declared)."""
    actor = request.auth
    proposal = selectors.order_proposal_get(actor=actor, pk=proposal_id)
    if services.proposal_party(actor, proposal) != "institution":
        raise Forbidden(_("Only the proposed institution declares the order class."))
    choices = training_selectors.declaration_choices(actor=actor)
    site = choices.sites.filter(pk=payload.site_id).first()
    if site is None:
        raise DomainError(_("Choose one of your institution's sites in use."), field="site_id")
    level = None
    if payload.level:
        level = choices.levels.filter(code=payload.level).first()
        if level is None:
            raise DomainError(_("Unknown skill level."), field="level")
    wanted = set(payload.teacher_ids)
    teachers = tuple(choices.teachers.filter(pk__in=wanted)) if wanted else ()
    if len(teachers) != len(wanted):
        raise DomainError(_("Choose your institution's own teachers."), field="teacher_ids")
    data = services.OrderClassInput(
        name=payload.name, site=site, training_type=payload.training_type,
        sector=payload.sector, funding_source=payload.funding_source,
        planned_size=payload.planned_size, level=level, teachers=teachers,
        online_share=payload.online_share, late_reason=payload.late_reason,
        sessions=tuple(training_services.SessionInput(starts_at=s.starts_at, ends_at=s.ends_at,
                                                      hours=s.hours, topic=s.topic)
                       for s in payload.sessions))
    services.order_proposal_declare(actor=actor, proposal=proposal, data=data)
    return _proposal_out(selectors.order_proposal_get(actor=actor, pk=proposal_id))


# --- referrals (培训就业直通车) ----------------------------------------------------------------

class CandidateOut(Schema):
    enrollment_id: int
    person_id: int
    name: str
    id_masked: str
    class_id: int
    class_name: str
    score: float
    distance_km: float | None
    referred: bool = Field(description="already referred to this line")
    reasons: list[ReasonOut]


@router.get("/matching/lines/{line_id}/candidates",
            response={200: list[CandidateOut], **error_responses(403, 404)},
            operation_id="demand_referral_candidates")
def candidates(request, line_id: int):
    """Finished trainees who fit an open demand line, best first (HRSS staff)."""
    actor = request.auth
    line = selectors.demand_line_get(actor=actor, pk=line_id)
    if not services.may_match_wishes(actor):
        raise Forbidden(_("Only HRSS staff refer trainees."))
    out = []
    for c in selectors.referral_candidates(actor=actor, line=line):
        e = c.enrollment
        out.append({"enrollment_id": e.pk, "person_id": e.person_id, "name": e.person.name,
                    "id_masked": e.person.id_masked, "class_id": e.training_class_id,
                    "class_name": e.training_class.name, "score": c.verdict.score,
                    "distance_km": c.verdict.distance_km, "referred": c.referred,
                    "reasons": _reasons(c.verdict.reasons)})
    return out


class HistoryOut(Schema):
    at: AwareDatetime
    from_status: str
    to_status: str
    action: str
    by: str
    reason: str


class ReferralOut(Schema):
    id: int
    person_id: int
    name: str
    id_masked: str
    demand_line_id: int
    enterprise: str
    occupation: str
    status: str
    consent_at: AwareDatetime
    hired_on: dt.date | None
    confirmed_on: dt.date | None
    created_at: AwareDatetime
    reasons: list[ReasonOut]


class ReferralDetailOut(ReferralOut):
    history: list[HistoryOut]


def _referral_out(r) -> dict:
    line = r.demand_line
    return {"id": r.pk, "person_id": r.person_id, "name": r.person.name,
            "id_masked": r.person.id_masked, "demand_line_id": line.pk,
            "enterprise": line.demand_list.organization.name,
            "occupation": line.occupation.name, "status": r.status,
            "consent_at": r.consent_at, "hired_on": r.hired_on,
            "confirmed_on": r.confirmed_on, "created_at": r.created_at,
            "reasons": _reasons(r.reasons)}


def _referral_detail(actor, pk: int) -> dict:
    r = selectors.referral_get(actor=actor, pk=pk)
    history = [{"at": h.at, "from_status": h.from_status, "to_status": h.to_status,
                "action": h.action, "by": h.actor_username, "reason": h.reason}
               for h in selectors.referral_history(actor=actor, referral=r)]
    return {**_referral_out(r), "history": history}


@router.get("/matching/referrals", response=list[ReferralOut],
            operation_id="demand_referral_list")
@paginate(Pagination)
def referral_list(request, status: str | None = None):
    """Referrals in scope: an enterprise those to its lines, HRSS staff their region's."""
    return [_referral_out(r) for r in selectors.referral_list(actor=request.auth,
                                                              status=status)]


@router.get("/matching/referrals/{referral_id}",
            response={200: ReferralDetailOut, **error_responses(404)},
            operation_id="demand_referral_get")
def referral_get(request, referral_id: int):
    return _referral_detail(request.auth, referral_id)


class ReferralIn(Schema):
    enrollment_id: int
    consent_on: dt.date = Field(description="the day the trainee consented to be referred")


@router.post("/matching/lines/{line_id}/referrals",
             response={201: ReferralDetailOut, **error_responses(400, 403, 404, 409)},
             operation_id="demand_referral_create")
def referral_create(request, line_id: int, payload: ReferralIn):
    """Refer a finished trainee (with the day of their consent) to an open demand line."""
    actor = request.auth
    line = selectors.demand_line_get(actor=actor, pk=line_id)
    enrollment = training_selectors.enrollment_for_assessment(payload.enrollment_id)
    if enrollment is None:
        raise DomainError(_("No such enrollment."), field="enrollment_id")
    r = services.referral_create(actor=actor, demand_line=line, enrollment=enrollment,
                                 consent_on=payload.consent_on)
    return Status(201, _referral_detail(actor, r.pk))


class ReferralStepIn(Schema):
    action: str = Field(description="interview, hire, decline (the enterprise); withdraw "
                                    "(HRSS staff: consent withdrawn)")
    reason: str = Field("", max_length=500, description="required to decline or withdraw")
    hired_on: dt.date | None = Field(None, description="with hire: the first day of work")


@router.post("/matching/referrals/{referral_id}/transition",
             response={200: ReferralDetailOut, **error_responses(400, 403, 404)},
             operation_id="demand_referral_transition")
def referral_transition(request, referral_id: int, payload: ReferralStepIn):
    actor = request.auth
    r = selectors.referral_get(actor=actor, pk=referral_id)
    services.referral_transition(actor=actor, referral=r, action=payload.action,
                                 reason=payload.reason, hired_on=payload.hired_on)
    return _referral_detail(actor, referral_id)


class ReferralsConfirmedOut(Schema):
    confirmed: int = Field(description="reported hires confirmed by this call")


@router.post("/matching/referral-confirmations",
             response={200: ReferralsConfirmedOut, **error_responses(403)},
             operation_id="demand_referrals_confirm_from_records")
def referrals_confirm_from_records(request):
    """Confirm every reported hire in the caller's region whose person contributes to social
    insurance with the enterprise from the month of the hire on (HRSS staff)."""
    return {"confirmed": services.referrals_confirm_from_records(actor=request.auth)}


__all__ = ["ErrorOut", "router"]
