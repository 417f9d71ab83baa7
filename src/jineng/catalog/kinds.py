"""What differs between the catalog kinds, in one place per kind: the columns of the Excel
layout (template, import and export share them, so an export can be imported again), how a row
is read, how an entry is keyed and compared (overlaps, supplements, diffs), shown and searched.

Column titles are the Chinese titles provincial offices use in the files they circulate; they
are a file format, not interface text, so they are not translated (the field names in
`Column.name` are accepted as titles too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jineng.catalog.choices import CatalogKind, QualificationCategory, TrainingType, Urgency
from jineng.catalog.models import (
    CatalogEntry,
    EvaluationCatalogEntry,
    InstitutionCatalogEntry,
    QualificationEntry,
    SubsidyStandardEntry,
    UrgentOccupationEntry,
)
from jineng.catalog.parsing import (
    ParseContext,
    RowProblems,
    bool_value,
    choice_value,
    date_value,
    decimal_value,
    int_value,
    share_value,
    text,
)
from jineng.catalog.rules import values as value_rules
from jineng.catalog.rules.entries import EntryFacts
from jineng.catalog.rules.periods import Period, period_problems
from jineng.core.importing import Column
from jineng.registry.choices import OrganizationKind
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


# --- the five kinds -------------------------------------------------------------------------

class SubsidySpec(KindSpec):
    kind = CatalogKind.SUBSIDY_STANDARD
    model = SubsidyStandardEntry
    has_region = True
    select_related = ("occupation", "skill_level", "region")
    columns = [
        Column("occupation_code", "职业编码"),
        Column("occupation", "职业(工种)"),
        Column("skill_level", "技能等级",
               help=str(_("初级工(五级) … 首席技师; empty for a special ability item."))),
        Column("special_ability_item", "专项职业能力/项目"),
        Column("region_code", "适用地区代码",
               help=str(_("Empty: the whole region of the catalog."))),
        Column("region", "适用地区"),
        Column("training_type", "培训类型", required=True),
        Column("amount", "补贴标准(元)", required=True),
        Column("required_hours", "培训课时", required=True),
        Column("min_attendance_share", "最低出勤率", required=True,
               help=str(_("0.8 or 80%"))),
        Column("government_share", "政府分担比例", help=str(_("Empty: 1 (all public)."))),
        Column("enterprise_share", "企业分担比例"),
        Column("individual_share", "个人分担比例"),
        Column("urgent_uplift", "急需紧缺上浮比例"),
        Column("key_group_uplift", "重点群体上浮比例"),
        Column("material_cost", "实训耗材费(元)"),
        *COMMON_COLUMNS,
    ]
    key_columns = ("occupation_code", "occupation", "skill_level", "special_ability_item",
                   "region_code", "training_type")
    display_columns = ("occupation_code", "occupation", "skill_level", "special_ability_item",
                       "region", "training_type", "amount", "required_hours",
                       "min_attendance_share", "material_cost")
    training_types = aliases(TrainingType, TRAINING_TYPE_ZH,
                             {"企业新型学徒制培训": TrainingType.APPRENTICESHIP})

    def own_cells(self, e) -> dict[str, Any]:
        return {
            "occupation_code": e.occupation.code or "" if e.occupation else "",
            "occupation": e.occupation.name if e.occupation else "",
            "skill_level": e.skill_level.name if e.skill_level else "",
            "special_ability_item": e.special_ability_item,
            "region_code": e.region.code, "region": e.region.name,
            "training_type": TRAINING_TYPE_ZH.get(e.training_type, e.training_type),
            "amount": e.amount, "required_hours": e.required_hours,
            "min_attendance_share": e.min_attendance_share,
            "government_share": e.government_share, "enterprise_share": e.enterprise_share,
            "individual_share": e.individual_share, "urgent_uplift": e.urgent_uplift,
            "key_group_uplift": e.key_group_uplift, "material_cost": e.material_cost,
        }

    def filter_level(self, qs: QuerySet, level) -> QuerySet:
        return qs.filter(skill_level=level)

    def make_facts(self, ref, e, period, overrides, reason) -> EntryFacts:
        subject = e.special_ability_item or " ".join(
            x for x in (getattr(e.occupation, "name", ""), getattr(e.skill_level, "name", ""))
            if x)
        return EntryFacts(
            ref=ref, period=period, overrides_base=overrides, override_reason=reason,
            key=(e.occupation_id, e.skill_level_id, e.special_ability_item, e.training_type),
            region_code=e.region.code, region_prefix=e.region.scope_prefix,
            values={"amount": e.amount, "required_hours": e.required_hours,
                    "min_attendance_share": e.min_attendance_share,
                    "government_share": e.government_share,
                    "enterprise_share": e.enterprise_share,
                    "individual_share": e.individual_share,
                    "urgent_uplift": e.urgent_uplift, "key_group_uplift": e.key_group_uplift,
                    "material_cost": e.material_cost},
            label=f"{subject} · {TRAINING_TYPE_ZH.get(e.training_type, '')} · {e.region.name}",
        )

    def parse_own(self, values, ctx, problems):
        item = text(values, "special_ability_item")[:100]
        occupation = ctx.occupation(values, problems, required=not item)
        level = ctx.level(values, "skill_level", problems, required=not item)
        if item and level is not None:
            problems.add("skill_level", str(_("Give either a skill level or a special ability "
                                              "item, not both.")))
        region = ctx.region(values, problems)
        training_type = choice_value(values, "training_type", self.training_types, problems)
        amount = decimal_value(values, "amount", problems)
        hours = int_value(values, "required_hours", problems)
        attendance = share_value(values, "min_attendance_share", problems)
        any_share = any(text(values, n) for n in ("government_share", "enterprise_share",
                                                  "individual_share"))
        zero = Decimal("0")
        gov = share_value(values, "government_share", problems,
                          zero if any_share else Decimal("1"))
        ent = share_value(values, "enterprise_share", problems, zero)
        ind = share_value(values, "individual_share", problems, zero)
        urgent = share_value(values, "urgent_uplift", problems, zero)
        key_group = share_value(values, "key_group_uplift", problems, zero)
        material = decimal_value(values, "material_cost", problems, zero)
        figures = (amount, hours, attendance, gov, ent, ind, urgent, key_group, material)
        if all(x is not None for x in figures):
            problems.rules(value_rules.subsidy_problems(
                value_rules.SubsidyValues(amount, hours, attendance, gov, ent, ind, urgent,
                                          key_group, material), cap=ctx.amount_cap),
                self.labels)
        return {"occupation": occupation, "skill_level": level, "special_ability_item": item,
                "region": region, "training_type": training_type, "amount": amount,
                "required_hours": hours, "min_attendance_share": attendance,
                "government_share": gov, "enterprise_share": ent, "individual_share": ind,
                "urgent_uplift": urgent, "key_group_uplift": key_group,
                "material_cost": material}, []


class InstitutionSpec(KindSpec):
    kind = CatalogKind.TRAINING_INSTITUTION
    model = InstitutionCatalogEntry
    select_related = ("organization", "occupation", "min_level", "max_level")
    prefetch_related = ("sites",)
    columns = [
        Column("credit_code", "统一社会信用代码", required=True),
        Column("organization", "机构名称"),
        Column("occupation_code", "职业编码"),
        Column("occupation", "职业(工种)"),
        Column("special_ability_item", "专项职业能力/项目"),
        Column("min_level", "最低等级"),
        Column("max_level", "最高等级"),
        Column("sites", "培训场地",
               help=str(_("Site names separated by 、; empty: every registered site."))),
        *COMMON_COLUMNS,
    ]
    key_columns = ("credit_code", "organization", "occupation_code", "occupation",
                   "special_ability_item")
    display_columns = ("organization", "occupation", "special_ability_item", "min_level",
                       "max_level", "sites", "valid_from", "valid_to")
    org_kinds: tuple[str, ...] = (OrganizationKind.TRAINING,)

    def own_cells(self, e) -> dict[str, Any]:
        return {**_org_cells(e), "sites": "、".join(sorted(s.name for s in e.sites.all()))}

    def search(self, qs: QuerySet, q: str) -> QuerySet:
        return qs.filter(Q(organization__name__contains=q) | Q(occupation__name__contains=q)
                         | Q(occupation__code__startswith=q)
                         | Q(special_ability_item__contains=q))

    def filter_region(self, qs: QuerySet, region: Region) -> QuerySet:
        return qs.filter(organization__region__code__startswith=region.scope_prefix)

    def listing_facts(self, ref, e, period, overrides, reason, **values) -> EntryFacts:
        """Facts of an institution listed for an occupation (or item) between two levels,
        with the kind's own `values` (shared with the evaluation catalog)."""
        subject = getattr(e.occupation, "name", "") or e.special_ability_item
        return EntryFacts(
            ref=ref, period=period, overrides_base=overrides, override_reason=reason,
            key=(e.organization_id, e.occupation_id, e.special_ability_item),
            values={"min_level": _rank(e.min_level), "max_level": _rank(e.max_level),
                    **values},
            label=f"{e.organization.name} · {subject}",
        )

    def make_facts(self, ref, e, period, overrides, reason) -> EntryFacts:
        sites = getattr(e, "site_ids", None)
        if sites is None:
            sites = tuple(sorted(s.pk for s in e.sites.all()))
        return self.listing_facts(ref, e, period, overrides, reason, sites=tuple(sites))

    def parse_listing(self, values, ctx, problems) -> dict[str, Any]:
        """The institution, what it is listed for and the level range (shared with the
        evaluation catalog)."""
        org = ctx.organization(values, problems, self.org_kinds)
        item = text(values, "special_ability_item")[:100]
        occupation = ctx.occupation(values, problems, required=not item)
        low = ctx.level(values, "min_level", problems)
        high = ctx.level(values, "max_level", problems)
        problems.rules(value_rules.level_range_problems(_rank(low), _rank(high)), self.labels)
        return {"organization": org, "occupation": occupation, "special_ability_item": item,
                "min_level": low, "max_level": high}

    def parse_own(self, values, ctx, problems):
        listing = self.parse_listing(values, ctx, problems)
        org = listing["organization"]
        return listing, ctx.sites(org, values, problems) if org is not None else []


