"""The worker's identity check before they see their own skill record on the public site, and
the audited openings of a skill record (a worker's own; a printable copy for staff).

These are public writes: `actor` is the visitor (anonymous, or whoever is signed in); the
identity check itself is the permission. The answer never tells whether the ID number and name
belong to a registered person: a start always creates a check and always answers the same
way, and a code for a check that sent none is simply wrong. Codes are kept as keyed hashes,
expire, allow a few tries, and starts are limited per person and per client address
(rules/records.py has the figures). The audit trail keeps masked data only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.assessment.models import IdentityChallenge
from jineng.assessment.rules import records as rules
from jineng.assessment.selectors.records import SkillRecord, own_skill_record, skill_record
from jineng.core import audit, pii, sms
from jineng.core.errors import DomainError
from jineng.core.models import AuditAction
from jineng.registry import selectors as registry_selectors
from jineng.registry.models import Person

__all__ = [
    "ChallengeStarted",
    "identity_challenge_start",
    "identity_challenge_verify",
    "own_skill_record_open",
    "skill_record_export",
]

ENTITY = "assessment.identitychallenge"
RECORD_ENTITY = "assessment.skillrecord"
WRONG_CODE = gettext_lazy("The code is wrong or has expired. Start again if you need a new "
                          "code.")


@dataclass(frozen=True)
class ChallengeStarted:
    """What the page keeps (the check's id, in the visitor's session) and may show:
    `demo_code` only in the demo with no SMS gateway configured, and only when a code was
    sent; empty otherwise."""

    challenge_id: int
    expires_at: dt.datetime
    demo_code: str = ""


def _code_hash(challenge_id: int, code: str) -> str:
    return salted_hmac("jineng.assessment.identity_challenge", f"{challenge_id}:{code}",
                       algorithm="sha256").hexdigest()


def _address(client_address: str | None) -> str:
    return (client_address or "").strip()[:64]


def _ip(client_address: str) -> str | None:
    import ipaddress

    try:
        return str(ipaddress.ip_address(client_address))
    except ValueError:
        return None


def identity_challenge_start(*, actor, id_number: str, name: str,
                             client_address: str | None = None) -> ChallengeStarted:
    """Start an identity check: if the ID number and name match a registered person with a
    phone (and the person has not had too many codes this hour), send a one-time code to that
    phone. The answer is the same either way. Refused (nothing written): an invalid ID number,
    no name, or too many starts from this client address in the last hour."""
    number = registry_selectors.whole_id_number(id_number or "")
    if number is None:
        raise DomainError(_("Enter a valid ID number (18 characters, or an old 15-digit one)."),
                          field="id_number")
    if not "".join((name or "").split()):
        raise DomainError(_("Enter your name as registered."), field="name", code="required")
    address = _address(client_address)
    now = timezone.now()
    since = now - rules.LIMIT_WINDOW
    code = ""
    with transaction.atomic():
        if address and IdentityChallenge.objects.filter(
                client_address=address, created_at__gte=since).count() \
                >= rules.STARTS_PER_ADDRESS:
            raise DomainError(_("Too many identity checks from your address. Try again in an "
                                "hour."), code="too_many")
        person = registry_selectors.person_holding_number(number)
        matched = (person is not None and bool(person.phone.strip())
                   and rules.names_match(person.name, name))
        if matched:
            sent_lately = IdentityChallenge.objects.filter(
                person=person, created_at__gte=since).exclude(code_hash="").count()
            send = sent_lately < rules.CODES_PER_PERSON
        else:
            person, send = None, False
        challenge = IdentityChallenge.objects.create(
            person=person, expires_at=now + rules.CODE_TTL, client_address=address)
        if send:
            code = rules.new_code()
            challenge.code_hash = _code_hash(challenge.pk, code)
            challenge.save(update_fields=["code_hash"])
        audit.record(
            actor=actor, action=AuditAction.CREATE, entity_type=ENTITY,
            entity_id=str(challenge.pk),
            label=f"{_('identity check')} {pii.mask_id_number(number)}",
            region_code=person.region.code if person else "",
            after={"id_masked": pii.mask_id_number(number), "name": rules.mask_name(name),
                   "matched": matched, "code_sent": bool(code),
                   "phone": rules.mask_phone(person.phone) if person else ""},
            ip_address=_ip(address))
        if code:
            phone, text = person.phone, _(
                "Your jineng verification code is %(code)s. It is valid for %(minutes)s "
                "minutes. Do not tell anyone.") % {
                "code": code, "minutes": int(rules.CODE_TTL.total_seconds() // 60)}
            transaction.on_commit(lambda: sms.send(phone, text))
    show = bool(code) and settings.DEMO and not sms.gateway_configured()
    return ChallengeStarted(challenge_id=challenge.pk, expires_at=challenge.expires_at,
                            demo_code=code if show else "")


def identity_challenge_verify(*, actor, challenge_id: int | None, code: str,
                              client_address: str | None = None) -> int:
    """The verified person's id, if `code` is the code of this check, in time and within the
    tries; the check is then used up. A wrong code counts a try (kept, and audited as a failed
    check); an unknown, expired, used-up or codeless check answers the same as a wrong code."""
    if not rules.looks_like_code(code):
        raise DomainError(_("Enter the 6-digit code from the text message."), field="code")
    address = _address(client_address)
    now = timezone.now()
    wrong = False
    with transaction.atomic():
        challenge = (IdentityChallenge.objects.select_for_update()
                     .select_related("person", "person__region")
                     .filter(pk=challenge_id or 0, used_at__isnull=True, expires_at__gt=now,
                             attempts__lt=rules.MAX_ATTEMPTS, person__isnull=False)
                     .exclude(code_hash="").first())
        if challenge is None:
            raise DomainError(str(WRONG_CODE), field="code", code="wrong_code")
        person = challenge.person
        common = {"actor": actor, "entity_type": ENTITY, "entity_id": str(challenge.pk),
                  "label": f"{_('identity check')} {person.id_masked}",
                  "region_code": person.region.code, "ip_address": _ip(address)}
        if not constant_time_compare(challenge.code_hash,
                                     _code_hash(challenge.pk, code.strip())):
            challenge.attempts += 1
            challenge.save(update_fields=["attempts"])
            audit.record(action=AuditAction.LOGIN_FAILED,
                         after={"attempts": challenge.attempts,
                                "left": rules.MAX_ATTEMPTS - challenge.attempts}, **common)
            wrong = True
        else:
            challenge.used_at = now
            challenge.save(update_fields=["used_at"])
            audit.record(action=AuditAction.LOGIN, after={"verified": True,
                                                          "id_masked": person.id_masked},
                         **common)
    if wrong:  # the try is kept (committed above): five wrong codes use the check up
        raise DomainError(str(WRONG_CODE), field="code", code="wrong_code")
    return person.pk


def own_skill_record_open(*, actor, verified_person_id: int, fmt: str = "page",
                          client_address: str | None = None) -> SkillRecord:
    """The worker's own record, for the person id the identity check verified (kept in their
    session); each opening (page or PDF) is audited with the masked ID number."""
    record = own_skill_record(verified_person_id=verified_person_id)
    _record_opened(actor=actor, person=record.person, fmt=fmt, by="identity_check",
                   client_address=client_address)
    return record


def skill_record_export(*, actor, person: Person | int, fmt: str = "pdf",
                        client_address: str | None = None) -> SkillRecord:
    """A printable copy of a person's record for staff in scope (NotFound otherwise): the
    record leaves the system, so the export is audited."""
    record = skill_record(actor=actor, person=person)
    _record_opened(actor=actor, person=record.person, fmt=fmt, by="staff",
                   client_address=client_address)
    return record


def _record_opened(*, actor, person: Person, fmt: str, by: str,
                   client_address: str | None) -> None:
    if fmt not in {"page", "pdf"}:
        raise DomainError(_("Choose page or pdf."), field="fmt")
    with transaction.atomic():
        audit.record(actor=actor, action=AuditAction.EXPORT, entity_type=RECORD_ENTITY,
                     entity_id=str(person.pk),
                     label=f"{_('skill record')} {person.id_masked}",
                     region_code=person.region.code,
                     after={"format": fmt, "by": by, "id_masked": person.id_masked},
                     ip_address=_ip(_address(client_address)))
