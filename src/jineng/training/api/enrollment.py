"""Real-name enrollment (实名制) of a person in a class, and withdrawing them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from jineng.core.api import ErrorOut, error_responses
from jineng.core.errors import DomainError, NotFound
from jineng.registry import selectors as registry_selectors
from jineng.training import selectors, services
from jineng.training.api.common import router
from jineng.training.messages import check_view, explain


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
