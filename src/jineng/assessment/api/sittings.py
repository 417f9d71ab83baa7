"""Assessment sittings API: an evaluator's system declares sittings, adds candidates (by route,
checked for 考培分离) and examiners; HRSS staff review sittings and approve direct
recognitions. A sitting outside the caller's scope answers 404 like a missing one. A whole ID
number is accepted in a body (hashed to find the registered person) but never returned."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from jineng.assessment import access, services
from jineng.assessment.choices import AssessmentRoute, SittingStatus
from jineng.assessment.rules import permissions as perms
from jineng.assessment.selectors import sittings as selectors
from jineng.core.api import KIB, Pagination, body_limit, error_responses
from jineng.core.errors import DomainError, NotFound
from jineng.registry import selectors as registry_selectors
from jineng.registry.models import Occupation, SkillLevel
from jineng.training import selectors as training_selectors

router = Router(tags=["assessment"])

ROUTES = ", ".join(AssessmentRoute.values)


class SittingOut(Schema):
    id: int
    status: str = Field(description=", ".join(SittingStatus.values))
    evaluator_id: int
    evaluator: str = Field(alias="evaluator.name")
    occupation_id: int | None
    occupation: str | None = None
    level: str | None = Field(None, description="skill-level code, e.g. grade5")
    special_ability_item: str
    work_type: str
    route: str = Field(description=f"the candidates' usual route: {ROUTES}")
    training_class_id: int | None
    region_code: str = Field(alias="region.code")
    place: str
    sitting_date: dt.date
    theory_pass_mark: Decimal | None = Field(description="empty: not examined")
    practical_pass_mark: Decimal | None = Field(description="empty: not examined")
    second_certificate_kind: str
    listing_version_id: int | None = Field(description="the evaluation catalog version that "
                                                       "listed the evaluator")
    client_ref: str
    declared_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_occupation(obj) -> str | None:
        return obj.occupation.name if obj.occupation_id else None

    @staticmethod
    def resolve_level(obj) -> str | None:
        return obj.level.code if obj.level_id else None


class SittingListOut(SittingOut):
    candidate_count: int = 0


class SittingHistoryOut(Schema):
    action: str
    from_status: str
    to_status: str
    at: dt.datetime
    actor_username: str
    reason: str


class SittingDetailOut(SittingOut):
    actions: list[str] = Field(description="the steps the caller may take now")
    history: list[SittingHistoryOut]


def _detail(actor, pk: int) -> dict:
    sitting = selectors.sitting_get(actor=actor, pk=pk)
    kinds = access.sitting_kinds(actor, sitting)
    sitting.actions = perms.actions(sitting.status, kinds)
    sitting.history = list(selectors.sitting_history(actor=actor, sitting=sitting))
    return sitting


@router.get("/sittings", response=list[SittingListOut], operation_id="assessment_sitting_list")
@paginate(Pagination)
def sitting_list(request, status: str | None = None, region_code: str | None = None,
                 occupation_id: int | None = None, date_from: dt.date | None = None,
                 date_to: dt.date | None = None, q: str | None = None):
    """Sittings the caller may see (an evaluator: its own; HRSS: its region's), newest sitting
    date first."""
    filters = selectors.SittingFilters(
        status=status or "", region_code=(region_code or "").strip()[:12],
        occupation_id=occupation_id, date_from=date_from, date_to=date_to,
        q=(q or "")[:100])
    return selectors.sitting_list(actor=request.auth, filters=filters)


@router.get("/sittings/review-queue", response=list[SittingListOut],
            operation_id="assessment_sitting_review_queue")
@paginate(Pagination)
def sitting_review_queue(request):
    """Declared sittings of the caller's region waiting for review (HRSS staff; empty for
    others), oldest sitting date first."""
    return selectors.sittings_awaiting_review(actor=request.auth)


@router.get("/sittings/{sitting_id}", response={200: SittingDetailOut, **error_responses(404)},
            operation_id="assessment_sitting_get")
def sitting_get(request, sitting_id: int):
    return _detail(request.auth, sitting_id)


class SittingIn(Schema):
    occupation_id: int | None = Field(None, description="an occupation or work type "
                                                        "(registry), or give "
                                                        "special_ability_item")
    level: str | None = Field(None, max_length=30, description="skill-level code, e.g. grade5")
    special_ability_item: str = Field("", max_length=100)
    work_type: str = Field("", max_length=100, description="工种/职业方向 printed on the "
                                                           "certificate")
    route: str = Field(AssessmentRoute.CLASS_COMPLETED, max_length=24,
                       description=f"the candidates' usual route: {ROUTES}")
    training_class_id: int | None = Field(None, description="the class whose trainees sit")
    region_code: str | None = Field(None, max_length=12, description="default: the class's "
                                                                     "region, else the "
                                                                     "evaluator's")
    place: str = Field(max_length=200)
    sitting_date: dt.date
    theory_pass_mark: Decimal | None = Field(Decimal("60"), ge=0, le=100, decimal_places=2,
                                             description="default 60 (the standard); null: "
                                                         "not examined")
    practical_pass_mark: Decimal | None = Field(Decimal("60"), ge=0, le=100, decimal_places=2,
                                                description="default 60; null: not examined")
    second_certificate_kind: str = Field("", max_length=20, description="一试双证: a second "
                                                                        "certificate kind")
    client_ref: str = Field("", max_length=100, description="your own id: a repeated "
                                                            "declaration with it answers the "
                                                            "sitting already declared")


def _input(actor, payload: SittingIn) -> services.SittingInput:
    occupation = None
    if payload.occupation_id is not None:
        occupation = Occupation.objects.filter(pk=payload.occupation_id).first()
        if occupation is None:
            raise DomainError(_("Unknown occupation."), field="occupation_id")
    level = None
    if payload.level:
        level = SkillLevel.objects.filter(code=payload.level.strip()).first()
        if level is None:
            raise DomainError(_("Unknown skill level."), field="level")
    region = None
    if payload.region_code:
        try:
            region = registry_selectors.region_get(actor=actor, code=payload.region_code.strip())
        except NotFound:
            raise DomainError(_("Unknown region code %(code)s.") % {
                "code": payload.region_code}, field="region_code") from None
    return services.SittingInput(
        occupation=occupation, level=level, special_ability_item=payload.special_ability_item,
        work_type=payload.work_type, route=payload.route,
        training_class_id=payload.training_class_id, region=region, place=payload.place,
        sitting_date=payload.sitting_date, theory_pass_mark=payload.theory_pass_mark,
        practical_pass_mark=payload.practical_pass_mark,
        second_certificate_kind=payload.second_certificate_kind,
        client_ref=payload.client_ref)


@router.post("/sittings", response={201: SittingDetailOut, 200: SittingDetailOut,
                                    **error_responses(400, 403, 409, 422)},
             operation_id="assessment_sitting_declare")
@body_limit(16 * KIB)
def sitting_declare(request, payload: SittingIn):
    """Declare a sitting: the evaluator must be listed in the evaluation catalog for the
    occupation and level (or item) on the sitting date. 201: declared; 200: the same
    declaration again under its client_ref; 409: the client_ref was used for another
    declaration."""
    actor = request.auth
    sitting, created = services.sitting_declare_once(actor=actor, data=_input(actor, payload))
    return Status(201 if created else 200, _detail(actor, sitting.pk))


class SittingTransitionIn(Schema):
    action: str = Field(max_length=20, description="approve, return (for correction), "
                                                   "resubmit, cancel, or cancel_results "
                                                   "(HRSS, once the results are in)")
    reason: str = Field("", max_length=2000, description="required to return and cancel")


@router.post("/sittings/{sitting_id}/actions",
             response={200: SittingDetailOut, **error_responses(400, 403, 404, 422)},
             operation_id="assessment_sitting_transition")
@body_limit(16 * KIB)
def sitting_transition(request, sitting_id: int, payload: SittingTransitionIn):
    """Review steps: HRSS staff of the region approve or return; the evaluator resubmits or
    cancels. 403: not the caller's step; 400: not possible now, or a reason is missing."""
    actor = request.auth
    sitting = selectors.sitting_get(actor=actor, pk=sitting_id)
    services.sitting_transition(actor=actor, sitting=sitting, action=payload.action,
                                reason=payload.reason)
    return _detail(actor, sitting_id)


