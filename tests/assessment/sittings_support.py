"""The world of the sittings tests: an evaluation institution and a self-evaluating enterprise
(with a 特级技师/首席技师 filing) listed in a published evaluation catalog, a training institution
with a finished class of completed trainees and its teacher, and the users around them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from jineng.assessment import services
from jineng.assessment.models import AssessmentSitting
from jineng.registry.choices import OrganizationKind
from jineng.registry.models import Organization, Person
from jineng.training.choices import ClassStatus
from jineng.training.models import Enrollment, TrainingClass
from tests import factories as f
from tests.assessment import factories as af
from tests.assessment.issuance_support import publish_evaluation_catalog
from tests.training import helpers as th

SITTING_DAY = dt.date(2026, 6, 20)


@dataclass
class SittingWorld:
    evaluator: Organization
    operator: object
    enterprise: Organization
    enterprise_user: object
    other_evaluator: Organization
    other_operator: object
    training: th.World
    cls: TrainingClass
    trainees: list[Enrollment]
    county_staff: object
    other_city_staff: object
    province_staff: object
    extra: dict = field(default_factory=dict)


def enterprise() -> Organization:
    return f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type="",
                                 name="贵州测试制造有限公司")


def finish(cls: TrainingClass, enrollments: list[Enrollment], *, completed: int) -> None:
    """The class finished with the first `completed` trainees completing (ORM: the attendance
    behind it is training's business, tested there)."""
    TrainingClass.objects.filter(pk=cls.pk).update(status=ClassStatus.FINISHED)
    for i, e in enumerate(enrollments):
        Enrollment.objects.filter(pk=e.pk).update(completed=i < completed)
        e.refresh_from_db()
    cls.refresh_from_db()


def world(*, trainees: int = 3, completed: int = 2,
          evaluator_items: tuple[str, ...] = ()) -> SittingWorld:
    """`evaluator_items`: special-ability items the evaluator is listed for too (一试双证)."""
    tw = th.world()
    evaluator = af.EvaluatorFactory()
    other = af.EvaluatorFactory()
    ent = enterprise()
    publish_evaluation_catalog([
        # a school that trains and is listed as an evaluator too (考培分离 applies to it)
        {"credit_code": tw.org.credit_code, "occupation": "养老护理员",
         "min_level": "初级工", "max_level": "高级工"},
        {"credit_code": evaluator.credit_code, "occupation": "养老护理员",
         "min_level": "初级工", "max_level": "高级技师"},
        {"credit_code": other.credit_code, "occupation": "养老护理员",
         "min_level": "初级工", "max_level": "中级工"},
        {"credit_code": ent.credit_code, "occupation": "养老护理员", "min_level": "初级工",
         "max_level": "首席技师", "self_evaluation": "是",
         "top_filing_number": "黔人社备〔2025〕1号", "top_filing_date": "2025-03-01"},
        *({"credit_code": evaluator.credit_code, "special_ability_item": item}
          for item in evaluator_items),
    ])
    cls = th.declare(tw)
    enrollments = [th.enroll(tw, cls, n=i + 1) for i in range(trainees)]
    finish(cls, enrollments, completed=completed)
    return SittingWorld(
        evaluator=evaluator, operator=f.operator(evaluator), enterprise=ent,
        enterprise_user=f.operator(ent), other_evaluator=other,
        other_operator=f.operator(other), training=tw, cls=cls, trainees=enrollments,
        county_staff=f.staff("county_staff", f.COUNTY),
        other_city_staff=f.staff("city_staff", f.OTHER_CITY),
        province_staff=f.staff())


def sitting_input(**kw) -> services.SittingInput:
    values = {"place": "南明区考点", "sitting_date": SITTING_DAY,
              "occupation": th.occupation(), "level": th.level("grade5")}
    values.update(kw)
    return services.SittingInput(**values)


def declare(w: SittingWorld, actor=None, **kw) -> AssessmentSitting:
    return services.sitting_declare(actor=actor or w.operator, data=sitting_input(**kw))


def approved(w: SittingWorld, actor=None, **kw) -> AssessmentSitting:
    sitting = declare(w, actor, **kw)
    return services.sitting_transition(actor=w.county_staff, sitting=sitting, action="approve")


def person(**kw) -> Person:
    """A registered person born on another day than the trainees (whose ID numbers take
    sequence numbers 1, 2, 3 …), so the two never share a number."""
    kw.setdefault("plain_id", f.id_number_for(birth=dt.date(1985, 2, 2)))
    return f.PersonFactory(**kw)


YEARS = Decimal("6")
