"""Every write to the registries: one transaction, validated, audited.

One module per sub-domain: `common` (who may write, and the checks several writes share),
`organizations` (registering, status changes, corrections), `sites`, `persons` (registering,
ID numbers, unmask and search, key groups, corrections), `merges` (a person registered twice),
and `bulk` (the writes of the importers). Other apps and the views import from here; the names
below are the public surface.
"""

from __future__ import annotations

from jineng.registry.services.bulk import (
    BULK_CHUNK,
    REGION_LEVEL_ORDER,
    PersonBulkRow,
    RegionRow,
    organization_bulk_create,
    person_bulk_register,
    region_bulk_create,
    site_bulk_create,
)
from jineng.registry.services.common import (
    PHONE_PATTERN,
    UNMASK_PERMISSION,
    actor_facts,
    check_length,
    ensure_governs,
    ensure_manages_organization,
)
from jineng.registry.services.merges import (
    ensure_may_merge,
    person_merge,
)
from jineng.registry.services.organizations import (
    ALLOWED_STATUS_CHANGES,
    ORGANIZATION_EDITABLE,
    REGISTER,
    STATUS_ACTIONS,
    OrganizationChanges,
    OrganizationInput,
    ensure_may_edit_organization,
    organization_change_status,
    organization_create,
    organization_update,
    validate_organization,
)
from jineng.registry.services.persons import (
    PERSON_EDITABLE,
    PersonChanges,
    PersonInput,
    ensure_may_edit_person,
    key_group_add,
    parse_id_number,
    person_register,
    person_search_by_id_number,
    person_unmask_id,
    person_update,
    resolve_id_region,
)
from jineng.registry.services.sites import (
    SiteInput,
    site_create,
)

__all__ = [
    "ALLOWED_STATUS_CHANGES",
    "BULK_CHUNK",
    "ORGANIZATION_EDITABLE",
    "PERSON_EDITABLE",
    "PHONE_PATTERN",
    "REGION_LEVEL_ORDER",
    "REGISTER",
    "STATUS_ACTIONS",
    "UNMASK_PERMISSION",
    "OrganizationChanges",
    "OrganizationInput",
    "PersonBulkRow",
    "PersonChanges",
    "PersonInput",
    "RegionRow",
    "SiteInput",
    "actor_facts",
    "check_length",
    "ensure_governs",
    "ensure_manages_organization",
    "ensure_may_edit_organization",
    "ensure_may_edit_person",
    "ensure_may_merge",
    "key_group_add",
    "organization_bulk_create",
    "organization_change_status",
    "organization_create",
    "organization_update",
    "parse_id_number",
    "person_bulk_register",
    "person_merge",
    "person_register",
    "person_search_by_id_number",
    "person_unmask_id",
    "person_update",
    "region_bulk_create",
    "resolve_id_region",
    "site_bulk_create",
    "site_create",
    "validate_organization",
]