# --- candidates ------------------------------------------------------------------------------

class SittingCandidateOut(Schema):
    id: int
    sitting_id: int
    person_id: int
    name: str = Field(alias="person.name")
    id_masked: str = Field(alias="person.id_masked", description="身份证号码, masked")
    route: str = Field(description=ROUTES)
    enrollment_id: int | None
    explanation: str = Field(description="why the route admits the candidate")
    citation: str = Field(description="the rule the route applies")
    pending_approval: bool = Field(description="a direct recognition waiting for HRSS")
    route_basis: dict[str, Any]
    justification: str
    approved_by: str
    approved_at: dt.datetime | None

    @staticmethod
    def resolve_explanation(obj) -> str:
        return (obj.route_basis or {}).get("explanation", "")

    @staticmethod
    def resolve_citation(obj) -> str:
        return ((obj.route_basis or {}).get("route") or {}).get("citation", "")

    @staticmethod
    def resolve_pending_approval(obj) -> bool:
        return bool(((obj.route_basis or {}).get("route") or {}).get("pending_approval"))


@router.get("/sittings/{sitting_id}/candidates",
            response={200: list[SittingCandidateOut], **error_responses(404)},
            operation_id="assessment_candidate_list")
@paginate(Pagination)
def candidate_list(request, sitting_id: int):
    sitting = selectors.sitting_get(actor=request.auth, pk=sitting_id)
    return selectors.candidate_list(actor=request.auth, sitting=sitting)


