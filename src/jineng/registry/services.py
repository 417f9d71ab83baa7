"""Every write to the registries: one transaction, validated, audited."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.core import audit, pii
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.history import record_transition, transition_values
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.core.updates import audited_update
from jineng.core.validators import InvalidIdentifier, parse_credit_code, parse_resident_id
from jineng.registry.choices import (
    InstitutionType,
    KeyGroup,
    OrganizationKind,
    OrganizationStatus,
)
from jineng.registry.hooks import move_person_references
from jineng.registry.models import (
    KeyGroupMembership,
    Organization,
    OrganizationStatusChange,
    Person,
    PersonMerge,
    Region,
    TrainingSite,
)
from jineng.registry.rules import permissions as may
from jineng.registry.rules.identity import id_number_18, known_id_region
from jineng.registry.rules.permissions import ActorFacts, may_unmask_id_number

UNMASK_PERMISSION = "registry.unmask_id_number"

# --- who may write -------------------------------------------------------------------------

def actor_facts(actor, *, unmask: bool = False) -> ActorFacts:
    """What rules.permissions needs to know of an actor (a user, anonymous, or None). The
    unmask permission costs a query or two: it is looked up only with `unmask=True`."""
    scope = scope_of(actor)
    has_perm = getattr(actor, "has_perm", None) if unmask else None
    return ActorFacts(
        everything=scope.everything,
        hrss_staff=bool(getattr(actor, "is_hrss_staff", False)),
        region_prefix=scope.region_prefix, organization_id=scope.organization_id,
        sees_persons=scope.sees_persons,
        may_unmask=bool(has_perm and has_perm(UNMASK_PERMISSION)),
    )


def ensure_governs(actor, region: Region) -> None:
    """Staff may write only inside their region's subtree."""
    facts = actor_facts(actor)
    if not may.is_staff(facts):
        raise Forbidden(_("Only HRSS staff may do this."))
    if not may.governs(facts, region.code):
        raise Forbidden(_("This region is outside your jurisdiction."))


def ensure_manages_organization(actor, organization: Organization) -> None:
    """An organization's own users, or staff governing its region."""
    scope = scope_of(actor)
    if scope.organization_id and scope.organization_id == organization.pk:
        return
    ensure_governs(actor, organization.region)


# --- organizations -----------------------------------------------------------------------

@dataclass(frozen=True)
class OrganizationInput:
    kind: str
    name: str
    credit_code: str
    region: Region
    institution_type: str = ""
    address: str = ""
    legal_representative: str = ""
    contact_phone: str = ""
    sector: str = ""
    credit_code_override: str = ""


def validate_organization(data: OrganizationInput) -> str:
    """Check an organization's fields; returns the normalized credit code."""
    if data.kind not in OrganizationKind.values:
        raise DomainError(_("Unknown organization kind."), field="kind")
    if not data.name.strip():
        raise DomainError(_("This field is required."), field="name")
    for field in ("name", "address", "legal_representative", "contact_phone", "sector"):
        check_length(Organization, field, getattr(data, field).strip())
    if data.kind == OrganizationKind.TRAINING:
        if data.institution_type not in InstitutionType.values:
            raise DomainError(_("Choose the type of training institution."),
                              field="institution_type")
    elif data.institution_type:
        raise DomainError(_("Only training institutions have an institution type."),
                          field="institution_type")
    try:
        code = parse_credit_code(data.credit_code)
    except InvalidIdentifier as bad:
        raise DomainError(str(bad), field="credit_code", code=bad.code) from bad
    if not code.check_ok and not data.credit_code_override.strip():
        raise DomainError(
            _("The check character of this credit code is wrong. If the code is genuine "
              "(some early pilot codes fail the check), give a reason to accept it."),
            field="credit_code", code="check_character",
        )
    return code.code


