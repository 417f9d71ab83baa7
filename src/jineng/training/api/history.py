"""Migration import of past classes: one class with its sessions, roster and attendance as
JSON, or a CSV/.xlsx file of many."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, File, Schema, Status
from ninja.files import UploadedFile
from pydantic import AwareDatetime

from jineng.core.api import MIB, body_limit, error_responses
from jineng.core.errors import DomainError
from jineng.core.tabular import check_file_size
from jineng.registry import selectors as registry_selectors
from jineng.training import importers, selectors, services
from jineng.training.api.classes import (
    DECLARE_FIELDS,
    ClassDeclareIn,
    ClassDetailOut,
    _class_detail,
    _class_input,
    _teachers,
)
from jineng.training.api.common import router


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