def _person(id_number: str, name: str):
    """The registered person with this ID number and name (the name must match)."""
    person = registry_selectors.person_holding_number(id_number.strip())
    if person is None or person.name != name.strip():
        raise DomainError(_("No registered person with this ID number and name."),
                          field="id_number", code="unknown_person")
    return person


class CandidateIn(Schema):
    id_number: str = Field(max_length=18, description="身份证号码: hashed to find the "
                                                     "registered person, never returned")
    name: str = Field(max_length=50, description="must match the registered name")
    route: str = Field(max_length=24, description=ROUTES)
    enrollment_id: int | None = Field(None, description="the class enrollment a class route "
                                                        "rests on")
    employer_id: int | None = Field(None, description="the candidate's employer (self-"
                                                      "evaluation, direct recognition, "
                                                      "appointment)")
    years_in_occupation: Decimal = Field(Decimal("0"), ge=0, le=70, decimal_places=1,
                                         description="years of work in the occupation or a "
                                                     "related one (social route)")
    justification: str = Field("", max_length=2000, description="direct recognition: why")


@router.post("/sittings/{sitting_id}/candidates",
             response={201: SittingCandidateOut, **error_responses(400, 403, 404, 409, 422)},
             operation_id="assessment_candidate_add")
@body_limit(16 * KIB)
def candidate_add(request, sitting_id: int, payload: CandidateIn):
    """Admit a candidate by a route to the level; the route's rule and 考培分离 are checked and
    the refusal names the field at fault. 409: already a candidate."""
    actor = request.auth
    sitting = selectors.sitting_get(actor=actor, pk=sitting_id)
    person = _person(payload.id_number, payload.name)
    enrollment = None
    if payload.enrollment_id is not None:
        enrollment = training_selectors.enrollment_for_assessment(payload.enrollment_id)
        if enrollment is None or enrollment.person_id != person.pk:
            raise DomainError(_("No such enrollment of this person."), field="enrollment_id",
                              code="unknown_enrollment")
    employer = None
    if payload.employer_id is not None:
        try:
            employer = registry_selectors.organization_get(actor=actor, pk=payload.employer_id)
        except NotFound:
            raise DomainError(_("Unknown organization."), field="employer_id") from None
    row = services.candidate_add(actor=actor, sitting=sitting, person=person,
                                 route=payload.route, enrollment=enrollment,
                                 justification=payload.justification, employer=employer,
                                 years_in_occupation=payload.years_in_occupation)
    return Status(201, selectors.candidate_get(actor=actor, pk=row.pk))


