"""The routes to a level (choices.AssessmentRoute): may this candidate sit this assessment by
this route? Pure functions over plain facts; each answer says allowed or refused, a stable
code, the input field at fault, the figures used and the rule (with its citation), so the
sitting page can explain why a candidate was admitted.

- class_completed: completed a class of the sitting's occupation (or special-ability item) and
  level (Hunan (五); the completion is training's COMPLETED_FIELDS).
- social: a social candidate meeting the national occupational skill standard's 申报条件 (years
  of work in the occupation, a previous certificate) — the table SOCIAL_CONDITIONS.
- self_evaluation: 企业自主评价, including "车间+考场": an enterprise listed with
  self_evaluation in the evaluation catalog assesses its own employees (or its chain's,
  where the catalog entry names the chain) (Guizhou (十七); Lianyungang (三)2).
- direct_recognition: 直接认定 of 高级工 and above by the enterprise, bypassing education,
  seniority and age limits, with a recorded justification and an HRSS approval
  (Zhejiang (七)).
- top_appointment: 特级技师 / 首席技师 appointed by an enterprise with a filing (备案)
  (Henan (二); Lianyungang (三)2).
- guizhou_intermediate: a holder of a 初级工 certificate (or a special-operation certificate)
  who completed long-term 中级工 employment training of the occupation sits 中级工 directly
  (Guizhou (十七)).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

# --- levels (registry.SkillLevel.rank; 人社部发〔2022〕14号 新八级工) ---------------------------
APPRENTICE, GRADE5, GRADE4, GRADE3, GRADE2, GRADE1, PRINCIPAL, CHIEF = range(8)
# 初级工 … 高级技师: the five national grades the standard's 申报条件 cover.
NATIONAL_GRADES = (GRADE5, GRADE4, GRADE3, GRADE2, GRADE1)
TOP_LEVELS = (PRINCIPAL, CHIEF)

CLASS_COMPLETED = "class_completed"
SOCIAL = "social"
SELF_EVALUATION = "self_evaluation"
DIRECT_RECOGNITION = "direct_recognition"
TOP_APPOINTMENT = "top_appointment"
GUIZHOU_INTERMEDIATE = "guizhou_intermediate"
ROUTES = (CLASS_COMPLETED, SOCIAL, SELF_EVALUATION, DIRECT_RECOGNITION, TOP_APPOINTMENT,
          GUIZHOU_INTERMEDIATE)

# Certificate kinds a candidate may hold (choices.CertificateKind values).
SKILL_LEVEL = "skill_level"
QUALIFICATION = "qualification"  # a legacy 职业资格证书 counts as the level it names
SPECIAL_OPERATION = "special_operation"
LEVEL_KINDS = frozenset({SKILL_LEVEL, QUALIFICATION})

# --- citations (quoted exactly from ../shared/seeds and the national texts) -----------------
HUNAN_5 = ("湖南省推行终身职业技能培训制度实施意见 (五)完善技能人才多元评价机制：构建以职业资格"
           "评价、职业技能等级认定和专项职业能力考核为主要内容的技能人才评价机制")
STANDARD_RULES = ("《国家职业技能标准编制技术规程（2018年版）》申报条件（五级/初级工至一级/"
                  "高级技师：累计从事本职业或相关职业工作年限，或取得前一等级证书后累计从事"
                  "本职业或相关职业工作年限）")
GUIZHOU_17_SELF = ("黔就劳发〔2025〕3号 (十七)深化职业技能等级评价制度改革：将符合条件的"
                   "联盟企业纳入企业技能人才自主评价范围")
LIANYUNGANG_3_2_WORKSHOP = ("连云港市 (三)2. 健全高技能人才评价机制：支持企业推行“车间+考场”"
                            "互动评价模式,在工作岗位、生产过程中考察职工技能水平")
ZHEJIANG_7 = ("浙江省技能促富助力缩小三大差距行动方案（2025—2027年）(七)推动企业自主评价提质"
              "扩面：对解决重大工艺技术难题和重大质量问题、技术创新成果获得省部级以上奖项、"
              "师带徒效果明显的技能人才,可打破学历、资历、年龄、比例等限制,由企业直接认定高级工及"
              "以上职业技能等级")
HENAN_2 = ("2025年度技能河南建设工作方案 (二)深入实施“新八级工”职业技能等级制度：2025年新增特级"
           "技师和首席技师评价企业备案20家")
LIANYUNGANG_3_2_TOP = "连云港市 (三)2. 健全高技能人才评价机制：实施特级技师、首席技师评聘"
GUIZHOU_17 = ("黔就劳发〔2025〕3号 (十七)：具有初级工职业技能等级证书(含特种作业操作证书、特种设备"
              "操作证书、建设施工特种作业操作证书)的劳动者完成本职业(工种)中级工中长期就业技能培训,"
              "符合条件的可直接参加中级工职业技能等级评价考核")
SEPARATION_NOTE = "考培分离: rules/separation.py"

CITATIONS = {
    CLASS_COMPLETED: HUNAN_5,
    SOCIAL: STANDARD_RULES,
    SELF_EVALUATION: f"{GUIZHOU_17_SELF}；{LIANYUNGANG_3_2_WORKSHOP}",
    DIRECT_RECOGNITION: ZHEJIANG_7,
    TOP_APPOINTMENT: f"{HENAN_2}；{LIANYUNGANG_3_2_TOP}",
    GUIZHOU_INTERMEDIATE: GUIZHOU_17,
}


@dataclass(frozen=True)
class SocialCondition:
    """One 申报条件 of the standard: `years` of work in the occupation (or a related one),
    counted after a certificate of `after_level` when one is named."""

    id: str
    level: int
    years: int
    after_level: int | None = None
    text: str = ""


# 《国家职业技能标准编制技术规程（2018年版）》申报条件, the conditions on work years and previous
# certificates (those on school diplomas are checked by the evaluator from the papers and are
# not modelled here). "具备以下条件之一者" — any one row of the level suffices.
SOCIAL_CONDITIONS: tuple[SocialCondition, ...] = (
    SocialCondition("grade5_work_1y", GRADE5, 1, None,
                    "累计从事本职业或相关职业工作1年（含）以上"),
    SocialCondition("grade4_after_grade5_4y", GRADE4, 4, GRADE5,
                    "取得本职业或相关职业五级/初级工证书后，累计从事本职业或相关职业工作4年（含）以上"),
    SocialCondition("grade4_work_6y", GRADE4, 6, None,
                    "累计从事本职业或相关职业工作6年（含）以上"),
    SocialCondition("grade3_after_grade4_5y", GRADE3, 5, GRADE4,
                    "取得本职业或相关职业四级/中级工证书后，累计从事本职业或相关职业工作5年（含）以上"),
    SocialCondition("grade2_after_grade3_4y", GRADE2, 4, GRADE3,
                    "取得本职业或相关职业三级/高级工证书后，累计从事本职业或相关职业工作4年（含）以上"),
    SocialCondition("grade1_after_grade2_4y", GRADE1, 4, GRADE2,
                    "取得本职业或相关职业二级/技师证书后，累计从事本职业或相关职业工作4年（含）以上"),
)

# 特级技师 / 首席技师 are appointed from 高级技师 (人社部发〔2022〕14号: the ladder above 高级技师).
TOP_PREREQUISITE = {PRINCIPAL: GRADE1, CHIEF: GRADE1}

# Guizhou (十七) does not say how long "中长期" training is; jineng takes classes of employment
# skills training of at least this many required hours (a parameter to confirm with the
# province).
GUIZHOU_LONG_TERM_MIN_HOURS = Decimal("120")
GUIZHOU_LONG_TERM_TYPES = frozenset({"employment"})
GUIZHOU_REGION_PREFIX = "52"

# Zhejiang (七): direct recognition of 高级工 and above.
DIRECT_RECOGNITION_LOWEST = GRADE3


# --- facts ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SittingFacts:
    """What is assessed, by whom. `self_evaluation` and `top_filing_number` come from the
    evaluator's evaluation catalog entry that lists it for this sitting."""

    evaluator_id: int
    level: int | None  # SkillLevel.rank; None for a special-ability item
    occupation_id: int | None = None
    special_ability_item: str = ""
    region_code: str = ""
    sitting_date: dt.date = dt.date(2026, 1, 1)
    self_evaluation: bool = False
    top_filing_number: str = ""
    related_occupation_ids: frozenset[int] = frozenset()  # counted as 相关职业
    chain_employer_ids: frozenset[int] = frozenset()  # a self-evaluating chain's members


