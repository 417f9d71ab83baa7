"""A rule broken by one input: which field, a stable code, and the figures for the message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
