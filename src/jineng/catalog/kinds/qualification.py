"""The national vocational qualifications catalog (国家职业资格目录)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from jineng.catalog.choices import CatalogKind, QualificationCategory
from jineng.catalog.kinds.base import COMMON_COLUMNS, QUALIFICATION_ZH, KindSpec, aliases
from jineng.catalog.models import (
    QualificationEntry,
)
from jineng.catalog.parsing import (
    choice_value,
    text,
)
from jineng.catalog.rules.entries import EntryFacts
from jineng.core.importing import Column
from jineng.registry.models import Region


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
