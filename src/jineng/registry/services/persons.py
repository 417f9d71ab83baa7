"""Writes of real-name persons: ID numbers (parsed, their region resolved), registering a person,
the audited unmask and search by whole ID number, key-group memberships, and correcting a
person's details (audited with the reason)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.core import audit, pii
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.core.updates import audited_update
from jineng.core.validators import InvalidIdentifier, parse_resident_id
from jineng.registry.choices import KeyGroup
from jineng.registry.models import KeyGroupMembership, Person, Region
from jineng.registry.rules import permissions as may
from jineng.registry.rules.identity import id_number_18, known_id_region
from jineng.registry.rules.permissions import may_unmask_id_number
from jineng.registry.services.common import (
    PHONE_PATTERN,
    _actor_region_code,
    _require_reason,
    actor_facts,
    check_length,
    ensure_governs,
)

# --- persons ------------------------------------------------------------------------------

def parse_id_number(raw: str, *, field: str = "id_number"):
    """A valid ID number, an old 15-digit one converted to its 18-character form first."""
    try:
        return parse_resident_id(id_number_18(raw))
    except InvalidIdentifier as bad:
        raise DomainError(str(bad), field=field, code=bad.code) from bad


def resolve_id_region(region_code6: str, known: dict[str, int] | None = None) -> int | None:
    """The Region pk an ID prefix belongs to; DomainError if its province is unknown."""
    if known is None:
        codes = [region_code6, region_code6[:4] + "00", region_code6[:2] + "0000"]
        known = dict(Region.objects.filter(code__in=codes).values_list("code", "pk"))
    code = known_id_region(region_code6, known)
    if code is None:
        raise DomainError(_("The ID number's region code %(code)s is not a known region.")
                          % {"code": region_code6}, field="id_number", code="region")
    return known[code]


@dataclass(frozen=True)
class PersonInput:
    id_number: str
    name: str
    region: Region
    phone: str = ""
    key_groups: tuple[tuple[str, dt.date] | tuple[str, dt.date, dt.date | None], ...] = ()
    address: str = ""


def person_register(*, actor, data: PersonInput) -> Person:
    """Register one real-name person. A second registration of the same ID number is refused
    (the existing record is the one to use)."""
    scope = scope_of(actor)
    registered_by = None
    if scope.organization_id:
        registered_by = actor.organization
    else:
        ensure_governs(actor, data.region)
    ident = parse_id_number(data.id_number)
    if not data.name.strip():
        raise DomainError(_("This field is required."), field="name")
    check_length(Person, "name", data.name.strip())
    check_length(Person, "phone", data.phone.strip())
    check_length(Person, "address", data.address.strip())
    for group, *_dates in data.key_groups:
        if group not in KeyGroup.values:
            raise DomainError(_("Unknown key group: %(group)s") % {"group": group},
                              field="key_groups")
    id_region_id = resolve_id_region(ident.region_code)
    id_hash = pii.keyed_hash(ident.number)
    try:
        with transaction.atomic():
            person = Person.objects.create(
                id_hash=id_hash, id_encrypted=pii.encrypt(ident.number),
                id_masked=pii.mask_id_number(ident.number), name=data.name.strip(),
                gender=ident.gender, birth_date=ident.birth_date, id_region_id=id_region_id,
                region=data.region, phone=data.phone.strip(), address=data.address.strip(),
                registered_by=registered_by,
            )
            # (group, start) or, for a membership already ended (a migration), (group,
            # start, end).
            for group, start, *end in data.key_groups:
                KeyGroupMembership.objects.create(person=person, group=group, start_date=start,
                                                  end_date=end[0] if end else None)
            after = audit.snapshot(person)
            if data.key_groups:
                after["key_groups"] = [[g, start.isoformat(), *(e.isoformat() for e in end
                                                               if e)]
                                       for g, start, *end in data.key_groups]
            audit.record(actor=actor, action=AuditAction.CREATE, instance=person, after=after)
    except IntegrityError as exc:
        if Person.objects.filter(id_hash=id_hash).exists():
            raise Conflict(_("A person with this ID number is already registered."),
                           field="id_number", code="duplicate") from exc
        raise
    return person


def _in_chinese(message) -> str:
    """Text stored in the audit trail is Chinese whatever the language of the request (the
    trail is read by auditors, and unmask reasons are typed in Chinese)."""
    with translation.override("zh-hans"):
        return str(message)


def person_unmask_id(*, actor, person: Person, reason: str = "",
                     ip_address: str | None = None) -> str:
    """The whole ID number, for an actor with the permission; every call is audited, a refused
    one too (action unmask, outcome refused). A person outside the actor's scope answers
    NotFound, whatever the permission."""
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise NotFound()
    if not may_unmask_id_number(actor_facts(actor, unmask=True)):
        with transaction.atomic():
            refused = _in_chinese(gettext_lazy("Refused: no permission to see whole ID "
                                               "numbers."))
            audit.record(actor=actor, action=AuditAction.UNMASK, instance=person,
                         after={"outcome": "refused"},
                         reason=f"{refused} {reason.strip()}".strip(), ip_address=ip_address)
        raise Forbidden(_("You may not see whole ID numbers."))
    if not reason.strip():
        raise DomainError(_("Give a reason for seeing the whole ID number."), field="reason")
    with transaction.atomic():
        audit.record(actor=actor, action=AuditAction.UNMASK, instance=person,
                     after={"outcome": "shown"}, reason=reason.strip(), ip_address=ip_address)
    return pii.decrypt(person.id_encrypted)


def person_search_by_id_number(*, actor, id_number: str,
                               ip_address: str | None = None) -> list[Person]:
    """The person (if any, in the actor's scope) with this whole ID number; the search is
    audited like an unmask, found or not, since it ties a whole number to a person. The trail
    keeps the masked number only. DomainError if the text is not a whole ID number."""
    from jineng.registry import selectors

    number = selectors.whole_id_number(id_number)
    if number is None:
        raise DomainError(_("Enter a valid ID number (18 characters, or an old 15-digit one)."),
                          field="id_number")
    found = list(selectors.person_list(actor=actor, id_number=number)
                 .defer("id_encrypted", "id_hash").prefetch_related("key_groups"))
    searched = _in_chinese(gettext_lazy("Search by whole ID number"))
    with transaction.atomic():
        if found:
            audit.record(actor=actor, action=AuditAction.UNMASK, instance=found[0],
                         after={"outcome": "search", "found": 1}, reason=searched,
                         ip_address=ip_address)
        else:
            audit.record(actor=actor, action=AuditAction.UNMASK,
                         entity_type="registry.person", label=pii.mask_id_number(number),
                         region_code=_actor_region_code(actor),
                         organization_id=scope_of(actor).organization_id,
                         after={"outcome": "search", "found": 0}, reason=searched,
                         ip_address=ip_address)
    return found


def key_group_add(*, actor, person: Person, group: str, start_date: dt.date,
                  end_date: dt.date | None = None, source: str = "") -> KeyGroupMembership:
    ensure_governs(actor, person.region)
    if group not in KeyGroup.values:
        raise DomainError(_("Unknown key group: %(group)s") % {"group": group}, field="group")
    if end_date and end_date < start_date:
        raise DomainError(_("The end date is before the start date."), field="end_date")
    with transaction.atomic():
        row = KeyGroupMembership.objects.create(person=person, group=group,
                                                start_date=start_date, end_date=end_date,
                                                source=source)
        audit.record(actor=actor, action=AuditAction.CREATE, instance=row,
                     after=audit.snapshot(row))
    return row


# --- corrections (audited, with a reason) -------------------------------------------------

PERSON_EDITABLE = ("name", "phone", "address", "region")


@dataclass(frozen=True)
class PersonChanges:
    """Corrections to a person's details; None leaves a field as it is. The ID number is not
    corrected here: a wrong number is a second registration, merged into the right one."""

    name: str | None = None
    phone: str | None = None
    region: Region | None = None
    address: str | None = None


def person_update(*, actor, person: Person, changes: PersonChanges, reason: str) -> Person:
    """Correct a person's name, phone, residence address or region served in. Staff governing
    the person's region (and the new region, when it moves) only; the audit event keeps the
    changed fields before and after, and the reason. Sending what is stored changes nothing
    and records nothing."""
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise NotFound()
    ensure_may_edit_person(actor, person)
    if changes.region is not None and not may.may_edit_person(actor_facts(actor),
                                                             changes.region.code):
        raise Forbidden(_("This region is outside your jurisdiction."))
    wanted: dict = {}
    if changes.name is not None:
        name = changes.name.strip()
        if not name:
            raise DomainError(_("This field is required."), field="name")
        check_length(Person, "name", name)
        wanted["name"] = name
    if changes.phone is not None:
        phone = changes.phone.strip()
        check_length(Person, "phone", phone)
        if phone and not PHONE_PATTERN.fullmatch(phone):
            raise DomainError(_("Not a phone number."), field="phone")
        wanted["phone"] = phone
    if changes.address is not None:
        address = changes.address.strip()
        check_length(Person, "address", address)
        wanted["address"] = address
    if changes.region is not None:
        wanted["region"] = changes.region
    reason = _require_reason(reason)

    def not_merged(locked: Person) -> None:
        if locked.merged_into_id:
            raise Conflict(_("This person was merged into another record; correct that one."),
                           field="", code="merged")

    audited_update(actor=actor, instance=person, changes=wanted, reason=reason,
                   allowed_fields=PERSON_EDITABLE, check=not_merged)
    return person


def ensure_may_edit_person(actor, person: Person) -> None:
    if not may.may_edit_person(actor_facts(actor), person.region.code):
        raise Forbidden(_("Only HRSS staff of the person's region may correct their details."))
