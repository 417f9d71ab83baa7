"""The demo's SYNTHETIC figures (pass rates, shares, reasons), the sitting's steps and paths,
what a listing and a sitting to build hold, and small date helpers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from jineng.assessment.choices import (
    SittingStatus,
)

TZ = ZoneInfo("Asia/Shanghai")
DEMO_USER = "demo"
ASSESSOR_USERNAME = "assessor"  # the evaluation operator demo login (demo.users)
PLAN_FACTS_SOURCE = "demo.assessment"

# SYNTHETIC pass rates (see the package's docstring).
PASS_RATES = {"grade5": 0.875, "grade4": 0.775, "grade3": 0.65, "grade2": 0.55,
              "grade1": 0.45, "principal": 0.40, "chief": 0.40}
# The bands the demo's tests hold the rates of class sittings to (by level).
PASS_RATE_BANDS = {"grade5": (0.80, 0.95), "grade4": (0.68, 0.86), "grade3": (0.52, 0.78),
                   "grade2": (0.40, 0.70), "grade1": (0.30, 0.60)}
OCCUPATION_ADJUSTMENT = {  # SYNTHETIC
    "焊工": -0.03, "电工": -0.04, "化工总控工": -0.05, "工业机器人系统运维员": -0.04,
    "工业机器人系统操作员": -0.03, "人工智能训练师": -0.03, "无人机装调检修工": -0.03,
    "汽车维修工": -0.02, "养老护理员": 0.02, "家政服务员": 0.03, "育婴员": 0.02,
    "保育师": 0.01, "快递员": 0.04, "网约配送员": 0.04, "茶艺师": 0.02,
}
SITTING_SPREAD = 0.04  # SYNTHETIC: a sitting's own rate varies this much either way
DIRECT_RECOGNITION_RATE = 0.9  # SYNTHETIC
ABSENT_SHARE = 0.02  # SYNTHETIC: candidates who do not come (缺考)
# 一试双证: an occupation's sitting that also issues a special-ability certificate, where the
# evaluation catalog lists the evaluator for that item too (the generator passes these pairs
# to the catalog demo, which lists an evaluator of the occupation for the item as well).
DUAL_ITEMS = {"养老护理员": "失智老年人照护", "电子商务师": "电商直播带货",
              "互联网营销师": "短视频制作", "缝纫工": "苗绣制作", "农业经理人": "农产品初级加工",
              "农作物植保员": "农产品初级加工"}
DUAL_SHARE = 0.6  # SYNTHETIC: of the sittings that may
FRAUD_SHARE = 0.004  # SYNTHETIC: skill-level certificates revoked for fraud (替考, 伪造材料)
ERROR_SHARE = 0.003  # SYNTHETIC: revoked as issued in error
OUTSIDE_SHARE = 0.012  # SYNTHETIC: persons holding a certificate from outside
RECENT_DAYS = 20  # a class that finished this recently may still wait for its assessment

FRAUD_REASONS = ("经核查，该考生由他人替考，撤销证书（演示数据）",
                 "申报材料中的工作年限证明系伪造，撤销证书（演示数据）")
ERROR_REASONS = ("证书等级录入错误，撤销后重新核发（演示数据）",
                 "成绩汇总有误，该考生实际未达合格线（演示数据）")
RECOGNITION_REASONS = (
    "在全省职业技能大赛中获得第一名，经省人力资源社会保障厅批准直接认定（演示数据）",
    "获得“贵州工匠”称号，业绩突出，经审核直接认定（演示数据）",
    "在企业技术革新中取得重大成果，获市级以上表彰，破格直接认定（演示数据）",
)
VERIFIED_NOTE = "已向发证机构核实（演示数据）"
RETURN_REASON = "考点场地证明和考评员名单不全，请补充后重新申报（演示数据）"
APPROVER = "province"  # the province HRSS demo login approves direct recognitions
OTHER_PROVINCES = (("44", "广东省"), ("33", "浙江省"), ("32", "江苏省"), ("35", "福建省"))
SPECIAL_OPERATIONS = ("低压电工作业", "熔化焊接与热切割作业", "高处安装、维护、拆除作业")

# The sitting's steps: (action, reached status) as rules/lifecycle names them.
STEPS = {"declared": ("declare", SittingStatus.DECLARED),
         "returned": ("return", SittingStatus.RETURNED),
         "resubmitted": ("resubmit", SittingStatus.DECLARED),
         "approved": ("approve", SittingStatus.APPROVED),
         "results": ("record_results", SittingStatus.RESULTS),
         "closed": ("close", SittingStatus.CLOSED)}
PATHS = {SittingStatus.DECLARED: ["declared"],
         SittingStatus.RETURNED: ["declared", "returned"],
         SittingStatus.APPROVED: ["declared", "approved"],
         SittingStatus.RESULTS: ["declared", "approved", "results"],
         SittingStatus.CLOSED: ["declared", "approved", "results", "closed"]}


@dataclass
class Listing:
    organization: int
    kind: str
    occupation: int
    low: int
    high: int
    version: int
    start: dt.date
    end: dt.date | None
    self_evaluation: bool
    top_filing: str
    entry: int


@dataclass
class Sitting:
    pk: int
    evaluator: int
    occupation: int
    level: str
    route: str
    region: int
    place: str
    day: dt.date
    version: int
    status: str
    declared_at: dt.datetime
    training_class: int | None = None
    dual: str = ""  # 一试双证: the special-ability item of the second certificate
    listing: Listing | None = None
    declared_by: str = DEMO_USER
    steps: dict[str, dt.datetime] = field(default_factory=dict)
    # (person, enrollment, route, basis, justification)
    candidates: list[tuple] = field(default_factory=list)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def pass_rate(level: str, occupation_name: str) -> float:
    """The SYNTHETIC pass rate of a level and occupation (before a sitting's variation)."""
    return PASS_RATES.get(level, 0.5) + OCCUPATION_ADJUSTMENT.get(occupation_name, 0.0)
