"""Certificates issued here: the list and one certificate (scoped: an evaluator sees its own,
an institution its classes', HRSS staff their region's; the public verifies, never lists),
and issuing a finished class's training certificates. ID numbers are masked."""

import datetime as dt

from django.urls import reverse
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from jineng.assessment import services
from jineng.assessment.choices import CertificateKind, CertificateStatus
from jineng.assessment.selectors import issuance as selectors
from jineng.assessment.selectors import sittings as sitting_selectors
from jineng.core.api import KIB, Pagination, body_limit, error_responses
from jineng.training import selectors as training_selectors

router = Router(tags=["assessment"])


class CertificateOut(Schema):
    id: int
    kind: str = Field(description=", ".join(CertificateKind.values))
    number: str
    status: str = Field(description=", ".join(CertificateStatus.values))
    holder_name: str
    id_number_masked: str = Field(alias="person.id_masked")
    person_id: int
    occupation_id: int | None
    occupation: str | None = None
    work_type: str
    level: str | None = Field(None, description="skill-level code, e.g. grade5")
    special_ability_item: str
    title: str = Field(description="training certificates: the project (class)")
    training_class_id: int | None
    training_start: dt.date | None
    training_end: dt.date | None
    issuer_id: int | None
    issuer_name: str
    region_code: str = Field(alias="region.code")
    issued_on: dt.date
    sitting_id: int | None = None
    paired_with_id: int | None
    revoked_on: dt.date | None
    revocation_reason: str
    status_index: int | None
    key_id: str

    @staticmethod
    def resolve_occupation(obj) -> str | None:
        return obj.occupation.name if obj.occupation_id else None

    @staticmethod
    def resolve_level(obj) -> str | None:
        return obj.level.code if obj.level_id else None

    @staticmethod
    def resolve_sitting_id(obj) -> int | None:
        return obj.candidate.sitting_id if obj.candidate_id else None


class CertificateHistoryOut(Schema):
    action: str
    from_status: str
    to_status: str
    at: dt.datetime
    actor_username: str
    reason: str


class CertificateDetailOut(CertificateOut):
    history: list[CertificateHistoryOut] = Field(description="status changes after the issue")
    signed_file: str = Field(description="where the signed certificate file is downloaded")
    pdf: str = Field(description="the printable certificate")


@router.get("/certificates", response=list[CertificateOut],
            operation_id="assessment_certificate_list")
@paginate(Pagination)
def certificate_list(request, kind: str | None = None, occupation_id: int | None = None,
                     level: str | None = None, status: str | None = None,
                     issuer_id: int | None = None, issued_from: dt.date | None = None,
                     issued_to: dt.date | None = None, sitting_id: int | None = None,
                     class_id: int | None = None, q: str | None = None):
    """Certificates issued here that the caller may see, newest first."""
    filters = selectors.CertificateFilters(
        kind=(kind or "")[:20], occupation_id=occupation_id, level=(level or "")[:30],
        status=(status or "")[:10], issuer_id=issuer_id, issued_from=issued_from,
        issued_to=issued_to, sitting_id=sitting_id, training_class_id=class_id,
        q=(q or "")[:40])
    return selectors.issued_certificate_list(actor=request.auth, filters=filters)


@router.get("/certificates/{certificate_id}",
            response={200: CertificateDetailOut, **error_responses(404)},
            operation_id="assessment_certificate_get")
def certificate_get(request, certificate_id: int):
    """One certificate issued here, with its status history and its file and PDF links."""
    certificate = selectors.issued_certificate_get(actor=request.auth, pk=certificate_id)
    certificate.history = selectors.issued_certificate_history(actor=request.auth,
                                                               certificate=certificate)
    certificate.signed_file = reverse("assessment:signing_certificate_file",
                                      args=[certificate.pk])
    certificate.pdf = reverse("assessment:signing_certificate_pdf", args=[certificate.pk])
    return certificate


@router.post("/classes/{class_id}/training-certificates",
             response={201: list[CertificateOut], 200: list[CertificateOut],
                       **error_responses(400, 403, 404)},
             operation_id="assessment_training_certificates_issue")
def training_certificates_issue(request, class_id: int):
    """Issue a finished class's training (or entrepreneurship-training) certificates to the
    trainees who completed it: 201 with the new ones; 200 with none when every one holds its
    certificate already."""
    cls = training_selectors.class_get(actor=request.auth, pk=class_id)
    issued = services.training_certificates_issue(actor=request.auth, training_class=cls)
    return Status(201 if issued else 200, issued)


class SittingIssueOut(Schema):
    sitting_id: int
    status: str = Field(description="closed once issued")
    certificates: list[CertificateOut]
    appointed: int = Field(description="首席技师 appointed (no numbered certificate)")


def _issue(request, sitting_id: int) -> SittingIssueOut:
    sitting = sitting_selectors.sitting_get(actor=request.auth, pk=sitting_id)
    issued = services.certificates_issue_for_sitting(actor=request.auth, sitting=sitting)
    sitting.refresh_from_db(fields=["status"])
    appointed = (sitting.candidates.filter(passed=True).count()
                 if services.appointment_only(sitting) else 0)
    return SittingIssueOut(sitting_id=sitting.pk, status=sitting.status,
                           certificates=issued, appointed=appointed)


@router.post("/sittings/{sitting_id}/certificates",
             response={200: SittingIssueOut, **error_responses(400, 403, 404)},
             operation_id="assessment_sitting_certificates_issue")
def sitting_certificates_issue(request, sitting_id: int):
    """Issue the certificates of a sitting whose results are recorded (its evaluator): one per
    passed candidate, numbered and signed (and the 一试双证 pair), then the sitting is closed.
    400 (field "candidates", code direct_recognition_pending): a direct recognition awaits the
    HRSS office's approval; 400 (status): the results are not recorded or it is closed."""
    return _issue(request, sitting_id)


@router.post("/sittings/{sitting_id}/close",
             response={200: SittingIssueOut, **error_responses(400, 403, 404)},
             operation_id="assessment_sitting_close")
def sitting_close(request, sitting_id: int):
    """Close a sitting whose results are recorded. Closing is the issue: the certificates of
    the passed candidates are issued in the same step (a sitting where nobody passed closes
    with none), so a closed sitting never leaves a passed candidate without a certificate."""
    return _issue(request, sitting_id)


@router.post("/candidates/{candidate_id}/photo",
             response={200: list[CertificateOut], **error_responses(400, 403, 404, 413)},
             operation_id="assessment_candidate_photo_set")
@body_limit(2 * 1024 * KIB + 16 * KIB)
def candidate_photo_set(request, candidate_id: int, photo: File[UploadedFile]):
    """Set the photo (JPEG or PNG, at most 2 MB, 100–4000 pixels a side; checked from its
    header) on the candidate's issued certificates; printed on their PDF."""
    from jineng.assessment.rules import photos

    if (photo.size or 0) > photos.MAX_BYTES:
        raise services.photo_refusal("too_large")
    return services.candidate_photo_set(actor=request.auth, candidate=candidate_id,
                                        data=photo.read(photos.MAX_BYTES + 1))
