"""Side-by-side comparison of two versions: rows added, removed and changed (with the fields
that changed). Rows are matched by key (what the row is about, including its region and the
start of its own period); values are compared as the reader sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ChangedRow:
    key: tuple
    old: dict[str, Any]
    new: dict[str, Any]
    fields: tuple[str, ...]


@dataclass
class Diff:
    added: list[tuple[tuple, dict[str, Any]]] = field(default_factory=list)
    removed: list[tuple[tuple, dict[str, Any]]] = field(default_factory=list)
    changed: list[ChangedRow] = field(default_factory=list)
    unchanged: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_rows(old: dict[tuple, dict[str, Any]], new: dict[tuple, dict[str, Any]]) -> Diff:
    """Compare two versions given as {key: {field: value}} (order of `new`, then removals)."""
    result = Diff()
    for key, values in new.items():
        if key not in old:
            result.added.append((key, values))
            continue
        before = old[key]
        fields = tuple(f for f in dict.fromkeys([*before, *values])
                       if before.get(f) != values.get(f))
        if fields:
            result.changed.append(ChangedRow(key, before, values, fields))
        else:
            result.unchanged += 1
    result.removed = [(key, values) for key, values in old.items() if key not in new]
    return result
