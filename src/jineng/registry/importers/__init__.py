"""CSV and Excel importers of the registries: regions, organizations, training sites, persons.

Every importer runs through `core.importing.run_import`: the whole file is read (UTF-8 with or
without BOM, GBK, or .xlsx), every row is checked, every bad row is reported with its row number,
field and reason, and nothing is written from a file with errors unless the user asked to skip
bad rows. Column titles may be the Chinese labels of the template or the field names.

Records that already exist (re-importing a file is safe, it never creates duplicates):

- A row whose key matches an existing record — region code, credit code, organization + site
  name, ID number (by keyed hash) — counts as *unchanged* when every filled cell equals what is
  stored (empty optional cells are not compared).
- If a filled cell differs, the row is *reported* (naming the field) and nothing is changed.
  Imports only add records; a change goes through the record's own page or API, which audits it
  field by field. For persons this is the rule: a real-name record is never silently changed.
- A record the actor may not read is reported as "already registered", without details.

Who may import: HRSS staff, rows inside their region's subtree (a row outside it is a row error);
institution (and enterprise) users import persons, registered as their organization, and their
own organization's sites. Regions and organizations are staff only.

Adding an importer (e.g. occupations) is one class with `kind`, `columns`, `parse_row` and
`save_new`, and one entry in `IMPORTERS`.

One module per registry: `regions`, `organizations`, `sites`, `persons`; what they share in
`base` (the `Importer` class) and `cells` (values typed in a sheet); the importers by kind and
`run` in `kinds`.
"""

from __future__ import annotations

from jineng.registry.importers.base import (
    LOOKUP_CHUNK,
    UNCHANGED,
    Importer,
)
from jineng.registry.importers.cells import (
    DATE_FORMATS,
    INSTITUTION_TYPE_TERMS,
    KEY_GROUP_TERMS,
    LIST_SEPARATORS,
    MAX_POSITIVE_INT,
    ORGANIZATION_KIND_TERMS,
    accepted_labels,
    choice_lookup,
    max_length,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_positive_int,
)
from jineng.registry.importers.kinds import (
    IMPORTERS,
    OPTION_LABELS,
    get_importer,
    run,
)
from jineng.registry.importers.organizations import (
    OrganizationImporter,
)
from jineng.registry.importers.persons import (
    PersonImporter,
)
from jineng.registry.importers.regions import (
    RegionImporter,
    normalize_region_code,
    region_level_of,
    region_parent_candidates,
)
from jineng.registry.importers.sites import (
    SiteImporter,
)

__all__ = [
    "DATE_FORMATS",
    "IMPORTERS",
    "INSTITUTION_TYPE_TERMS",
    "KEY_GROUP_TERMS",
    "LIST_SEPARATORS",
    "LOOKUP_CHUNK",
    "MAX_POSITIVE_INT",
    "OPTION_LABELS",
    "ORGANIZATION_KIND_TERMS",
    "UNCHANGED",
    "Importer",
    "OrganizationImporter",
    "PersonImporter",
    "RegionImporter",
    "SiteImporter",
    "accepted_labels",
    "choice_lookup",
    "get_importer",
    "max_length",
    "normalize_region_code",
    "parse_choice",
    "parse_date",
    "parse_decimal",
    "parse_positive_int",
    "region_level_of",
    "region_parent_candidates",
    "run",
]
