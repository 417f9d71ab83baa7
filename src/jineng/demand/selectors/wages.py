"""Reads of the demand app: wages. Scoped to the actor."""

from __future__ import annotations

__all__: list[str] = []
