"""What a finished class adds to the plans' progress (the fact contract of `docs/plans.md`).

Called by `services.class_transition` when a class is finished, inside the same transaction:

- one `person_times_trained` fact (value 1) per trainee who completed the class (enrolled, not
  withdrawn, hours frozen at or above the threshold); dropouts and trainees short of hours add
  nothing;
- for a class paid from a public fund (every funding source but the enterprise's own staff
  education fund) one `person_times_subsidized` fact (value 1) per completed trainee too:
  补贴性职业技能培训 is training paid for by public funds, and the seeds count it when the
  training is delivered. When the subsidy app exists it may move this count to the approved
  claim; until then a refused claim would still count here;
- for an order class (订单班 / 定岗班 / 冠名班) one `order_classes` fact (value 1) for the class:
  it is counted when it has run, not when it opened, so a class suspended and cancelled after
  opening is never counted.

Every fact is dated the day the class was finished (Asia/Shanghai), so a late finish never
changes a quarter already reported. Its region is the class's (the site's) region; its
institution, sector and training type are the class's (training type mapped to the plans
vocabulary by `PLANS_TRAINING_TYPE`); its key group is the class's target group, else the
person's key group active on the class's start date (the day eligibility is judged on), the
first in the registry's order when there are several, else none: one group per trainee, so
group sums never count a trainee twice. `source_ref` names the enrollment (or the class), so
a replay counts once.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from jineng.plans import services as plans
from jineng.plans.rules import vocabulary as v
from jineng.registry.choices import KeyGroup
from jineng.registry.models import KeyGroupMembership
from jineng.training.choices import EnrollmentStatus, FundingSource, OrderForm, TrainingType
from jineng.training.models import Enrollment, TrainingClass

logger = logging.getLogger(__name__)

SOURCE = "training"

# The catalog's training types (classes, subsidy standards) → the plans vocabulary's. A type
# with no counterpart maps to "": its trainees count in every total, in no training-type cut.
PLANS_TRAINING_TYPE: dict[str, str] = {
    TrainingType.EMPLOYMENT: "employment_skills",  # 就业技能培训
    TrainingType.UPSKILLING: "post_upgrading",  # 岗位技能提升培训
    TrainingType.ENTREPRENEURSHIP: "entrepreneurship",  # 创业培训
    TrainingType.APPRENTICESHIP: "apprenticeship",  # 企业新型学徒制培训
    TrainingType.HIGH_SKILLED: "high_skilled",  # 高技能人才培训
    TrainingType.PRE_JOB: "pre_job",  # 岗前培训
    TrainingType.JOB_TRANSFER: "",  # 转岗转业培训: no plans type names it
    TrainingType.SPECIAL_OPERATION: "safety",  # 特种作业安全技能培训 → 安全技能培训
}

ORDER_FORMS = frozenset({OrderForm.ORDER, OrderForm.FIXED_POST, OrderForm.NAMED})

# Funding that makes training 补贴性 (subsidized): public money. An enterprise paying from its
# own staff education fund (职工教育经费) is not subsidized training.
SUBSIDIZED_FUNDING = frozenset(FundingSource.values) - {FundingSource.ENTERPRISE}

_GROUP_ORDER = {code: i for i, code in enumerate(KeyGroup.values)}


def plans_training_type(code: str) -> str:
    return PLANS_TRAINING_TYPE[code]


def completion_ref(enrollment_id: int) -> str:
    return f"training.completion:{enrollment_id}"


def subsidized_ref(enrollment_id: int) -> str:
    return f"training.subsidized:{enrollment_id}"


def order_class_ref(class_id: int) -> str:
    return f"training.order_class:{class_id}"


def fact_region_code(cls: TrainingClass) -> str:
    """The class's region if facts can be recorded there (a county or below), else ""."""
    code = cls.region.code
    return "" if len(code) < 6 or code[:6].endswith("00") else code


def _person_groups(person_ids: list[int], day) -> dict[int, str]:
    """Each person's one key group active on `day` (the first in the registry's order)."""
    out: dict[int, str] = {}
    rows = (KeyGroupMembership.objects.filter(person_id__in=person_ids).active_on(day)
            .values_list("person_id", "group"))
    for person_id, group in rows:
        if group not in v.KEY_GROUPS:
            continue
        current = out.get(person_id)
        if current is None or _GROUP_ORDER.get(group, 99) < _GROUP_ORDER.get(current, 99):
            out[person_id] = group
    return out


def record_finished_class(cls: TrainingClass) -> int:
    """Write the facts of a finished class (idempotent). Returns how many were new."""
    region_code = fact_region_code(cls)
    if not region_code:
        logger.warning("class %s finished at region %s (above a county): not counted in the "
                       "plans' progress", cls.pk, cls.region.code)
        return 0
    day = timezone.localdate(cls.status_changed_at)
    sector = cls.sector if cls.sector in v.SECTORS else ""
    training_type = plans_training_type(cls.training_type)
    class_group = cls.target_group if cls.target_group in v.KEY_GROUPS else ""
    completed = list(Enrollment.objects.filter(
        training_class=cls, completed=True, status=EnrollmentStatus.ENROLLED)
        .order_by("pk").values_list("pk", "person_id"))
    groups = {} if class_group else _person_groups([p for _, p in completed], cls.start_date)

    def fact(metric: str, key_group: str, ref: str) -> plans.FactInput:
        return plans.FactInput(metric=metric, day=day, region_code=region_code, value=1,
                               organization_id=cls.institution_id, sector=sector,
                               key_group=key_group, training_type=training_type,
                               source_ref=ref)

    subsidized = cls.funding_source in SUBSIDIZED_FUNDING
    added = 0
    for enrollment_id, person_id in completed:
        group = class_group or groups.get(person_id, "")
        added += plans.actual_fact_add(source=SOURCE, fact=fact(
            "person_times_trained", group, completion_ref(enrollment_id)))
        if subsidized:
            added += plans.actual_fact_add(source=SOURCE, fact=fact(
                "person_times_subsidized", group, subsidized_ref(enrollment_id)))
    if cls.order_form in ORDER_FORMS:
        added += plans.actual_fact_add(source=SOURCE, fact=fact(
            "order_classes", class_group, order_class_ref(cls.pk)))
    return added
