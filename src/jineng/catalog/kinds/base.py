"""What every catalog kind shares: the Chinese terms of the file layout, the column titles on
pages, the common columns, a parsed row (`ParsedEntry`) and the kind's description
(`KindSpec`) the five kinds fill in, with the helpers they use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jineng.catalog.choices import QualificationCategory, TrainingType, Urgency
from jineng.catalog.models import (
    CatalogEntry,
)
from jineng.catalog.parsing import (
    ParseContext,
    RowProblems,
    bool_value,
    date_value,
    text,
)
from jineng.catalog.rules.entries import EntryFacts
from jineng.catalog.rules.periods import Period, period_problems
from jineng.core.importing import Column
from jineng.registry.models import Region

# The Chinese terms of the file layout for each choice (also accepted on import, with the codes
# and the English labels).
TRAINING_TYPE_ZH = {
    TrainingType.EMPLOYMENT: "就业技能培训",
    TrainingType.UPSKILLING: "岗位技能提升培训",
    TrainingType.ENTREPRENEURSHIP: "创业培训",
    TrainingType.APPRENTICESHIP: "企业新型学徒制",
    TrainingType.HIGH_SKILLED: "高技能人才培训",
    TrainingType.PRE_JOB: "岗前培训",
    TrainingType.JOB_TRANSFER: "转岗培训",
    TrainingType.SPECIAL_OPERATION: "特种作业安全技能培训",
}
QUALIFICATION_ZH = {QualificationCategory.ACCESS: "准入类",
                    QualificationCategory.LEVEL: "水平评价类"}
URGENCY_ZH = {Urgency.CRITICAL: "紧缺", Urgency.SHORT: "较紧缺", Urgency.WATCH: "一般"}


def aliases(choices, zh: dict, extra: dict[str, str] | None = None) -> dict[str, str]:
    table: dict[str, str] = {}
    for value, label in choices.choices:
        table[value] = value
        table[str(label).lower()] = value
        table[zh[value]] = value
    return {**table, **(extra or {})}


# Column titles on pages (translated); the file layout keeps the Chinese titles above.
COLUMN_TITLES = {
    "occupation_code": _("Occupation code"),
    "occupation": _("Occupation"),
    "skill_level": _("Skill level"),
    "special_ability_item": _("Special ability item"),
    "region_code": _("Region code"),
    "region": _("Region"),
    "training_type": _("Training type"),
    "amount": _("Standard (yuan)"),
    "required_hours": _("Class hours"),
    "min_attendance_share": _("Minimum attendance"),
    "government_share": _("Government share"),
    "enterprise_share": _("Enterprise share"),
    "individual_share": _("Individual share"),
    "urgent_uplift": _("Urgent-occupation uplift"),
    "key_group_uplift": _("Key-group uplift"),
    "material_cost": _("Material cost (yuan)"),
    "valid_from": _("Valid from"),
    "valid_to": _("Valid until"),
    "overrides_base": _("Overrides base catalog"),
    "override_reason": _("Reason for overriding"),
    "note": _("Note"),
    "credit_code": _("Credit code"),
    "organization": _("Organization"),
    "min_level": _("Lowest level"),
    "max_level": _("Highest level"),
    "sites": _("Training sites"),
    "self_evaluation": _("Self-evaluation"),
    "evaluation_scope": _("Who may be assessed"),
    "top_filing_number": _("特级技师/首席技师 filing"),
    "top_filing_date": _("Filing date"),
    "name": _("Qualification"),
    "category": _("Category"),
    "authority": _("Administered by"),
    "legal_basis": _("Legal basis"),
    "sector": _("Sector"),
    "urgency": _("Urgency"),
    "forecast_year": _("Forecast year"),
    "forecast_demand": _("Forecast demand"),
    "forecast_shortfall": _("Forecast shortfall"),
    "source_department": _("Reported by"),
}


def yes(flag: bool) -> str:
    return "是" if flag else ""


COMMON_COLUMNS = [
    Column("valid_from", "生效日期", help=str(_("Empty: from the version's start."))),
    Column("valid_to", "失效日期", help=str(_("Empty: until the version ends."))),
    Column("overrides_base", "覆盖省级目录",
           help=str(_("Supplements only: 是 when the row deliberately differs from the base "
                      "catalog."))),
    Column("override_reason", "覆盖理由"),
    Column("note", "备注"),
]


@dataclass
class ParsedEntry:
    """One row read and checked: model fields, site ids, and the facts the set rules need."""

    row: int
    fields: dict[str, Any]
    facts: EntryFacts
    sites: list[int] = field(default_factory=list)
    unchanged: bool = False


class KindSpec:
    kind: str
    model: type[CatalogEntry]
    columns: list[Column]
    key_columns: tuple[str, ...]  # shown as the row's identity in diffs
    display_columns: tuple[str, ...]  # shown in the public table
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    has_region = False

    # --- reading stored entries ------------------------------------------------------------

    def entries(self, version_ids: list[int] | int) -> QuerySet:
        ids = version_ids if isinstance(version_ids, list) else [version_ids]
        qs = self.model.objects.filter(version_id__in=ids).select_related(*self.select_related)
        return qs.prefetch_related(*self.prefetch_related) if self.prefetch_related else qs

    @property
    def labels(self) -> dict[str, str]:
        return {c.name: c.label for c in self.columns}

    def export_row(self, entry) -> list[Any]:
        values = self.cells(entry)
        return [values.get(c.name, "") for c in self.columns]

    def cells(self, entry) -> dict[str, Any]:
        common = {"valid_from": entry.valid_from or "", "valid_to": entry.valid_to or "",
                  "overrides_base": yes(entry.overrides_base),
                  "override_reason": entry.override_reason, "note": entry.note}
        return {**self.own_cells(entry), **common}

    def own_cells(self, entry) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def diff_row(self, entry) -> tuple[tuple, dict[str, str]]:
        cells = {k: _display(v) for k, v in self.cells(entry).items()}
        key = (*(cells.get(c, "") for c in self.key_columns), cells["valid_from"])
        values = {self.labels[c.name]: cells[c.name] for c in self.columns
                  if c.name not in self.key_columns and c.name != "valid_from"}
        return key, values

    def facts(self, entry, version_period: Period) -> EntryFacts:
        period = Period(entry.valid_from or version_period.start,
                        entry.valid_to or version_period.end)
        return self.make_facts(entry.pk, entry, period, entry.overrides_base,
                               entry.override_reason)

    def make_facts(self, ref, obj, period: Period, overrides: bool,
                   reason: str) -> EntryFacts:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- searching --------------------------------------------------------------------------

    def search(self, qs: QuerySet, q: str) -> QuerySet:
        return qs.filter(Q(occupation__name__contains=q) | Q(occupation__code__startswith=q)
                         | Q(special_ability_item__contains=q))

    def filter_level(self, qs: QuerySet, level) -> QuerySet:
        return qs.filter(Q(min_level__rank__lte=level.rank) | Q(min_level__isnull=True),
                         Q(max_level__rank__gte=level.rank) | Q(max_level__isnull=True))

    def filter_region(self, qs: QuerySet, region: Region) -> QuerySet:
        return qs.filter(region_applies_q("region", region))

    # --- reading rows ----------------------------------------------------------------------

    def parse(self, row: int, values: dict[str, str], ctx: ParseContext) -> ParsedEntry:
        problems = RowProblems()
        start = date_value(values, "valid_from", problems)
        end = date_value(values, "valid_to", problems)
        problems.rules(period_problems(start, end, start_field="valid_from",
                                       end_field="valid_to"), self.labels)
        overrides = bool_value(values, "overrides_base", problems)
        reason = text(values, "override_reason")
        if overrides and not ctx.catalog.is_supplement:
            problems.add("overrides_base", str(_("Only a supplement can override the base "
                                                 "catalog.")))
        common = {"valid_from": start, "valid_to": end, "overrides_base": overrides,
                  "override_reason": reason[:300], "note": text(values, "note")[:300],
                  "source_row": row}
        own, sites = self.parse_own(values, ctx, problems)
        problems.check()
        fields_ = {**own, **common}
        period = Period(start or ctx.version_period.start, end or ctx.version_period.end)
        obj = _Obj(fields_)
        obj.site_ids = tuple(sites)
        facts = self.make_facts(row, obj, period, overrides, reason)
        return ParsedEntry(row=row, fields=fields_, facts=facts, sites=sites)

    def parse_own(self, values: dict[str, str], ctx: ParseContext,
                  problems: RowProblems) -> tuple[dict[str, Any], list[int]]:
        raise NotImplementedError  # pragma: no cover


class _Obj:
    """Attribute access over a dict of model fields, so facts are built the same way from a
    parsed row and from a stored entry."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.__dict__.update(data)
        for name, value in data.items():
            if value is None or hasattr(value, "pk"):
                self.__dict__[f"{name}_id"] = getattr(value, "pk", None)


def _display(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def _org_cells(e) -> dict[str, Any]:
    return {
        "credit_code": e.organization.credit_code, "organization": e.organization.name,
        "occupation_code": e.occupation.code or "" if e.occupation else "",
        "occupation": e.occupation.name if e.occupation else "",
        "special_ability_item": e.special_ability_item,
        "min_level": e.min_level.name if e.min_level else "",
        "max_level": e.max_level.name if e.max_level else "",
    }


def _rank(level) -> int | None:
    return level.rank if level is not None else None


def region_applies_q(path: str, region: Region) -> Q:
    """Entries that apply in `region`: their region is the region itself, one of its ancestors
    (a province-wide standard applies in every county) or inside it."""
    ancestors = ancestor_codes(region.code)
    return Q(**{f"{path}__code__in": ancestors}) | Q(
        **{f"{path}__code__startswith": region.scope_prefix})


def ancestor_codes(code: str) -> list[str]:
    """The region's code and its city's and province's codes (GB/T 2260 layout)."""
    six = code[:6]
    codes = [code, six, six[:4] + "00", six[:2] + "0000"]
    return list(dict.fromkeys(codes))
