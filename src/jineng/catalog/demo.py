"""Demo catalogs for the demo province: a base subsidy-standards catalog covering every
occupation the seed policies name (with a past version, so history and comparisons can be seen),
one city's approved supplement and another city's filing waiting for review, the training- and
evaluation-institution catalogs built from the organizations already generated, a
qualifications catalog and an urgently-needed-occupations catalog with demand forecasts.

Every catalog goes through the real services (imports in the circulated Excel layout, submit,
publish), so the demo data obeys the same rules as real data. Figures are synthetic but
plausible; they are not any province's actual standards.

The demo generator calls `build_demo_catalogs(seed=…, today=…)` after it has created the
organizations and sites; calling it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter
from decimal import Decimal
from typing import Any

import openpyxl
from django.utils import timezone

from jineng.catalog import services
from jineng.catalog.choices import CatalogKind, VersionStatus
from jineng.catalog.kinds import spec_for
from jineng.catalog.models import Catalog, CatalogVersion
from jineng.registry.choices import OccupationRank, OrganizationKind, OrganizationStatus
from jineng.registry.models import Occupation, Organization, Region

SYSTEM = services.SYSTEM

# Special ability items (专项职业能力) and projects without a skill level named by the seeds.
SPECIAL_ITEMS = [
    ("苗绣制作", "1000", 60), ("穿戴甲制作", "800", 40), ("手工钩织", "800", 40),
    ("农产品初级加工", "900", 56), ("电商直播带货", "1000", 56), ("短视频制作", "1000", 56),
]
ENTREPRENEURSHIP = [("创业培训（SYB）", "1000", 80), ("网络创业培训", "1200", 96)]
# Occupations whose high levels (技师, 高级技师) are trained as 高技能人才培训 in the demo.
HIGH_SKILL = {"焊工", "电工", "养老护理员", "中式烹调师", "汽车维修工", "化工总控工",
              "工业机器人系统运维员", "家政服务员"}
# Occupations that first appear in the current version (the past version lacked them).
NEW_IN_CURRENT = {"人工智能训练师", "数据标注员", "无人机驾驶员", "无人机装调检修工",
                  "网约配送员", "长期照护师"}
MATERIAL_HEAVY = {"焊工", "电焊工", "电工", "中式烹调师", "缝纫工", "汽车维修工",
                  "无人机装调检修工", "化工总控工"}
URGENT = ["养老护理员", "医疗护理员", "育婴员", "家政服务员", "焊工", "电工", "人工智能训练师",
          "数据标注员", "无人机驾驶员", "工业机器人系统运维员", "化工总控工", "健康照护师",
          "中式烹调师", "快递员"]
QUALIFICATIONS = [
    ("特种作业人员", "准入类", "", "应急管理部门", "《中华人民共和国安全生产法》"),
    ("特种设备安全管理和作业人员", "准入类", "", "市场监督管理部门",
     "《中华人民共和国特种设备安全法》"),
    ("建筑施工特种作业人员", "准入类", "", "住房和城乡建设部门",
     "《建设工程安全生产管理条例》"),
    ("消防设施操作员", "准入类", "", "消防救援机构", "《中华人民共和国消防法》"),
    ("焊工", "水平评价类", "焊工", "人力资源社会保障部门", "职业技能等级认定"),
    ("养老护理员", "水平评价类", "养老护理员", "人力资源社会保障部门", "职业技能等级认定"),
]
LEVELS_BY_TYPE = [("grade5", "employment"), ("grade4", "employment"), ("grade4", "upskilling"),
                  ("grade3", "upskilling")]
BASE_AMOUNT = {"grade5": 1400, "grade4": 2000, "grade3": 2800, "grade2": 4000, "grade1": 5000}
BASE_HOURS = {"grade5": 100, "grade4": 140, "grade3": 180, "grade2": 220, "grade1": 260}
LEVEL_NAME = {"grade5": "初级工", "grade4": "中级工", "grade3": "高级工", "grade2": "技师",
              "grade1": "高级技师", "principal": "特级技师", "chief": "首席技师"}
TYPE_ZH = {"employment": "就业技能培训", "upskilling": "岗位技能提升培训",
           "high_skilled": "高技能人才培训", "entrepreneurship": "创业培训"}
SHARES = {"employment": ("1", "0", "0"), "upskilling": ("0.6", "0.3", "0.1"),
          "high_skilled": ("0.7", "0.3", "0"), "entrepreneurship": ("1", "0", "0")}


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _xlsx(kind: str, rows: list[dict[str, Any]]) -> bytes:
    spec = spec_for(kind)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([c.label for c in spec.columns])
    for row in rows:
        sheet.append([row.get(c.name, "") for c in spec.columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _publish(catalog: Catalog, rows: list[dict[str, Any]], start: dt.date, published: dt.date,
             note: str, *, submit_only: bool = False) -> CatalogVersion:
    version = services.version_create_draft(actor=SYSTEM, catalog=catalog, effective_from=start,
                                            change_note=note, copy_entries=False)
    report = services.entries_import(actor=SYSTEM, version=version, data=_xlsx(catalog.kind, rows),
                                     filename="demo.xlsx")
    if not report.ok:  # the demo data is wrong: say exactly where
        raise ValueError(f"demo catalog rows rejected: {report.as_dict()['errors'][:5]}")
    version = services.version_submit(actor=SYSTEM, version=version)
    if submit_only:
        return version
    return services.version_publish(actor=SYSTEM, version=version, now=_at(published))


def demo_province(province_code: str | None = None) -> Region:
    """The province most demo organizations are in (or the given one; Guizhou by default)."""
    if province_code is None:
        prefixes = Counter(code[:2] for code in Organization.objects.values_list(
            "region__code", flat=True))
        province_code = f"{prefixes.most_common(1)[0][0]}0000" if prefixes else "520000"
    return Region.objects.get(code=province_code)


def _cities(province: Region) -> list[Region]:
    counts = Counter(code[:4] + "00" for code in Organization.objects.filter(
        region__code__startswith=province.scope_prefix).values_list("region__code", flat=True))
    cities = list(Region.objects.filter(parent=province, level="city").order_by("code"))
    return sorted(cities, key=lambda c: (-counts.get(c.code, 0), c.code))


def seed_occupations() -> list[Occupation]:
    """Occupations and 工种 the seed policies name (registry data), else every occupation."""
    ranks = [OccupationRank.OCCUPATION, OccupationRank.WORK_TYPE]
    named = list(Occupation.objects.filter(rank__in=ranks).exclude(named_in="")
                 .order_by("code", "name"))
    return named or list(Occupation.objects.filter(rank__in=ranks).order_by("code", "name"))


def _occ_cells(occ: Occupation) -> dict[str, str]:
    return {"occupation_code": occ.code or "", "occupation": occ.name}


def _round50(value: float) -> str:
    return str(Decimal(round(value / 50.0) * 50))


def subsidy_rows(occupations: list[Occupation], rng: random.Random, *,
                 current: bool) -> list[dict[str, Any]]:
    rows = []
    for occ in occupations:
        if not current and occ.name in NEW_IN_CURRENT:
            continue
        factor = rng.uniform(0.9, 1.25)
        urgent = rng.choice(["0.1", "0.15", "0.2"]) if occ.name in URGENT else "0"
        pairs = list(LEVELS_BY_TYPE)
        if occ.name in HIGH_SKILL:
            pairs += [("grade2", "high_skilled"), ("grade1", "high_skilled")]
        if not current and occ.name == "缝纫工":
            pairs.append(("grade3", "employment"))  # dropped in the current version
        for level, ttype in pairs:
            amount = BASE_AMOUNT[level] * factor * (1.0 if current else 0.9)
            hours = BASE_HOURS[level] + (0 if current or level != "grade5" else -20)
            gov, ent, ind = SHARES[ttype]
            amount_text = _round50(amount)
            material = (_round50(float(amount_text) * 0.2) if occ.name in MATERIAL_HEAVY
                        else "0")
            rows.append({**_occ_cells(occ), "skill_level": LEVEL_NAME[level],
                         "training_type": TYPE_ZH[ttype], "amount": amount_text,
                         "required_hours": str(hours),
                         "min_attendance_share": "0.8" if ttype == "employment" else "0.9",
                         "government_share": gov, "enterprise_share": ent,
                         "individual_share": ind, "urgent_uplift": urgent,
                         "key_group_uplift": "0.1" if ttype == "employment" else "0",
                         "material_cost": material})
    for item, amount, hours in SPECIAL_ITEMS:
        rows.append({"special_ability_item": item, "training_type": TYPE_ZH["employment"],
                     "amount": amount if current else _round50(float(amount) * 0.9),
                     "required_hours": str(hours), "min_attendance_share": "0.8",
                     "key_group_uplift": "0.1"})
    for item, amount, hours in ENTREPRENEURSHIP:
        rows.append({"special_ability_item": item, "training_type": TYPE_ZH["entrepreneurship"],
                     "amount": amount, "required_hours": str(hours),
                     "min_attendance_share": "0.9"})
    return rows


def _supplement_rows(city: Region, occupations: list[Occupation],
                     base_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Local items, and one deliberate, explained override of the base standard."""
    rows = [
        {"special_ability_item": f"{city.name}特色手工艺制作", "region_code": city.code,
         "training_type": TYPE_ZH["employment"], "amount": "900", "required_hours": "48",
         "min_attendance_share": "0.8", "key_group_uplift": "0.1"},
        {"special_ability_item": f"{city.name}特色餐饮制作", "region_code": city.code,
         "training_type": TYPE_ZH["employment"], "amount": "1100", "required_hours": "64",
         "min_attendance_share": "0.8", "material_cost": "200"},
    ]
    by_name = {o.name: o for o in occupations}
    care = by_name.get("养老护理员")
    if care is not None:
        base = next(r for r in base_rows if r["occupation"] == care.name
                    and r["skill_level"] == "初级工" and r["training_type"] == "就业技能培训")
        rows.append({**base, "region_code": city.code,
                     "amount": str(Decimal(base["amount"]) + 300), "overrides_base": "是",
                     "override_reason": "本市养老服务人才紧缺，经报省级主管部门备案上浮补贴标准"})
    return rows