@dataclass(frozen=True)
class ClassFacts:
    """A candidate's enrollment in a class."""

    enrollment_id: int
    completed: bool  # training's COMPLETED_FIELDS, once the class finished
    occupation_id: int | None
    level: int | None
    special_ability_item: str = ""
    institution_id: int | None = None
    training_type: str = ""
    required_hours: Decimal = Decimal("0")


@dataclass(frozen=True)
class HeldCertificate:
    kind: str  # choices.CertificateKind value
    level: int | None = None  # SkillLevel.rank of a skill-level / qualification certificate
    occupation_id: int | None = None
    issued_on: dt.date | None = None
    number: str = ""


@dataclass(frozen=True)
class CandidateFacts:
    enrollment: ClassFacts | None = None
    employer_id: int | None = None  # the organization the candidate works for
    years_in_occupation: Decimal = Decimal("0")  # in this occupation or a related one
    certificates: tuple[HeldCertificate, ...] = ()
    justification: str = ""
    direct_recognition_approved: bool = False


@dataclass(frozen=True)
class RouteAnswer:
    route: str
    allowed: bool
    code: str
    field: str = ""  # the input at fault when refused
    params: dict = dataclasses.field(default_factory=dict)
    citation: str = ""
    pending_approval: bool = False  # allowed, but the result counts only once approved

    def as_dict(self) -> dict:
        return {"route": self.route, "allowed": self.allowed, "code": self.code,
                "field": self.field, "params": dict(self.params), "citation": self.citation,
                "pending_approval": self.pending_approval}