def organization_create(*, actor, data: OrganizationInput) -> Organization:
    ensure_governs(actor, data.region)
    credit_code = validate_organization(data)
    with transaction.atomic():
        if Organization.objects.filter(credit_code=credit_code).exists():
            raise Conflict(_("An organization with this credit code is already registered."),
                           field="credit_code", code="duplicate")
        org = Organization.objects.create(
            kind=data.kind, institution_type=data.institution_type, name=data.name.strip(),
            credit_code=credit_code, credit_code_override=data.credit_code_override.strip(),
            region=data.region, address=data.address,
            legal_representative=data.legal_representative,
            contact_phone=data.contact_phone, sector=data.sector,
            status=OrganizationStatus.LISTED, status_since=timezone.localdate(),
        )
        record_transition(OrganizationStatusChange, subject_field="organization", subject=org,
                          actor=actor, action=REGISTER, from_status="",
                          to_status=OrganizationStatus.LISTED, reason=_("Registered"),
                          effective_date=org.status_since)
        audit.record(actor=actor, action=AuditAction.CREATE, instance=org,
                     after=audit.snapshot(org), reason=data.credit_code_override)
    return org


ALLOWED_STATUS_CHANGES = {
    OrganizationStatus.LISTED: {OrganizationStatus.SUSPENDED, OrganizationStatus.REVOKED},
    OrganizationStatus.SUSPENDED: {OrganizationStatus.LISTED, OrganizationStatus.REVOKED},
    OrganizationStatus.REVOKED: set(),
}


# The history's action for each status an organization moves to (its first entry: REGISTER).
REGISTER = "register"
STATUS_ACTIONS = {
    OrganizationStatus.LISTED: "reinstate",
    OrganizationStatus.SUSPENDED: "suspend",
    OrganizationStatus.REVOKED: "revoke",
}


def organization_change_status(*, actor, organization: Organization, status: str, reason: str,
                               effective_date: dt.date | None = None) -> Organization:
    """List, suspend or revoke an organization; revocation is final. Staff only."""
    ensure_governs(actor, organization.region)
    if not reason.strip():
        raise DomainError(_("Give a reason for the status change."), field="reason")
    effective = effective_date or timezone.localdate()
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        if status not in ALLOWED_STATUS_CHANGES.get(org.status, set()):
            raise DomainError(
                _("Cannot change status from %(old)s to %(new)s.")
                % {"old": org.get_status_display(), "new": status}, field="status")
        if effective < org.status_since:
            raise DomainError(_("The effective date is before the current status began."),
                              field="effective_date")
        before = audit.snapshot(org)
        record_transition(OrganizationStatusChange, subject_field="organization", subject=org,
                          actor=actor, action=STATUS_ACTIONS.get(status, ""),
                          from_status=org.status, to_status=status, reason=reason,
                          reason_required=True, effective_date=effective)
        org.status, org.status_since = status, effective
        org.save(update_fields=["status", "status_since"])
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=org,
                     before={"status": before["status"]}, after={"status": status},
                     reason=reason.strip())
    return org


# --- sites --------------------------------------------------------------------------------

@dataclass(frozen=True)
class SiteInput:
    organization: Organization
    name: str
    address: str
    region: Region
    longitude: object
    latitude: object
    capacity: int


def site_create(*, actor, data: SiteInput) -> TrainingSite:
    ensure_manages_organization(actor, data.organization)
    if scope_of(actor).organization_id != data.organization.pk:
        ensure_governs(actor, data.region)  # staff place sites only inside their jurisdiction
    if data.capacity is None or int(data.capacity) <= 0:
        raise DomainError(_("Capacity must be a positive number."), field="capacity")
    if not (73 <= float(data.longitude) <= 136):
        raise DomainError(_("Longitude is outside China."), field="longitude")
    if not (3 <= float(data.latitude) <= 54):
        raise DomainError(_("Latitude is outside China."), field="latitude")
    with transaction.atomic():
        if TrainingSite.objects.filter(organization=data.organization, name=data.name).exists():
            raise Conflict(_("This organization already has a site with this name."),
                           field="name", code="duplicate")
        site = TrainingSite.objects.create(
            organization=data.organization, name=data.name, address=data.address,
            region=data.region, longitude=data.longitude, latitude=data.latitude,
            capacity=data.capacity,
        )
        audit.record(actor=actor, action=AuditAction.CREATE, instance=site,
                     after=audit.snapshot(site))
    return site


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


# --- corrections (audited, with a reason) --------------------------------------------------

PHONE_PATTERN = re.compile(r"[0-9+\- ]{5,20}")


def check_length(model, field: str, value: str) -> None:
    """The model field's max_length, enforced at every entry point as the forms enforce it."""
    limit = model._meta.get_field(field).max_length
    if limit and len(value) > limit:
        raise DomainError(_("At most %(max)d characters (this has %(n)d).")
                          % {"max": limit, "n": len(value)}, field=field, code="too_long")