class FromClassOut(Schema):
    added: list[SittingCandidateOut]
    already: int = Field(description="completed trainees already candidates")
    skipped: list[dict[str, Any]] = Field(description="[{enrollment_id, person_id, name, code, "
                                                      "message}] refused by 考培分离")


@router.post("/sittings/{sitting_id}/candidates/from-class",
             response={200: FromClassOut, **error_responses(400, 403, 404)},
             operation_id="assessment_candidates_from_class")
def candidates_from_class(request, sitting_id: int):
    """Add every trainee who completed the sitting's class."""
    actor = request.auth
    sitting = selectors.sitting_get(actor=actor, pk=sitting_id)
    report = services.candidates_add_from_class(actor=actor, sitting=sitting)
    return {"added": [selectors.candidate_get(actor=actor, pk=c.pk) for c in report.added],
            "already": report.already, "skipped": report.skipped}


class RemovedOut(Schema):
    id: int
    removed: bool = True


class RemoveIn(Schema):
    reason: str = Field("", max_length=2000)


@router.post("/candidates/{candidate_id}/remove",
             response={200: RemovedOut, **error_responses(400, 403, 404)},
             operation_id="assessment_candidate_remove")
@body_limit(16 * KIB)
def candidate_remove(request, candidate_id: int, payload: RemoveIn):
    """Take a candidate off the sitting (before any result)."""
    actor = request.auth
    row = selectors.candidate_get(actor=actor, pk=candidate_id)
    services.candidate_remove(actor=actor, candidate=row, reason=payload.reason)
    return {"id": candidate_id}


@router.post("/candidates/{candidate_id}/approve-direct-recognition",
             response={200: SittingCandidateOut, **error_responses(400, 403, 404, 409)},
             operation_id="assessment_direct_recognition_approve")
def direct_recognition_approve(request, candidate_id: int):
    """HRSS staff of the sitting's region approve a direct recognition (Zhejiang (七))."""
    actor = request.auth
    row = selectors.candidate_get(actor=actor, pk=candidate_id)
    services.direct_recognition_approve(actor=actor, candidate=row)
    return selectors.candidate_get(actor=actor, pk=candidate_id)


# --- examiners -------------------------------------------------------------------------------

class ExaminerOut(Schema):
    id: int
    sitting_id: int
    person_id: int
    name: str = Field(alias="person.name")
    id_masked: str = Field(alias="person.id_masked")
    is_chief: bool


@router.get("/sittings/{sitting_id}/examiners",
            response={200: list[ExaminerOut], **error_responses(404)},
            operation_id="assessment_examiner_list")
def examiner_list(request, sitting_id: int):
    sitting = selectors.sitting_get(actor=request.auth, pk=sitting_id)
    return list(selectors.examiner_list(actor=request.auth, sitting=sitting))


class ExaminerIn(Schema):
    id_number: str = Field(max_length=18, description="the examiner's 身份证号码 (a registered "
                                                     "person), never returned")
    name: str = Field(max_length=50)
    is_chief: bool = False


@router.post("/sittings/{sitting_id}/examiners",
             response={201: ExaminerOut, **error_responses(400, 403, 404, 409, 422)},
             operation_id="assessment_examiner_add")
@body_limit(16 * KIB)
def examiner_add(request, sitting_id: int, payload: ExaminerIn):
    """Add an examiner (考评员); refused when they taught a candidate's class (考培分离)."""
    actor = request.auth
    sitting = selectors.sitting_get(actor=actor, pk=sitting_id)
    person = _person(payload.id_number, payload.name)
    row = services.examiner_add(actor=actor, sitting=sitting, person=person,
                                is_chief=payload.is_chief)
    return Status(201, selectors.examiner_get(actor=actor, pk=row.pk))


@router.post("/examiners/{examiner_id}/remove",
             response={200: RemovedOut, **error_responses(400, 403, 404)},
             operation_id="assessment_examiner_remove")
def examiner_remove(request, examiner_id: int):
    actor = request.auth
    row = selectors.examiner_get(actor=actor, pk=examiner_id)
    services.examiner_remove(actor=actor, examiner=row)
    return {"id": examiner_id}
