"""Reads of the demand app: wishes. Scoped to the actor."""

from __future__ import annotations

__all__: list[str] = []
