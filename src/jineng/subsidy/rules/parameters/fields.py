"""The fields a parameter file may give (`LIMIT_FIELDS`, `KIND_FIELDS`, the top-level keys)
and the typed check of each value, every problem reported on its line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from jineng.core.located_yaml import Located, Path_, path_text
from jineng.subsidy.rules.parameters.model import Issue
from jineng.subsidy.rules.types import (
    AMOUNT_BASES,
    KINDS,
    ONE,
    PAYEE_KINDS,
    YEAR_BASES,
    MaterialClass,
    Shares,
    frozen_map,
)

SCHEMA = "jineng/subsidy-parameters/1"

# The 新八级工 ladder codes (registry.SkillLevel.code; a test keeps them in step) and the key
# groups (registry.choices.KeyGroup values).
LEVEL_CODES = ("apprentice", "grade5", "grade4", "grade3", "grade2", "grade1", "principal",
               "chief")
KEY_GROUPS = ("graduate", "migrant_worker", "unemployed", "hard_to_employ", "veteran",
              "disabled", "poverty_monitored", "relocated", "left_behind_woman",
              "enterprise_employee")

TOP_FIELDS = {"schema", "version", "region", "title", "issuer", "document", "valid_from",
              "valid_to", "note", "limits", "kinds", "sources"}
REQUIRED_TOP = ("schema", "version", "region", "title", "valid_from")

# field → type: count (int ≥ 0), positive (int ≥ 1), bool, money (≥ 0, 2 places),
# share (0–1), factor (> 0, ≤ 10), text, enum, enum_list, level_map_factor, level_map_money,
# key_groups, material_classes, shares
LIMIT_FIELDS: dict[str, Any] = {
    "yearly_limit": "positive",
    "year_basis": ("enum", YEAR_BASES),
    "claim_window_months": "positive",
    "same_occupation_level": "bool",
    "lower_after_higher": "bool",
    "same_certificate": "bool",
}
KIND_FIELDS: dict[str, Any] = {
    "granted": "bool",
    "payees": ("enum_list", PAYEE_KINDS),
    "amount_basis": ("enum", AMOUNT_BASES),
    "family": "text",
    "counts_toward_yearly_limit": "bool",
    "needs_certificate": "bool",
    "consumes_certificate": "bool",
    "claim_window": "bool",
    "outside_province": "bool",
    "level_factors": "level_map_factor",
    "level_amounts": "level_map_money",
    "urgent_uplift": "share",
    "key_group_uplift": "share",
    "uplift_key_groups": "key_groups",
    "max_factor": "factor",
    "material_classes": "material_classes",
    "cost_sharing": "shares",
    "insured_months": "count",
    "times_per_year": "count",
    "urgent_times_per_year": "count",
    "key_groups": "key_groups",
    "per_day": "money",
    "max_days": "count",
    "employed_share": "share",
    "employment_months": "positive",
    "uplift_rate": "share",
}
VERSION_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")
REGION_RE = re.compile(r"^(\d{6})?$")
MAX_FACTOR = Decimal("10")
MAX_MONEY = Decimal("100000")


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | str):
        try:
            d = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            return None
        return d if d.is_finite() else None
    return None


def _places(d: Decimal) -> int:
    exp = d.normalize().as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


class _Checker:
    def __init__(self, located: Located, issues: list[Issue]) -> None:
        self.located = located
        self.issues = issues

    def add(self, where: Path_, code: str, *, value_line: bool = True, **params: Any) -> None:
        line = self.located.value_line(where) if value_line else self.located.line(where)
        self.issues.append(Issue(line, path_text(where), code, params))

    def value(self, path: Path_, kind: Any, value: Any) -> Any:
        name = path_text(path)
        if kind == "bool":
            if not isinstance(value, bool):
                return self.add(path, "wrong_type", field=name, expected="true/false",
                                value=value)
            return value
        if kind in ("count", "positive"):
            if isinstance(value, bool) or not isinstance(value, int):
                return self.add(path, "wrong_type", field=name, expected="a whole number",
                                value=value)
            if value < (1 if kind == "positive" else 0):
                return self.add(path, "out_of_range", field=name, value=value,
                                low=1 if kind == "positive" else 0, high="")
            return value
        if kind == "text":
            if not isinstance(value, str):
                return self.add(path, "wrong_type", field=name, expected="text", value=value)
            return value
        if isinstance(kind, tuple) and kind[0] == "enum":
            if value not in kind[1]:
                return self.add(path, "unknown_value", field=name, value=value,
                                allowed=", ".join(kind[1]))
            return value
        if isinstance(kind, tuple) and kind[0] == "enum_list":
            if not isinstance(value, list) or not value:
                return self.add(path, "wrong_type", field=name, expected="a non-empty list",
                                value=value)
            out = []
            for i, item in enumerate(value):
                if item not in kind[1]:
                    self.add((*path, i), "unknown_value", field=name, value=item,
                             allowed=", ".join(kind[1]))
                else:
                    out.append(item)
            return frozenset(out)
        if kind == "key_groups":
            if not isinstance(value, list):
                return self.add(path, "wrong_type", field=name, expected="a list", value=value)
            out = []
            for i, item in enumerate(value):
                if item not in KEY_GROUPS:
                    self.add((*path, i), "unknown_value", field=name, value=item,
                             allowed=", ".join(KEY_GROUPS))
                else:
                    out.append(item)
            return frozenset(out)
        if kind in ("money", "share", "factor"):
            d = _number(value)
            if d is None:
                return self.add(path, "wrong_type", field=name, expected="a number",
                                value=value)
            low, high, places = {"money": (Decimal(0), MAX_MONEY, 2),
                                 "share": (Decimal(0), ONE, 4),
                                 "factor": (Decimal(0), MAX_FACTOR, 4)}[kind]
            if d < low or d > high or (kind == "factor" and d == 0):
                return self.add(path, "out_of_range", field=name, value=value, low=str(low),
                                high=str(high))
            if _places(d) > places:
                return self.add(path, "too_many_places", field=name, value=value,
                                places=places)
            return d
        if kind in ("level_map_factor", "level_map_money"):
            if not isinstance(value, dict):
                return self.add(path, "wrong_type", field=name, expected="a mapping of levels",
                                value=value)
            out = {}
            for level, v in value.items():
                if level not in LEVEL_CODES:
                    self.add((*path, level), "unknown_value", value_line=False, field=name,
                             value=level, allowed=", ".join(LEVEL_CODES))
                    continue
                d = self.value((*path, level), "factor" if kind.endswith("factor") else "money",
                               v)
                if d is not None:
                    out[level] = d
            return frozen_map(out)
        if kind == "shares":
            if not isinstance(value, dict):
                return self.add(path, "wrong_type", field=name, expected="a mapping",
                                value=value)
            parts = {}
            for key, v in value.items():
                if key not in ("government", "enterprise", "individual"):
                    self.add((*path, key), "unknown_key", value_line=False, key=key)
                    continue
                d = self.value((*path, key), "share", v)
                if d is not None:
                    parts[key] = d
            if len(parts) != len(value):
                return None
            shares = Shares(parts.get("government", Decimal(0)),
                            parts.get("enterprise", Decimal(0)),
                            parts.get("individual", Decimal(0)))
            total = shares.government + shares.enterprise + shares.individual
            if total != ONE:
                return self.add(path, "shares_sum", total=str(total))
            return shares
        if kind == "material_classes":
            if not isinstance(value, list):
                return self.add(path, "wrong_type", field=name, expected="a list", value=value)
            out_classes = []
            seen = set()
            for i, item in enumerate(value):
                p = (*path, i)
                if not isinstance(item, dict):
                    self.add(p, "wrong_type", field=path_text(p), expected="a mapping",
                             value=item)
                    continue
                for key in item:
                    if key not in ("code", "min_share", "factor"):
                        self.add((*p, key), "unknown_key", value_line=False, key=key)
                if any(k not in item for k in ("code", "min_share", "factor")):
                    missing = [k for k in ("code", "min_share", "factor") if k not in item]
                    self.add(p, "missing_key", key=", ".join(missing))
                    continue
                code = self.value((*p, "code"), "text", item["code"])
                share = self.value((*p, "min_share"), "share", item["min_share"])
                factor = self.value((*p, "factor"), "factor", item["factor"])
                if code in seen:
                    self.add((*p, "code"), "duplicate_value", field=path_text((*p, "code")),
                             value=code)
                    continue
                seen.add(code)
                if code is not None and share is not None and factor is not None:
                    out_classes.append(MaterialClass(code, share, factor))
            return tuple(out_classes)
        raise AssertionError(kind)  # pragma: no cover - the field tables name known kinds


def _check_values(located: Located, issues: list[Issue]) -> dict:
    """Check `limits` and `kinds` of the located data; return the typed values."""
    c = _Checker(located, issues)
    data = located.data
    out: dict[str, Any] = {}
    limits = data.get("limits")
    if limits is not None:
        if not isinstance(limits, dict):
            c.add(("limits",), "wrong_type", field="limits", expected="a mapping", value=limits)
        else:
            typed = {}
            for key, v in limits.items():
                if key not in LIMIT_FIELDS:
                    c.add(("limits", key), "unknown_key", value_line=False, key=key)
                    continue
                t = c.value(("limits", key), LIMIT_FIELDS[key], v)
                if t is not None:
                    typed[key] = t
            out["limits"] = typed
    kinds = data.get("kinds")
    if kinds is not None:
        if not isinstance(kinds, dict):
            c.add(("kinds",), "wrong_type", field="kinds", expected="a mapping", value=kinds)
        else:
            typed_kinds = {}
            for kind, fields in kinds.items():
                if kind not in KINDS:
                    c.add(("kinds", kind), "unknown_value", value_line=False, field="kinds",
                          value=kind, allowed=", ".join(KINDS))
                    continue
                if not isinstance(fields, dict):
                    c.add(("kinds", kind), "wrong_type", field=f"kinds.{kind}",
                          expected="a mapping", value=fields)
                    continue
                typed = {}
                for key, v in fields.items():
                    if key not in KIND_FIELDS:
                        c.add(("kinds", kind, key), "unknown_key", value_line=False, key=key)
                        continue
                    t = c.value(("kinds", kind, key), KIND_FIELDS[key], v)
                    if t is not None:
                        typed[key] = t
                tt = typed.get("times_per_year")
                ut = typed.get("urgent_times_per_year")
                if tt is not None and ut is not None and 0 < ut < tt:
                    c.add(("kinds", kind, "urgent_times_per_year"), "urgent_times_below",
                          urgent=ut, normal=tt)
                typed_kinds[kind] = typed
            out["kinds"] = typed_kinds
    return out


def _leaf_paths(values: Mapping[str, Any]) -> list[tuple[str, ...]]:
    out = []
    for kind, fields in (values.get("kinds") or {}).items():
        out.extend(("kinds", kind, key) for key in fields)
    out.extend(("limits", key) for key in (values.get("limits") or {}))
    return out
