"""What every import shares: the columns, the messages, who may import, the row report and
the cached checks of values that repeat across rows."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.accounts.models import Role
from jineng.core import pii
from jineng.core.errors import DomainError, Forbidden
from jineng.core.importing import Column
from jineng.core.validators import (
    InvalidIdentifier,
    id_check_character,
    parse_credit_code,
    parse_resident_id,
)
from jineng.outcomes.choices import BusinessKind, ImportKind, LinkReason
from jineng.outcomes.models import (
    InsuranceImport,
)
from jineng.outcomes.rules import records as rules
from jineng.registry.models import Region

# Files read from disk (the command line, and uploads once stored): a national export is
# tens of GB split by month; one file of a province-month is well under this. Web uploads are
# held to the request limit (settings.JINENG_MAX_UPLOAD_BYTES) before they get here.
MAX_FILE_BYTES = getattr(settings, "OUTCOMES_IMPORT_MAX_BYTES", 4 * 1024 ** 3)
MAX_STORED_ERRORS = 1000  # InsuranceImport.errors keeps the first ones; error_rows counts all
MAX_BATCH_ROWS = 5000  # one API batch
CHUNK_ROWS = 20_000  # rows per staging write (SQLite) and per progress step
READ_BYTES = 1 << 20
CACHE_LIMIT = 2_000_000  # distinct ID numbers / codes kept per import before the caches reset
# Serializes the apply step of concurrent imports on PostgreSQL (a transaction-level lock):
# two imports touching the same record would otherwise race between revision and upsert.
APPLY_LOCK = 7_311_001
HRSS_IMPORTERS = {Role.PROVINCE_STAFF, Role.CITY_STAFF}

RECORD_COLUMNS = [
    Column("id_number", "公民身份号码", required=True,
           help=gettext_lazy("18 digits (old 15-digit numbers are converted); a missing or "
                             "failing number is kept for linkage, not guessed")),
    Column("name", "姓名", required=True, max_length=50),
    Column("birth_date", "出生日期", help=gettext_lazy("optional; helps linkage")),
    Column("employer_code", "单位统一社会信用代码", required=True),
    Column("employer_region", "单位所在地区划代码", required=True,
           help=gettext_lazy("a county (district) code inside your region")),
    Column("month", "缴费年月", required=True, help=gettext_lazy("YYYY-MM or YYYYMM")),
    Column("pension", "养老保险", help=gettext_lazy("1/0 or 是/否")),
    Column("unemployment", "失业保险", help=gettext_lazy("1/0 or 是/否")),
    Column("injury", "工伤保险", help=gettext_lazy("1/0 or 是/否")),
    Column("wage_base", "缴费工资基数", required=True, help=gettext_lazy("yuan a month")),
]
BUSINESS_COLUMNS = [
    Column("credit_code", "统一社会信用代码", required=True),
    Column("kind", "市场主体类型", required=True,
           help=gettext_lazy("individual (个体工商户) or enterprise (企业)")),
    Column("name", "名称", required=True, max_length=200),
    Column("legal_person_id", "经营者身份号码", required=True),
    Column("legal_person_name", "经营者姓名", required=True, max_length=50),
    Column("legal_person_birth_date", "经营者出生日期"),
    Column("founded_on", "成立日期", required=True),
    Column("closed_on", "注销日期"),
    Column("region", "登记机关区划代码", required=True),
]
COLUMNS = {ImportKind.RECORDS: RECORD_COLUMNS, ImportKind.BUSINESSES: BUSINESS_COLUMNS}

MESSAGES = {
    "required": gettext_lazy("This field is required."),
    "too_long": gettext_lazy("At most %(max)s characters."),
    "employer_invalid": gettext_lazy("Unknown or invalid employer code: not a unified social "
                                     "credit code (GB 32100)."),
    "employer_check": gettext_lazy("Unknown or invalid employer code: its check character "
                                   "does not match (GB 32100)."),
    "credit_invalid": gettext_lazy("Not a valid unified social credit code (GB 32100)."),
    "region_unknown": gettext_lazy("Unknown region code."),
    "region_not_county": gettext_lazy("The region must be a county (district) or below."),
    "region_outside": gettext_lazy("The region is outside your jurisdiction."),
    "month_format": gettext_lazy("The month must be written YYYY-MM or YYYYMM."),
    "month_too_early": gettext_lazy("Months before 1990-01 are not imported."),
    "month_future": gettext_lazy("The month is after the current month."),
    "wage_format": gettext_lazy("The wage base must be an amount in yuan with at most two "
                                "decimals."),
    "wage_not_positive": gettext_lazy("The wage base must be above 0."),
    "wage_too_high": gettext_lazy("The wage base is above 100000 yuan a month: check the "
                                  "amount."),
    "flag_format": gettext_lazy("Write 1 or 0 (是 or 否)."),
    "no_kind": gettext_lazy("At least one insurance kind (pension, unemployment, work injury) "
                            "must be paid."),
    "date_format": gettext_lazy("The date must be written YYYY-MM-DD."),
    "date_future": gettext_lazy("The date is in the future."),
    "kind_format": gettext_lazy("The kind must be individual (个体工商户) or enterprise (企业)."),
    "closed_before_founded": gettext_lazy("Deregistered before it was founded."),
    "cells": gettext_lazy("This row has %(cells)s cells; the header has %(width)s."),
    "conflict": gettext_lazy("The same person, employer and month is in row %(row)s with other "
                             "values."),
    "business_conflict": gettext_lazy("The same credit code is in row %(row)s with other "
                                      "values."),
}

KIND_WORDS = {"INDIVIDUAL": BusinessKind.INDIVIDUAL, "个体工商户": BusinessKind.INDIVIDUAL,
              "个体": BusinessKind.INDIVIDUAL, "ENTERPRISE": BusinessKind.ENTERPRISE,
              "企业": BusinessKind.ENTERPRISE}


@dataclass
class ImportOutcome:
    """What an import call answers: the import (new, or the earlier one with the same
    content when `repeated`)."""

    record: InsuranceImport
    repeated: bool = False
    # Seconds per step of a records import (read, checks, report, duplicates, stage, upsert).
    timings: dict[str, float] = field(default_factory=dict)


# --- who may import -------------------------------------------------------------------------

def _ensure_importer(actor) -> Region:
    """Province and city HRSS staff import, for their own region; the import belongs to it."""
    if not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("Log in to import social-insurance records."))
    role_ok = getattr(actor, "role", "") in HRSS_IMPORTERS or getattr(actor, "is_superuser",
                                                                       False)
    if not role_ok:
        raise Forbidden(_("Only province and city HRSS staff import social-insurance records "
                          "and business registrations."))
    region = getattr(actor, "region", None)
    if region is None:
        raise Forbidden(_("An import belongs to a region: use an account of a province or city "
                          "office."))
    return region


def _kind(kind: str) -> str:
    if kind not in ImportKind.values:
        raise DomainError(_("Unknown import kind: records or businesses."), field="kind",
                          code="invalid")
    return kind



def _file_error(message: str, code: str = "file") -> DomainError:
    return DomainError(message, field="file", code=code)


# --- the per-row checks -----------------------------------------------------------------------

class _Report:
    """Row errors as they are found: the first MAX_STORED_ERRORS kept, every bad row counted."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []
        self.bad_rows: set[int] = set()

    def add(self, number: int, field_name: str, code: str, /, **params: Any) -> None:
        self.bad_rows.add(number)
        if len(self.errors) < MAX_STORED_ERRORS:
            message = str(MESSAGES[code])
            self.errors.append({"row": number, "field": field_name,
                                "message": message % params if params else message})

    @property
    def count(self) -> int:
        return len(self.bad_rows)


