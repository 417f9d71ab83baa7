"""Certificates from outside by API: record one (idempotent by number), list them with a
verified filter, mark one verified, import a file of them, and import a previous system's
assessments and certificates. HRSS staff only; a certificate out of scope answers 404."""


import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from jineng.assessment import selectors, services
from jineng.core.api import Pagination, error_responses
from jineng.core.errors import DomainError
from jineng.core.tabular import check_file_size
from jineng.registry import selectors as registry_selectors

router = Router(tags=["assessment"])


class OutsideCertificateIn(Schema):
    kind: str = Field(description="skill_level, special_ability, training, entrepreneurship, "
                                  "special_operation or qualification")
    number: str = Field(max_length=40, description="as printed; skill-level numbers follow "
                        "人社鉴发〔2019〕2号, legacy qualification numbers have 16 or 13 digits")
    origin: str = Field(description="other_province, national, other_authority or legacy")
    id_number: str = Field(max_length=20, description="the holder's whole ID number (a "
                           "registered person in your jurisdiction)")
    holder_name: str = Field(max_length=50)
    issuer_name: str = Field(max_length=200)
    issued_on: dt.date
    occupation_id: int | None = None
    work_type: str = Field("", max_length=100)
    level: str = Field("", max_length=30, description="a skill level code (grade5 … grade1, "
                       "principal)")
    special_ability_item: str = Field("", max_length=100)
    title: str = Field("", max_length=200, description="training project, or a "
                       "special-operation certificate's operation type")
    training_start: dt.date | None = None
    training_end: dt.date | None = None
    verified: bool = Field(False, description="checked against its issuer")
    note: str = Field("", max_length=500, description="how it was verified")


class OutsideCertificateOut(Schema):
    id: int
    kind: str
    number: str
    origin: str
    verified: bool
    verified_note: str
    verified_by: str
    verified_at: dt.datetime | None
    person_id: int
    holder_name: str
    id_masked: str
    occupation_id: int | None
    occupation_name: str
    work_type: str
    level: str = Field(description="skill level code, empty if none")
    special_ability_item: str
    title: str
    issuer_name: str
    issued_on: dt.date
    region_code: str
    recorded_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_id_masked(cert) -> str:
        return cert.person.id_masked

    @staticmethod
    def resolve_occupation_name(cert) -> str:
        return cert.occupation.name if cert.occupation_id else ""

    @staticmethod
    def resolve_level(cert) -> str:
        return cert.level.code if cert.level_id else ""

    @staticmethod
    def resolve_region_code(cert) -> str:
        return cert.region.code


class VerificationIn(Schema):
    verified: bool
    note: str = Field("", max_length=500, description="how it was checked (required when "
                      "withdrawing the mark)")


class OutsideFilter(Schema):
    verified: bool | None = None
    origin: str = Field("", max_length=20)
    kind: str = Field("", max_length=20)
    q: str = Field("", max_length=40, description="number (or its start) or holder name")


class RowErrorOut(Schema):
    row: int
    field: str
    message: str


class ImportReportOut(Schema):
    total_rows: int
    created: int = Field(description="certificates recorded now")
    updated: int
    unchanged: int = Field(description="recorded before (or repeated) with the same content")
    skipped: int = Field(description="bad rows skipped (skip_bad_rows)")
    written: bool
    errors: list[RowErrorOut] = Field(description="nothing is written from a file with "
                                      "errors unless skip_bad_rows")


