"""Pages of filed claims: the worker files a certificate or upskilling subsidy on the public
site after the identity check (/subsidy/my/apply/) and reads the amount's computation; an
institution or HRSS office files a trainee's living allowance or a class's employment uplift
from the claims page (/subsidy/claims/file-class/); a
claim's attachments (upload and removal by the claimant, download for those who see the
claim). Thin: services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jineng.assessment.choices import CertificateKind, CertificateStatus
from jineng.assessment.selectors import records as assessment_records
from jineng.core.errors import NotFound
from jineng.core.http import domain_errors, message_errors
from jineng.subsidy import selectors, selectors_applications
from jineng.subsidy.choices import ClaimKind
from jineng.subsidy.models.attachments import AttachmentKind
from jineng.subsidy.services import applications, attachments
from jineng.subsidy.views_own import verified_person_id

OWN_KINDS = (ClaimKind.CERTIFICATE, ClaimKind.UPSKILLING)
CLASS_KINDS = (ClaimKind.LIVING_ALLOWANCE, ClaimKind.EMPLOYMENT_UPLIFT)
# The worker's files with the filing: a scan of the certificate, of the ID card.
OWN_FILE_KINDS = (AttachmentKind.CERTIFICATE, AttachmentKind.IDENTITY)
MAX_OWN_FILES = 3  # per kind


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _certificates(person_id: int) -> list:
    record = assessment_records.own_skill_record(verified_person_id=person_id)
    return [c for c in record.certificates
            if c.status == CertificateStatus.VALID and c.verified
            and c.kind in (CertificateKind.SKILL_LEVEL, CertificateKind.SPECIAL_ABILITY)]


@never_cache
def own_apply(request: HttpRequest) -> HttpResponse:
    """The worker's own filing: choose the kind and the certificate, give the account; the
    answer is the amount with its computation, or the rule's refusal."""
    person_id = verified_person_id(request)
    if person_id is None:
        return redirect("assessment:records_own")
    try:
        certificates = _certificates(person_id)
    except NotFound:
        return redirect("assessment:records_own")
    kinds = [(k.value, k.label) for k in OWN_KINDS]
    filing = steps = None
    attached: list = []
    values = {"kind": ClaimKind.CERTIFICATE.value}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("kind", "certificate_id", "account",
                                                      "bank_name")}
        files = [(kind, upload) for kind in OWN_FILE_KINDS
                 for upload in request.FILES.getlist(f"file_{kind}")[:MAX_OWN_FILES]]
        with message_errors(request):
            filing = applications.claim_file(
                actor=None, kind=values["kind"], certificate_id=_int(values["certificate_id"]),
                account=values["account"], bank_name=values["bank_name"],
                verified_person_id=person_id, claim_date=timezone.localdate(), files=files)
            steps = selectors.explained_steps(filing.claim)
            attached = list(selectors_applications.attachment_list(
                actor=None, claim_id=filing.claim.pk, verified_person_id=person_id))
    claims = selectors_applications.own_claims(person_id)[:20]
    return render(request, "subsidy/own_apply.html", {
        "certificates": certificates, "kinds": kinds, "filing": filing, "steps": steps,
        "values": values, "claims": claims, "attached": attached,
        "max_mb": attachments.max_attachment_bytes() / 1024 / 1024})


@login_required
@domain_errors
@require_POST
def claim_file_class(request):
    """A trainee's living allowance or a class's employment uplift, filed from the claims
    page by the class's institution or its HRSS office; the claim's page shows the amount
    and its computation, or the rule's refusal."""
    kind = request.POST.get("kind", "")
    with message_errors(request) as outcome:
        filing = applications.claim_file(
            actor=request.user, kind=kind if kind in CLASS_KINDS else "",
            class_id=_int(request.POST.get("class_id")),
            id_number=request.POST.get("id_number", "") if kind == ClaimKind.LIVING_ALLOWANCE
            else "", account=request.POST.get("account", ""),
            bank_name=request.POST.get("bank_name", ""))
    if outcome.failed:
        return redirect("subsidy:claim_list")
    claim = filing.claim
    if filing.refusal:
        messages.error(request, _("Claim %(id)s is refused: %(reason)s")
                       % {"id": claim.pk, "reason": filing.refusal})
    elif not filing.created:
        messages.info(request, _("This subsidy was already filed (claim %(id)s).")
                      % {"id": claim.pk})
    else:
        messages.success(request, _("Claim %(id)s filed: %(amount)s yuan.")
                         % {"id": claim.pk, "amount": claim.amount})
    return redirect("subsidy:claim_detail", pk=claim.pk)


@login_required
@domain_errors
@require_POST
def attachment_add(request, pk: int):
    with message_errors(request):
        attachments.claim_attachment_add(actor=request.user, claim_id=pk,
                                         kind=request.POST.get("kind", ""),
                                         file=request.FILES.get("file"))
    return redirect("subsidy:claim_detail", pk=pk)


@login_required
@domain_errors
@require_POST
def attachment_remove(request, pk: int, attachment_id: int):
    with message_errors(request):
        attachments.claim_attachment_remove(actor=request.user, claim_id=pk,
                                            attachment_id=attachment_id)
    return redirect("subsidy:claim_detail", pk=pk)


@login_required
@domain_errors
def attachment_download(request, pk: int, attachment_id: int):
    found = selectors_applications.attachment_get(actor=request.user, claim_id=pk,
                                                  attachment_id=attachment_id)
    return FileResponse(found.file.open("rb"), as_attachment=True,
                        filename=found.original_name, content_type=found.content_type)


def attachment_context(user, claim) -> dict:
    """What the claim page's attachment section shows (used by its template tag)."""
    from jineng.subsidy.rules import lifecycle as lc
    from jineng.subsidy.services.claims import EDITABLE, actor_kinds

    return {
        "claim": claim, "kinds": AttachmentKind.choices,
        "attachments": list(selectors_applications.attachment_list(actor=user,
                                                                   claim_id=claim.pk)),
        "may_change": claim.status in EDITABLE and lc.CLAIMANT in actor_kinds(user, claim),
        "max_mb": attachments.max_attachment_bytes() / 1024 / 1024,
    }


urlpatterns = [
    path("my/apply/", own_apply, name="own_apply"),
    path("claims/file-class/", claim_file_class, name="claim_file_class"),
    path("claims/<int:pk>/attachments/", attachment_add, name="claim_attachment_add"),
    path("claims/<int:pk>/attachments/<int:attachment_id>/", attachment_download,
         name="claim_attachment_download"),
    path("claims/<int:pk>/attachments/<int:attachment_id>/remove/", attachment_remove,
         name="claim_attachment_remove"),
]

__all__ = ["attachment_context", "urlpatterns"]
