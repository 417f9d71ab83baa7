"""Signing reads, all public: the published keys, the status list, verification of an
uploaded file, and a certificate's status by number (what its QR link opens).

The public reaches a certificate only here, by its number or its signed file, never by listing
(the Certificate queryset's scope gives the public nothing); so these reads use the model's
manager directly and return only what a verifier needs, the holder's name partly masked.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.assessment.choices import CertificateOrigin, CertificateStatus, VerificationResult
from jineng.assessment.models import Certificate, CertificateSequence
from jineng.assessment.models.keys import SigningKey
from jineng.assessment.rules import documents, status_list
from jineng.assessment.services.signing import STATUS_LIST_SEQUENCE, status_list_url
from jineng.core.errors import NotFound

__all__ = [
    "PublicStatus",
    "certificate_document",
    "certificate_public_status",
    "key_table",
    "normalize_number",
    "published_keys",
    "signing_certificate_get",
    "signing_pair_of",
    "status_list_bits",
    "status_list_document",
    "verify_document_bytes",
]


def published_keys() -> list[dict]:
    """Every signing key's public half with its id and validity (retired keys too: they keep
    verifying what they signed). The shape `jineng certificate-verify --keys` reads."""
    return [
        {"key_id": key.key_id, "algorithm": "Ed25519", "public_key": key.public_key,
         "valid_from": key.valid_from.isoformat(),
         "valid_until": key.valid_until.isoformat() if key.valid_until else None}
        for key in SigningKey.objects.order_by("valid_from", "id")
    ]


def key_table() -> dict[str, tuple[bytes, dt.datetime, dt.datetime | None]]:
    """The keys as rules.documents.verify_document takes them."""
    return {key.key_id: (documents.b64_std_decode(key.public_key), key.valid_from,
                         key.valid_until)
            for key in SigningKey.objects.all()}


def status_list_bits() -> bytearray:
    """The revocation bitstring now: one bit per index handed out (at least 131,072)."""
    highest = (CertificateSequence.objects.filter(prefix=STATUS_LIST_SEQUENCE)
               .values_list("last", flat=True).first()) or 0
    revoked = (Certificate.objects.filter(status=CertificateStatus.REVOKED,
                                          status_index__isnull=False)
               .values_list("status_index", flat=True))
    return status_list.make(revoked, highest_index=max(highest - 1, 0))


def status_list_document() -> dict:
    """The published status list (W3C BitstringStatusList's fields, without the credential
    wrapper): compressed, base64url, with its length and time."""
    bits = status_list_bits()
    return {
        "id": status_list_url(),
        "type": "BitstringStatusList",
        "status_purpose": "revocation",
        "length": len(bits) * 8,
        "encoded_list": status_list.encode(bits),
        "generated_at": timezone.now().isoformat(),
    }


def verify_document_bytes(data: bytes) -> documents.Outcome:
    """Check an uploaded certificate file against the published keys and the certificate's
    status now (the revoked bit read for its index alone: one indexed query)."""
    outcome = documents.verify_document(data, key_table(), None)
    if outcome.result != documents.VALID:
        return outcome
    index_text = ((outcome.payload or {}).get("status") or {}).get("index", "")
    if isinstance(index_text, str) and index_text.isdigit():
        revoked = Certificate.objects.filter(
            status_index=int(index_text), status=CertificateStatus.REVOKED).exists()
        if revoked:
            return documents.Outcome(result=documents.REVOKED, reason="status_bit_set",
                                     key_id=outcome.key_id, payload=outcome.payload,
                                     status_checked=True)
        return documents.Outcome(result=documents.VALID, key_id=outcome.key_id,
                                 payload=outcome.payload, status_checked=True)
    return outcome


@dataclass(frozen=True)
class PublicStatus:
    """A certificate's status as the public sees it."""

    result: str  # VerificationResult: valid, revoked or unknown
    number: str
    holder_name_masked: str = ""
    kind: str = ""
    occupation: str = ""
    work_type: str = ""
    level: str = ""
    issuer: str = ""
    issued_on: str = ""
    revoked_on: dt.date | None = None
    revocation_reason: str = ""

    @property
    def found(self) -> bool:
        return self.result != VerificationResult.UNKNOWN

    def as_dict(self) -> dict:
        return {"result": self.result, "number": self.number,
                "holder_name_masked": self.holder_name_masked, "kind": self.kind,
                "occupation": self.occupation, "work_type": self.work_type,
                "level": self.level, "issuer": self.issuer, "issued_on": self.issued_on,
                "revoked_on": self.revoked_on.isoformat() if self.revoked_on else None,
                "revocation_reason": self.revocation_reason}


def normalize_number(number: str) -> str:
    return (number or "").strip().upper()[:40]


def certificate_public_status(number: str) -> PublicStatus:
    """A certificate issued here, by number: one query on the unique index of `number`. A
    number not issued here (or recorded from outside) is "unknown"."""
    number = normalize_number(number)
    row = (Certificate.objects.filter(number=number, origin=CertificateOrigin.ISSUED)
           .values_list("status", "holder_name", "kind", "signed_payload", "issuer_name",
                        "issued_on", "work_type", "revoked_on", "revocation_reason")
           .first()) if number else None
    if row is None:
        return PublicStatus(result=VerificationResult.UNKNOWN, number=number)
    (status, holder_name, kind, payload, issuer_name, issued_on, work_type, revoked_on,
     revocation_reason) = row
    payload = payload or {}
    return PublicStatus(
        result=(VerificationResult.REVOKED if status == CertificateStatus.REVOKED
                else VerificationResult.VALID),
        number=number,
        holder_name_masked=documents.mask_name(holder_name),
        kind=kind,
        occupation=(payload.get("occupation") or {}).get("name", ""),
        work_type=work_type,
        level=(payload.get("level") or {}).get("name", ""),
        issuer=issuer_name,
        issued_on=issued_on.isoformat() if issued_on else "",
        revoked_on=revoked_on,
        revocation_reason=revocation_reason,
    )


def certificate_document(certificate: Certificate) -> dict | None:
    """The signed file of a certificate issued here (None before it is signed)."""
    if not certificate.signature or not certificate.signed_payload:
        return None
    return {"format": documents.FORMAT, "payload": copy.deepcopy(certificate.signed_payload),
            "key_id": certificate.key_id, "signature": certificate.signature}


def signing_certificate_get(*, actor, pk: int) -> Certificate:
    """A certificate in the actor's scope, for download and revocation (404 otherwise)."""
    certificate = (Certificate.objects.visible_to(actor)
                   .select_related("person", "region", "level", "occupation", "issuer")
                   .filter(pk=pk).first())
    if certificate is None:
        raise NotFound(_("No such certificate."))
    return certificate


def signing_pair_of(certificate: Certificate) -> Certificate | None:
    """The other certificate of a 一试双证 pair, either way round."""
    if certificate.paired_with_id:
        return certificate.paired_with
    return Certificate.objects.filter(paired_with=certificate).first()
