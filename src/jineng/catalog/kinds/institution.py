"""The training institutions catalog (培训机构目录) and the evaluation bodies catalog
(评价机构目录), which lists institutions the same way with its own columns."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jineng.catalog.choices import CatalogKind
from jineng.catalog.kinds.base import COMMON_COLUMNS, KindSpec, _org_cells, _rank, yes
from jineng.catalog.models import (
    EvaluationCatalogEntry,
    InstitutionCatalogEntry,
)
from jineng.catalog.parsing import (
    bool_value,
    date_value,
    text,
)
from jineng.catalog.rules import values as value_rules
from jineng.catalog.rules.entries import EntryFacts
from jineng.core.importing import Column
from jineng.registry.choices import OrganizationKind
from jineng.registry.models import Region


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
