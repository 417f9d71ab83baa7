"""Every write to the registries: one transaction, validated, audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit, pii
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.core.validators import InvalidIdentifier, parse_credit_code, parse_resident_id
from jineng.registry.choices import (
    InstitutionType,
    KeyGroup,
    OrganizationKind,
    OrganizationStatus,
)
from jineng.registry.models import (
    KeyGroupMembership,
    Organization,
    OrganizationStatusChange,
    Person,
    Region,
    TrainingSite,
)
from jineng.registry.rules.identity import known_id_region

# --- who may write -------------------------------------------------------------------------

def ensure_governs(actor, region: Region) -> None:
    """Staff may write only inside their region's subtree."""
    scope = scope_of(actor)
    if scope.everything:
        return
    if not getattr(actor, "is_hrss_staff", False) or scope.region_prefix is None:
        raise Forbidden(_("Only HRSS staff may do this."))
    if not region.code.startswith(scope.region_prefix):
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
        OrganizationStatusChange.objects.create(
            organization=org, status=OrganizationStatus.LISTED, effective_date=org.status_since,
            reason=_("Registered"), recorded_by=getattr(actor, "username", "system"),
        )
        audit.record(actor=actor, action=AuditAction.CREATE, instance=org,
                     after=audit.snapshot(org), reason=data.credit_code_override)
    return org


ALLOWED_STATUS_CHANGES = {
    OrganizationStatus.LISTED: {OrganizationStatus.SUSPENDED, OrganizationStatus.REVOKED},
    OrganizationStatus.SUSPENDED: {OrganizationStatus.LISTED, OrganizationStatus.REVOKED},
    OrganizationStatus.REVOKED: set(),
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
        org.status, org.status_since = status, effective
        org.save(update_fields=["status", "status_since"])
        OrganizationStatusChange.objects.create(
            organization=org, status=status, effective_date=effective, reason=reason.strip(),
            recorded_by=getattr(actor, "username", "system"),
        )
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
    try:
        return parse_resident_id(raw)
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
    key_groups: tuple[tuple[str, dt.date], ...] = ()


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
    for group, _start in data.key_groups:
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
                region=data.region, phone=data.phone.strip(), registered_by=registered_by,
            )
            for group, start in data.key_groups:
                KeyGroupMembership.objects.create(person=person, group=group, start_date=start)
            audit.record(actor=actor, action=AuditAction.CREATE, instance=person,
                         after=audit.snapshot(person))
    except IntegrityError as exc:
        if Person.objects.filter(id_hash=id_hash).exists():
            raise Conflict(_("A person with this ID number is already registered."),
                           field="id_number", code="duplicate") from exc
        raise
    return person


def person_unmask_id(*, actor, person: Person, reason: str = "",
                     ip_address: str | None = None) -> str:
    """The whole ID number, for an actor with the permission; every call is audited."""
    if not getattr(actor, "has_perm", lambda p: False)("registry.unmask_id_number"):
        raise Forbidden(_("You may not see whole ID numbers."))
    with transaction.atomic():
        audit.record(actor=actor, action=AuditAction.UNMASK, instance=person,
                     reason=reason, ip_address=ip_address)
    return pii.decrypt(person.id_encrypted)


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
