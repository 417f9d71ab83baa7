"""Recording one outside certificate and marking it verified: who may, the checks of one
certificate, idempotency by number (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jineng.assessment.choices import (
    CertificateKind,
    CertificateOrigin,
)
from jineng.assessment.models import (
    Candidate,
    Certificate,
)
from jineng.assessment.rules import numbering
from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.registry import selectors as registry_selectors
from jineng.registry import services as registry_services
from jineng.registry.models import Occupation, Organization, Person, Region, SkillLevel

OUTSIDE_ORIGINS = (CertificateOrigin.OTHER_PROVINCE, CertificateOrigin.NATIONAL,
                   CertificateOrigin.OTHER_AUTHORITY, CertificateOrigin.LEGACY)
MAX_ROWS = 20_000
EARLIEST = dt.date(1950, 1, 1)
MIGRATE_ACTION = "migrate"


@dataclass(frozen=True)
class OutsideCertificateInput:
    """One certificate issued elsewhere, as printed on it."""

    kind: str  # choices.CertificateKind
    number: str
    origin: str  # one of OUTSIDE_ORIGINS
    id_number: str
    holder_name: str
    issuer_name: str
    issued_on: dt.date
    occupation: Occupation | None = None
    work_type: str = ""
    level: SkillLevel | None = None
    special_ability_item: str = ""
    title: str = ""  # training project; a special-operation certificate's operation type
    training_start: dt.date | None = None
    training_end: dt.date | None = None
    verified: bool = False
    note: str = ""  # how it was verified (when verified)


# The content a repeat must match (model field -> input field named in a Conflict).
CONTENT_FIELDS = {
    "kind": "kind", "origin": "origin", "person_id": "id_number", "holder_name": "holder_name",
    "occupation_id": "occupation", "work_type": "work_type", "level_id": "level",
    "special_ability_item": "special_ability_item", "title": "title",
    "issuer_name": "issuer_name", "issued_on": "issued_on",
    "training_start": "training_start", "training_end": "training_end",
}


# --- who may ---------------------------------------------------------------------------------

def may_record_outside(actor) -> bool:
    """HRSS staff (province, city or county) and the system administrator."""
    scope = scope_of(actor)
    return scope.everything or (bool(getattr(actor, "is_hrss_staff", False))
                                and scope.region_prefix is not None)


def may_import_history(actor) -> bool:
    """The province's or a city's HRSS office (a migration is not a county's job)."""
    scope = scope_of(actor)
    return scope.everything or (bool(getattr(actor, "is_hrss_staff", False))
                                and scope.region_prefix is not None
                                and len(scope.region_prefix) <= 4)


def _ensure_may_record(actor) -> None:
    if not may_record_outside(actor):
        raise Forbidden(_("Certificates from outside are recorded by HRSS staff."))


def _ensure_governs(actor, region: Region) -> None:
    try:
        registry_services.ensure_governs(actor, region)
    except Forbidden:
        raise Forbidden(_("This region is outside your jurisdiction.")) from None


def _username(actor) -> str:
    return getattr(actor, "username", "") or "system"


def _zh(message) -> str:
    """Texts stored for the record (audit reasons, history) are Chinese."""
    with translation.override("zh-hans"):
        return str(message)


# --- checking one certificate ----------------------------------------------------------------

def number_message(problem: numbering.NumberProblem) -> str:
    """A numbering problem in the reader's language."""
    part = {
        numbering.CATEGORY: _("the first letter (Y an employer, S a social evaluation body)"),
        numbering.EVALUATOR: _("the evaluator code"),
        numbering.PROVINCE: _("the province code"),
        numbering.SITE: _("the evaluator (site) code"),
        numbering.YEAR: _("the year"),
        numbering.LEVEL: _("the level digit (1 高级技师 … 5 初级工)"),
        numbering.SEQUENCE: _("the sequence"),
        numbering.PATTERN: _("the province's pattern"),
    }.get(problem.part)
    if problem.code == numbering.EMPTY:
        return _("This field is required.")
    if problem.code == numbering.BAD_LENGTH:
        return _("A skill-level certificate number has a capital letter and 21 digits (22 "
                 "characters); a legacy qualification certificate number 16 or 13 digits.")
    if problem.code == numbering.LEGACY_NOT_ALLOWED:
        return _("A legacy qualification certificate number is accepted only for a "
                 "certificate recorded from elsewhere.")
    if problem.code == numbering.UNKNOWN_KIND:
        return _("Unknown certificate kind.")
    if problem.code == numbering.NO_MATCH:
        return _("The number does not follow the province's pattern.")
    if part is None:
        return _("The number breaks the certificate number layout.")
    return _("The number breaks the certificate number layout at %(part)s.") % {"part": part}


def _text(value: str, model_field: str, name: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(_("This field is required."), field=name, code="required")
    limit = Certificate._meta.get_field(model_field).max_length
    if limit and len(text) > limit:
        raise DomainError(_("At most %(max)d characters.") % {"max": limit}, field=name)
    return text


def _date(value: dt.date | None, name: str, *, required: bool = False) -> dt.date | None:
    if value is None:
        if required:
            raise DomainError(_("This field is required."), field=name, code="required")
        return None
    if value > timezone.localdate():
        raise DomainError(_("The date is in the future."), field=name, code="future")
    if value < EARLIEST:
        raise DomainError(_("The date is out of range."), field=name)
    return value


def _check_number(kind: str, number: str, level: SkillLevel | None, issued_on: dt.date) -> None:
    problem = numbering.validate_number(kind, number, legacy_ok=True)
    if problem is not None:
        raise DomainError(number_message(problem), field="number", code="number_layout")
    if kind == CertificateKind.SKILL_LEVEL:
        parts = numbering.parse_skill_level_number(number)
        if isinstance(parts, numbering.SkillLevelNumber):
            if level is not None and parts.level_code != level.code:
                raise DomainError(_("The number is of another level than the one given."),
                                  field="level", code="level_mismatch")
            if parts.year != issued_on.year:
                raise DomainError(_("The number's year is %(year)s, not the year of issue.")
                                  % {"year": parts.year}, field="issued_on",
                                  code="year_mismatch")
            return
    if kind in (CertificateKind.SKILL_LEVEL, CertificateKind.QUALIFICATION):
        legacy = numbering.parse_legacy_number(number)
        if isinstance(legacy, numbering.LegacyNumber) and legacy.level_code \
                and level is not None and legacy.level_code != level.code:
            raise DomainError(_("The number is of another level than the one given."),
                              field="level", code="level_mismatch")


def _check_kind_fields(kind: str, values: dict[str, Any]) -> None:
    if kind in (CertificateKind.SKILL_LEVEL, CertificateKind.QUALIFICATION):
        if values["occupation"] is None:
            raise DomainError(_("Choose an occupation or work type."), field="occupation",
                              code="required")
        if values["level"] is None:
            raise DomainError(_("Choose the skill level."), field="level", code="required")
        if values["level"].code not in (*numbering.LEVEL_DIGITS.values(),
                                        numbering.TOP_LEVEL_CODE):
            raise DomainError(_("A certificate carries a level from 初级工 to 特级技师."),
                              field="level")
    elif kind == CertificateKind.SPECIAL_ABILITY:
        if values["occupation"] is None and not values["special_ability_item"]:
            raise DomainError(_("Give the special ability item."),
                              field="special_ability_item", code="required")
    elif kind in (CertificateKind.TRAINING, CertificateKind.ENTREPRENEURSHIP):
        if not values["title"]:
            raise DomainError(_("Give the training project."), field="title", code="required")
    elif kind == CertificateKind.SPECIAL_OPERATION and not values["title"] \
            and not values["work_type"]:
        raise DomainError(_("Give the operation type."), field="title", code="required")


def _holder(actor, id_number: str, name: str, persons: dict[str, Person] | None = None,
            ) -> Person:
    ident = registry_services.parse_id_number((id_number or "").strip())
    person = persons.get(ident.number) if persons is not None else None
    if person is None:
        person = registry_selectors.person_list(actor=actor, id_number=ident.number).first()
    if person is None:
        raise DomainError(_("No person with this ID number is registered in your "
                            "jurisdiction; register the person first."), field="id_number",
                          code="unregistered")
    if person.name != name:
        raise DomainError(_("The name does not match the name registered for this ID "
                            "number."), field="holder_name", code="name_mismatch")
    return person


def _validated(actor, data: OutsideCertificateInput, *, origins=OUTSIDE_ORIGINS,
               persons: dict[str, Person] | None = None,
               person: Person | None = None) -> dict[str, Any]:
    """The model values of an outside certificate, every input checked (DomainError naming
    the field)."""
    if data.kind not in CertificateKind.values:
        raise DomainError(_("Unknown certificate kind."), field="kind")
    if data.origin not in origins:
        raise DomainError(_("Choose where the certificate comes from: %(accepted)s.")
                          % {"accepted": ", ".join(str(CertificateOrigin(o).label)
                                                   for o in origins)}, field="origin")
    number = numbering.normalize(data.number)
    if not number:
        raise DomainError(_("This field is required."), field="number", code="required")
    holder_name = _text(data.holder_name, "holder_name", "holder_name", required=True)
    issued_on = _date(data.issued_on, "issued_on", required=True)
    values: dict[str, Any] = {
        "kind": data.kind, "number": number, "origin": data.origin,
        "holder_name": holder_name,
        "occupation": data.occupation, "level": data.level,
        "work_type": _text(data.work_type, "work_type", "work_type"),
        "special_ability_item": _text(data.special_ability_item, "special_ability_item",
                                      "special_ability_item"),
        "title": _text(data.title, "title", "title"),
        "issuer_name": _text(data.issuer_name, "issuer_name", "issuer_name", required=True),
        "issued_on": issued_on,
        "training_start": _date(data.training_start, "training_start"),
        "training_end": _date(data.training_end, "training_end"),
    }
    if values["training_start"] and values["training_end"] \
            and values["training_end"] < values["training_start"]:
        raise DomainError(_("The end date is before the start date."), field="training_end")
    if values["training_end"] and values["training_end"] > issued_on:
        raise DomainError(_("The training ends after the certificate's date."),
                          field="training_end")
    _check_kind_fields(data.kind, values)
    _check_number(data.kind, number, data.level, issued_on)
    note = _text(data.note, "verified_note", "note")
    values["person"] = person or _holder(actor, data.id_number, holder_name, persons)
    values["verified"] = bool(data.verified)
    values["verified_note"] = note if data.verified else ""
    return values


def content_fingerprint(values: dict[str, Any]) -> str:
    """SHA-256 of a certificate's content (CONTENT_FIELDS): equal content, equal print."""
    canonical = {name: _plain(values, name) for name in CONTENT_FIELDS}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()
                          ).hexdigest()


def _plain(values: dict[str, Any], name: str) -> Any:
    if name.endswith("_id"):
        obj = values.get(name[:-3])
        return obj.pk if obj is not None else values.get(name)
    value = values.get(name)
    return value.isoformat() if isinstance(value, dt.date) else value


def _same_or_conflict(existing: Certificate, values: dict[str, Any]) -> Certificate:
    """The recorded certificate if `values` is the same content, else a Conflict naming the
    first field that differs."""
    if existing.origin == CertificateOrigin.ISSUED:
        raise Conflict(_("A certificate with this number was issued here."), field="number",
                       code="number_issued_here")
    if existing.fingerprint == content_fingerprint(values):
        return existing
    stored = {name: getattr(existing, name) for name in CONTENT_FIELDS}
    for name, input_name in CONTENT_FIELDS.items():
        if stored[name] != _plain(values, name) and not (
                isinstance(stored[name], dt.date) and stored[name].isoformat()
                == _plain(values, name)):
            label = str(Certificate._meta.get_field(name.removesuffix("_id")).verbose_name)
            raise Conflict(_("A certificate with this number is already recorded with another "
                             "%(field)s.") % {"field": label}, field=input_name,
                           code="number_reused")
    return existing  # same content, an older print


def _new(actor, values: dict[str, Any], *, issuer: Organization | None = None,
         candidate: Candidate | None = None, now: dt.datetime | None = None) -> Certificate:
    """An unsaved certificate of these (checked) values."""
    now = now or timezone.now()
    verified = values["verified"]
    return Certificate(
        kind=values["kind"], number=values["number"], origin=values["origin"],
        verified=verified, verified_note=values["verified_note"],
        verified_by=_username(actor) if verified else "", verified_at=now if verified else None,
        person=values["person"], holder_name=values["holder_name"],
        occupation=values["occupation"], work_type=values["work_type"], level=values["level"],
        special_ability_item=values["special_ability_item"], title=values["title"],
        training_start=values["training_start"], training_end=values["training_end"],
        issuer=issuer, issuer_name=values["issuer_name"], region=values["person"].region,
        issued_on=values["issued_on"], candidate=candidate,
        fingerprint=content_fingerprint(values), recorded_by=_username(actor))


def _create(actor, values: dict[str, Any]) -> Certificate:
    cert = _new(actor, values)
    cert.save(force_insert=True)
    audit.record(actor=actor, action=AuditAction.CREATE, instance=cert,
                 after=audit.snapshot(cert))
    return cert


BULK_BATCH = 1000


def _bulk_save(actor, certs: list[Certificate], source: str) -> None:
    """Certificates of a file, inserted in batches, with one import event in the trail
    (the rows themselves are the import report's; each certificate keeps who recorded it)."""
    if not certs:
        return
    Certificate.objects.bulk_create(certs, batch_size=BULK_BATCH)
    region = getattr(actor, "region", None)
    audit.record_bulk_import(actor=actor, entity_type="assessment.certificate",
                             count=len(certs), source=source[:200],
                             region_code=getattr(region, "code", "") or "",
                             organization_id=scope_of(actor).organization_id)


def certificate_record_outside(*, actor, data: OutsideCertificateInput,
                               ) -> tuple[Certificate, bool]:
    """Record one certificate issued elsewhere (see the module's docstring). Returns the
    certificate and whether it is new (False: recorded before with the same content)."""
    _ensure_may_record(actor)
    values = _validated(actor, data)
    _ensure_governs(actor, values["person"].region)
    with transaction.atomic():
        existing = Certificate.objects.select_for_update().filter(
            number=values["number"]).first()
        if existing is not None:
            return _same_or_conflict(existing, values), False
        try:
            with transaction.atomic():
                return _create(actor, values), True
        except IntegrityError:  # recorded at the same moment by another request
            existing = Certificate.objects.filter(number=values["number"]).first()
            if existing is None:
                raise
            return _same_or_conflict(existing, values), False


def certificate_mark_verified(*, actor, certificate: Certificate, verified: bool,
                              note: str = "") -> Certificate:
    """Mark a certificate recorded from outside as verified against its issuer (or not), with a
    note saying how (required when withdrawing the mark)."""
    _ensure_may_record(actor)
    with transaction.atomic():
        cert = (Certificate.objects.visible_to(actor).select_for_update()
                .filter(pk=certificate.pk).first())
        if cert is None:
            raise NotFound()
        _ensure_governs(actor, cert.region)
        if cert.origin == CertificateOrigin.ISSUED:
            raise DomainError(_("A certificate issued here is verified by its signature."),
                              field="verified", code="issued_here")
        verified = bool(verified)
        if cert.verified == verified:
            raise DomainError(_("The certificate is already marked so."), field="verified",
                              code="no_change")
        text = _text(note, "verified_note", "note", required=not verified)
        before = {"verified": cert.verified, "verified_note": cert.verified_note}
        cert.verified, cert.verified_note = verified, text
        cert.verified_by, cert.verified_at = _username(actor), timezone.now()
        cert.save(update_fields=["verified", "verified_note", "verified_by", "verified_at"])
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=cert, before=before,
                     after={"verified": verified, "verified_note": text}, reason=text)
    return cert
