"""Classes: the reads (a list, one class, its completion) and the writes (declaring, revising
after a send-back, moving through the states)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from ninja.pagination import paginate
from pydantic import AwareDatetime

from jineng.core.api import Pagination, error_responses
from jineng.core.errors import DomainError
from jineng.training import selectors, services
from jineng.training.api.common import router


class SessionOut(Schema):
    id: int
    seq: int
    date: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    hours: Decimal


class ClassOut(Schema):
    id: int
    name: str
    status: str
    institution_id: int
    site_id: int
    region_code: str = Field(alias="region.code")
    occupation: str = Field(alias="occupation.name")
    level: str = Field(alias="level.name")
    training_type: str
    sector: str
    target_group: str
    order_form: str
    planned_size: int
    online_share: Decimal
    start_date: dt.date
    end_date: dt.date
    required_hours: Decimal
    min_attendance_share: Decimal
    standard_version_id: int | None
    client_ref: str = Field(description="the institution's own id for the class, if it sent "
                                        "one when declaring")
    late_reason: str = Field(description="why the class was declared after its first session "
                                         "(empty when declared in time)")


class ClassDetailOut(ClassOut):
    sessions: list[SessionOut] = Field(alias="sessions_out")


@router.get("/classes", response=list[ClassOut], operation_id="training_class_list")
@paginate(Pagination)
def class_list(request, status: str | None = None, region_code: str | None = None,
               sector: str | None = None):
    """Classes the caller may see (an institution: its own), newest first."""
    return selectors.class_list(actor=request.auth, status=status, region_code=region_code,
                                sector=sector)


@router.get("/classes/{class_id}", response={200: ClassDetailOut, **error_responses(404)},
            operation_id="training_class_get")
def class_get(request, class_id: int):
    cls = selectors.class_get(actor=request.auth, pk=class_id)
    cls.sessions_out = selectors.class_sessions(actor=request.auth, training_class=cls)
    return cls


class CompletionOut(Schema):
    enrollment_id: int
    name: str
    id_masked: str
    status: str
    offline_hours: Decimal
    online_hours: Decimal
    attended_hours: Decimal
    threshold_hours: Decimal
    completed: bool
    rule: str


@router.get("/classes/{class_id}/completion",
            response={200: list[CompletionOut], **error_responses(404)},
            operation_id="training_class_completion")
def class_completion(request, class_id: int):
    cls = selectors.class_get(actor=request.auth, pk=class_id)
    rows = selectors.class_completion(actor=request.auth, training_class=cls)
    return [{"enrollment_id": r.enrollment.pk, "name": r.enrollment.person.name,
             "id_masked": r.enrollment.person.id_masked, "status": r.enrollment.status,
             "offline_hours": r.completion.offline_hours,
             "online_hours": r.completion.online_hours,
             "attended_hours": r.completion.attended_hours,
             "threshold_hours": r.completion.threshold_hours,
             "completed": r.counts,
             "rule": r.completion.rule} for r in rows]

class SessionIn(Schema):
    starts_at: AwareDatetime = Field(description="ISO 8601 with a time-zone offset")
    ends_at: AwareDatetime = Field(description="the same local day as starts_at")
    hours: Decimal | None = Field(None, description="hours the session counts for (the window "
                                                    "may include a break); default: its length")
    topic: str = Field("", max_length=200)


class ClassDeclareIn(Schema):
    client_ref: str = Field(
        "", max_length=100,
        description="the institution's own id for the class: sending the same declaration "
                    "again answers the class already declared (200); another declaration "
                    "under the same reference is refused (409)")
    name: str = Field(max_length=200)
    site_id: int = Field(description="one of the institution's sites in use")
    occupation_id: int = Field(description="an occupation or work type (registry)")
    level: str = Field(description="skill-level code, e.g. grade5 (初级工)")
    training_type: str = Field(description="e.g. employment, upskilling")
    sector: str
    planned_size: int
    funding_source: str
    sessions: list[SessionIn] = Field(max_length=500)
    teacher_ids: list[int] = Field(default_factory=list, max_length=100,
                                   description="the institution's own teachers")
    target_group: str = Field("", description="key-group code; empty: everyone eligible")
    order_form: str = Field("", description="order, fixed_post or named (with the employer)")
    employer_credit_code: str = Field("", description="统一社会信用代码 of the enterprise an "
                                                      "order class trains for")
    online_share: Decimal = Field(Decimal(0), description="largest share of hours learned "
                                                          "online, 0–1")
    checkin_radius_m: int | None = Field(None, description="50–5000; default 500")
    late_reason: str = Field("", max_length=500,
                             description="required when the first session is already past "
                                         "(at most TRAINING_LATE_DECLARATION_MAX_DAYS days, "
                                         "30 by default); the reviewers see it")


# The service names its inputs as the pages do; the API answers with the body's field names.
DECLARE_FIELDS = {"site": "site_id", "occupation": "occupation_id", "teachers": "teacher_ids",
                  "employer": "employer_credit_code"}


def _declaration(actor, org, payload: ClassDeclareIn) -> services.ClassInput:
    """Resolve the ids of a declaration through the selectors the declare page uses: an id
    the caller may not use is a 400 naming the field, exactly like an unknown one."""
    choices = selectors.declaration_choices(actor=actor)
    site = choices.sites.filter(pk=payload.site_id).first()
    if site is None:
        raise DomainError(_("Choose one of your institution's sites in use."), field="site_id")
    occupation = choices.occupations.filter(pk=payload.occupation_id).first()
    if occupation is None:
        raise DomainError(_("Choose an occupation or work type."), field="occupation_id")
    level = choices.levels.filter(code=payload.level).first()
    if level is None:
        raise DomainError(_("Unknown skill level."), field="level")
    teachers = _teachers(choices.teachers, payload.teacher_ids,
                         _("Choose your institution's own teachers."))
    return _class_input(payload, site=site, occupation=occupation, level=level,
                        teachers=teachers, late_reason=payload.late_reason)


def _teachers(candidates, ids, refusal: str) -> tuple:
    """The teachers named by id among those the caller may choose; one missing is a 400."""
    wanted = set(ids)
    teachers = tuple(candidates.filter(pk__in=wanted).order_by("pk")) if wanted else ()
    if len(teachers) != len(wanted):
        raise DomainError(refusal, field="teacher_ids")
    return teachers


def _class_input(payload, *, site, occupation, level, teachers,
                 late_reason: str = "") -> services.ClassInput:
    """A declaration body (a current or a past class) with its ids resolved, as the service
    takes it; the employer is found by its credit code."""
    employer = None
    if payload.employer_credit_code.strip():
        employer = selectors.enterprise_by_credit_code(payload.employer_credit_code)
        if employer is None:
            raise DomainError(_("No enterprise with this credit code."),
                              field="employer_credit_code")
    return services.ClassInput(
        name=payload.name, site=site, occupation=occupation, level=level,
        training_type=payload.training_type, sector=payload.sector,
        planned_size=payload.planned_size, funding_source=payload.funding_source,
        sessions=tuple(services.SessionInput(starts_at=s.starts_at, ends_at=s.ends_at,
                                             hours=s.hours, topic=s.topic)
                       for s in payload.sessions),
        teachers=teachers, target_group=payload.target_group, order_form=payload.order_form,
        employer=employer, online_share=payload.online_share,
        checkin_radius_m=payload.checkin_radius_m, client_ref=payload.client_ref,
        late_reason=late_reason)


def _class_detail(actor, pk: int):
    cls = selectors.class_get(actor=actor, pk=pk)
    cls.sessions_out = selectors.class_sessions(actor=actor, training_class=cls)
    return cls


@router.post("/classes", response={201: ClassDetailOut, 200: ClassDetailOut,
                                   **error_responses(400, 403, 409, 422)},
             operation_id="training_class_declare")
def class_declare(request, payload: ClassDeclareIn):
    """开班申报 by a training institution's operator or system (docs/training.md: the checks
    against the catalogs, the site's capacity and the teachers' bookings). 201: declared, it
    waits for the HRSS office's review; 200: the class already declared under this
    `client_ref` (nothing changes)."""
    actor = request.auth
    org = services.ensure_declaring_institution(actor)
    data = _declaration(actor, org, payload)
    try:
        cls, created = services.class_declare_once(actor=actor, data=data)
    except DomainError as bad:
        bad.field = DECLARE_FIELDS.get(bad.field, bad.field)
        raise
    return Status(201 if created else 200, _class_detail(actor, cls.pk))


class ClassReviseIn(ClassDeclareIn):
    """A corrected declaration (the whole declaration, as when declaring; `client_ref` is
    the class's own and cannot change)."""

    note: str = Field("", max_length=500, description="what was corrected (kept in the "
                                                      "class's history)")


def _revise(request, class_id: int, payload: ClassReviseIn):
    actor = request.auth
    cls = selectors.class_get(actor=actor, pk=class_id)
    org = services.ensure_declaring_institution(actor)
    try:
        data = _declaration(actor, org, payload)
        services.class_revise(actor=actor, training_class=cls, data=data, note=payload.note)
    except DomainError as bad:
        bad.field = DECLARE_FIELDS.get(bad.field, bad.field)
        raise
    return _class_detail(actor, class_id)


REVISE_RESPONSES = {200: ClassDetailOut, **error_responses(400, 403, 404, 409, 422)}


@router.patch("/classes/{class_id}", response=REVISE_RESPONSES,
              operation_id="training_class_revise")
def class_revise(request, class_id: int, payload: ClassReviseIn):
    """退回修改: the institution sends its corrected declaration of a class the HRSS office
    returned for correction; it is checked again by every rule of a new declaration and
    waits for review again (status `declared`). 400: still refused (the field named), or the
    class is not returned; 403: not the class's institution."""
    return _revise(request, class_id, payload)


@router.post("/classes/{class_id}/revise", response=REVISE_RESPONSES,
             operation_id="training_class_revise_post")
def class_revise_post(request, class_id: int, payload: ClassReviseIn):
    """The same as PATCH /classes/{class_id}, for systems that only send POST."""
    return _revise(request, class_id, payload)


class TransitionIn(Schema):
    action: str = Field(description="approve, reject, return (for correction), resubmit, "
                                    "open, finish, assess, settle, cancel, suspend or resume")
    reason: str = Field("", description="required to reject, return, cancel, suspend and "
                                        "resume")


@router.post("/classes/{class_id}/actions",
             response={200: ClassDetailOut, **error_responses(400, 403, 404, 422)},
             operation_id="training_class_transition")
def class_transition(request, class_id: int, payload: TransitionIn):
    """Move a class through its states (who may take which action: docs/training.md). 403: the
    caller may not take this action; 400: not possible in the class's state, or a reason is
    missing."""
    actor = request.auth
    cls = selectors.class_get(actor=actor, pk=class_id)
    services.class_transition(actor=actor, training_class=cls, action=payload.action,
                              reason=payload.reason)
    return _class_detail(actor, class_id)
