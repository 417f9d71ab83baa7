"""Signing: the Ed25519 keys that sign certificates, signing itself, and revocation.

- `signing_key_create(*, actor)` / `signing_key_rotate(*, actor)`: keys are made here, their
  private half stored Fernet-encrypted with the PII keys (`core.pii`), their public half
  published (selectors.signing.published_keys). Rotating gives the current key an end
  (`valid_until = now`) and starts a new one at the same instant: certificates signed by the old
  key keep verifying, because a signature is checked against the validity of the key at the
  time it was made (`signed_at`).
- `certificate_sign(certificate)` / `certificates_sign_bulk(certificates)`: called by issuance
  (no actor: signing is part of issuing, audited there). Each certificate gets its place in the
  status list (`status_index`, from the sequence "status-list"), the signed payload
  (`rules.documents`), the key id and the signature. The first key is created on first use.
- `certificate_revoke(*, actor, certificate, reason, note, …)`: province or city HRSS staff of
  the certificate's region (or a system administrator); the status history keeps the step, the
  status list shows it at once (it is built from the certificates' status on each request).
  A 一试双证 certificate's pair is never revoked silently: the caller says `revoke_paired`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.accounts.models import Role
from jineng.assessment.choices import CertificateOrigin, CertificateStatus, RevocationReason
from jineng.assessment.models import Certificate, CertificateSequence, CertificateStatusChange
from jineng.assessment.models.keys import SigningKey
from jineng.assessment.rules import documents
from jineng.core import audit, pii
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.history import record_transition
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of

__all__ = [
    "certificate_payload",
    "certificate_revoke",
    "certificate_sign",
    "certificates_sign_bulk",
    "current_signing_key",
    "may_manage_keys",
    "may_revoke",
    "public_url",
    "signing_key_create",
    "signing_key_rotate",
]

STATUS_LIST_SEQUENCE = "status-list"
# A row of CertificateSequence used as a lock while the first key is made (two issuers at once
# would otherwise both create one).
KEY_LOCK = "signing-key"


def public_url() -> str:
    """Where the public site answers (verification links, the status list's address)."""
    return getattr(settings, "JINENG_PUBLIC_URL", "http://localhost:8000").rstrip("/")


def status_list_url() -> str:
    return f"{public_url()}/api/assessment/status-list"


def verify_url(number: str) -> str:
    return f"{public_url()}/assessment/c/{number}/"


# ---------------------------------------------------------------------------------------------
# Permissions

def may_manage_keys(actor) -> bool:
    """System administrators and province HRSS staff create and rotate signing keys."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return bool(actor.is_superuser or getattr(actor, "role", "") in (
        Role.SYSTEM_ADMIN, Role.PROVINCE_STAFF))


def may_revoke(actor, certificate: Certificate) -> bool:
    """Province or city HRSS staff whose region holds the certificate's region (or a system
    administrator) revoke an issued certificate."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if certificate.origin != CertificateOrigin.ISSUED:
        return False
    scope = scope_of(actor)
    if scope.everything or getattr(actor, "role", "") == Role.SYSTEM_ADMIN:
        return True
    if getattr(actor, "role", "") not in (Role.PROVINCE_STAFF, Role.CITY_STAFF):
        return False
    return scope.region_prefix is not None and certificate.region.code.startswith(
        scope.region_prefix)


# ---------------------------------------------------------------------------------------------
# Keys

def _new_key_id(now: dt.datetime) -> str:
    return f"k{timezone.localtime(now):%Y%m%d}-{secrets.token_hex(4)}"


def _make_key(*, valid_from: dt.datetime) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes_raw()
    raw_public = private.public_key().public_bytes_raw()
    return SigningKey.objects.create(
        key_id=_new_key_id(valid_from),
        public_key=documents.b64_std(raw_public),
        private_key_encrypted=pii.encrypt(documents.b64_std(raw_private)),
        valid_from=valid_from,
    )


