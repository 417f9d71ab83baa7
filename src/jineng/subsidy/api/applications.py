"""Claims filed one at a time (certificate, upskilling, apprenticeship, evaluation, living
allowance, employment uplift) and a
claim's attachments (the claimant adds and removes them while the claim can be corrected;
those who see the claim list and download them)."""

import datetime as dt
from decimal import Decimal

from django.http import FileResponse
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from jineng.core.api import KIB, MIB, body_limit, error_responses
from jineng.subsidy import selectors, selectors_applications
from jineng.subsidy.api.claims import ClaimStepOut
from jineng.subsidy.services import applications, attachments

router = Router()


class ClaimFileIn(Schema):
    kind: str = Field(max_length=20, description="certificate, upskilling, apprenticeship, "
                                                 "evaluation, living_allowance or "
                                                 "employment_uplift")
    id_number: str = Field("", max_length=30, description="the person's ID number (or "
                                                          "person_id)")
    person_id: int | None = None
    certificate_id: int | None = Field(None, description="the skill certificate (certificate, "
                                                         "upskilling, evaluation)")
    class_id: int | None = Field(None, description="the enterprise's apprenticeship class or "
                                                   "the institution's class (evaluation, "
                                                   "living allowance, employment uplift)")
    claim_date: dt.date | None = None
    account: str = Field("", max_length=40, description="the payee's account (required when "
                                                        "an organization is paid)")
    bank_name: str = Field("", max_length=100)


class ClaimFiledOut(Schema):
    id: int
    created: bool = Field(description="false: the same filing was recorded before")
    kind: str
    status: str
    amount: Decimal | None
    payee_kind: str
    payee_name: str
    claim_date: dt.date
    certificate_id: int | None
    class_id: int | None
    enrollment_id: int | None
    parameter_version: str
    refusal_code: str
    refusal: str = Field(description="the rule's sentence when refused")
    steps: list[ClaimStepOut]
    evidence: dict | None = Field(None, description="living allowance and employment uplift: "
                                  "what the facts were read from (the days attended; the "
                                  "outcomes run, its time and counts, the class's training "
                                  "subsidies)")


def _filed(filing) -> dict:
    claim = filing.claim
    return {"id": claim.pk, "created": filing.created, "kind": claim.kind,
            "status": claim.status, "amount": claim.amount, "payee_kind": claim.payee_kind,
            "payee_name": claim.payee_name, "claim_date": claim.claim_date,
            "certificate_id": claim.certificate_id, "class_id": claim.training_class_id,
            "enrollment_id": claim.enrollment_id, "evidence": filing.evidence,
            "parameter_version": claim.parameter_version, "refusal_code": claim.refusal_code,
            "refusal": filing.refusal, "steps": selectors.explained_steps(claim)}


@router.post("/claims/file", response={200: ClaimFiledOut, **error_responses(400, 403, 404, 409)},
             operation_id="subsidy_claim_file")
@body_limit(4 * KIB)
def claim_file(request, payload: ClaimFileIn):
    """File one claim: a window clerk for a person (certificate, upskilling), an enterprise
    for its apprentice, an institution for a trainee of its class (evaluation), the
    institution or the HRSS office of the class's region for a trainee's living allowance
    (person and class) or a class's employment uplift (class only). A draft with
    the amount and its steps, or a refused claim with the rule's code and sentence; the same
    filing again answers the claim recorded (`created` false)."""
    filing = applications.claim_file(
        actor=request.auth, kind=payload.kind, person_id=payload.person_id,
        id_number=payload.id_number, certificate_id=payload.certificate_id,
        class_id=payload.class_id, claim_date=payload.claim_date, account=payload.account,
        bank_name=payload.bank_name)
    return _filed(filing)


class AttachmentOut(Schema):
    id: int
    claim_id: int
    kind: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str = Field(alias="uploaded_by_name")
    uploaded_at: dt.datetime


class AttachmentAddedOut(AttachmentOut):
    created: bool = Field(description="false: the same file was attached before")


@router.post("/claims/{claim_id}/attachments",
             response={200: AttachmentAddedOut, **error_responses(400, 403, 404, 409)},
             operation_id="subsidy_claim_attachment_add")
@body_limit(32 * MIB)
def attachment_add(request, claim_id: int, file: File[UploadedFile],
                   kind: Form[str] = "other"):
    """Attach a PDF, JPEG or PNG (checked by its content) to a claim: the claimant, while the
    claim is a draft, returned or its payment failed."""
    result = attachments.claim_attachment_add(actor=request.auth, claim_id=claim_id,
                                              kind=kind, file=file)
    result.attachment.created = result.created
    return result.attachment


@router.get("/claims/{claim_id}/attachments", response={200: list[AttachmentOut],
                                                        **error_responses(404)},
            operation_id="subsidy_claim_attachment_list")
def attachment_list(request, claim_id: int):
    return list(selectors_applications.attachment_list(actor=request.auth, claim_id=claim_id))


@router.get("/claims/{claim_id}/attachments/{attachment_id}",
            response={200: None, **error_responses(404)},
            operation_id="subsidy_claim_attachment_get")
def attachment_get(request, claim_id: int, attachment_id: int):
    """The file itself."""
    found = selectors_applications.attachment_get(actor=request.auth, claim_id=claim_id,
                                                  attachment_id=attachment_id)
    return FileResponse(found.file.open("rb"), as_attachment=True,
                        filename=found.original_name, content_type=found.content_type)


@router.delete("/claims/{claim_id}/attachments/{attachment_id}",
               response={200: list[AttachmentOut], **error_responses(403, 404, 409)},
               operation_id="subsidy_claim_attachment_remove")
def attachment_remove(request, claim_id: int, attachment_id: int):
    """Remove an attachment (the claimant, while the claim can be corrected); answers the
    attachments left."""
    attachments.claim_attachment_remove(actor=request.auth, claim_id=claim_id,
                                        attachment_id=attachment_id)
    return list(selectors_applications.attachment_list(actor=request.auth, claim_id=claim_id))
