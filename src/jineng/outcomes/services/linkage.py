"""Linking rows without a valid ID number to registered persons (stub: the linkage helper
replaces this module)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LinkSummary:
    proposed: int = 0
    linked: int = 0
    pending: int = 0
    unmatched: int = 0


def link_pending(*, actor, source_import_id: int | None = None) -> LinkSummary:
    """Propose a person for every link still without one (of one import, or all)."""
    return LinkSummary()