def _yes(route: str, code: str, **params) -> RouteAnswer:
    return RouteAnswer(route, True, code, params=params, citation=CITATIONS[route])


def _no(route: str, code: str, fld: str, **params) -> RouteAnswer:
    return RouteAnswer(route, False, code, field=fld, params=params, citation=CITATIONS[route])


def _same_subject(sitting: SittingFacts, occupation_id: int | None, item: str) -> bool:
    if sitting.special_ability_item:
        return item == sitting.special_ability_item
    return occupation_id is not None and occupation_id == sitting.occupation_id


def _in_occupation(sitting: SittingFacts, occupation_id: int | None) -> bool:
    return occupation_id is not None and (
        occupation_id == sitting.occupation_id
        or occupation_id in sitting.related_occupation_ids)


def years_between(start: dt.date, end: dt.date) -> Decimal:
    """Whole years from `start` to `end` (an anniversary counts on its day)."""
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return Decimal(max(years, 0))


def _own_employee(sitting: SittingFacts, candidate: CandidateFacts) -> bool:
    return candidate.employer_id is not None and (
        candidate.employer_id == sitting.evaluator_id
        or candidate.employer_id in sitting.chain_employer_ids)


# --- the routes -----------------------------------------------------------------------------

def class_completed(sitting: SittingFacts, candidate: CandidateFacts) -> RouteAnswer:
    e = candidate.enrollment
    if e is None:
        return _no(CLASS_COMPLETED, "enrollment_required", "enrollment")
    if not _same_subject(sitting, e.occupation_id, e.special_ability_item):
        return _no(CLASS_COMPLETED, "other_occupation", "enrollment",
                   enrollment=e.enrollment_id)
    if sitting.level is not None and e.level != sitting.level:
        return _no(CLASS_COMPLETED, "other_level", "enrollment", enrollment=e.enrollment_id,
                   class_level=e.level, sitting_level=sitting.level)
    if not e.completed:
        return _no(CLASS_COMPLETED, "not_completed", "enrollment", enrollment=e.enrollment_id)
    return _yes(CLASS_COMPLETED, "completed_class", enrollment=e.enrollment_id)