class _Checks:
    """Cached checks of the values that repeat across rows (the same person every month, the
    same employers, regions and months)."""

    def __init__(self, importer_region: Region, today: dt.date) -> None:
        self.prefix = importer_region.scope_prefix
        self.latest = (today.year, today.month)
        self.today = today
        self.ids: dict[str, tuple] = {}
        self.codes: dict[str, tuple[str, str]] = {}
        self.regions: dict[str, tuple[int, str]] = {}
        self.months: dict[str, tuple[str, str]] = {}
        self.flags: dict[str, bool | None] = {}
        self.known: dict[str, tuple[int, str]] | None = None

    def identity(self, raw: str) -> tuple:
        """("ok", keyed hash) or ("link", reason, number as given, birth date or None)."""
        hit = self.ids.get(raw)
        if hit is not None:
            return hit
        if len(self.ids) > CACHE_LIMIT:
            self.ids.clear()
        value = rules.normalize(raw)
        shape = rules.id_shape(value)
        result: tuple
        if shape == "empty":
            result = ("link", LinkReason.MISSING, "", None)
        else:
            number = rules.upgrade_id15(value, id_check_character) if shape == "id15" else value
            try:
                parsed = parse_resident_id(number, today=self.today) if shape != "other" \
                    else None
            except InvalidIdentifier:
                parsed = None
            if parsed is None:
                result = ("link", LinkReason.INVALID, value, rules.birth_date_in_id(value))
            else:
                result = ("ok", pii.keyed_hash(parsed.number))
        self.ids[raw] = result
        return result

    def credit_code(self, raw: str, *, employer: bool) -> tuple[str, str]:
        """(code, "") or ("", error code)."""
        hit = self.codes.get(raw)
        if hit is None:
            try:
                parsed = parse_credit_code(raw)
            except InvalidIdentifier:
                hit = ("", "invalid")
            else:
                hit = (parsed.code, "") if parsed.check_ok else ("", "check")
            if len(self.codes) > CACHE_LIMIT:
                self.codes.clear()
            self.codes[raw] = hit
        if hit[1]:
            prefix = "employer" if employer else "credit"
            return "", "employer_check" if hit[1] == "check" and employer else f"{prefix}_invalid"
        return hit

    def region(self, raw: str) -> tuple[int, str]:
        """(region id, "") or (0, error code). The importer's regions are read once before the
        pass (no query while a COPY is open)."""
        hit = self.regions.get(raw)
        if hit is None:
            if self.known is None:
                self.known = {code: (pk, level) for code, pk, level in Region.objects.filter(
                    code__startswith=self.prefix).values_list("code", "id", "level")}
            code = rules.normalize(raw)
            found = self.known.get(code)
            if found is None:
                hit = (0, "region_outside" if len(code) >= 6 and code.isdigit()
                       and not code.startswith(self.prefix) else "region_unknown")
            else:
                problem = rules.region_importable(code, found[1], self.prefix)
                hit = (0, problem) if problem else (found[0], "")
            self.regions[raw] = hit
        return hit

    def month(self, raw: str) -> tuple[str, str]:
        hit = self.months.get(raw)
        if hit is None:
            try:
                hit = (rules.parse_month(raw, latest=self.latest).isoformat(), "")
            except rules.Bad as bad:
                hit = ("", bad.code)
            self.months[raw] = hit
        return hit

    def flag(self, raw: str) -> bool | None:
        hit = self.flags.get(raw, 0)
        if hit == 0:
            try:
                hit = rules.parse_flag(raw)
            except rules.Bad:
                hit = None
            self.flags[raw] = hit
        return hit  # type: ignore[return-value]

    def date(self, raw: str) -> tuple[dt.date | None, str]:
        try:
            value = rules.parse_date(raw)
        except rules.Bad as bad:
            return None, bad.code
        return (None, "date_future") if value > self.today else (value, "")


def _getter(positions: dict[str, int], columns: Sequence[Column]) -> Callable[[list[str]], list]:
    """cells → the canonical columns' values in column order ("" where absent)."""
    order = [positions.get(c.name, -1) for c in columns]

    def get(cells: list[str]) -> list[str]:
        n = len(cells)
        return [cells[i] if 0 <= i < n else "" for i in order]

    return get


def _row_key(*parts: Any) -> str:
    text = "|".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class _LinkRow:
    row: int
    reason: str
    name: str
    birth_date: dt.date | None
    region_id: int
    id_given: str
    payload: dict[str, Any]
    key: str = ""


@dataclass
class _Pass:
    report: _Report = field(default_factory=_Report)
    rows: int = 0
    staged: int = 0
    duplicates: int = 0
    links: dict[str, _LinkRow] = field(default_factory=dict)


def _add_link(state: _Pass, link: _LinkRow, conflict_code: str) -> None:
    seen = state.links.get(link.key)
    if seen is None:
        state.links[link.key] = link
    elif seen.payload == link.payload:
        state.duplicates += 1
    else:
        state.report.add(link.row, "row", conflict_code, row=seen.row)