class EvaluationSpec(InstitutionSpec):
    kind = CatalogKind.EVALUATION_INSTITUTION
    model = EvaluationCatalogEntry
    prefetch_related = ()
    columns = [
        Column("credit_code", "统一社会信用代码", required=True),
        Column("organization", "机构名称"),
        Column("occupation_code", "职业编码"),
        Column("occupation", "职业(工种)"),
        Column("special_ability_item", "专项职业能力/项目"),
        Column("min_level", "最低等级"),
        Column("max_level", "最高等级"),
        Column("self_evaluation", "企业自主评价", help=str(_("是 for an enterprise."))),
        Column("evaluation_scope", "评价范围"),
        Column("top_filing_number", "特级技师/首席技师备案号"),
        Column("top_filing_date", "备案日期"),
        *COMMON_COLUMNS,
    ]
    display_columns = ("organization", "occupation", "special_ability_item", "min_level",
                       "max_level", "self_evaluation", "top_filing_number", "valid_from",
                       "valid_to")
    org_kinds = (OrganizationKind.EVALUATION, OrganizationKind.TRAINING,
                 OrganizationKind.ENTERPRISE)

    def own_cells(self, e) -> dict[str, Any]:
        return {**_org_cells(e), "self_evaluation": yes(e.self_evaluation),
                "evaluation_scope": e.evaluation_scope,
                "top_filing_number": e.top_filing_number,
                "top_filing_date": e.top_filing_date or ""}

    def make_facts(self, ref, e, period, overrides, reason) -> EntryFacts:
        return self.listing_facts(ref, e, period, overrides, reason,
                                  self_evaluation=e.self_evaluation,
                                  evaluation_scope=e.evaluation_scope,
                                  top_filing_number=e.top_filing_number)

    def parse_own(self, values, ctx, problems):
        listing = self.parse_listing(values, ctx, problems)
        org, high = listing["organization"], listing["max_level"]
        self_eval = bool_value(values, "self_evaluation", problems)
        filing_number = text(values, "top_filing_number")[:60]
        filing_date = date_value(values, "top_filing_date", problems)
        if org is not None:
            problems.rules(value_rules.evaluation_problems(
                max_rank=_rank(high), self_evaluation=self_eval,
                is_enterprise=org.kind == OrganizationKind.ENTERPRISE,
                filing_number=filing_number, filing_date_set=filing_date is not None),
                self.labels)
        return {**listing, "self_evaluation": self_eval,
                "evaluation_scope": text(values, "evaluation_scope")[:100],
                "top_filing_number": filing_number, "top_filing_date": filing_date}, []