def _best_level(candidate: CandidateFacts, sitting: SittingFacts, level: int,
                ) -> HeldCertificate | None:
    """The earliest-issued level certificate of the occupation (or a related one) at `level`
    or above."""
    held = [c for c in candidate.certificates
            if c.kind in LEVEL_KINDS and c.level is not None and c.level >= level
            and _in_occupation(sitting, c.occupation_id)]
    return min(held, key=lambda c: c.issued_on or dt.date.max, default=None)


def social(sitting: SittingFacts, candidate: CandidateFacts) -> RouteAnswer:
    if sitting.level not in NATIONAL_GRADES:
        return _no(SOCIAL, "level_not_open", "route", level=sitting.level)
    examined = []
    for cond in (c for c in SOCIAL_CONDITIONS if c.level == sitting.level):
        if cond.after_level is None:
            years = candidate.years_in_occupation
        else:
            cert = _best_level(candidate, sitting, cond.after_level)
            if cert is None or cert.issued_on is None:
                examined.append({"condition": cond.id, "met": False, "missing": "certificate"})
                continue
            # Work after the certificate: no more than the time since it, nor the total.
            years = min(candidate.years_in_occupation,
                        years_between(cert.issued_on, sitting.sitting_date))
        met = years >= cond.years
        examined.append({"condition": cond.id, "met": met, "years": str(years),
                         "required": cond.years})
        if met:
            return _yes(SOCIAL, "condition_met", condition=cond.id, text=cond.text,
                        years=str(years), required=cond.years)
    return _no(SOCIAL, "conditions_not_met", "years_in_occupation", examined=examined)


def self_evaluation(sitting: SittingFacts, candidate: CandidateFacts) -> RouteAnswer:
    if not sitting.self_evaluation:
        return _no(SELF_EVALUATION, "not_self_evaluating", "route",
                   evaluator=sitting.evaluator_id)
    if candidate.employer_id is None:
        return _no(SELF_EVALUATION, "employer_required", "employer")
    if not _own_employee(sitting, candidate):
        return _no(SELF_EVALUATION, "not_own_employee", "employer",
                   employer=candidate.employer_id, evaluator=sitting.evaluator_id)
    return _yes(SELF_EVALUATION, "own_employee", employer=candidate.employer_id)


def direct_recognition(sitting: SittingFacts, candidate: CandidateFacts) -> RouteAnswer:
    if sitting.level is None or sitting.level < DIRECT_RECOGNITION_LOWEST:
        return _no(DIRECT_RECOGNITION, "level_below_senior", "route", level=sitting.level,
                   lowest=DIRECT_RECOGNITION_LOWEST)
    if not sitting.self_evaluation:
        return _no(DIRECT_RECOGNITION, "not_self_evaluating", "route",
                   evaluator=sitting.evaluator_id)
    if not _own_employee(sitting, candidate):
        return _no(DIRECT_RECOGNITION, "not_own_employee", "employer",
                   employer=candidate.employer_id, evaluator=sitting.evaluator_id)
    if not candidate.justification.strip():
        return _no(DIRECT_RECOGNITION, "justification_required", "justification")
    if not candidate.direct_recognition_approved:
        return RouteAnswer(DIRECT_RECOGNITION, True, "awaiting_approval",
                           citation=CITATIONS[DIRECT_RECOGNITION], pending_approval=True,
                           params={"bypassed": ["education", "seniority", "age"]})
    return _yes(DIRECT_RECOGNITION, "approved", bypassed=["education", "seniority", "age"])


