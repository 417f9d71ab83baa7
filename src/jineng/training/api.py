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
from ninja import Body, Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import AwareDatetime

from jineng.core.api import MIB, ErrorOut, Pagination, body_limit, error_responses
from jineng.core.errors import DomainError, NotFound
from jineng.core.tabular import check_file_size
from jineng.registry import selectors as registry_selectors
from jineng.training import exports, importers, selectors, services
from jineng.training.messages import check_view, explain

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


def _enrollment(row) -> dict:
    return {"id": row.pk, "class_id": row.training_class_id, "person_id": row.person_id,
            "id_masked": row.person.id_masked, "name": row.person.name, "status": row.status,
            "enrolled_at": row.enrolled_at, "late_reason": row.late_reason,
            "draws_pension": row.draws_pension, "withdrawn_reason": row.withdrawn_reason,
            "eligibility": [check_view(c) for c in row.eligibility]}


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
                            "checks": [check_view(c) for c in bad.eligibility.checks]})
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


# --- teachers ----------------------------------------------------------------------------------

class TeacherIn(Schema):
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=15, max_length=18, description="身份证号码: how one "
                           "person teaching at two institutions is recognised; never returned")
    qualification: str = Field("", max_length=200)


class TeacherOut(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(alias="organization.name")
    name: str
    id_masked: str = Field(description="身份证号码, masked")
    person_key: str = Field(description="the same value for the same person at every "
                                        "institution (a keyed hash, not the ID number)")
    qualification: str
    is_active: bool

    @staticmethod
    def resolve_person_key(obj) -> str:
        return obj.id_hash[:16]


@router.post("/teachers", response={201: TeacherOut, 200: TeacherOut,
                                    **error_responses(400, 403, 409, 422)},
             operation_id="training_teacher_create")
def teacher_create(request, payload: TeacherIn):
    """A teacher of the caller's institution, by ID number. 201: registered; 200: this teacher
    (same ID number and name) was registered before; 409: the ID number is registered under
    another name."""
    row, created = services.teacher_create_once(actor=request.auth, name=payload.name,
                                                id_number=payload.id_number,
                                                qualification=payload.qualification)
    return Status(201 if created else 200, selectors.teacher_get(actor=request.auth, pk=row.pk))


@router.get("/teachers", response=list[TeacherOut], operation_id="training_teacher_list")
@paginate(Pagination)
def teacher_list(request, organization_id: int | None = None, person_key: str | None = None):
    """Teachers the caller may see (an institution: its own; staff: their region's), by
    institution and name. `person_key` finds one person's records at every institution."""
    qs = selectors.teacher_list(actor=request.auth, organization_id=organization_id)
    if person_key:
        qs = qs.filter(id_hash__startswith=person_key[:16]) if len(person_key) == 16 \
            else qs.none()
    return qs.order_by("organization_id", "name", "id")


@router.get("/teachers/{teacher_id}", response={200: TeacherOut, **error_responses(404)},
            operation_id="training_teacher_get")
def teacher_get(request, teacher_id: int):
    return selectors.teacher_get(actor=request.auth, pk=teacher_id)


# --- attendance: reading, by hand, voiding ------------------------------------------------------

class AttendanceEventOut(Schema):
    id: int
    class_id: int = Field(alias="training_class_id")
    session_id: int | None
    enrollment_id: int
    name: str = Field(alias="enrollment.person.name")
    id_masked: str = Field(alias="enrollment.person.id_masked")
    kind: str
    method: str
    occurred_at: dt.datetime
    received_at: dt.datetime
    distance_m: int | None
    online_seconds: int
    outside_window: bool = Field(description="outside the session window: earns no hours")
    too_far: bool = Field(description="too far from the site: earns no hours")
    manual: bool = Field(description="entered by hand from a paper sheet")
    manual_reason: str
    voided: bool = Field(description="voided by the HRSS office: earns no hours")
    voided_at: dt.datetime | None
    void_reason: str
    idempotency_key: str

    @staticmethod
    def resolve_kind(obj) -> str:
        return {1: "check_in", 2: "check_out", 3: "online"}.get(obj.kind, str(obj.kind))

    @staticmethod
    def resolve_method(obj) -> str:
        return {1: "terminal", 2: "mobile", 3: "qr", 4: "online", 5: "manual"}.get(
            obj.method, str(obj.method))

    @staticmethod
    def resolve_voided(obj) -> bool:
        return obj.voided_at is not None


@router.get("/attendance/events", response={200: list[AttendanceEventOut],
                                            **error_responses(400)},
            operation_id="attendance_event_list")
@paginate(Pagination)
def attendance_event_list(request, class_id: int | None = None, session_id: int | None = None,
                          date_from: str | None = None, date_to: str | None = None,
                          flagged: bool | None = None, manual: bool | None = None,
                          voided: bool | None = None):
    """Attendance events the caller may read (an institution: its own), oldest first, with
    their flags (`flagged`: outside_window or too_far). `date_from`/`date_to`: local
    (Asia/Shanghai) days as YYYY-MM-DD, inclusive."""
    return selectors.attendance_events(
        actor=request.auth, class_id=class_id, session_id=session_id,
        date_from=_query_day(date_from, "date_from"), date_to=_query_day(date_to, "date_to"),
        flagged=flagged, manual=manual, voided=voided)


def _query_day(raw: str | None, field: str) -> dt.date | None:
    if raw is None or raw == "":
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise DomainError(_("Not a date (write it as 2024-07-01)."), field=field,
                          code="invalid") from None
    if not 2000 <= day.year <= 2100:
        raise DomainError(_("The date is out of range."), field=field, code="out_of_range")
    return day


class ManualAttendanceIn(Schema):
    enrollment_id: int
    session_id: int
    check_in: AwareDatetime = Field(description="ISO 8601 with a time-zone offset")
    check_out: AwareDatetime
    reason: str = Field(min_length=1, max_length=500, description="why the sheet is entered "
                                                                  "by hand")


@router.post("/attendance/manual", response={201: list[AttendanceEventOut],
                                             200: list[AttendanceEventOut],
                                             **error_responses(400, 403, 404, 409, 422)},
             operation_id="attendance_manual_create")
def attendance_manual_create(request, payload: ManualAttendanceIn):
    """A trainee's check-in and check-out for one session, entered by hand from a paper sheet
    by the class's institution (flagged `manual`, with the reason). 201: recorded; 200: the
    same entry was recorded before; 409: another entry for this trainee and session exists."""
    actor = request.auth
    enrollment = selectors.enrollment_get(actor=actor, pk=payload.enrollment_id)
    session = next((s for s in selectors.class_sessions(
        actor=actor, training_class=enrollment.training_class) if s.pk == payload.session_id),
        None)
    if session is None:
        raise DomainError(_("No session with this number in the class."), field="session_id",
                          code="unknown_session")
    events, created = services.attendance_record_manual(
        actor=actor, enrollment=enrollment, session=session, check_in=payload.check_in,
        check_out=payload.check_out, reason=payload.reason)
    rows = list(selectors.attendance_events(actor=actor).filter(pk__in=[e.pk for e in events]))
    return Status(201 if created else 200, rows)


class VoidIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


@router.post("/attendance/events/{event_id}/void",
             response={200: AttendanceEventOut, **error_responses(400, 403, 404, 422)},
             operation_id="attendance_event_void")
def attendance_event_void(request, event_id: int, payload: VoidIn):
    """The HRSS office governing the class voids a wrong event, with a reason: it stays in the
    log and earns no hours. Voiding it again changes nothing."""
    actor = request.auth
    event = selectors.attendance_event_get(actor=actor, pk=event_id)
    services.attendance_void(actor=actor, event=event, reason=payload.reason)
    return selectors.attendance_event_get(actor=actor, pk=event_id)


# --- exports ------------------------------------------------------------------------------------

def _download(export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


def _binary_doc() -> dict:
    return {"responses": {200: {"description": "CSV (UTF-8 with BOM) or Excel workbook, "
                                               "Chinese headers, ID numbers masked",
                                "content": {t.split(";")[0]: {"schema": {
                                    "type": "string", "format": "binary"}}
                                    for t in exports.FORMATS.values()}}}}


@router.get("/exports/classes.{fmt}", response=error_responses(400, 404),
            operation_id="training_export_classes", openapi_extra=_binary_doc())
def export_classes(request, fmt: str, status: str | None = None,
                   region_code: str | None = None):
    """The classes the caller may see, as csv or xlsx (audited)."""
    return _download(exports.export_classes(actor=request.auth, fmt=fmt, status=status,
                                            region_code=region_code))


def _class_export(fmt: str, what: str):
    """GET /classes/{class_id}/<what>.<fmt>: one operation per format, as the registry's."""
    make = {"roster": exports.export_roster, "attendance": exports.export_attendance}[what]
    doc = {"roster": "A class's roster with hours and completion",
           "attendance": "A class's attendance log with every flag"}[what]

    def export(request, class_id: int):
        return _download(make(actor=request.auth, class_id=class_id, fmt=fmt))

    export.__doc__ = f"{doc}, as {fmt}; ID numbers masked (audited)."
    export.__name__ = f"export_{what}_{fmt}"
    router.get(f"/classes/{{class_id}}/{what}.{fmt}", response=error_responses(400, 404),
               operation_id=f"training_export_{what}_{fmt}",
               openapi_extra=_binary_doc())(export)


for _what in ("roster", "attendance"):
    for _fmt in ("csv", "xlsx"):
        _class_export(_fmt, _what)


# --- migration import of past classes -----------------------------------------------------------

class PastKeyGroupIn(Schema):
    group: str = Field(max_length=24)
    start_date: dt.date
    end_date: dt.date | None = None


class PastTraineeIn(Schema):
    id_number: str = Field(max_length=18)
    name: str = Field(max_length=50)
    key_groups: list[PastKeyGroupIn] = Field(default_factory=list, max_length=20)
    withdrawn_reason: str = Field("", max_length=500, description="given: the trainee left")
    draws_pension: bool | None = None
    phone: str = Field("", max_length=20)


class PastEventIn(Schema):
    id_number: str = Field(max_length=18)
    kind: str = Field(description="check_in, check_out or online")
    occurred_at: AwareDatetime
    method: str = Field("terminal", description="terminal, mobile, qr, online or manual")
    online_seconds: int = Field(0, ge=0, le=86400)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


class PastClassIn(ClassDeclareIn):
    institution_credit_code: str = Field("", max_length=18, description="the institution "
                                         "(HRSS staff importing); an institution: its own")
    source: str = Field("", max_length=200, description="where the records come from")
    trainees: list[PastTraineeIn] = Field(max_length=1000)
    events: list[PastEventIn] = Field(default_factory=list, max_length=100_000)


class PastClassOut(ClassDetailOut):
    enrolled: int
    completed: int


def _past_out(actor, pk: int):
    cls = _class_detail(actor, pk)
    rows = selectors.enrollment_list(actor=actor, training_class=cls)
    cls.enrolled = rows.filter(status="enrolled").count()
    cls.completed = rows.filter(status="enrolled", completed=True).count()
    return cls


def _past_declaration(actor, org, payload: PastClassIn) -> services.ClassInput:
    """A past class's ids resolved through the selectors for its institution (as the caller
    sees it); a site or teacher no longer in use is still theirs."""
    site = (registry_selectors.site_list(actor=actor, organization_id=org.pk)
            .filter(pk=payload.site_id).first())
    if site is None:
        raise DomainError(_("Choose one of the institution's sites."), field="site_id")
    occupation = (registry_selectors.occupation_list(actor=actor)
                  .filter(rank__in=("occupation", "work_type"), pk=payload.occupation_id)
                  .first())
    if occupation is None:
        raise DomainError(_("Choose an occupation or work type."), field="occupation_id")
    level = registry_selectors.skill_level_list(actor=actor).filter(code=payload.level).first()
    if level is None:
        raise DomainError(_("Unknown skill level."), field="level")
    teachers = _teachers(selectors.teacher_list(actor=actor, organization_id=org.pk),
                         payload.teacher_ids, _("Choose the institution's own teachers."))
    return _class_input(payload, site=site, occupation=occupation, level=level,
                        teachers=teachers)


@router.post("/history/classes", response={201: PastClassOut, 200: PastClassOut,
                                           **error_responses(400, 403, 404, 409, 422)},
             operation_id="training_history_import")
@body_limit(16 * MIB)
def history_import(request, payload: PastClassIn):
    """Migration of one past class with its sessions, roster and attendance (docs/training.md).
    Checked by the declaration's rules on the class's own dates; lands finished, with a
    history saying it was migrated, completion computed from the events, and plan facts dated
    the day it ended. 201: recorded; 200: the same class was imported before under this
    `client_ref`; 409: another class under this reference."""
    actor = request.auth
    code = payload.institution_credit_code.strip().upper()
    org = getattr(actor, "organization", None) if getattr(actor, "organization_id", None) \
        else None
    if org is None:
        if not code:
            raise DomainError(_("This field is required."), field="institution_credit_code")
        org = registry_selectors.organization_list(actor=actor).filter(credit_code=code).first()
        if org is None:
            raise DomainError(_("No institution with this credit code."),
                              field="institution_credit_code")
    services.ensure_may_import_history(actor, org)
    data = _past_declaration(actor, org, payload)
    past = services.PastClass(
        institution=org, klass=data, source=payload.source,
        trainees=tuple(services.PastTrainee(
            id_number=t.id_number, name=t.name, withdrawn_reason=t.withdrawn_reason,
            draws_pension=t.draws_pension, phone=t.phone,
            key_groups=tuple((g.group, g.start_date, g.end_date) for g in t.key_groups))
            for t in payload.trainees),
        events=tuple(services.PastEvent(
            id_number=e.id_number, kind=e.kind, occurred_at=e.occurred_at, method=e.method,
            online_seconds=e.online_seconds, latitude=e.latitude, longitude=e.longitude)
            for e in payload.events))
    try:
        cls, created = services.class_history_import(actor=actor, data=past)
    except DomainError as bad:
        bad.field = DECLARE_FIELDS.get(bad.field, bad.field)
        raise
    return Status(201 if created else 200, _past_out(actor, cls.pk))


class HistoryReportOut(Schema):
    total_rows: int
    created: int = Field(description="classes recorded")
    updated: int
    unchanged: int = Field(description="classes imported before with the same content")
    skipped: int
    written: bool
    errors: list[dict] = Field(description="[{row, field, message}]: nothing is written")


@router.post("/history/import", response={200: HistoryReportOut,
                                          **error_responses(400, 403, 413, 422)},
             operation_id="training_history_import_file")
def history_import_file(request, file: File[UploadedFile]):
    """A CSV or .xlsx file of past classes (one row per trainee and session; the columns are in
    docs/training.md). A file with any error writes nothing."""
    check_file_size(file.size)
    return importers.run(actor=request.auth, data=file.read(),
                         filename=file.name or "upload.csv").as_dict()