def _input(actor, payload: OutsideCertificateIn) -> services.OutsideCertificateInput:
    occupation = None
    if payload.occupation_id is not None:
        occupation = (registry_selectors.occupation_list(actor=actor)
                      .filter(rank__in=("occupation", "work_type"), pk=payload.occupation_id)
                      .first())
        if occupation is None:
            raise DomainError(_("Choose an occupation or work type."), field="occupation_id")
    level = None
    if payload.level.strip():
        level = registry_selectors.skill_level_list(actor=actor).filter(
            code=payload.level.strip()).first()
        if level is None:
            raise DomainError(_("Unknown skill level."), field="level")
    return services.OutsideCertificateInput(
        kind=payload.kind, number=payload.number, origin=payload.origin,
        id_number=payload.id_number, holder_name=payload.holder_name,
        issuer_name=payload.issuer_name, issued_on=payload.issued_on, occupation=occupation,
        work_type=payload.work_type, level=level,
        special_ability_item=payload.special_ability_item, title=payload.title,
        training_start=payload.training_start, training_end=payload.training_end,
        verified=payload.verified, note=payload.note)


@router.post("/outside-certificates",
             response={201: OutsideCertificateOut, 200: OutsideCertificateOut,
                       **error_responses(400, 403, 409, 422)},
             operation_id="assessment_outside_record")
def outside_record(request, payload: OutsideCertificateIn):
    """Record a certificate issued elsewhere (another province, the national platform, another
    authority, a previous system). 201: recorded; 200: recorded before with the same content;
    409: the number is recorded with another content (the field that differs is named) or
    was issued here."""
    actor = request.auth
    data = _input(actor, payload)
    cert, created = services.certificate_record_outside(actor=actor, data=data)
    return Status(201 if created else 200,
                  selectors.outside_certificate_get(actor=actor, pk=cert.pk))


@router.get("/outside-certificates", response={200: list[OutsideCertificateOut]},
            operation_id="assessment_outside_list")
@paginate(Pagination)
def outside_list(request, filters: Query[OutsideFilter]):
    """Certificates recorded from outside in your scope, newest first."""
    return selectors.outside_certificate_list(
        actor=request.auth, verified=filters.verified, origin=filters.origin,
        kind=filters.kind, q=filters.q)


@router.post("/outside-certificates/import",
             response={200: ImportReportOut, **error_responses(400, 403, 413, 422)},
             operation_id="assessment_outside_import")
def outside_import(request, file: File[UploadedFile], skip_bad_rows: Form[bool] = False):
    """A CSV or .xlsx file of certificates from outside (the template's columns). Every bad
    row is answered in `errors`; nothing is written from a file with errors unless
    `skip_bad_rows`. A file imported twice counts once."""
    check_file_size(file.size)
    return services.certificates_import(actor=request.auth, file=file,
                                        skip_bad_rows=skip_bad_rows).as_dict()


@router.get("/outside-certificates/{certificate_id}",
            response={200: OutsideCertificateOut, **error_responses(404)},
            operation_id="assessment_outside_get")
def outside_get(request, certificate_id: int):
    return selectors.outside_certificate_get(actor=request.auth, pk=certificate_id)


@router.post("/outside-certificates/{certificate_id}/verification",
             response={200: OutsideCertificateOut, **error_responses(400, 403, 404, 422)},
             operation_id="assessment_outside_mark_verified")
def outside_mark_verified(request, certificate_id: int, payload: VerificationIn):
    """Mark a recorded certificate verified against its issuer (or withdraw the mark, with a
    note saying why)."""
    actor = request.auth
    cert = selectors.outside_certificate_get(actor=actor, pk=certificate_id)
    services.certificate_mark_verified(actor=actor, certificate=cert,
                                       verified=payload.verified, note=payload.note)
    return selectors.outside_certificate_get(actor=actor, pk=certificate_id)


@router.post("/history/assessments/import",
             response={200: ImportReportOut, **error_responses(400, 403, 413, 422)},
             operation_id="assessment_history_import")
def history_import(request, file: File[UploadedFile]):
    """A previous system's assessments and certificates (one row per candidate; the
    template's columns): legacy sittings, candidates and certificates. Idempotent by
    certificate number and assessment reference; a file with any bad row writes nothing."""
    check_file_size(file.size)
    return services.history_import(actor=request.auth, file=file).as_dict()