def top_appointment(sitting: SittingFacts, candidate: CandidateFacts) -> RouteAnswer:
    if sitting.level not in TOP_LEVELS:
        return _no(TOP_APPOINTMENT, "level_not_top", "route", level=sitting.level)
    if not sitting.top_filing_number:
        return _no(TOP_APPOINTMENT, "no_top_filing", "route", evaluator=sitting.evaluator_id)
    if not _own_employee(sitting, candidate):
        return _no(TOP_APPOINTMENT, "not_own_employee", "employer",
                   employer=candidate.employer_id, evaluator=sitting.evaluator_id)
    needed = TOP_PREREQUISITE[sitting.level]
    cert = _best_level(candidate, sitting, needed)
    if cert is None:
        return _no(TOP_APPOINTMENT, "prerequisite_missing", "certificates", needed=needed)
    return _yes(TOP_APPOINTMENT, "filed_enterprise", filing=sitting.top_filing_number,
                certificate=cert.number, needed=needed)


def guizhou_intermediate(sitting: SittingFacts, candidate: CandidateFacts) -> RouteAnswer:
    if not sitting.region_code.startswith(GUIZHOU_REGION_PREFIX):
        return _no(GUIZHOU_INTERMEDIATE, "not_guizhou", "route", region=sitting.region_code)
    if sitting.level != GRADE4:
        return _no(GUIZHOU_INTERMEDIATE, "not_intermediate", "route", level=sitting.level)
    held = [c for c in candidate.certificates
            if c.kind == SPECIAL_OPERATION
            or (c.kind in LEVEL_KINDS and c.level is not None and c.level >= GRADE5)]
    if not held:
        return _no(GUIZHOU_INTERMEDIATE, "no_junior_certificate", "certificates")
    e = candidate.enrollment
    if e is None:
        return _no(GUIZHOU_INTERMEDIATE, "enrollment_required", "enrollment")
    if not _same_subject(sitting, e.occupation_id, e.special_ability_item) or e.level != GRADE4:
        return _no(GUIZHOU_INTERMEDIATE, "other_occupation", "enrollment",
                   enrollment=e.enrollment_id)
    if (e.training_type not in GUIZHOU_LONG_TERM_TYPES
            or e.required_hours < GUIZHOU_LONG_TERM_MIN_HOURS):
        return _no(GUIZHOU_INTERMEDIATE, "not_long_term", "enrollment",
                   enrollment=e.enrollment_id, hours=str(e.required_hours),
                   min_hours=str(GUIZHOU_LONG_TERM_MIN_HOURS), training_type=e.training_type)
    if not e.completed:
        return _no(GUIZHOU_INTERMEDIATE, "not_completed", "enrollment",
                   enrollment=e.enrollment_id)
    return _yes(GUIZHOU_INTERMEDIATE, "junior_holder_trained", enrollment=e.enrollment_id,
                certificate=held[0].number, certificate_kind=held[0].kind)


RULES = {
    CLASS_COMPLETED: class_completed,
    SOCIAL: social,
    SELF_EVALUATION: self_evaluation,
    DIRECT_RECOGNITION: direct_recognition,
    TOP_APPOINTMENT: top_appointment,
    GUIZHOU_INTERMEDIATE: guizhou_intermediate,
}


def check_route(route: str, sitting: SittingFacts, candidate: CandidateFacts) -> RouteAnswer:
    """The answer of one route's rule; an unknown route is refused on `route`."""
    rule = RULES.get(route)
    if rule is None:
        return RouteAnswer(route, False, "unknown_route", field="route")
    return rule(sitting, candidate)


def open_routes(sitting: SittingFacts, candidate: CandidateFacts) -> list[RouteAnswer]:
    """Every route that admits this candidate (for suggestions)."""
    return [a for a in (rule(sitting, candidate) for rule in RULES.values()) if a.allowed]


def awaiting_approval(route: str, approved: bool) -> bool:
    """A candidate whose result may not yet count: a direct recognition (Zhejiang (七)) the
    HRSS office has not approved (Candidate.approved_at empty). Issuance issues no
    certificate to such a candidate."""
    return route == DIRECT_RECOGNITION and not approved
