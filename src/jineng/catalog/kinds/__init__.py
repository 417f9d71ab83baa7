"""What differs between the catalog kinds, in one place per kind: the columns of the Excel
layout (template, import and export share them, so an export can be imported again), how a row
is read, how an entry is keyed and compared (overlaps, supplements, diffs), shown and searched.

Column titles are the Chinese titles provincial offices use in the files they circulate; they
are a file format, not interface text, so they are not translated (the field names in
`Column.name` are accepted as titles too).

One module per kind (`subsidy`, `institution`, `qualification`, `urgent`), what they share in
`base`, the kinds by code in `specs`.
"""

from __future__ import annotations

from jineng.catalog.kinds.base import (
    COLUMN_TITLES,
    COMMON_COLUMNS,
    QUALIFICATION_ZH,
    TRAINING_TYPE_ZH,
    URGENCY_ZH,
    KindSpec,
    ParsedEntry,
    aliases,
    ancestor_codes,
    region_applies_q,
    yes,
)
from jineng.catalog.kinds.institution import (
    EvaluationSpec,
    InstitutionSpec,
)
from jineng.catalog.kinds.qualification import (
    QualificationSpec,
)
from jineng.catalog.kinds.specs import (
    SPECS,
    spec_for,
)
from jineng.catalog.kinds.subsidy import (
    SubsidySpec,
)
from jineng.catalog.kinds.urgent import (
    UrgentSpec,
)

__all__ = [
    "COLUMN_TITLES",
    "COMMON_COLUMNS",
    "QUALIFICATION_ZH",
    "SPECS",
    "TRAINING_TYPE_ZH",
    "URGENCY_ZH",
    "EvaluationSpec",
    "InstitutionSpec",
    "KindSpec",
    "ParsedEntry",
    "QualificationSpec",
    "SubsidySpec",
    "UrgentSpec",
    "aliases",
    "ancestor_codes",
    "region_applies_q",
    "spec_for",
    "yes",
]
