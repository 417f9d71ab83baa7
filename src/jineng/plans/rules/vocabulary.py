"""The words a policy pack may use: metrics, sectors (领域), key groups, training types, carriers.

Plain data (no Django), shared by the pack validator, the progress rules and the fact table.
A pack naming anything not listed here is rejected ("unknown sector `secotr`"). Codes are
stable identifiers; the Chinese names are the policies' own terms.

Each metric says where its actual values will come from (`source`):

- "facts": counted from jineng's own records, written to the fact table by the service that
  owns them (training, assessment, subsidy, outcomes); `feeds` names that service.
- "reported": not something jineng records (a stock statistic, a carrier built, an enterprise
  cultivated); the figure comes from the quarterly reports the cities and departments file.
"""

from __future__ import annotations

from dataclasses import dataclass

COUNT = "count"
RATE = "rate"


@dataclass(frozen=True)
class Metric:
    code: str
    name_zh: str
    name_en: str
    kind: str  # COUNT or RATE
    unit_zh: str
    source: str  # "facts" or "reported"
    feeds: str  # who writes the facts (or files the report)
    numerator: str = ""  # RATE metrics computed from facts: numerator / denominator metric
    denominator: str = ""


_METRICS = [
    Metric("person_times_trained", "职业技能培训人次", "person-times trained", COUNT, "人次",
           "facts", "training (issue 5): one fact per trainee completing a class"),
    Metric("person_times_subsidized", "补贴性培训人次", "person-times of subsidized training",
           COUNT, "人次", "facts", "subsidy (issue 12): one fact per training subsidy claim paid"),
    # Money as a count: whole yuan (each claim's amount rounded half up to the yuan, so a
    # recovery negates exactly what its payment added; sums may differ from the ledger's
    # fen by at most half a yuan a claim — subsidy.plan_facts.paid_totals has the fen).
    Metric("subsidy_amount_paid", "补贴资金支付金额", "subsidy paid (yuan)", COUNT, "元",
           "facts", "subsidy (issue 12): every claim paid, its government share in whole yuan; "
           "a recovery (追回) negates it"),
    Metric("new_skilled_workers", "新增技能人才", "new skilled workers", COUNT, "人", "facts",
           "assessment: one fact per person's first skill certificate"),
    Metric("new_high_skilled", "新增高技能人才（取证）", "new high-skilled workers (certified)",
           COUNT, "人", "facts",
           "assessment: one fact per person first certified at 高级工 or above"),
    Metric("new_technicians", "新增技师、高级技师", "new technicians and senior technicians",
           COUNT, "人", "facts", "assessment: certificates at 技师 / 高级技师"),
    Metric("new_top_technicians", "新评价特级技师、首席技师",
           "new principal and chief technicians", COUNT, "人", "facts",
           "assessment: certificates at 特级技师 / 首席技师"),
    Metric("high_end_talents", "高端技能人才（技师及以上，引进培养）",
           "high-end skilled talents (technician and above, recruited or trained)", COUNT, "人",
           "reported", "quarterly reports (recruitment is outside jineng)"),
    Metric("certificates", "职业技能等级证书", "skill certificates issued", COUNT, "本", "facts",
           "assessment: one fact per certificate issued"),
    Metric("level_ups", "等级提升人数", "level-ups", COUNT, "人", "facts",
           "assessment: a certificate above the person's previous level"),
    Metric("self_evaluations", "企业自主评价人次", "enterprise self-evaluations",
           COUNT, "人次", "facts", "assessment: sittings run by self-evaluating enterprises"),
    Metric("evaluation_institutions_added", "新增自主评价机构", "new self-evaluation institutions",
           COUNT, "家", "reported", "quarterly reports (catalog of evaluation institutions)"),
    Metric("top_evaluator_filings", "特级技师和首席技师评价企业备案",
           "enterprises filed to evaluate principal and chief technicians", COUNT, "家",
           "reported", "quarterly reports"),
    Metric("order_classes", "订单班", "order classes", COUNT, "个", "facts",
           "training (issue 5): one fact per order class (订单班/定岗班/冠名班) finished"),
    Metric("carriers_built", "新建培训载体", "training carriers built", COUNT, "个",
           "reported", "quarterly reports (bases, studios are approved outside jineng)"),
    Metric("college_enrollment", "技工院校高级工班以上招生", "technician college enrollment",
           COUNT, "人", "reported", "quarterly reports"),
    Metric("skill_enterprises", "技能型企业", "skills-based enterprises cultivated", COUNT, "家",
           "reported", "quarterly reports"),
    Metric("skill_villages", "技能型乡村（社区）", "skills-based villages and communities",
           COUNT, "家", "reported", "quarterly reports"),
    Metric("top_technician_colleges", "一流技师学院", "first-class technician colleges",
           COUNT, "所", "reported", "quarterly reports"),
    Metric("specialty_groups", "高水平专业群", "high-level specialty groups", COUNT, "个",
           "reported", "quarterly reports"),
    Metric("skill_ecosystems", "行业技能生态圈", "industry skill ecosystems", COUNT, "个",
           "reported", "quarterly reports"),
    Metric("training_brands", "职业技能培训品牌", "training brands", COUNT, "个",
           "reported", "quarterly reports"),
    Metric("employed_after_training", "培训后就业创业人数", "employed after training", COUNT,
           "人", "facts", "outcomes: one fact per trainee found employed after the class"),
    # The rate's denominator is the trainees whose six months after the class have passed,
    # dated like the numerator (class end + 6 months): trainees still inside their window
    # would only lower the rate (the outcomes indicator 就业创业率 counts the same way).
    Metric("employment_observed", "培训后满六个月人数", "trainees six months after training",
           COUNT, "人", "facts",
           "outcomes: one fact per trainee whose six months after the class have passed"),
    Metric("post_training_employment_rate", "培训后就业创业率",
           "post-training employment rate", RATE, "%", "facts",
           "computed: employed_after_training / employment_observed",
           numerator="employed_after_training", denominator="employment_observed"),
    Metric("high_skilled_share", "高技能人才占技能人才比例",
           "high-skilled share of skilled workers", RATE, "%", "reported",
           "quarterly reports (a stock statistic of the whole workforce)"),
    Metric("skilled_share_of_employed", "技能劳动者占就业人员比例",
           "skilled workers' share of the employed", RATE, "%", "reported",
           "quarterly reports (a stock statistic of the whole workforce)"),
    Metric("key_post_supply_rate", "关键岗位人才供给满足率", "key-post talent supply rate",
           RATE, "%", "reported", "quarterly reports (demand lists, issue on demand)"),
    Metric("youth_share_top_technicians", "新评聘特级技师和首席技师中青年人才占比",
           "youth share of new principal and chief technicians", RATE, "%", "reported",
           "quarterly reports"),
]
METRICS: dict[str, Metric] = {m.code: m for m in _METRICS}

