"""The holder's photo on certificates issued here (人社鉴发〔2021〕1号: the certificate shows a
photo). The sitting's evaluator (or HRSS staff of its region) uploads a candidate's photo once
the candidate's certificates are issued; it is stored (default storage) and set on each of the
candidate's certificates (both of a 一试双证 pair), and the printed PDF shows it. The file is
checked from its header before anything is decoded or stored (rules.photos): a JPEG or PNG of at
most 2 MB, 100–4000 pixels a side. One transaction, audited; a refused call changes nothing.

The photo is not part of the signed content (a signed certificate stays valid when its photo is
replaced); it lives on Certificate.photo, so a candidate's photo is taken after the issue."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from jineng.assessment import access
from jineng.assessment.choices import CertificateOrigin
from jineng.assessment.models import Candidate, Certificate
from jineng.assessment.rules import photos as rules
from jineng.assessment.rules import sitting_lifecycle as lc
from jineng.assessment.selectors import sittings as selectors
from jineng.core import audit
from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditAction

__all__ = ["candidate_photo_set", "may_set_photo", "photo_refusal"]

MESSAGES = {
    "too_large": lambda: _("A photo is at most 2 MB."),
    "not_image": lambda: _("The photo must be a JPEG or PNG image."),
    "bad_size": lambda: _("The photo must be 100 to 4000 pixels wide and high."),
}


def photo_refusal(code: str) -> DomainError:
    return DomainError(str(MESSAGES[code]()), field="photo", code=f"photo_{code}")


def may_set_photo(actor, certificate: Certificate) -> bool:
    """For the certificate page's upload form."""
    sitting = certificate.candidate.sitting if certificate.candidate_id else None
    return sitting is not None and bool(access.sitting_kinds(actor, sitting)
                                        & {lc.EVALUATOR, lc.HRSS})


def candidate_photo_set(*, actor, candidate: Candidate | int, data: bytes) -> list[Certificate]:
    """Store `data` (the uploaded bytes; the caller checked the upload's size before reading
    it) as the photo of the candidate's certificates issued here; returns them."""
    visible = selectors.candidate_get(actor=actor, pk=getattr(candidate, "pk", candidate))
    if not access.sitting_kinds(actor, visible.sitting) & {lc.EVALUATOR, lc.HRSS}:
        raise Forbidden(_("Only the sitting's evaluator or the HRSS office sets a candidate's "
                          "photo."))
    try:
        info = rules.inspect(data)
    except rules.PhotoRefused as refused:
        raise photo_refusal(refused.code) from None
    with transaction.atomic():
        certificates = list(Certificate.objects.select_for_update()
                            .filter(candidate_id=visible.pk, origin=CertificateOrigin.ISSUED)
                            .order_by("pk"))
        if not certificates:
            raise DomainError(_("The candidate has no certificate yet: the photo is set once "
                                "the sitting's certificates are issued."), field="candidate",
                              code="no_certificate")
        digest = hashlib.sha256(data).hexdigest()[:16]
        name = f"candidate-{visible.pk}-{digest}.{rules.EXTENSIONS[info.kind]}"
        befores = [c.photo.name or "" for c in certificates]
        first = certificates[0]
        first.photo.save(name, ContentFile(data), save=False)
        for c, before in zip(certificates, befores, strict=True):
            c.photo.name = first.photo.name
            c.save(update_fields=["photo"])
            audit.record(actor=actor, action=AuditAction.UPDATE, instance=c,
                         before={"photo": before},
                         after={"photo": c.photo.name, "kind": info.kind,
                                "width": info.width, "height": info.height})
    return certificates
