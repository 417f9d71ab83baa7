"""Subsidy parameter files: YAML read with line numbers, validated strictly, resolved for a
region on a day (county → city → province → national default, each more specific set
overriding single values of the broader one). Pure: no Django.

One file (or one uploaded text) is one version of one region's parameters:

    schema: jineng/subsidy-parameters/1
    version: lianyungang-2025        # unique per region
    region: "320700"                 # GB/T 2260 code; "" = the national default
    title: …
    valid_from: 2025-07-01
    valid_to: 2027-12-31             # optional (open)
    limits: {yearly_limit: 3, …}     # see LIMIT_FIELDS
    kinds: {training: {…}, …}        # see KIND_FIELDS
    sources: {limits.yearly_limit: "clause …", kinds.training: "clause …"}

Every value given must be covered by a `sources` entry (its own path or a prefix of it): the
clause of the policy it rests on, or the statement that it is illustrative.

`check_parameters(text)` returns every issue (code, params, line) and the parsed `RawSet`;
`check_overlaps(sets)` refuses two versions of one region whose periods overlap;
`ParameterIndex(sets).in_force(region, day)` / `parameters_in_force(sets, region, day)` give
the resolved `ParameterSet` (its `version` names the chain used).

The package: `model` (Issue, RawSet, CheckResult), `fields` (the field tables and the typed
check of each value), `loading` (checking files, the shipped directory, the stored JSON form),
`resolution` (the set in force for a region on a day). The YAML is read with line numbers by
`jineng.core.located_yaml`, shared with the plans' policy packs.
"""

from __future__ import annotations

from jineng.subsidy.rules.parameters.fields import (
    KEY_GROUPS,
    KIND_FIELDS,
    LEVEL_CODES,
    LIMIT_FIELDS,
    MAX_FACTOR,
    MAX_MONEY,
    REGION_RE,
    REQUIRED_TOP,
    SCHEMA,
    TOP_FIELDS,
    VERSION_RE,
)
from jineng.subsidy.rules.parameters.loading import (
    MAX_CHARS,
    PARAMETERS_DIR,
    check_overlaps,
    check_parameters,
    load_directory,
    raw_from_json,
    shipped_sets,
)
from jineng.subsidy.rules.parameters.model import CheckResult, Issue, RawSet
from jineng.subsidy.rules.parameters.resolution import (
    ParameterIndex,
    ancestors,
    build,
    parameters_in_force,
)
from jineng.subsidy.rules.types import PAYEE_KINDS  # read beside LEVEL_CODES / KEY_GROUPS

__all__ = [
    "KEY_GROUPS",
    "KIND_FIELDS",
    "LEVEL_CODES",
    "LIMIT_FIELDS",
    "MAX_CHARS",
    "MAX_FACTOR",
    "MAX_MONEY",
    "PARAMETERS_DIR",
    "PAYEE_KINDS",
    "REGION_RE",
    "REQUIRED_TOP",
    "SCHEMA",
    "TOP_FIELDS",
    "VERSION_RE",
    "CheckResult",
    "Issue",
    "ParameterIndex",
    "RawSet",
    "ancestors",
    "build",
    "check_overlaps",
    "check_parameters",
    "load_directory",
    "parameters_in_force",
    "raw_from_json",
    "shipped_sets",
]
