"""The published JSON Schema of packs and its errors as issues (with the line, the field and
the vocabulary's words)."""

from __future__ import annotations

import json
from functools import cache

import jsonschema

from jineng.core.located_yaml import Located, path_text
from jineng.plans.rules.packs.model import SCHEMA_PATH, PackIssue


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


ENUM_KINDS = {"metric": "metric", "sector": "sector", "key_group": "key group",
              "training_type": "training type", "carrier": "carrier", "comparator": "comparator",
              "parts": "kind of parts", "each": "region level", "frequency": "frequency"}
TYPE_NAMES = {"string": "text", "number": "a number", "integer": "a whole number",
              "array": "a list", "object": "a mapping", "boolean": "true or false"}


def _schema_issues(located: Located) -> list[PackIssue]:
    validator = jsonschema.Draft202012Validator(schema())
    issues: list[PackIssue] = []
    for error in validator.iter_errors(located.data):
        path = tuple(error.absolute_path)
        name = str(path[-1]) if path and not isinstance(path[-1], int) else path_text(path)
        instance = error.instance
        kind = error.validator
        if kind == "additionalProperties" and isinstance(instance, dict):
            allowed = set(error.schema.get("properties", {}))
            for key in instance:
                if key not in allowed:
                    issues.append(PackIssue(located.line((*path, key)),
                                            path_text((*path, key)), "unknown_key",
                                            {"key": key}))
        elif kind == "required" and isinstance(instance, dict):
            for key in error.validator_value:
                if key not in instance:
                    issues.append(PackIssue(located.value_line(path), path_text(path),
                                            "missing_key", {"key": key}))
        elif kind == "type" or (kind == "minimum" and name in {"value"}):
            expected = error.validator_value
            if name == "value" or expected == "number":
                issues.append(PackIssue(located.line(path), path_text(path), "bad_number",
                                        {"field": name, "value": instance}))
            else:
                names = expected if isinstance(expected, list) else [expected]
                issues.append(PackIssue(located.line(path), path_text(path), "wrong_type",
                                        {"field": name, "value": instance,
                                         "expected": " or ".join(TYPE_NAMES.get(t, t)
                                                                 for t in names)}))
        elif kind == "minimum":
            issues.append(PackIssue(located.line(path), path_text(path), "bad_number",
                                    {"field": name, "value": instance}))
        elif kind == "enum":
            issues.append(PackIssue(located.line(path), path_text(path), "unknown_value",
                                    {"kind": ENUM_KINDS.get(name, name), "value": instance}))
        elif kind == "const":
            issues.append(PackIssue(located.line(path), path_text(path), "bad_schema_version",
                                    {"expected": error.validator_value}))
        elif kind == "minLength":
            issues.append(PackIssue(located.line(path), path_text(path), "empty",
                                    {"field": name}))
        elif kind in {"pattern", "maxLength"}:
            issues.append(PackIssue(located.line(path), path_text(path), "bad_form",
                                    {"field": name, "value": instance}))
        else:
            issues.append(PackIssue(located.line(path), path_text(path), "schema",
                                    {"message": error.message}))
    return issues