class QualificationSpec(KindSpec):
    kind = CatalogKind.QUALIFICATION
    model = QualificationEntry
    select_related = ("occupation",)
    columns = [
        Column("name", "职业资格名称", required=True),
        Column("category", "资格类别", required=True, help="准入类 / 水平评价类"),
        Column("occupation_code", "职业编码"),
        Column("occupation", "职业(工种)"),
        Column("authority", "实施部门"),
        Column("legal_basis", "设定依据"),
        *COMMON_COLUMNS,
    ]
    key_columns = ("name",)
    display_columns = ("name", "category", "occupation", "authority", "legal_basis")
    categories = aliases(QualificationCategory, QUALIFICATION_ZH)

    def own_cells(self, e) -> dict[str, Any]:
        return {"name": e.name, "category": QUALIFICATION_ZH.get(e.category, e.category),
                "occupation_code": e.occupation.code or "" if e.occupation else "",
                "occupation": e.occupation.name if e.occupation else "",
                "authority": e.authority, "legal_basis": e.legal_basis}

    def search(self, qs: QuerySet, q: str) -> QuerySet:
        return qs.filter(Q(name__contains=q) | Q(occupation__name__contains=q)
                         | Q(occupation__code__startswith=q))

    def filter_level(self, qs: QuerySet, level) -> QuerySet:
        return qs

    def filter_region(self, qs: QuerySet, region: Region) -> QuerySet:
        return qs

    def make_facts(self, ref, e, period, overrides, reason) -> EntryFacts:
        return EntryFacts(
            ref=ref, period=period, overrides_base=overrides, override_reason=reason,
            key=(e.name,), label=e.name,
            values={"category": e.category, "occupation": e.occupation_id,
                    "authority": e.authority, "legal_basis": e.legal_basis})

    def parse_own(self, values, ctx, problems):
        name = text(values, "name")[:150]
        category = choice_value(values, "category", self.categories, problems)
        occupation = ctx.occupation(values, problems, required=False)
        return {"name": name, "category": category, "occupation": occupation,
                "authority": text(values, "authority")[:150],
                "legal_basis": text(values, "legal_basis")[:300]}, []


