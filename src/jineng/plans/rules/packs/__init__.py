"""Reading and checking a policy pack: YAML with line numbers, the published JSON Schema, and
the arithmetic the schema cannot express (parts adding up to their whole).

Pure: no Django. `check_pack(text)` returns every issue found, each with the line it is on, and
the parsed `Pack` when there are none. Messages are English templates with named parameters
(`MESSAGES`); the web layer translates the template and fills it in.

The package: `model` (the pack and its issues), `schema_check`, `semantics` (the checks the
schema cannot express), `check` (the entry points). The YAML is read with line numbers by
`jineng.core.located_yaml`, shared with the subsidy parameter files.
"""

from __future__ import annotations

from jineng.plans.rules.packs.check import (
    check_pack,
    read_shipped,
    shipped_pack_paths,
)
from jineng.plans.rules.packs.model import (
    MESSAGES,
    PACK_MAX_CHARS,
    PACKS_DIR,
    SCHEMA_PATH,
    SCHEMA_VERSION,
    ChecklistSpec,
    CheckResult,
    Pack,
    PackIssue,
    Program,
    TargetSpec,
)
from jineng.plans.rules.packs.schema_check import (
    ENUM_KINDS,
    TYPE_NAMES,
    schema,
)
from jineng.plans.rules.packs.semantics import (
    format_number,
    number_forms,
    region_prefix,
)

__all__ = [
    "ENUM_KINDS",
    "MESSAGES",
    "PACKS_DIR",
    "PACK_MAX_CHARS",
    "SCHEMA_PATH",
    "SCHEMA_VERSION",
    "TYPE_NAMES",
    "CheckResult",
    "ChecklistSpec",
    "Pack",
    "PackIssue",
    "Program",
    "TargetSpec",
    "check_pack",
    "format_number",
    "number_forms",
    "read_shipped",
    "region_prefix",
    "schema",
    "shipped_pack_paths",
]