def _weighted_sample(rng: random.Random, items: list[Occupation], weights: list[float],
                     count: int) -> list[Occupation]:
    """`count` distinct items, each drawn with its weight (without replacement)."""
    items, weights, out = list(items), list(weights), []
    while items and len(out) < count:
        i = rng.choices(range(len(items)), weights=weights)[0]
        out.append(items.pop(i))
        weights.pop(i)
    return out


def _org_rows(orgs: list[Organization], occupations: list[Occupation], rng: random.Random,
              *, evaluation: bool, year: int, weights: dict[str, float] | None = None,
              first_occupations: tuple[str, ...] = (),
              items: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Catalog rows of organizations, 2–4 occupations each. `weights` (occupation name →
    weight): draw only those occupations, in these proportions (the demo's classes follow
    them); `first_occupations`: the first organization's (the demo users' own). `items`
    (occupation name → special-ability item): an organization listed for the occupation is
    listed for the item too (the assessment demo's 一试双证)."""
    rows: list[dict[str, Any]] = []
    covered: set[str] = set()
    listed_items: set[tuple[int, str]] = set()
    skilled = [o for o in occupations if not (o.code or "").startswith("2-")]
    if weights:
        weighted = {o.name: o for o in skilled if weights.get(o.name)}
        skilled = list(weighted.values())
    for n, org in enumerate(orgs):
        count = min(len(skilled), rng.randint(2, 4))
        if weights:
            chosen = [weighted[name] for name in first_occupations
                      if name in weighted] if n == 0 else []
            chosen += _weighted_sample(rng, [o for o in skilled if o not in chosen],
                                       [weights[o.name] for o in skilled if o not in chosen],
                                       count - len(chosen))
        else:
            chosen = rng.sample(skilled, count)
        for occ in chosen:
            # evaluators assess up to the levels the demo trains (技师 and above)
            top = (["高级工", "技师", "高级技师"] if evaluation and weights
                   else ["中级工", "高级工", "技师"])
            row = {"credit_code": org.credit_code, "organization": org.name, **_occ_cells(occ),
                   "min_level": "初级工", "max_level": rng.choice(top)}
            if evaluation and org.kind == OrganizationKind.ENTERPRISE:
                row.update({"self_evaluation": "是", "evaluation_scope": "本企业职工"})
                if n % 3 == 0:  # an enterprise filed for 特级技师/首席技师 (Henan (二))
                    row.update({"max_level": "首席技师",
                                "top_filing_number": f"人社特备〔{year}〕{n + 1}号",
                                "top_filing_date": f"{year}-03-01"})
            rows.append(row)
            if org.kind == OrganizationKind.EVALUATION:  # an institution, not an enterprise
                covered.add(occ.name)
            if items and occ.name in items and (org.pk, items[occ.name]) not in listed_items:
                listed_items.add((org.pk, items[occ.name]))
                rows.append({"credit_code": org.credit_code, "organization": org.name,
                             "special_ability_item": items[occ.name],
                             **({"self_evaluation": "是", "evaluation_scope": "本企业职工"}
                                if evaluation and org.kind == OrganizationKind.ENTERPRISE
                                else {})})
    if evaluation and weights:  # every occupation the demo trains has an evaluation institution
        institutions = [o for o in orgs if o.kind == OrganizationKind.EVALUATION]
        for name in sorted(weighted):
            if name not in covered and institutions:
                org = institutions[rng.randrange(len(institutions))]
                rows.append({"credit_code": org.credit_code, "organization": org.name,
                             **_occ_cells(weighted[name]), "min_level": "初级工",
                             "max_level": "技师"})
                if items and name in items and (org.pk, items[name]) not in listed_items:
                    listed_items.add((org.pk, items[name]))
                    rows.append({"credit_code": org.credit_code, "organization": org.name,
                                 "special_ability_item": items[name]})
    return rows


def build_demo_catalogs(*, seed: int, today: dt.date, province_code: str | None = None,
                        occupation_weights: dict[str, float] | None = None,
                        first_occupations: tuple[str, ...] = (),
                        dual_items: dict[str, str] | None = None) -> dict[str, Any]:
    """Create the demo province's catalogs (idempotent: a second call returns what exists).
    Every listed training institution is in the training-institutions catalog, for
    occupations drawn with `occupation_weights` when given (see `_org_rows`)."""
    province = demo_province(province_code)
    existing = Catalog.objects.filter(region=province, kind=CatalogKind.SUBSIDY_STANDARD).first()
    if existing is not None:
        return summary(province, created=False)
    rng = random.Random(seed)
    occupations = seed_occupations()
    past, current = dt.date(today.year - 1, 1, 1), dt.date(today.year, 1, 1)
    cities = _cities(province)

    subsidy = services.catalog_create(actor=SYSTEM, kind=CatalogKind.SUBSIDY_STANDARD,
                                      region=province)
    rows_past = subsidy_rows(occupations, random.Random(seed), current=False)
    rows_now = subsidy_rows(occupations, random.Random(seed), current=True)
    _publish(subsidy, rows_past, past, past - dt.timedelta(days=15),
             "年度职业技能培训补贴标准目录。")
    _publish(subsidy, rows_now, current, current - dt.timedelta(days=20),
             "上调补贴标准；新增人工智能训练师、数据标注员、无人机驾驶员等数字和低空经济职业。")

    if cities:
        city = cities[0]
        supplement = services.catalog_create(actor=SYSTEM, kind=CatalogKind.SUBSIDY_STANDARD,
                                             region=city, base=subsidy)
        start = min(today, dt.date(today.year, 3, 1))
        _publish(supplement, _supplement_rows(city, occupations, rows_now), start,
                 start - dt.timedelta(days=10), "本市地方特色工种补充目录，报省级主管部门备案。")
    if len(cities) > 1:  # a second city's filing, waiting for the province
        other = cities[1]
        filing = services.catalog_create(actor=SYSTEM, kind=CatalogKind.SUBSIDY_STANDARD,
                                         region=other, base=subsidy)
        _publish(filing, _supplement_rows(other, occupations, rows_now)[:2], today,
                 today, "地方特色工种补充目录（报备中）。", submit_only=True)

    in_province = Organization.objects.filter(region__code__startswith=province.scope_prefix,
                                              status=OrganizationStatus.LISTED).order_by("pk")
    trainers = list(in_province.filter(kind=OrganizationKind.TRAINING))
    if trainers:
        institutions = services.catalog_create(
            actor=SYSTEM, kind=CatalogKind.TRAINING_INSTITUTION, region=province)
        rows = _org_rows(trainers, occupations, random.Random(seed + 1), evaluation=False,
                         year=past.year, weights=occupation_weights,
                         first_occupations=first_occupations)
        _publish(institutions, rows, past, past - dt.timedelta(days=10), "年度培训机构目录。")
        removed = trainers[-1].credit_code if len(trainers) > 1 else None
        _publish(institutions, [r for r in rows if r["credit_code"] != removed], current,
                 current - dt.timedelta(days=10),
                 "动态调整：一家机构因培训质量考核不合格移出目录。")
    evaluators = list(in_province.filter(kind=OrganizationKind.EVALUATION)[:20])
    evaluators += list(in_province.filter(kind=OrganizationKind.ENTERPRISE)[:9])
    if evaluators:
        catalog = services.catalog_create(
            actor=SYSTEM, kind=CatalogKind.EVALUATION_INSTITUTION, region=province)
        # Evaluators too are listed for what the demo trains (so its finished classes can be
        # assessed), the demo evaluator for the demo institution's own occupations.
        _publish(catalog, _org_rows(evaluators, occupations, random.Random(seed + 2),
                                    evaluation=True, year=current.year,
                                    weights=occupation_weights,
                                    first_occupations=first_occupations, items=dual_items),
                 current, current - dt.timedelta(days=5),
                 "评价机构目录，含企业自主评价和特级技师、首席技师评价备案企业。")

    qualifications = services.catalog_create(actor=SYSTEM, kind=CatalogKind.QUALIFICATION,
                                             region=province)
    names = {o.name for o in occupations}
    _publish(qualifications, [
        {"name": name, "category": category,
         "occupation": occupation if occupation in names else "", "authority": authority,
         "legal_basis": basis, "note": "演示数据"}
        for name, category, occupation, authority, basis in QUALIFICATIONS],
        past, past - dt.timedelta(days=30), "职业资格目录（演示数据）。")

    urgent = services.catalog_create(actor=SYSTEM, kind=CatalogKind.URGENT_OCCUPATION,
                                     region=province)
    by_name = {o.name: o for o in occupations}
    urgent_rows = []
    for i, name in enumerate(n for n in URGENT if n in by_name):
        demand = rng.randint(800, 6000)
        urgent_rows.append({
            **_occ_cells(by_name[name]), "sector": ["生活服务业", "先进制造业", "数字经济"][i % 3],
            "urgency": ["紧缺", "较紧缺", "一般"][i % 3], "forecast_year": str(current.year),
            "forecast_demand": str(demand), "forecast_shortfall": str(demand // 3),
            "source_department": "省人力资源社会保障厅"})
    if urgent_rows:
        _publish(urgent, urgent_rows, current, current - dt.timedelta(days=25),
                 "年度急需紧缺职业（工种）目录和需求预测。")
    return summary(province, created=True)


def delete_demo_catalogs(province_code: str | None = None) -> dict[str, int]:
    """Remove the demo province's catalogs (before the demo's organizations are deleted, which
    the institution and evaluation catalogs point at)."""
    province = demo_province(province_code)
    catalogs = list(Catalog.objects.filter(region=province))
    return services.catalogs_purge(actor=SYSTEM, catalogs=catalogs)


def demo_step(ctx, *, occupation_weights: dict[str, float] | None = None,
              first_occupations: tuple[str, ...] = (),
              dual_items: dict[str, str] | None = None) -> None:
    """The demo generator's step after organizations (reads `ctx.seed` and the build's
    reference date; adds `catalog_versions` to the counts)."""
    build = getattr(ctx, "build", None)
    today = getattr(build, "reference_date", None) or timezone.localdate()
    result = build_demo_catalogs(seed=ctx.seed, today=today,
                                 occupation_weights=occupation_weights,
                                 first_occupations=first_occupations,
                                 dual_items=dual_items)
    counts = getattr(ctx, "counts", None)
    if isinstance(counts, dict):
        counts["catalog_versions"] = result["versions"]
        counts["subsidy_standards"] = result["subsidy_entries"]


def summary(province: Region, *, created: bool) -> dict[str, Any]:
    catalogs = Catalog.objects.filter(region__code__startswith=province.scope_prefix)
    versions = CatalogVersion.objects.filter(catalog__in=catalogs)
    return {
        "created": created,
        "province": province.code,
        "catalogs": {c.kind if c.base_id is None else f"{c.kind}:{c.region.code}": c.pk
                     for c in catalogs.select_related("region")},
        "versions": versions.count(),
        "published": versions.filter(status__in=[VersionStatus.PUBLISHED,
                                                 VersionStatus.SUPERSEDED]).count(),
        "in_review": versions.filter(status=VersionStatus.REVIEW).count(),
        "subsidy_entries": spec_for(CatalogKind.SUBSIDY_STANDARD).model.objects.filter(
            version__in=versions).count(),
    }