def _require_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for the change; it is kept in the audit trail."),
                          field="reason")
    return reason.strip()


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


ORGANIZATION_EDITABLE = ("name", "institution_type", "address", "legal_representative",
                         "contact_phone", "sector")


@dataclass(frozen=True)
class OrganizationChanges:
    """Corrections to an organization's details; None leaves a field as it is. The credit code
    and the kind identify the organization and are not edited."""

    name: str | None = None
    institution_type: str | None = None
    address: str | None = None
    legal_representative: str | None = None
    contact_phone: str | None = None
    sector: str | None = None
    region: Region | None = None


def ensure_may_edit_organization(actor, organization: Organization) -> None:
    if not may.may_edit_organization(actor_facts(actor), organization.region.code):
        raise Forbidden(_("Only HRSS staff of the organization's region may correct its "
                          "details."))


def organization_update(*, actor, organization: Organization, changes: OrganizationChanges,
                        reason: str) -> Organization:
    """Correct an organization's details (name, type, address, legal representative, phone,
    sector, region). Staff governing its region (and the new one); audited field by field with
    the reason; sending what is stored changes nothing and records nothing."""
    if not Organization.objects.visible_to(actor).filter(pk=organization.pk).exists():
        raise NotFound()
    ensure_may_edit_organization(actor, organization)
    if changes.region is not None:
        ensure_governs(actor, changes.region)
    wanted: dict = {}
    for field in ORGANIZATION_EDITABLE:
        value = getattr(changes, field)
        if value is None:
            continue
        value = value.strip()
        check_length(Organization, field, value)
        wanted[field] = value
    if "name" in wanted and not wanted["name"]:
        raise DomainError(_("This field is required."), field="name")
    if "institution_type" in wanted:
        if organization.kind == OrganizationKind.TRAINING:
            if wanted["institution_type"] not in InstitutionType.values:
                raise DomainError(_("Choose the type of training institution."),
                                  field="institution_type")
        elif wanted["institution_type"]:
            raise DomainError(_("Only training institutions have an institution type."),
                              field="institution_type")
    if wanted.get("contact_phone") and not PHONE_PATTERN.fullmatch(
            wanted["contact_phone"].replace("—", "-")):
        raise DomainError(_("Not a phone number."), field="contact_phone")
    if changes.region is not None:
        wanted["region"] = changes.region
    reason = _require_reason(reason)
    audited_update(actor=actor, instance=organization, changes=wanted, reason=reason,
                   allowed_fields=(*ORGANIZATION_EDITABLE, "region"))
    return organization


# --- merging a person registered twice -----------------------------------------------------

def ensure_may_merge(actor, duplicate: Person, survivor: Person) -> None:
    if not may.may_merge_persons(actor_facts(actor), duplicate.region.code,
                                 survivor.region.code):
        raise Forbidden(_("Only HRSS staff governing both persons' regions may merge them."))


def _move_key_groups(duplicate: Person, survivor: Person) -> int:
    """Memberships move to the survivor; one the survivor already has (same group and start)
    is kept once, the survivor's."""
    held = set(KeyGroupMembership.objects.filter(person=survivor)
               .values_list("group", "start_date"))
    moved = 0
    for row in KeyGroupMembership.objects.filter(person=duplicate).select_for_update():
        if (row.group, row.start_date) in held:
            row.delete()
        else:
            row.person = survivor
            row.save(update_fields=["person"])
            moved += 1
    return moved


