"""Attachments of a claim (certificate scan, ID card, contract, other): added and removed by
the claimant while the claim can be corrected (draft, returned, payment failed). The file is
checked before anything is stored — its size against `JINENG_SUBSIDY_ATTACHMENT_MAX_BYTES`
(default 5 MiB) and its type by its first bytes (PDF, JPEG, PNG; never by the name) — then
kept in the default storage; the same file twice on one claim is kept once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction
from jineng.subsidy.models import ClaimAttachment, SubsidyClaim
from jineng.subsidy.models.attachments import AttachmentKind
from jineng.subsidy.rules import lifecycle as lc
from jineng.subsidy.services.claims import EDITABLE, actor_kinds

__all__ = ["AttachmentResult", "CheckedFile", "checked_file", "claim_attachment_add",
           "claim_attachment_remove", "max_attachment_bytes", "sniff_type"]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# (first bytes, content type, extension)
SIGNATURES = ((b"%PDF-", "application/pdf", "pdf"),
              (b"\xff\xd8\xff", "image/jpeg", "jpg"),
              (b"\x89PNG\r\n\x1a\n", "image/png", "png"))


def max_attachment_bytes() -> int:
    return int(getattr(settings, "JINENG_SUBSIDY_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the file's first bytes, or None."""
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    return None


@dataclass
class AttachmentResult:
    attachment: ClaimAttachment
    created: bool


def _claim_for_claimant(actor, claim_id: int, verified_person_id: int | None) -> SubsidyClaim:
    """The claim, locked; NotFound when the caller does not see it, Forbidden when the caller
    sees it but is not its claimant, Conflict when it cannot be corrected now."""
    if verified_person_id is not None:
        own = SubsidyClaim.objects.filter(pk=claim_id, person_id=verified_person_id,
                                          organization__isnull=True)
        if not own.exists():
            raise NotFound()
        claimant = True
    else:
        if not SubsidyClaim.objects.visible_to(actor).filter(pk=claim_id).exists():
            raise NotFound()
        claimant = None
    claim = (SubsidyClaim.objects.select_for_update(of=("self",))
             .select_related("region", "region__parent", "organization").get(pk=claim_id))
    if claimant is None and lc.CLAIMANT not in actor_kinds(actor, claim):
        raise Forbidden(_("Only the claimant attaches or removes files."))
    if claim.status not in EDITABLE:
        raise Conflict(_("Files are attached to or removed from a claim only while it is a "
                         "draft, returned or its payment failed; this one is %(status)s.")
                       % {"status": claim.get_status_display()}, field="status",
                       code="not_editable")
    return claim


def _read(file) -> tuple[bytes, str, str]:
    """The file's bytes and type, refused before storing: no file, too big, not PDF/JPEG/PNG."""
    if file is None:
        raise DomainError(_("Choose a file."), field="file", code="required")
    limit = max_attachment_bytes()
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise DomainError(_("The file is larger than %(mb).1f MB.")
                          % {"mb": limit / 1024 / 1024}, field="file", code="too_large")
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise DomainError(_("The file is larger than %(mb).1f MB.")
                          % {"mb": limit / 1024 / 1024}, field="file", code="too_large")
    if not data:
        raise DomainError(_("The file is empty."), field="file", code="empty")
    found = sniff_type(data[:16])
    if found is None:
        raise DomainError(_("Attach a PDF, JPEG or PNG file (the content was checked, not the "
                            "name)."), field="file", code="bad_type")
    return data, found[0], found[1]


def _name(file) -> str:
    raw = str(getattr(file, "name", "") or "file").replace("\\", "/").rsplit("/", 1)[-1]
    return raw.strip()[:200] or "file"


@dataclass(frozen=True)
class CheckedFile:
    """A file checked (kind, size, type by content) and read, not stored yet."""

    kind: str
    data: bytes
    content_type: str
    ext: str
    name: str
    sha256: str


def checked_file(kind: str, file) -> CheckedFile:
    """Check a file before anything is written (the claim's filing attaches it in its own
    transaction: subsidy.services.applications.claim_file)."""
    if kind not in AttachmentKind.values:
        raise DomainError(_("Unknown attachment kind %(kind)s; use one of: %(kinds)s.")
                          % {"kind": kind, "kinds": ", ".join(AttachmentKind.values)},
                          field="kind", code="invalid")
    data, content_type, ext = _read(file)
    return CheckedFile(kind=kind, data=data, content_type=content_type, ext=ext,
                       name=_name(file), sha256=hashlib.sha256(data).hexdigest())


