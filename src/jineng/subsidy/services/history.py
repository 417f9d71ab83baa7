"""History import: a province moving to jineng brings the previous system's subsidy claims and
their payments, so that the shared limits count what was paid before (subsidy.imported feeds
them to the rules beside the claims filed in jineng).

- From a CSV or .xlsx file (`subsidy_history_import`, columns `HISTORY_COLUMNS`) or an API
  batch of rows (`subsidy_history_import_rows`): the same checks, the same report.
- Idempotent by the previous system's claim number within the province: a row imported again
  with the same content is `unchanged`; the same number with another content is a row error
  naming the first field that differs (`conflict`), as is a number twice in one file with two
  contents.
- Every bad row is reported with its row number, field and a Chinese sentence; a file with any
  bad row writes nothing (unless the caller asks to skip bad rows: then the good rows only).
- The person is kept as the keyed hash of the ID number and its masked form; the plain number
  is neither stored nor logged. One audit event per import (the rows are listed by the report).

Province and city HRSS staff import (a migration is not a county's job); every row's region
must lie in their jurisdiction."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit, pii
from jineng.core.errors import DomainError, Forbidden
from jineng.core.importing import (
    Column,
    ImportReport,
    RowError,
    RowInvalid,
    batch_rows_csv,
    run_import,
)
from jineng.core.scoping import scope_of
from jineng.core.tabular import Row, check_file_size
from jineng.registry import selectors as registry
from jineng.registry.models import Occupation, Region, SkillLevel
from jineng.subsidy.choices import ClaimKind, ClaimStatus, PayeeKind
from jineng.subsidy.models import HistoricSubsidy

__all__ = ["HISTORY_COLUMNS", "MAX_BATCH_ROWS", "MAX_FILE_ROWS", "history_template",
           "may_import_history", "subsidy_history_import", "subsidy_history_import_rows"]

MAX_FILE_ROWS = 50_000
MAX_BATCH_ROWS = 5_000
EARLIEST = dt.date(2000, 1, 1)
MAX_AMOUNT = Decimal("1000000")
ENTITY = "subsidy.historicsubsidy"

HISTORY_COLUMNS = [
    Column("claim_number", "原系统申领编号", required=True, max_length=60,
           help="the previous system's claim number; unique in the province"),
    Column("id_number", "身份证号", required=True, max_length=30),
    Column("name", "姓名", required=True, max_length=50),
    Column("kind", "补贴类别", required=True, max_length=30,
           help="training, certificate, upskilling, … or the Chinese name"),
    Column("region", "地区代码", required=True, max_length=12,
           help="the county (or city) where the claim was decided"),
    Column("claim_date", "申领日期", required=True, max_length=10),
    Column("amount", "核定金额", required=True, max_length=20, help="yuan"),
    Column("status", "状态", max_length=20,
           help="paid (default when a payment date is given), approved, payment_failed, "
                "refused, withdrawn, recovered"),
    Column("payee_kind", "支付对象", max_length=20, help="person (default), institution, "
                                                       "enterprise"),
    Column("payee_name", "收款方名称", max_length=200),
    Column("occupation_code", "职业编码", max_length=20),
    Column("level", "技能等级", max_length=30, help="level code (grade5 …) or name"),
    Column("certificate_number", "证书编号", max_length=40),
    Column("certificate_date", "发证日期", max_length=10),
    Column("paid_amount", "支付金额", max_length=20),
    Column("paid_on", "支付日期", max_length=10),
    Column("payment_reference", "支付流水号", max_length=60),
]

# The statuses a previous system's claim may have (drafts and claims under review are not
# migrated: they are filed again in jineng).
IMPORTED_STATUSES = (ClaimStatus.PAID, ClaimStatus.APPROVED, ClaimStatus.PAYMENT_FAILED,
                     ClaimStatus.REFUSED, ClaimStatus.WITHDRAWN, ClaimStatus.RECOVERED)
STATUS_WORDS = {"已支付": ClaimStatus.PAID, "已发放": ClaimStatus.PAID,
                "已审核": ClaimStatus.APPROVED, "审核通过": ClaimStatus.APPROVED,
                "支付失败": ClaimStatus.PAYMENT_FAILED, "不予通过": ClaimStatus.REFUSED,
                "已拒绝": ClaimStatus.REFUSED, "已撤回": ClaimStatus.WITHDRAWN,
                "已追回": ClaimStatus.RECOVERED}
KIND_WORDS = {"职业培训补贴": ClaimKind.TRAINING, "证书直补": ClaimKind.CERTIFICATE,
              "技能提升补贴": ClaimKind.UPSKILLING, "失业保险技能提升补贴": ClaimKind.UPSKILLING,
              "新型学徒制补贴": ClaimKind.APPRENTICESHIP,
              "企业新型学徒制": ClaimKind.APPRENTICESHIP,
              "职业技能评价补贴": ClaimKind.EVALUATION, "生活费补贴": ClaimKind.LIVING_ALLOWANCE,
              "就业提升奖补": ClaimKind.EMPLOYMENT_UPLIFT}
PAYEE_WORDS = {"个人": PayeeKind.PERSON, "培训机构": PayeeKind.INSTITUTION,
               "机构": PayeeKind.INSTITUTION, "企业": PayeeKind.ENTERPRISE}

# The fields compared for idempotency, in the order a conflict names the first that differs.
CONTENT = ("id_hash", "name", "kind", "status", "region", "claim_date", "amount", "payee_kind",
           "payee_name", "occupation_code", "level", "certificate_number", "certificate_date",
           "paid_amount", "paid_on", "payment_reference")
# A content field → the column a conflict names.
CONTENT_COLUMN = {"id_hash": "id_number"}


def may_import_history(actor) -> bool:
    """The province's or a city's HRSS office, or a system administrator."""
    scope = scope_of(actor)
    return scope.everything or (bool(getattr(actor, "is_hrss_staff", False))
                                and scope.region_prefix is not None
                                and len(scope.region_prefix) <= 4)


def _ensure_may(actor) -> None:
    if not may_import_history(actor):
        raise Forbidden(_("Subsidies paid by a previous system are imported by the province's "
                          "or a city's HRSS office."))


# --- one row ---------------------------------------------------------------------------------

def _choice(value: str, name: str, choices, words: dict[str, str], default: str = "") -> str:
    text = (value or "").strip()
    if not text:
        if default:
            return default
        raise RowInvalid((name, _("This field is required.")))
    if text in choices.values:
        return text
    if text in words:
        return words[text]
    labels = {str(label): val for val, label in choices.choices}
    if text in labels:
        return labels[text]
    raise RowInvalid((name, _("Unknown value “%(value)s”; use one of: %(accepted)s.")
                      % {"value": text, "accepted": ", ".join(choices.values)}))


def _day(value: str, name: str, *, required: bool = False) -> dt.date | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise RowInvalid((name, _("This field is required.")))
        return None
    try:
        day = dt.date.fromisoformat(text[:10].replace("/", "-"))
    except ValueError:
        raise RowInvalid((name, _("“%(value)s” is not a date (YYYY-MM-DD).")
                          % {"value": text})) from None
    if day < EARLIEST or day > timezone.localdate():
        raise RowInvalid((name, _("The date %(day)s is out of range (%(first)s to today).")
                          % {"day": day, "first": EARLIEST}))
    return day


def _money(value: str, name: str, *, required: bool = False) -> Decimal | None:
    text = (value or "").strip().replace(",", "")
    if not text:
        if required:
            raise RowInvalid((name, _("This field is required.")))
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise RowInvalid((name, _("“%(value)s” is not an amount in yuan.")
                          % {"value": text})) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise RowInvalid((name, _("The amount must lie between 0 and %(max)s yuan.")
                          % {"max": MAX_AMOUNT}))
    if amount != amount.quantize(Decimal("0.01")):
        raise RowInvalid((name, _("At most two decimals (fen).")))
    return amount.quantize(Decimal("0.01"))


@dataclass
class _Lookups:
    actor: Any
    regions: dict[str, Region]
    occupations: dict[str, Occupation]
    levels: dict[str, SkillLevel]

    @classmethod
    def load(cls, actor, rows: list[Row]) -> _Lookups:
        codes = {r.values.get("region", "").strip() for r in rows}
        occ = {r.values.get("occupation_code", "").strip() for r in rows} - {""}
        levels = {}
        for level in registry.skill_level_list(actor=None):
            levels[level.code] = level
            levels[level.name] = level
            if level.national_grade:
                levels.setdefault(level.national_grade, level)
        return cls(actor=actor,
                   regions={r.code: r for r in registry.region_list(actor=None)
                            .filter(code__in=codes - {""})},
                   occupations={o.code: o for o in Occupation.objects.filter(code__in=occ)},
                   levels=levels)


def _parse(row: Row, lookups: _Lookups) -> dict[str, Any]:
    """One row checked: every problem of the row at once (field, Chinese sentence)."""
    v = row.values
    problems: list[tuple[str, str]] = []
    out: dict[str, Any] = {"row": row.number}

    def take(name: str, fn, *args, **kw):
        try:
            out[name] = fn(*args, **kw)
        except RowInvalid as bad:
            problems.extend(bad.problems)
            out[name] = None

    number = v.get("claim_number", "").strip()
    out["claim_number"] = number
    whole = registry.whole_id_number(v.get("id_number", ""))
    if whole is None:
        problems.append(("id_number", _("Not a valid resident ID number (18 characters with "
                                        "its check digit).")))
    else:
        out["id_hash"] = pii.keyed_hash(whole)
        out["id_masked"] = pii.mask_id_number(whole)
    out["name"] = v.get("name", "").strip()
    take("kind", _choice, v.get("kind", ""), "kind", ClaimKind, KIND_WORDS)
    take("payee_kind", _choice, v.get("payee_kind", ""), "payee_kind", PayeeKind, PAYEE_WORDS,
         PayeeKind.PERSON)
    take("claim_date", _day, v.get("claim_date", ""), "claim_date", required=True)
    take("certificate_date", _day, v.get("certificate_date", ""), "certificate_date")
    take("paid_on", _day, v.get("paid_on", ""), "paid_on")
    take("amount", _money, v.get("amount", ""), "amount", required=True)
    take("paid_amount", _money, v.get("paid_amount", ""), "paid_amount")
    default_status = ClaimStatus.PAID if out.get("paid_on") else ""
    take("status", _choice, v.get("status", ""), "status", ClaimStatus, STATUS_WORDS,
         default_status)
    if out.get("status") and out["status"] not in IMPORTED_STATUSES:
        problems.append(("status", _("Claims still in review or drafts are not imported: file "
                                     "them again in jineng.")))
    region = lookups.regions.get(v.get("region", "").strip())
    scope = scope_of(lookups.actor)
    if region is None:
        problems.append(("region", _("No region with the code %(code)s.")
                         % {"code": v.get("region", "") or "—"}))
    elif not (scope.everything or region.code.startswith(scope.region_prefix or "#")):
        problems.append(("region", _("The region %(code)s is outside your jurisdiction.")
                         % {"code": region.code}))
    elif len(region.code) < 6 or region.code.endswith("0000"):
        problems.append(("region", _("Name the county or city where the claim was decided, "
                                     "not the province.")))
    out["region"] = region
    code = v.get("occupation_code", "").strip()
    out["occupation_code"] = code
    out["occupation"] = lookups.occupations.get(code) if code else None
    if code and out["occupation"] is None:
        problems.append(("occupation_code", _("No occupation with the code %(code)s.")
                         % {"code": code}))
    level_text = v.get("level", "").strip()
    out["level"] = lookups.levels.get(level_text) if level_text else None
    if level_text and out["level"] is None:
        problems.append(("level", _("Unknown skill level “%(value)s”.") % {"value": level_text}))
    out["payee_name"] = v.get("payee_name", "").strip()
    out["certificate_number"] = v.get("certificate_number", "").strip()
    out["payment_reference"] = v.get("payment_reference", "").strip()
    if out.get("status") in (ClaimStatus.PAID, ClaimStatus.RECOVERED) and not out.get("paid_on"):
        problems.append(("paid_on", _("A paid (or recovered) claim needs its payment date.")))
    if out.get("paid_on") and out.get("claim_date") and out["paid_on"] < out["claim_date"]:
        problems.append(("paid_on", _("The payment date %(paid)s is before the claim date "
                                      "%(claim)s.") % {"paid": out["paid_on"],
                                                       "claim": out["claim_date"]}))
    if (out.get("paid_amount") is not None and out.get("amount") is not None
            and out["paid_amount"] > out["amount"]):
        problems.append(("paid_amount", _("The amount paid exceeds the amount granted (%(a)s "
                                          "yuan).") % {"a": out["amount"]}))
    if out.get("certificate_number") and not out.get("certificate_date"):
        problems.append(("certificate_date", _("Give the certificate's date with its number.")))
    if out.get("payee_kind") and out["payee_kind"] != PayeeKind.PERSON and not out["payee_name"]:
        problems.append(("payee_name", _("Name the institution or enterprise paid.")))
    if problems:
        raise RowInvalid(*problems)
    return out


def _content(values: dict[str, Any]) -> dict[str, str]:
    """The compared content of a parsed row or a stored record, as text."""
    def text(value) -> str:
        if value is None:
            return ""
        if isinstance(value, Region):
            return value.code
        if isinstance(value, SkillLevel):
            return value.code
        return str(value)
    return {name: text(values.get(name)) for name in CONTENT}


def _stored_content(record: HistoricSubsidy) -> dict[str, str]:
    return _content({name: getattr(record, name) for name in CONTENT})


def _hash(content: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _first_difference(a: dict[str, str], b: dict[str, str]) -> str:
    return next((name for name in CONTENT if a[name] != b[name]), "claim_number")


# --- the import ------------------------------------------------------------------------------

class _Refused(Exception):
    def __init__(self, errors: list[RowError], rows: int) -> None:
        super().__init__("refused")
        self.errors, self.rows = errors, rows


def _common_region(codes: list[str]) -> str:
    """The region holding every code (their common prefix, as a six-digit code), so that the
    staff of that region see the import in the audit trail."""
    prefix = codes[0][:6]
    for code in codes[1:]:
        while not code.startswith(prefix):
            prefix = prefix[:-1]
    return prefix.ljust(6, "0")


def _province_of(region: Region) -> str:
    return region.code[:2] + "0000"


def _run(actor, *, data: bytes, filename: str, source: str, skip_bad_rows: bool,
         max_rows: int) -> ImportReport:
    lookups: _Lookups | None = None
    existing: dict[tuple[str, str], HistoricSubsidy] = {}

    def prepare(rows: list[Row], context: dict) -> None:
        nonlocal lookups
        if len(rows) > max_rows:
            raise DomainError(_("At most %(max)d rows at once; this has %(n)d. Split it.")
                              % {"max": max_rows, "n": len(rows)}, field="file",
                              code="too_many_rows")
        lookups = _Lookups.load(actor, rows)
        numbers = {r.values.get("claim_number", "").strip() for r in rows} - {""}
        for record in (HistoricSubsidy.objects.filter(claim_number__in=numbers)
                       .select_related("region", "level")):
            existing[(record.province_code, record.claim_number)] = record

    def parse_row(row: Row, context: dict) -> dict:
        parsed = _parse(row, lookups)
        key = (_province_of(parsed["region"]), parsed["claim_number"])
        parsed["content"] = _content(parsed)
        seen = context.setdefault("seen", {})
        if key in seen:
            first_row, first_content = seen[key]
            if first_content != parsed["content"]:
                raise RowInvalid(("claim_number", _(
                    "The claim number %(number)s is also in row %(row)d with other content "
                    "(%(field)s differs).") % {
                        "number": key[1], "row": first_row,
                        "field": _first_difference(first_content, parsed["content"])}))
            parsed["repeat"] = True
            return parsed
        seen[key] = (row.number, parsed["content"])
        before = existing.get(key)
        if before is not None:
            stored = _stored_content(before)
            if stored != parsed["content"]:
                field = _first_difference(stored, parsed["content"])
                raise RowInvalid((CONTENT_COLUMN.get(field, field), _(
                    "The claim number %(number)s was imported before with another %(field)s "
                    "(%(before)s); a claim of the previous system is imported once.") % {
                        "number": key[1], "field": CONTENT_COLUMN.get(field, field),
                        "before": "***" if field == "id_hash" else stored[field] or "—"}))
            parsed["unchanged"] = True
        parsed["key"] = key
        return parsed

    def save(parsed: list[dict]) -> tuple[int, int, int]:
        user = actor if getattr(actor, "is_authenticated", False) else None
        new = [HistoricSubsidy(
            province_code=p["key"][0], claim_number=p["claim_number"], id_hash=p["id_hash"],
            id_masked=p["id_masked"], name=p["name"], kind=p["kind"], status=p["status"],
            region=p["region"], payee_kind=p["payee_kind"], payee_name=p["payee_name"],
            occupation=p["occupation"], occupation_code=p["occupation_code"], level=p["level"],
            certificate_number=p["certificate_number"],
            certificate_date=p["certificate_date"], claim_date=p["claim_date"],
            amount=p["amount"], paid_amount=p["paid_amount"], paid_on=p["paid_on"],
            payment_reference=p["payment_reference"], content_hash=_hash(p["content"]),
            source=source[:200], imported_by=user)
            for p in parsed if not p.get("repeat") and not p.get("unchanged")]
        HistoricSubsidy.objects.bulk_create(new, batch_size=2000)
        unchanged = sum(1 for p in parsed if p.get("unchanged") or p.get("repeat"))
        if new:
            audit.record_bulk_import(actor=actor, entity_type=ENTITY, count=len(new),
                                     source=source[:200],
                                     region_code=_common_region([r.region.code for r in new]))
        return len(new), 0, unchanged

    return run_import(data=data, filename=filename, columns=HISTORY_COLUMNS,
                      parse_row=parse_row, save=save, prepare=prepare,
                      skip_bad_rows=skip_bad_rows)


def _read(file) -> tuple[bytes, str]:
    if file is None:
        raise DomainError(_("Choose a file."), field="file", code="required")
    check_file_size(getattr(file, "size", None))
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    return data, getattr(file, "name", "") or "history.csv"


def subsidy_history_import(*, actor, file, skip_bad_rows: bool = False) -> ImportReport:
    """Import a previous system's claims and payments from a CSV or .xlsx file (one row per
    claim, `HISTORY_COLUMNS`): see the module's docstring. created: claims recorded now;
    unchanged: claims imported before with the same content (and repeats inside the file)."""
    _ensure_may(actor)
    data, filename = _read(file)
    with transaction.atomic():
        return _run(actor, data=data, filename=filename, source=filename,
                    skip_bad_rows=skip_bad_rows, max_rows=MAX_FILE_ROWS)


def subsidy_history_import_rows(*, actor, rows: list[dict[str, Any]],
                                skip_bad_rows: bool = False) -> ImportReport:
    """The same from an API batch (at most MAX_BATCH_ROWS rows, keys as the column names);
    rows are numbered from 1 in the report."""
    _ensure_may(actor)
    data = batch_rows_csv(rows, HISTORY_COLUMNS, MAX_BATCH_ROWS)
    with transaction.atomic():
        report = _run(actor, data=data, filename="api.csv", source="api",
                      skip_bad_rows=skip_bad_rows, max_rows=MAX_BATCH_ROWS)
    for error in report.errors:  # the header was row 1 of the CSV: batch rows count from 1
        error.row -= 1
    return report


def history_template() -> bytes:
    """An empty CSV with the column titles (Chinese) and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.label for c in HISTORY_COLUMNS])
    writer.writerow(["GZ2023-000123", "520102199001011237", "张三", "职业培训补贴", "520102",
                     "2023-05-10", "1200.00", "已支付", "个人", "张三", "", "grade5", "", "",
                     "1200.00", "2023-06-01", "ZF20230601001"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
