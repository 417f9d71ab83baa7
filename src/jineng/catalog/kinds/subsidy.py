"""The subsidy standards catalog (补贴标准目录): by occupation, level, region and training type."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jineng.catalog.choices import CatalogKind, TrainingType
from jineng.catalog.kinds.base import COMMON_COLUMNS, TRAINING_TYPE_ZH, KindSpec, aliases
from jineng.catalog.models import (
    SubsidyStandardEntry,
)
from jineng.catalog.parsing import (
    choice_value,
    decimal_value,
    int_value,
    share_value,
    text,
)
from jineng.catalog.rules import values as value_rules
from jineng.catalog.rules.entries import EntryFacts
from jineng.core.importing import Column


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