def _store_checked(*, actor, claim: SubsidyClaim, checked: CheckedFile,
                  stored: list[str]) -> ClaimAttachment:
    """Store a checked file on a claim being filed, inside the caller's transaction (the
    same file twice is kept once); the file's storage name is appended to `stored` so that
    the caller deletes it when its transaction fails. Audited as an attachment added."""
    found = ClaimAttachment.objects.filter(claim=claim, sha256=checked.sha256).first()
    if found is not None:
        return found
    user = actor if getattr(actor, "is_authenticated", False) else None
    name = default_storage.save(f"subsidy/attachments/{claim.pk}/{checked.sha256}.{checked.ext}",
                                ContentFile(checked.data))
    stored.append(name)
    attachment = ClaimAttachment.objects.create(
        claim=claim, kind=checked.kind, file=name, original_name=checked.name,
        content_type=checked.content_type, size=len(checked.data), sha256=checked.sha256,
        uploaded_by=user, uploaded_by_name=getattr(user, "username", "") if user else "person")
    audit.record(actor=actor, action=AuditAction.CREATE, instance=attachment,
                 after={"claim": claim.pk, "kind": checked.kind, "size": len(checked.data),
                        "sha256": checked.sha256, "content_type": checked.content_type})
    return attachment


def claim_attachment_add(*, actor, claim_id: int, kind: str, file,
                         verified_person_id: int | None = None) -> AttachmentResult:
    """Attach a file to a claim (see the module's docstring). The same file (SHA-256) again
    answers the attachment already there."""
    if kind not in AttachmentKind.values:
        raise DomainError(_("Unknown attachment kind %(kind)s; use one of: %(kinds)s.")
                          % {"kind": kind, "kinds": ", ".join(AttachmentKind.values)},
                          field="kind", code="invalid")
    data, content_type, ext = _read(file)
    digest = hashlib.sha256(data).hexdigest()
    user = actor if getattr(actor, "is_authenticated", False) else None
    stored = ""
    try:
        with transaction.atomic():
            claim = _claim_for_claimant(actor, claim_id, verified_person_id)
            found = ClaimAttachment.objects.filter(claim=claim, sha256=digest).first()
            if found is not None:
                return AttachmentResult(attachment=found, created=False)
            stored = default_storage.save(f"subsidy/attachments/{claim.pk}/{digest}.{ext}",
                                          ContentFile(data))
            attachment = ClaimAttachment.objects.create(
                claim=claim, kind=kind, file=stored, original_name=_name(file),
                content_type=content_type, size=len(data), sha256=digest, uploaded_by=user,
                uploaded_by_name=getattr(user, "username", "") if user else "person")
            audit.record(actor=actor, action=AuditAction.CREATE, instance=attachment,
                         after={"claim": claim.pk, "kind": kind, "size": len(data),
                                "sha256": digest, "content_type": content_type})
    except IntegrityError:  # the same file attached meanwhile
        if stored:
            default_storage.delete(stored)
        found = ClaimAttachment.objects.filter(claim_id=claim_id, sha256=digest).first()
        if found is None:
            raise
        return AttachmentResult(attachment=found, created=False)
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    return AttachmentResult(attachment=attachment, created=True)


def claim_attachment_remove(*, actor, claim_id: int, attachment_id: int,
                            verified_person_id: int | None = None) -> None:
    """Remove an attachment (its file is deleted once the removal is committed)."""
    with transaction.atomic():
        claim = _claim_for_claimant(actor, claim_id, verified_person_id)
        attachment = ClaimAttachment.objects.filter(claim=claim, pk=attachment_id).first()
        if attachment is None:
            raise NotFound()
        name = attachment.file.name
        audit.record(actor=actor, action=AuditAction.DELETE, instance=attachment,
                     before={"claim": claim.pk, "kind": attachment.kind,
                             "sha256": attachment.sha256})
        attachment.delete()
        transaction.on_commit(lambda: default_storage.delete(name))
