"""Bulk writes of the registry importers (regions, organizations, training sites, persons): chunked
inside the caller's transaction, one audit event per import."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit, pii
from jineng.core.errors import Conflict, DomainError
from jineng.core.history import transition_values
from jineng.core.scoping import scope_of
from jineng.registry.choices import OrganizationStatus
from jineng.registry.models import (
    KeyGroupMembership,
    Organization,
    OrganizationStatusChange,
    Person,
    Region,
    TrainingSite,
)
from jineng.registry.services.common import (
    _actor_region_code,
    ensure_governs,
    ensure_manages_organization,
)
from jineng.registry.services.organizations import REGISTER, OrganizationInput
from jineng.registry.services.sites import SiteInput

# --- bulk imports
# Used by registry.importers once every row of a file has been parsed and checked. Each function
# writes in chunks inside the caller's transaction and records ONE audit event for the import
# (the import report lists the rows). They re-check the actor's right to write each row as a
# safety net; the importers already turned those cases into row errors.

BULK_CHUNK = 500


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
