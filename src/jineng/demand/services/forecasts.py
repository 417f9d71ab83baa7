"""Writes of the demand app: forecasts. One transaction each, audited."""

from __future__ import annotations

__all__: list[str] = []
