"""The demo's proportions: the sector targets of the Guizhou and Henan seeds, the key groups,
types and levels of classes, attendance behaviour, and when each step of a class's life
happens. Everything marked SYNTHETIC is an assumption of the demo, not a policy figure."""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from jineng.registry.choices import KeyGroup

TZ = ZoneInfo("Asia/Shanghai")

# The plans facts of the demo's finished classes: the training app's own facts, under a source
# of their own so that removing the demo removes exactly them.
PLAN_FACTS_SOURCE = "demo.training"

# Enrollments a year per tier (DESIGN.md); XS is for tests.
TIER_ENROLLMENTS = {"XS": 300, "S": 35_000, "M": 350_000, "L": 2_000_000}

# Targets in 10,000 person-times by sector: Guizhou 2025–2027, Henan 2025.
GUIZHOU = {"advanced_manufacturing": 8, "elderly_child_care": 15, "rural": 10,
           "culture_tourism": 10, "digital_economy": 2, "transport": 8, "low_altitude": 1,
           "construction": 3, "special_operations": 30}
HENAN = {"advanced_manufacturing": 23, "elderly_child_care": 35, "culture_tourism": 3,
         "modern_services": 3, "special_operations": 3, "rural": 18, "digital_economy": 5,
         "transport": 4, "low_altitude": 1, "water_conservancy": 1}
SECTOR_WEIGHTS = {s: GUIZHOU.get(s, 0) / sum(GUIZHOU.values())
                  + HENAN.get(s, 0) / sum(HENAN.values()) for s in {*GUIZHOU, *HENAN}}

SECTOR_OCCUPATIONS = {
    "advanced_manufacturing": ["焊工", "电工", "工业机器人系统运维员", "工业机器人系统操作员",
                               "化工总控工", "汽车维修工", "缝纫工"],
    "elderly_child_care": ["养老护理员", "保育师", "育婴员", "家政服务员", "医疗护理员",
                           "健康照护师", "孤残儿童护理员", "长期照护师"],
    "rural": ["农业经理人", "农作物植保员", "动物疫病防治员", "农机驾驶操作员", "中药材种植员",
              "乡村建设工匠", "电子商务师"],
    "culture_tourism": ["导游", "讲解员", "中式烹调师", "茶艺师", "文物修复师"],
    "digital_economy": ["数据标注员", "人工智能训练师", "数字化管理师", "互联网营销师"],
    "transport": ["快递员", "网约配送员", "网约车驾驶员", "物流服务师", "汽车维修工"],
    "low_altitude": ["无人机驾驶员", "无人机装调检修工"],
    "construction": ["乡村建设工匠", "电工", "焊工"],
    "special_operations": ["电工", "焊工", "起重装卸机械操作工"],
    "modern_services": ["电子商务师", "中式烹调师", "家政服务员"],
    "water_conservancy": ["电工", "农机驾驶操作员"],
}
# SYNTHETIC: target key groups of classes (the rest are open to every eligible worker).
TARGET_GROUPS = {KeyGroup.GRADUATE: 0.072, KeyGroup.MIGRANT_WORKER: 0.05,
                 KeyGroup.UNEMPLOYED: 0.012, KeyGroup.HARD_TO_EMPLOY: 0.006,
                 KeyGroup.POVERTY_MONITORED: 0.006, KeyGroup.RELOCATED: 0.006,
                 KeyGroup.VETERAN: 0.008, KeyGroup.DISABLED: 0.004}
TRAINING_TYPES = {"employment": 0.55, "upskilling": 0.30, "entrepreneurship": 0.04,
                  "apprenticeship": 0.04, "high_skilled": 0.07}  # SYNTHETIC
LEVELS = {"grade5": 0.6, "grade4": 0.27, "grade3": 0.1, "grade2": 0.03}  # SYNTHETIC
HOURS_BY_LEVEL = {"grade5": 72, "grade4": 96, "grade3": 120, "grade2": 144}  # SYNTHETIC
HOURS_BY_TYPE = {"entrepreneurship": 60, "special_operation": 48}  # SYNTHETIC
ORDER_SHARE = 0.05  # SYNTHETIC: 订单班/定岗班/冠名班
BLENDED_SHARE = 0.15  # SYNTHETIC: classes with an online part
FUNDING = {"employment_subsidy": 0.55, "skills_account": 0.25, "east_west": 0.04,
           "rural_revitalization": 0.06, "industry": 0.05, "enterprise": 0.05}
# SYNTHETIC attendance behaviour
ABSENT = 0.06
LATE = 0.12
EARLY_LEAVE = 0.06
NO_CHECK_OUT = 0.02
FORGOT_UNTIL_EVENING = 0.005  # a check-out hours after the session: flagged outside window
FAR_AWAY = 0.015  # a mobile check-in far from the site: flagged
DROPOUT = 0.05
LATE_JOIN = 0.02
METHODS = ((1, 0.6), (2, 0.25), (3, 0.15))  # terminal, mobile, QR
# SYNTHETIC: when each step of a class's life happens, relative to its first session's start
# (declared three weeks before, …) or its last session's end (finished two hours after, …).
STEP_OFFSETS = {"declared": (0, -21 * 24), "returned": (0, -18 * 24),
                "resubmitted": (0, -16 * 24),
                "approved": (0, -14 * 24), "rejected": (0, -14 * 24),
                "cancelled": (0, -7 * 24), "open": (0, -1), "suspended": (1, -10 * 24),
                "finished": (1, 2), "assessed": (1, 12 * 24), "settled": (1, 40 * 24)}

# The window of classes around the demo date, in days.
WINDOW_BEFORE = 330
WINDOW_AFTER = 45
# History rows of the steps that are not plain transitions: (action, status reached).
HISTORY_ACTIONS = {"declared": ("declare", "declared"), "returned": ("return", "returned"),
                   "resubmitted": ("resubmit", "declared")}
HISTORY_REASONS = {  # SYNTHETIC reasons an HRSS office gives
    "returned": "课程安排表缺少实操课时，请补充后重新提交（演示数据）",
    "rejected": "该机构本年度已开班数超过场地承载能力（演示数据）",
    "cancelled": "报名人数不足，机构申请撤销（演示数据）",
    "suspended": "抽查发现签到异常，暂停待核查（演示数据）",
}
ANCHOR_HISTORY_DAYS = 120  # the demo institution's finished classes before the demo date
RETURNED_SHARE = 0.06  # SYNTHETIC: future declarations sent back for correction
RESUBMITTED_SHARE = 0.25  # SYNTHETIC: of those still waiting, declared again after a return
OCCUPATION_SECTORS: dict[str, list[str]] = defaultdict(list)
for _sector, _names in SECTOR_OCCUPATIONS.items():
    for _name in _names:
        OCCUPATION_SECTORS[_name].append(_sector)


def occupation_weights() -> dict[str, float]:
    """How often the demo trains each occupation (the sector shares of the seeds, split among
    the sector's occupations): the demo's training-institution catalog lists institutions for
    occupations in these proportions, so classes can follow them."""
    weights: dict[str, float] = defaultdict(float)
    for sector, names in SECTOR_OCCUPATIONS.items():
        for name in names:
            weights[name] += SECTOR_WEIGHTS.get(sector, 0) / len(names)
    return dict(weights)