class UrgentSpec(KindSpec):
    kind = CatalogKind.URGENT_OCCUPATION
    model = UrgentOccupationEntry
    has_region = True
    select_related = ("occupation", "region")
    columns = [
        Column("occupation_code", "职业编码"),
        Column("occupation", "职业(工种)", required=True),
        Column("region_code", "适用地区代码"),
        Column("region", "适用地区"),
        Column("sector", "行业领域"),
        Column("urgency", "紧缺程度", required=True, help="紧缺 / 较紧缺 / 一般"),
        Column("forecast_year", "预测年度"),
        Column("forecast_demand", "预测需求人数"),
        Column("forecast_shortfall", "预测缺口人数"),
        Column("source_department", "发布部门"),
        *COMMON_COLUMNS,
    ]
    key_columns = ("occupation_code", "occupation", "region_code", "sector", "forecast_year")
    display_columns = ("occupation_code", "occupation", "region", "sector", "urgency",
                       "forecast_year", "forecast_demand", "forecast_shortfall")
    urgencies = aliases(Urgency, URGENCY_ZH)

    def own_cells(self, e) -> dict[str, Any]:
        return {"occupation_code": e.occupation.code or "", "occupation": e.occupation.name,
                "region_code": e.region.code, "region": e.region.name, "sector": e.sector,
                "urgency": URGENCY_ZH.get(e.urgency, e.urgency),
                "forecast_year": e.forecast_year or "",
                "forecast_demand": "" if e.forecast_demand is None else e.forecast_demand,
                "forecast_shortfall": "" if e.forecast_shortfall is None
                else e.forecast_shortfall,
                "source_department": e.source_department}

    def search(self, qs: QuerySet, q: str) -> QuerySet:
        return qs.filter(Q(occupation__name__contains=q) | Q(occupation__code__startswith=q)
                         | Q(sector__contains=q))

    def filter_level(self, qs: QuerySet, level) -> QuerySet:
        return qs

    def make_facts(self, ref, e, period, overrides, reason) -> EntryFacts:
        return EntryFacts(
            ref=ref, period=period, overrides_base=overrides, override_reason=reason,
            key=(e.occupation_id, e.sector, e.forecast_year),
            region_code=e.region.code, region_prefix=e.region.scope_prefix,
            values={"urgency": e.urgency, "forecast_demand": e.forecast_demand,
                    "forecast_shortfall": e.forecast_shortfall,
                    "source_department": e.source_department},
            label=f"{e.occupation.name} · {e.region.name}")

    def parse_own(self, values, ctx, problems):
        occupation = ctx.occupation(values, problems, required=True)
        region = ctx.region(values, problems)
        urgency = choice_value(values, "urgency", self.urgencies, problems)
        year = int_value(values, "forecast_year", problems, required=False)
        if year is not None and not 2000 <= year <= 2100:
            problems.add("forecast_year", str(_("%(value)s is not a plausible year.")
                                              % {"value": year}))
        demand = int_value(values, "forecast_demand", problems, required=False)
        shortfall = int_value(values, "forecast_shortfall", problems, required=False)
        problems.rules(value_rules.count_problems("forecast_demand", demand), self.labels)
        problems.rules(value_rules.count_problems("forecast_shortfall", shortfall), self.labels)
        if demand is not None and shortfall is not None and shortfall > demand:
            problems.add("forecast_shortfall", str(_("The shortfall is larger than the "
                                                     "demand.")))
        return {"occupation": occupation, "region": region,
                "sector": text(values, "sector")[:50], "urgency": urgency,
                "forecast_year": year, "forecast_demand": demand,
                "forecast_shortfall": shortfall,
                "source_department": text(values, "source_department")[:100]}, []


SPECS: dict[str, KindSpec] = {spec.kind: spec for spec in (
    SubsidySpec(), InstitutionSpec(), EvaluationSpec(), QualificationSpec(), UrgentSpec())}


def spec_for(kind: str) -> KindSpec:
    return SPECS[kind]