# 领域: the sectors the seed policies name. Codes shared with the fact table.
SECTORS: dict[str, str] = {
    "advanced_manufacturing": "先进制造业",
    "elderly_child_care": "“一老一小”（康养托育）",
    "rural": "乡村振兴（“三农”）",
    "culture_tourism": "文化旅游",
    "digital_economy": "数字经济",
    "transport": "交通运输",
    "low_altitude": "低空经济",
    "construction": "建筑业",
    "special_operations": "特种作业",
    "modern_services": "现代服务业",
    "water_conservancy": "水利",
}

# Key groups: the registry's KeyGroup codes plus two groups the plans count by.
KEY_GROUPS: dict[str, str] = {
    "graduate": "高校毕业生",
    "migrant_worker": "农民工",
    "unemployed": "失业人员",
    "hard_to_employ": "就业困难人员",
    "veteran": "退役军人",
    "disabled": "残疾人",
    "poverty_monitored": "防止返贫监测对象",
    "relocated": "易地搬迁人员",
    "left_behind_woman": "留守妇女",
    "enterprise_employee": "企业职工",
    "youth": "青年群体",
    "rural_labor": "农村转移劳动力",
}

TRAINING_TYPES: dict[str, str] = {
    "employment_skills": "就业技能培训",
    "post_upgrading": "岗位技能提升培训",
    "entrepreneurship": "创业培训",
    "apprenticeship": "企业新型学徒制培训",
    "high_skilled": "高技能人才培训",
    "pre_job": "岗前培训",
    "safety": "安全技能培训",
    "skills_reserve": "技能储备培训",
}

CARRIERS: dict[str, str] = {
    "any": "各类培训载体",
    "high_skilled_base": "高技能人才培训基地",
    "high_skilled_base_national": "国家级高技能人才培训基地",
    "high_skilled_base_provincial": "省级高技能人才培训基地",
    "master_studio": "技能大师工作室",
    "public_training_base": "公共实训基地",
}

# Region levels a target may apply to "each" of (每个县(区)…1个以上).
EACH_LEVELS = {"city": "每个市", "county": "每个县（市、区）"}

# The dimensions a target (and a fact) can be cut by, in display order.
DIMENSIONS: dict[str, dict[str, str]] = {
    "sector": SECTORS,
    "key_group": KEY_GROUPS,
    "training_type": TRAINING_TYPES,
}
DIMENSION_NAMES_ZH = {"sector": "领域", "key_group": "重点群体", "training_type": "培训类型",
                      "program": "专项"}

COMPARATORS = {"at_least": "以上", "about": "左右", "at_most": "以内", "exactly": ""}


def metric(code: str) -> Metric:
    return METRICS[code]


def dimension_label(dimension: str, code: str, programs: dict[str, str] | None = None) -> str:
    """Chinese label of a dimension value (programs come from the pack itself)."""
    if dimension == "program":
        return (programs or {}).get(code, code)
    return DIMENSIONS.get(dimension, {}).get(code, code)
