"""Registry API: regions, skill levels, occupations, organizations, sites, persons; imports and
exports. Every operation parses, calls a selector or service, and shapes the answer.

Public (no login): regions, skill levels, occupations, and the lists of listed institutions and
their sites (an anonymous caller sees what the public scope shows). Everything else needs a
bearer token or a session. A record that is missing or outside the caller's scope answers 404
with the same body. Persons carry only the masked ID number; the whole number comes only from
`POST /persons/{id}/unmask`, which needs a permission and is audited. A whole ID number is never
accepted in a URL (proxies and servers log URLs): `GET /persons?q=` refuses one, and
`POST /persons/search` takes it in the body.

One module per sub-domain, all adding to the one `router` (jineng.registry.api.common),
imported here in the order of the OpenAPI document: `reference` (regions, skill levels,
occupations), `organizations`, `sites`, `persons`, `files` (imports and exports).
"""

# The order of these imports is the order of the operations in the OpenAPI document.
# isort: off
from jineng.registry.api.common import (
    PUBLIC,
    PUBLIC_EXTRA,
    router,
)
from jineng.registry.api.reference import (
    OccupationFilter,
    OccupationOut,
    RegionFilter,
    RegionOut,
    SkillLevelOut,
    occupation_get,
    occupation_list,
    region_get,
    region_list,
    skill_level_get,
    skill_level_list,
)
from jineng.registry.api.organizations import (
    OrganizationFilter,
    OrganizationIn,
    OrganizationOut,
    OrganizationPatch,
    StatusChangeIn,
    StatusChangeOut,
    organization_change_status,
    organization_create,
    organization_get,
    organization_list,
    organization_status_history,
    organization_update,
)
from jineng.registry.api.sites import (
    SiteFilter,
    SiteIn,
    SiteOut,
    site_create,
    site_get,
    site_list,
)
from jineng.registry.api.persons import (
    KeyGroupIn,
    KeyGroupOut,
    KeyGroupStart,
    PersonFilter,
    PersonIn,
    PersonMergeIn,
    PersonMergeOut,
    PersonOut,
    PersonPatch,
    PersonSearchIn,
    UnmaskIn,
    UnmaskOut,
    key_group_add,
    person_get,
    person_list,
    person_merge,
    person_merge_list,
    person_register,
    person_search,
    person_unmask,
    person_update,
)
from jineng.registry.api.files import (
    EXPORT_RESPONSES,
    XLSX,
    ExportJobOut,
    ImportErrorOut,
    ImportReportOut,
    registry_export_csv,
    registry_export_xlsx,
    registry_import,
    registry_import_template,
)
# isort: on

__all__ = [
    "EXPORT_RESPONSES",
    "PUBLIC",
    "PUBLIC_EXTRA",
    "XLSX",
    "ExportJobOut",
    "ImportErrorOut",
    "ImportReportOut",
    "KeyGroupIn",
    "KeyGroupOut",
    "KeyGroupStart",
    "OccupationFilter",
    "OccupationOut",
    "OrganizationFilter",
    "OrganizationIn",
    "OrganizationOut",
    "OrganizationPatch",
    "PersonFilter",
    "PersonIn",
    "PersonMergeIn",
    "PersonMergeOut",
    "PersonOut",
    "PersonPatch",
    "PersonSearchIn",
    "RegionFilter",
    "RegionOut",
    "SiteFilter",
    "SiteIn",
    "SiteOut",
    "SkillLevelOut",
    "StatusChangeIn",
    "StatusChangeOut",
    "UnmaskIn",
    "UnmaskOut",
    "key_group_add",
    "occupation_get",
    "occupation_list",
    "organization_change_status",
    "organization_create",
    "organization_get",
    "organization_list",
    "organization_status_history",
    "organization_update",
    "person_get",
    "person_list",
    "person_merge",
    "person_merge_list",
    "person_register",
    "person_search",
    "person_unmask",
    "person_update",
    "region_get",
    "region_list",
    "registry_export_csv",
    "registry_export_xlsx",
    "registry_import",
    "registry_import_template",
    "router",
    "site_create",
    "site_get",
    "site_list",
    "skill_level_get",
    "skill_level_list",
]
