"""The entry points: checking a pack's text, and the packs that ship with jineng."""

from __future__ import annotations

from pathlib import Path

from jineng.core.located_yaml import load_located
from jineng.plans.rules.packs.model import PACKS_DIR, CheckResult, PackIssue
from jineng.plans.rules.packs.schema_check import _schema_issues
from jineng.plans.rules.packs.semantics import _semantic_issues


def check_pack(text: str) -> CheckResult:
    """Every issue of a pack's text, sorted by line, and the Pack when there are none."""
    # int keys kept (a key `1:` is reported as such); dates as ISO text for the JSON Schema
    located = load_located(text, issue=PackIssue, int_keys=True, dates_as_text=True)
    if located.issues and located.data is None:
        return CheckResult(located.issues, None)
    issues = list(located.issues)
    if not isinstance(located.data, dict):
        return CheckResult([*issues, PackIssue(1, "", "not_a_mapping")], None)
    schema_issues = _schema_issues(located)
    issues.extend(schema_issues)
    pack = None
    if not schema_issues:
        semantic, pack = _semantic_issues(located)
        issues.extend(semantic)
    issues.sort(key=lambda i: (i.line or 0, i.path))
    return CheckResult(issues, pack if not issues else None, located.data)


def shipped_pack_paths() -> list[Path]:
    """The packs that ship with jineng (one per seed policy)."""
    return sorted(PACKS_DIR.glob("*.yaml"))


def read_shipped(key: str) -> str:
    path = PACKS_DIR / f"{key}.yaml"
    if not path.is_file():
        raise KeyError(key)
    return path.read_text(encoding="utf-8")