def _ensure_key_manager(actor) -> None:
    if not may_manage_keys(actor):
        raise Forbidden(_("Only system administrators and province HRSS staff manage signing "
                          "keys."))


def _audit_key(actor, key: SigningKey, action: str, before: dict | None = None) -> None:
    audit.record(actor=actor, action=action, instance=key, before=before,
                 after={"key_id": key.key_id, "valid_from": key.valid_from.isoformat(),
                        "valid_until": key.valid_until.isoformat() if key.valid_until else None})


def _lock_keys() -> dt.datetime:
    """Lock every key row (waiting for issuers signing right now: they lock the key they sign
    with), then the time: a key retired at this instant has signed nothing after it."""
    list(SigningKey.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    return timezone.now()


def _start_key(actor, valid_from: dt.datetime) -> SigningKey:
    """A new key signing from `valid_from`; the key whose period holds that instant signs
    until then (periods never overlap, so one key signs at any instant)."""
    for old in (SigningKey.objects.select_for_update()
                .filter(valid_from__lt=valid_from).exclude(valid_until__lte=valid_from)):
        before = {"valid_until": old.valid_until.isoformat() if old.valid_until else None}
        old.valid_until = valid_from
        old.save(update_fields=["valid_until"])
        _audit_key(actor, old, AuditAction.UPDATE, before=before)
    key = _make_key(valid_from=valid_from)
    # A switch planned later (signing_key_create with a future start) still happens.
    planned = (SigningKey.objects.filter(valid_from__gt=valid_from).order_by("valid_from")
               .values_list("valid_from", flat=True).first())
    if planned is not None:
        key.valid_until = planned
        key.save(update_fields=["valid_until"])
    _audit_key(actor, key, AuditAction.CREATE)
    return key


@transaction.atomic
def signing_key_create(*, actor, valid_from: dt.datetime | None = None) -> SigningKey:
    """A new Ed25519 key that signs from `valid_from` (now by default, or a planned switch
    later); the key signing now signs until then."""
    _ensure_key_manager(actor)
    now = _lock_keys()
    valid_from = valid_from or now
    if timezone.is_naive(valid_from):
        raise DomainError(_("Give the start of the key's validity with its time zone."),
                          field="valid_from")
    if valid_from < now - dt.timedelta(minutes=1):
        raise DomainError(_("A signing key cannot start in the past: what it would sign then "
                            "was signed already."), field="valid_from", code="in_past")
    # A start a moment ago (a form filled in a minute ago) starts now: the key signing until
    # now keeps every signature it made.
    valid_from = max(valid_from, now)
    if SigningKey.objects.filter(valid_from__gte=valid_from).exists():
        raise DomainError(_("Another key starts at or after that time."), field="valid_from",
                          code="overlap")
    return _start_key(actor, valid_from)


@transaction.atomic
def signing_key_rotate(*, actor) -> SigningKey:
    """Retire the current key now and start a new one at the same instant (certificates it
    signed keep verifying: they were signed within its period)."""
    _ensure_key_manager(actor)
    return _start_key(actor, _lock_keys())


def current_signing_key(now: dt.datetime | None = None) -> SigningKey | None:
    """The key that signs now: the latest started one not yet retired."""
    now = now or timezone.now()
    return (SigningKey.objects.filter(valid_from__lte=now)
            .exclude(valid_until__lte=now).order_by("-valid_from", "-id").first())


def _signing_key() -> tuple[SigningKey, dt.datetime]:
    """The key that signs now, and now (read after any wait for the lock, so a key another
    issuer just made is already in force)."""
    for _attempt in range(5):
        key = current_signing_key()
        if key is None:
            break
        # Lock the key (a rotation waits for this transaction), then read the time: the key
        # must still sign at that instant (a rotation may have ended it meanwhile).
        key = SigningKey.objects.select_for_update().get(pk=key.pk)
        now = timezone.now()
        if key.valid_from <= now and (key.valid_until is None or now < key.valid_until):
            return key, now
    with transaction.atomic():
        CertificateSequence.objects.get_or_create(prefix=KEY_LOCK)
        CertificateSequence.objects.select_for_update().get(prefix=KEY_LOCK)
        now = timezone.now()
        key = current_signing_key(now)
        if key is None:
            key = _make_key(valid_from=now)
            _audit_key(None, key, AuditAction.CREATE)
    return key, now


@lru_cache(maxsize=8)
def _private_key(key_id: str, encrypted: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(documents.b64_std_decode(pii.decrypt(encrypted)))


# ---------------------------------------------------------------------------------------------
# Signing

def _photo_sha256(certificate: Certificate) -> str:
    if not certificate.photo:
        return ""
    digest = hashlib.sha256()
    try:
        with certificate.photo.open("rb") as handle:
            for chunk in iter(lambda: handle.read(65536), b""):
                digest.update(chunk)
    except (OSError, ValueError):
        return ""
    return digest.hexdigest()


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def certificate_payload(certificate: Certificate, *, signed_at: dt.datetime) -> dict:
    """What a certificate's signature covers (rules.documents has the layout): strings only,
    the ID number masked."""
    person = certificate.person
    occupation, level, issuer = certificate.occupation, certificate.level, certificate.issuer
    return {
        "kind": certificate.kind,
        "number": certificate.number,
        "holder": {
            "name": certificate.holder_name,
            "id_type": "resident_id",
            "id_type_name": "居民身份证",
            "id_number_masked": person.id_masked,
        },
        "occupation": {"code": (occupation.code or "") if occupation else "",
                       "name": occupation.name if occupation else ""},
        "work_type": certificate.work_type,
        "level": {"code": level.code if level else "", "name": level.name if level else "",
                  "grade": level.national_grade if level else ""},
        "special_ability_item": certificate.special_ability_item,
        "title": certificate.title,
        "training_start": _date(certificate.training_start),
        "training_end": _date(certificate.training_end),
        "issuer": {"name": certificate.issuer_name,
                   "credit_code": issuer.credit_code if issuer else ""},
        "region": certificate.region.code,
        "issued_on": _date(certificate.issued_on),
        "photo_sha256": _photo_sha256(certificate),
        "status": {"type": "BitstringStatusListEntry", "purpose": "revocation",
                   "list_url": status_list_url(), "index": str(certificate.status_index)},
        "verify_url": verify_url(certificate.number),
        "signed_at": timezone.localtime(signed_at).isoformat(),
    }


def _take_indices(count: int) -> range:
    """`count` consecutive status-list indices (the sequence row locked in the caller's
    transaction)."""
    CertificateSequence.objects.get_or_create(prefix=STATUS_LIST_SEQUENCE)
    sequence = CertificateSequence.objects.select_for_update().get(prefix=STATUS_LIST_SEQUENCE)
    first = sequence.last
    sequence.last = first + count
    sequence.save(update_fields=["last"])
    return range(first, first + count)


SIGNED_FIELDS = ["status_index", "key_id", "signature", "signed_payload"]


def _sign_all(certificates: list[Certificate]) -> None:
    if not certificates:
        return
    if any(not c.number for c in certificates):
        raise DomainError(_("A certificate is numbered before it is signed."), field="number")
    key, now = _signing_key()
    private = _private_key(key.key_id, key.private_key_encrypted)
    missing = [c for c in certificates if c.status_index is None]
    if missing:
        for certificate, index in zip(missing, _take_indices(len(missing)), strict=True):
            certificate.status_index = index
    for certificate in certificates:
        payload = certificate_payload(certificate, signed_at=now)
        document = documents.sign_payload(payload, key_id=key.key_id, private_key=private)
        certificate.signed_payload = payload
        certificate.key_id = key.key_id
        certificate.signature = document["signature"]


@transaction.atomic
def certificate_sign(certificate: Certificate, *, save: bool = True) -> None:
    """Sign one certificate (issuance calls this; no actor, no audit event of its own). Sets
    `status_index` (if not yet set), `signed_payload`, `key_id` and `signature`; saves those
    fields when the certificate is already in the database and `save` is true."""
    _sign_all([certificate])
    if save and certificate.pk:
        certificate.save(update_fields=SIGNED_FIELDS)


@transaction.atomic
def certificates_sign_bulk(certificates, *, save: bool = True) -> None:
    """Sign many certificates with one lock on the status-list sequence and one key look-up
    (a 10,000-candidate import). Select `person`, `occupation`, `level`, `issuer` and `region`
    with them."""
    certificates = list(certificates)
    _sign_all(certificates)
    saved = [c for c in certificates if c.pk]
    if save and saved:
        Certificate.objects.bulk_update(saved, SIGNED_FIELDS, batch_size=1000)


# ---------------------------------------------------------------------------------------------
# Revocation

def _paired(certificate: Certificate) -> Certificate | None:
    if certificate.paired_with_id:
        return certificate.paired_with
    return Certificate.objects.filter(paired_with=certificate).first()


def _revoke_one(*, actor, certificate: Certificate, reason: str, note: str,
                effective: dt.date) -> None:
    history = record_transition(
        CertificateStatusChange, subject_field="certificate", subject=certificate,
        actor=actor, from_status=certificate.status, to_status=CertificateStatus.REVOKED,
        action="revoke", reason=note, effective_date=effective,
        note={"revocation_reason": reason}, reason_required=True)
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_on = effective
    certificate.revocation_reason = reason
    certificate.save(update_fields=["status", "revoked_on", "revocation_reason"])
    audit.record(actor=actor, action=AuditAction.TRANSITION, instance=certificate,
                 before={"status": history.from_status},
                 after={"status": CertificateStatus.REVOKED, "revocation_reason": reason,
                        "revoked_on": effective.isoformat()},
                 reason=note)


@transaction.atomic
def certificate_revoke(*, actor, certificate: Certificate, reason: str, note: str,
                       revoke_paired: bool | None = None,
                       effective_date: dt.date | None = None) -> list[Certificate]:
    """Revoke an issued certificate (reason: fraud or issued in error; `note` says why). The
    status list shows it at once. If the certificate has a 一试双证 pair that is still valid,
    the caller must say whether to revoke it too (`revoke_paired` True/False): left unsaid,
    the call is refused with code "paired_certificate". Returns the certificates revoked."""
    certificate = (Certificate.objects.select_for_update()
                   .filter(pk=certificate.pk).visible_to(actor).first()
                   if certificate.pk else None)
    if certificate is None:
        raise NotFound(_("No such certificate."))
    if not may_revoke(actor, certificate):
        raise Forbidden(_("Only province or city HRSS staff of the certificate's region revoke "
                          "certificates issued here."))
    if reason not in RevocationReason.values:
        raise DomainError(_("Choose the reason for revocation: fraud or issued in error."),
                          field="reason")
    if not (note or "").strip():
        raise DomainError(_("Say why the certificate is revoked."), field="note")
    if certificate.status == CertificateStatus.REVOKED:
        raise DomainError(_("This certificate is already revoked."), field="status",
                          code="no_change")
    effective = effective_date or timezone.localdate()
    if effective > timezone.localdate():
        raise DomainError(_("A revocation cannot take effect in the future."),
                          field="effective_date")
    pair = _paired(certificate)
    targets = [certificate]
    if pair is not None and pair.status == CertificateStatus.VALID:
        if revoke_paired is None:
            raise DomainError(
                _("Certificate %(number)s was issued with this one from the same assessment "
                  "(一试双证). Say whether to revoke it too.") % {"number": pair.number},
                field="revoke_paired", code="paired_certificate")
        if revoke_paired:
            pair = Certificate.objects.select_for_update().get(pk=pair.pk)
            if not may_revoke(actor, pair):
                raise Forbidden(_("Only province or city HRSS staff of the certificate's "
                                  "region revoke certificates issued here."))
            targets.append(pair)
    for target in targets:
        _revoke_one(actor=actor, certificate=target, reason=reason, note=note.strip(),
                    effective=effective)
    return targets
