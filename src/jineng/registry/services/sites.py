"""Writes of training sites: adding one to an organization (its own users, or staff governing the
site's region)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import Conflict, DomainError
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.registry.models import Organization, Region, TrainingSite
from jineng.registry.services.common import ensure_governs, ensure_manages_organization

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
