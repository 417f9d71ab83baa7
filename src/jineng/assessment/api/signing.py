"""Signing API. Public (anyone, no account): the published keys, the status list, verifying an
uploaded certificate file, a certificate's status by number. Staff: revoke a certificate;
rotate the signing key."""

from __future__ import annotations

from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from jineng.assessment import selectors, services, throttle
from jineng.assessment.choices import RevocationReason
from jineng.assessment.rules.documents import MAX_DOCUMENT_BYTES, TAMPERED, Outcome
from jineng.core.api import KIB, PUBLIC_SECURITY, body_limit, error_responses, public_auth

router = Router()

PUBLIC = {"auth": public_auth(), "openapi_extra": {"security": PUBLIC_SECURITY}}
E = error_responses


class KeyOut(Schema):
    key_id: str
    algorithm: str
    public_key: str
    valid_from: str
    valid_until: str | None


class KeysOut(Schema):
    keys: list[KeyOut]


class StatusListOut(Schema):
    id: str
    type: str
    status_purpose: str
    length: int
    encoded_list: str
    generated_at: str


class FactsOut(Schema):
    number: str = ""
    kind: str = ""
    holder_name_masked: str = ""
    id_type: str = ""
    id_number_masked: str = ""
    occupation: str = ""
    work_type: str = ""
    level: str = ""
    issuer: str = ""
    issued_on: str = ""
    key_id: str = ""
    signed_at: str = ""


class VerifyOut(Schema):
    result: str
    reason: str
    key_id: str
    status_checked: bool
    certificate: FactsOut | None


class PublicStatusOut(Schema):
    result: str
    number: str
    holder_name_masked: str
    kind: str
    occupation: str
    work_type: str
    level: str
    issuer: str
    issued_on: str
    revoked_on: str | None
    revocation_reason: str


class RevokeIn(Schema):
    reason: RevocationReason
    note: str
    revoke_paired: bool | None = None


class RevokedOut(Schema):
    revoked: list[str]


@router.get("/keys", response=KeysOut, operation_id="assessment_signing_keys", **PUBLIC)
def signing_keys(request):
    """The public keys that sign certificates, with their ids and validity (retired keys
    included). Save this answer as keys.json for `jineng certificate-verify --keys`."""
    return {"keys": selectors.published_keys()}


@router.get("/status-list", response=StatusListOut, operation_id="assessment_status_list",
            **PUBLIC)
def status_list(request):
    """The revocation status list (W3C Bitstring Status List style): gzip, base64url (multibase
    `u`); bit i set = the certificate with status index i is revoked."""
    return selectors.status_list_document()


@router.post("/verify", response={200: VerifyOut, **E(400, 413, 422, 429)},
             operation_id="assessment_certificate_verify", **PUBLIC)
@body_limit(MAX_DOCUMENT_BYTES + 16 * KIB)
def certificate_verify(request, file: File[UploadedFile]):
    """Check a certificate file: valid, revoked, tampered or unknown_key. A broken file is
    `tampered`, never an error. 429: too many checks from this address (throttle)."""
    throttle.ensure(request)
    if (file.size or 0) > MAX_DOCUMENT_BYTES:
        outcome = Outcome(result=TAMPERED, reason="too_large")
    else:
        outcome = selectors.verify_document_bytes(file.read(MAX_DOCUMENT_BYTES + 1))
    return {"result": outcome.result, "reason": outcome.reason, "key_id": outcome.key_id,
            "status_checked": outcome.status_checked,
            "certificate": outcome.facts() if outcome.payload else None}


@router.get("/certificate-status/{number}", response={200: PublicStatusOut, **E(429)},
            operation_id="assessment_certificate_public_status", **PUBLIC)
def certificate_public_status(request, number: str):
    """A certificate issued here, by number: valid, revoked or unknown, the holder's name
    partly masked. 429: too many checks from this address (numbers cannot be walked)."""
    throttle.ensure(request)
    return selectors.certificate_public_status(number).as_dict()


@router.post("/certificates/{int:certificate_id}/revoke",
             response={200: RevokedOut, **E(400, 403, 404, 409, 422)},
             operation_id="assessment_certificate_revoke")
def certificate_revoke(request, certificate_id: int, payload: RevokeIn):
    """Revoke a certificate (province or city HRSS staff of its region). A 一试双证 pair must be
    answered with `revoke_paired`."""
    certificate = selectors.signing_certificate_get(actor=request.auth, pk=certificate_id)
    revoked = services.certificate_revoke(actor=request.auth, certificate=certificate,
                                          reason=payload.reason, note=payload.note,
                                          revoke_paired=payload.revoke_paired)
    return {"revoked": [c.number for c in revoked]}


@router.post("/keys/rotate", response={201: KeyOut, **E(403)},
             operation_id="assessment_signing_key_rotate")
def signing_key_rotate(request):
    """Retire the current signing key and start a new one (system administrators and province
    staff). Certificates signed before keep verifying."""
    key = services.signing_key_rotate(actor=request.auth)
    return Status(201, {"key_id": key.key_id, "algorithm": "Ed25519",
                        "public_key": key.public_key,
                        "valid_from": key.valid_from.isoformat(), "valid_until": None})
