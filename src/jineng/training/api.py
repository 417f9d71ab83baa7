"""Training API: what training institutions' own systems send and read: declaring classes and
moving them through their states, real-name enrollment, attendance ingestion from terminals and
learning platforms, and the reads (classes, sessions, completion).

A record outside the caller's scope answers 404 like a missing one; an id in a request body
that the caller may not use (another institution's site or teacher) is a 400 naming the field.
A whole ID number is accepted in a body but never returned (answers carry the masked one).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Body, Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AwareDatetime

from jineng.core.api import MIB, ErrorOut, Pagination, body_limit, error_responses
from jineng.core.errors import DomainError, NotFound
from jineng.registry import selectors as registry_selectors
from jineng.training import selectors, services
from jineng.training.messages import explain

router = Router(tags=["training"])


class EventResultOut(Schema):
    index: int
    idempotency_key: str
    status: str = Field(description="accepted, duplicate or rejected")
    event_id: int | None = None
    flags: list[str] = Field(default_factory=list,
                             description="outside_window, too_far: kept, earn no hours")
    errors: list[dict] = Field(default_factory=list,
                               description="[{field, code, message}] for a rejected event")


class IngestOut(Schema):
    accepted: int
    duplicates: int
    rejected: int
    results: list[EventResultOut]


class BatchIn(Schema):
    events: list[Any] = Field(
        description="Up to 5,000 events; each as for the single endpoint. A malformed event is "
                    "rejected with its reasons and the others are kept.")


class EventIn(Schema):
    """One check-in or check-out (documented shape; the endpoint reports every faulty field
    of a malformed event instead of refusing the request)."""

    idempotency_key: str = Field(max_length=100, description="unique per institution; a "
                                 "replay with the same key counts once")
    class_id: int
    kind: str = Field(description="check_in or check_out")
    occurred_at: dt.datetime = Field(description="ISO 8601 with a time-zone offset")
    method: str = Field(description="terminal, mobile (needs latitude/longitude) or qr")
    id_number: str | None = Field(None, description="the trainee's ID number (hashed on "
                                  "arrival, never stored), or")
    enrollment_id: int | None = None
    session_id: int | None = Field(None, description="optional: matched by time otherwise")
    latitude: float | None = None
    longitude: float | None = None
    device: str | None = Field(None, max_length=64)


def _json(report: services.IngestReport) -> HttpResponse:
    """The batch answer written directly (its shape is IngestOut): validating thousands of
    result objects again on the way out would cost more than the insert."""
    return HttpResponse(json.dumps(_shape(report), ensure_ascii=False),
                        content_type="application/json")


def _shape(report: services.IngestReport) -> dict:
    return {
        "accepted": report.accepted, "duplicates": report.duplicates,
        "rejected": report.rejected,
        "results": [{"index": r.index, "idempotency_key": r.idempotency_key,
                     "status": r.status, "event_id": r.event_id, "flags": r.flags,
                     "errors": r.errors} for r in report.results],
    }


@router.post("/attendance/events", response={201: EventResultOut, 200: EventResultOut,
                                             **error_responses(400, 403, 409, 422)},
             operation_id="attendance_event_create",
             openapi_extra={"requestBody": {"content": {"application/json": {
                 "schema": EventIn.model_json_schema()}}}})
def attendance_event_create(request, payload: Annotated[dict[str, Any], Body()]):
    """One check-in or check-out. 201: stored; 200: a replay of an event already stored
    (nothing changes); 400: rejected, with every reason; 409: the idempotency key was already
    used for another event."""
    report = services.attendance_ingest(actor=request.auth, events=[payload], source="single")
    result = _shape(report)["results"][0]
    if result["status"] == services.REJECTED:
        reused = any(e["code"] == "key_reused" for e in result["errors"])
        return (409 if reused else 400), {"detail": result["errors"]}
    return (201 if result["status"] == services.ACCEPTED else 200), result


@router.post("/attendance/events/batch",
             response={200: IngestOut, **error_responses(400, 403, 422)},
             operation_id="attendance_event_batch")
@body_limit(2 * MIB)  # 5,000 events of ~300 bytes; refused before parsing above it
def attendance_event_batch(request, payload: BatchIn):
    """A batch of events from a terminal (idempotent: the same batch twice gives the same
    counts the second time as duplicates and stores nothing new)."""
    return _json(services.attendance_ingest(actor=request.auth, events=payload.events,
                                            source="batch"))


@router.post("/xapi/statements", response={200: IngestOut, **error_responses(400, 403, 422)},
             operation_id="xapi_statements")
def xapi_statements(request, payload: Annotated[list[Any] | dict[str, Any], Body()]):
    """xAPI statements (one or a list) from a learning platform: `completed` and `progressed`
    with `result.duration` count as online hours (docs/training.md)."""
    statements = payload if isinstance(payload, list) else [payload]
    return _json(services.attendance_ingest_xapi(actor=request.auth, statements=statements))


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
             "completed": r.completion.completed and r.enrollment.status == "enrolled",
             "rule": r.completion.rule} for r in rows]


# --- writes: declaring classes, their states, enrollment -------------------------------------

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


# The service names its inputs as the pages do; the API answers with the body's field names.
DECLARE_FIELDS = {"site": "site_id", "occupation": "occupation_id", "teachers": "teacher_ids",
                  "employer": "employer_credit_code"}


def _declaration(actor, org, payload: ClassDeclareIn) -> services.ClassInput:
    """Resolve the ids of a declaration through the selectors the declare page uses: an id
    the caller may not use is a 400 naming the field, exactly like an unknown one."""
    site = (registry_selectors.site_list(actor=actor, organization_id=org.pk)
            .filter(is_active=True, pk=payload.site_id).first())
    if site is None:
        raise DomainError(_("Choose one of your institution's sites in use."), field="site_id")
    occupation = (registry_selectors.occupation_list(actor=actor)
                  .filter(rank__in=("occupation", "work_type"), pk=payload.occupation_id)
                  .first())
    if occupation is None:
        raise DomainError(_("Choose an occupation or work type."), field="occupation_id")
    level = registry_selectors.skill_level_list(actor=actor).filter(code=payload.level).first()
    if level is None:
        raise DomainError(_("Unknown skill level."), field="level")
    wanted = set(payload.teacher_ids)
    teachers = tuple(selectors.teacher_list(actor=actor, organization_id=org.pk)
                     .filter(is_active=True, pk__in=wanted).order_by("pk")) if wanted else ()
    if len(teachers) != len(wanted):
        raise DomainError(_("Choose your institution's own teachers."), field="teacher_ids")
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
        checkin_radius_m=payload.checkin_radius_m, client_ref=payload.client_ref)


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


class TransitionIn(Schema):
    action: str = Field(description="approve, reject, open, finish, assess, settle, cancel, "
                                    "suspend or resume")
    reason: str = Field("", description="required to reject, cancel, suspend and resume")


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


class KeyGroupIn(Schema):
    group: str = Field(description="key-group code, e.g. graduate, migrant_worker")
    start_date: dt.date | None = Field(None, description="today if omitted")


class EnrollmentIn(Schema):
    id_number: str = Field(max_length=18, description="身份证号码 (GB 11643): hashed to find "
                                                     "the person, never returned")
    name: str = Field(max_length=50, description="must match the registered name")
    region_code: str | None = Field(None, description="where a newly registered person is "
                                                      "served; default: the class's region")
    phone: str = Field("", max_length=20)
    draws_pension: bool | None = Field(None, description="the person's declaration, for the "
                                                         "regional exception past the "
                                                         "retirement age")
    late_reason: str = Field("", description="required once the class is open (补录)")
    key_groups: list[KeyGroupIn] = Field(default_factory=list, max_length=20,
                                         description="declared for a newly registered person")


class CheckOut(Schema):
    code: str = Field(description="minimum_age, retirement_age, retirement_age_exception, "
                                  "key_group, schedule_overlap, subsidy_frequency")
    passed: bool
    blocking: bool = Field(description="false: a warning only")
    text: str = Field(description="the check explained with its figures")
    rule: str = Field(description="the rule applied")
    params: dict[str, Any] = Field(description="the figures and the parameter version used")


class EnrollmentOut(Schema):
    id: int
    class_id: int
    person_id: int
    id_masked: str = Field(description="身份证号码, masked")
    name: str
    status: str = Field(description="enrolled or withdrawn")
    enrolled_at: dt.datetime
    late_reason: str
    draws_pension: bool | None
    withdrawn_reason: str
    eligibility: list[CheckOut]


class EnrollmentRefusedOut(ErrorOut):
    """The error body; for an ineligible person `detail` names every failed check (code =
    the check) and `checks` holds all of them."""

    checks: list[CheckOut] = Field(default_factory=list)


def _check(c) -> dict:
    c = c.as_dict() if hasattr(c, "as_dict") else c
    return {"code": c["code"], "passed": c["passed"], "blocking": c.get("blocking", True),
            "text": explain(c), "rule": c.get("rule", ""), "params": c.get("params", {})}


def _enrollment(row) -> dict:
    return {"id": row.pk, "class_id": row.training_class_id, "person_id": row.person_id,
            "id_masked": row.person.id_masked, "name": row.person.name, "status": row.status,
            "enrolled_at": row.enrolled_at, "late_reason": row.late_reason,
            "draws_pension": row.draws_pension, "withdrawn_reason": row.withdrawn_reason,
            "eligibility": [_check(c) for c in row.eligibility]}


@router.post("/classes/{class_id}/enrollments",
             response={201: EnrollmentOut, 200: EnrollmentOut, 400: EnrollmentRefusedOut,
                       **error_responses(403, 404, 409, 422)},
             operation_id="training_enrollment_create")
def enrollment_create(request, class_id: int, payload: EnrollmentIn):
    """实名制 enrollment by the class's institution: the person is found by ID number or
    registered, and every eligibility check is kept with its figures. 201: enrolled; 200: the
    person was already on the class's roster (the same person sent twice counts once: the
    existing enrollment, whatever its status); 400: refused, an ineligible person with every
    failed check."""
    actor = request.auth
    cls = selectors.class_get(actor=actor, pk=class_id)
    region = None
    if payload.region_code:
        try:
            region = registry_selectors.region_get(actor=actor, code=payload.region_code.strip())
        except NotFound:
            raise DomainError(_("Unknown region code %(code)s.") % {"code": payload.region_code},
                              field="region_code") from None
    today = timezone.localdate()
    data = services.EnrollmentInput(
        id_number=payload.id_number, name=payload.name, region=region, phone=payload.phone,
        draws_pension=payload.draws_pension, late_reason=payload.late_reason,
        key_groups=tuple((g.group, g.start_date or today) for g in payload.key_groups))
    try:
        row, created = services.enrollment_create_once(actor=actor, training_class=cls,
                                                       data=data)
    except services.Ineligible as bad:
        failed = [{"field": "id_number", "code": c.code, "message": explain(c)}
                  for c in bad.eligibility.failed]
        return Status(400, {"detail": failed,
                            "checks": [_check(c) for c in bad.eligibility.checks]})
    row = selectors.enrollment_get(actor=actor, pk=row.pk)
    return Status(201 if created else 200, _enrollment(row))


class WithdrawIn(Schema):
    reason: str = Field(description="why the trainee leaves (required)")


@router.post("/enrollments/{enrollment_id}/withdraw",
             response={200: EnrollmentOut, **error_responses(400, 403, 404, 422)},
             operation_id="training_enrollment_withdraw")
def enrollment_withdraw(request, enrollment_id: int, payload: WithdrawIn):
    """A trainee leaves the class (dropout): kept on the roster, no longer counted; a second
    withdrawal changes nothing."""
    actor = request.auth
    row = selectors.enrollment_get(actor=actor, pk=enrollment_id)
    services.enrollment_withdraw(actor=actor, enrollment=row, reason=payload.reason)
    return _enrollment(selectors.enrollment_get(actor=actor, pk=enrollment_id))
