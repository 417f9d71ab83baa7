"""The urgently needed occupations catalog (紧缺职业目录)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jineng.catalog.choices import CatalogKind, Urgency
from jineng.catalog.kinds.base import COMMON_COLUMNS, URGENCY_ZH, KindSpec, aliases
from jineng.catalog.models import (
    UrgentOccupationEntry,
)
from jineng.catalog.parsing import (
    choice_value,
    int_value,
    text,
)
from jineng.catalog.rules import values as value_rules
from jineng.catalog.rules.entries import EntryFacts
from jineng.core.importing import Column


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