def person_merge(*, actor, duplicate: Person, survivor: Person, reason: str) -> PersonMerge:
    """Merge a person registered twice (an old 15-digit number and its 18-character form, a
    typo corrected later) into the surviving record. Everything attached moves to the survivor:
    key-group memberships here, and whatever higher apps registered in
    `registry.hooks.person_reference_movers` (training enrollments, …). The duplicate is kept,
    marked `merged_into` the survivor (its number still finds the survivor); nothing is
    deleted. Both persons are locked; the merge is one transaction and one audit event.

    Either person out of the actor's scope answers NotFound; staff governing both regions only
    (Forbidden); a person already merged, or the same person twice, is a Conflict."""
    visible = Person.objects.visible_to(actor)
    if not visible.filter(pk=duplicate.pk).exists():
        raise NotFound()
    if not visible.filter(pk=survivor.pk).exists():
        raise DomainError(_("No such person."), field="survivor", code="not_found")
    ensure_may_merge(actor, duplicate, survivor)
    if duplicate.pk == survivor.pk:
        raise DomainError(_("A person cannot be merged into themselves."), field="survivor")
    reason = _require_reason(reason)
    with transaction.atomic():
        locked = {p.pk: p for p in Person.objects.select_for_update()
                  .filter(pk__in=[duplicate.pk, survivor.pk]).order_by("pk")}
        duplicate, survivor = locked[duplicate.pk], locked[survivor.pk]
        if duplicate.merged_into_id:
            raise Conflict(_("This person was already merged into another record."),
                           field="", code="already_merged")
        if survivor.merged_into_id:
            raise Conflict(_("The surviving record was itself merged into another; merge into "
                             "that one."), field="survivor", code="already_merged")
        moved = {"registry.key_group_membership": _move_key_groups(duplicate, survivor)}
        moved.update(move_person_references(duplicate=duplicate, survivor=survivor,
                                            actor=actor))
        duplicate.merged_into = survivor
        duplicate.save(update_fields=["merged_into"])
        merge = PersonMerge.objects.create(
            duplicate=duplicate, survivor=survivor, reason=reason, moved=moved,
            merged_by=getattr(actor, "username", "") or "system")
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=duplicate,
                     before={"merged_into_id": None},
                     after={"merged_into_id": survivor.pk, "survivor": str(survivor),
                            "moved": moved},
                     reason=reason)
    return merge


# --- bulk imports
# Used by registry.importers once every row of a file has been parsed and checked. Each function
# writes in chunks inside the caller's transaction and records ONE audit event for the import
# (the import report lists the rows). They re-check the actor's right to write each row as a
# safety net; the importers already turned those cases into row errors.

BULK_CHUNK = 500


def _actor_region_code(actor) -> str:
    return actor.region.code if getattr(actor, "region_id", None) else ""


def _ensure_may_write_in(actor, region: Region) -> None:
    """Staff write inside their subtree; organization users are checked by the caller."""
    if scope_of(actor).organization_id:
        return
    ensure_governs(actor, region)


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    parent_code: str = ""
    longitude: object = None
    latitude: object = None


REGION_LEVEL_ORDER = ("province", "city", "county", "town", "village")


@transaction.atomic  # the rows and their one audit event stand or fall together
def region_bulk_create(*, actor, rows: list[RegionRow], source: str) -> int:
    """Add regions (typically towns and villages by 12-digit statistical codes), parents before
    children; a parent is an existing region or one created earlier in the same call."""
    if not rows:
        return 0
    for row in rows:
        ensure_governs(actor, Region(code=row.code, level=row.level))
    codes = {r.parent_code for r in rows if r.parent_code}
    known = {reg.code: reg for reg in Region.objects.filter(code__in=codes)}
    created = 0
    for level in REGION_LEVEL_ORDER:
        batch = [r for r in rows if r.level == level]
        for chunk in _chunks(batch):
            for r in chunk:
                if r.parent_code and r.parent_code not in known:
                    raise DomainError(_("Unknown parent region %(code)s.")
                                      % {"code": r.parent_code}, field="parent_code")
            Region.objects.bulk_create([
                Region(code=r.code, name=r.name, level=r.level,
                       parent=known.get(r.parent_code), longitude=r.longitude,
                       latitude=r.latitude, source=source[:200])
                for r in chunk
            ])
            known.update({reg.code: reg for reg in
                          Region.objects.filter(code__in=[r.code for r in chunk])})
            created += len(chunk)
    audit.record_bulk_import(actor=actor, entity_type="registry.region", count=created,
                             source=source, region_code=_actor_region_code(actor))
    return created


