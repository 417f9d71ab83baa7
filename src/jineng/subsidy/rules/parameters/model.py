"""What a parameter file becomes: an issue found in it (`Issue`), the validated version of one
region's parameters (`RawSet`) and the result of checking one file (`CheckResult`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Issue:
    """One thing wrong with a parameter file, at a line (None when the file has no lines).
    `code` keys jineng.subsidy.messages.ISSUE_MESSAGES; `params` fills it in."""

    line: int | None
    path: str
    code: str
    params: dict = field(default_factory=dict)
    file: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:" if self.file else ""
        where += f"{self.line}: " if self.line else (": " if where else "")
        detail = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{where}{self.code} {self.path} {detail}".rstrip()


@dataclass(frozen=True)
class RawSet:
    """One version of one region's parameters as the file gives them (validated; values
    typed: Decimal, int, bool, str, tuples, dicts). `values` holds `limits` and `kinds`."""

    version: str
    region_code: str
    title: str
    valid_from: dt.date
    valid_to: dt.date | None
    values: Mapping[str, Any]
    sources: Mapping[str, str]
    issuer: str = ""
    document: str = ""
    note: str = ""
    file: str = ""
    valid_from_line: int | None = None

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def to_json(self) -> dict:
        """JSON-safe form (Decimals as text) for storing beside the YAML (`raw_from_json`)."""
        return {"version": self.version, "region": self.region_code, "title": self.title,
                "valid_from": self.valid_from.isoformat(),
                "valid_to": self.valid_to.isoformat() if self.valid_to else None,
                "values": _jsonable(self.values), "sources": dict(self.sources),
                "issuer": self.issuer, "document": self.document, "note": self.note}


def _jsonable(v: Any) -> Any:
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return _jsonable(dataclasses.asdict(v))
    if isinstance(v, Mapping):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple | frozenset | set):
        items = [_jsonable(x) for x in v]
        return sorted(items) if isinstance(v, frozenset | set) else items
    if isinstance(v, Decimal):
        return str(v)
    return v


@dataclass
class CheckResult:
    issues: list[Issue]
    raw: RawSet | None

    @property
    def ok(self) -> bool:
        return not self.issues