@transaction.atomic  # the rows and their one audit event stand or fall together
def organization_bulk_create(*, actor, rows: list[OrganizationInput], source: str) -> int:
    """Register organizations whose fields `validate_organization` accepted (credit codes
    normalized); each gets its first status-history entry, 'listed'."""
    if not rows:
        return 0
    for data in rows:
        ensure_governs(actor, data.region)
    today = timezone.localdate()
    first_entry = transition_values(actor=actor, action=REGISTER, from_status="",
                                    to_status=OrganizationStatus.LISTED, reason=_("Registered"),
                                    effective_date=today, today=today)
    for chunk in _chunks(rows):
        Organization.objects.bulk_create([
            Organization(
                kind=d.kind, institution_type=d.institution_type, name=d.name.strip(),
                credit_code=d.credit_code, credit_code_override=d.credit_code_override.strip(),
                region=d.region, address=d.address, legal_representative=d.legal_representative,
                contact_phone=d.contact_phone, sector=d.sector,
                status=OrganizationStatus.LISTED, status_since=today,
            )
            for d in chunk
        ])
        pks = Organization.objects.filter(
            credit_code__in=[d.credit_code for d in chunk]).values_list("pk", flat=True)
        OrganizationStatusChange.objects.bulk_create([
            OrganizationStatusChange(organization_id=pk, **first_entry) for pk in pks
        ])
    audit.record_bulk_import(actor=actor, entity_type="registry.organization",
                             count=len(rows), source=source,
                             region_code=_actor_region_code(actor))
    return len(rows)


@transaction.atomic  # the rows and their one audit event stand or fall together
def site_bulk_create(*, actor, rows: list[SiteInput], source: str) -> int:
    """Add training sites (fields already checked as `site_create` checks them)."""
    if not rows:
        return 0
    for data in rows:
        ensure_manages_organization(actor, data.organization)
        _ensure_may_write_in(actor, data.region)
    for chunk in _chunks(rows):
        TrainingSite.objects.bulk_create([
            TrainingSite(organization=d.organization, name=d.name, address=d.address,
                         region=d.region, longitude=d.longitude, latitude=d.latitude,
                         capacity=d.capacity)
            for d in chunk
        ])
    audit.record_bulk_import(actor=actor, entity_type="registry.trainingsite",
                             count=len(rows), source=source,
                             region_code=_actor_region_code(actor),
                             organization_id=scope_of(actor).organization_id)
    return len(rows)


@dataclass(frozen=True)
class PersonBulkRow:
    """One person of an import: `ident` is the parsed, valid ID number."""

    ident: object  # jineng.core.validators.ResidentId
    name: str
    region: Region
    id_region_id: int | None
    phone: str = ""
    key_groups: tuple[tuple[str, dt.date], ...] = ()
    address: str = ""


@transaction.atomic  # the rows and their one audit event stand or fall together
def person_bulk_register(*, actor, rows: list[PersonBulkRow], source: str) -> int:
    """Register many persons at once. Staff register inside their subtree; an institution's
    users register persons as that institution (`registered_by`). A concurrent registration of
    the same ID number makes the whole import fail with a conflict (nothing is written)."""
    if not rows:
        return 0
    scope = scope_of(actor)
    registered_by_id = scope.organization_id
    if not registered_by_id:
        for data in rows:
            ensure_governs(actor, data.region)
    try:
        with transaction.atomic():
            for chunk in _chunks(rows):
                hashes = {pii.keyed_hash(d.ident.number): d for d in chunk}
                Person.objects.bulk_create([
                    Person(id_hash=h, id_encrypted=pii.encrypt(d.ident.number),
                           id_masked=pii.mask_id_number(d.ident.number), name=d.name.strip(),
                           gender=d.ident.gender, birth_date=d.ident.birth_date,
                           id_region_id=d.id_region_id, region=d.region,
                           phone=d.phone.strip(), address=d.address.strip(),
                           registered_by_id=registered_by_id)
                    for h, d in hashes.items()
                ])
                pks = dict(Person.objects.filter(id_hash__in=list(hashes))
                           .values_list("id_hash", "pk"))
                KeyGroupMembership.objects.bulk_create([
                    KeyGroupMembership(person_id=pks[h], group=group, start_date=start)
                    for h, d in hashes.items() for group, start in d.key_groups
                ])
    except IntegrityError as exc:
        raise Conflict(_("A person in this file was registered by someone else meanwhile; "
                         "import the file again."), field="id_number", code="duplicate") from exc
    audit.record_bulk_import(actor=actor, entity_type="registry.person", count=len(rows),
                             source=source, region_code=_actor_region_code(actor),
                             organization_id=registered_by_id)
    return len(rows)


def _chunks(items: list, size: int = BULK_CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]
