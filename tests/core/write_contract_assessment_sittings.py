"""Write-contract cases of the assessment app's sittings area (see tests/core/write_contract.py):
declaring, the review steps, candidates, direct recognition, examiners."""

from __future__ import annotations

from decimal import Decimal

from jineng.assessment import services
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from tests import factories as f
from tests.assessment import sittings_support as ss
from tests.core.write_contract import Attempts, Refused, case
from tests.training import helpers as th

SITTING = "assessment.assessmentsitting"
CANDIDATE = "assessment.candidate"
EXAMINER = "assessment.sittingexaminer"


def _declaring(service: str, **extra):
    @case(f"assessment.{service}", audit=[(A.CREATE, SITTING)])
    def build() -> Attempts:
        w = ss.world(trainees=0, completed=0)
        data = ss.sitting_input(**extra)
        ok = {"actor": w.operator, "data": data}
        ss.declare(w, client_ref="taken")
        return Attempts(ok=ok, refused=[
            Refused({**ok, "data": ss.sitting_input(client_ref="taken", place="别处")},
                    Conflict, "a reference used for another content"),
            Refused({**ok, "actor": w.county_staff}, Forbidden, "not an assessor"),
            Refused({**ok, "data": ss.sitting_input(level=th.level("chief"), **extra)},
                    DomainError, "level not listed"),
            Refused({**ok, "data": ss.sitting_input(place=" ", **extra)}, DomainError,
                    "no place"),
            Refused({**ok, "data": ss.sitting_input(theory_pass_mark=None,
                                                    practical_pass_mark=None, **extra)},
                    DomainError, "no part examined"),
        ])
    return build


_declaring("sitting_declare")
_declaring("sitting_declare_once", client_ref="contract-sitting-1")


@case("assessment.sitting_transition", audit=[(A.TRANSITION, SITTING)])
def _sitting_transition() -> Attempts:
    w = ss.world(trainees=0, completed=0)
    sitting = ss.declare(w)
    ok = {"actor": w.county_staff, "sitting": sitting, "action": "approve"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_operator}, NotFound, "another evaluator's sitting"),
        Refused({**ok, "actor": w.other_city_staff}, NotFound, "out of scope"),
        Refused({**ok, "actor": w.operator}, Forbidden, "the evaluator approving itself"),
        Refused({**ok, "sitting": ss.approved(w)}, DomainError, "approved already"),
        Refused({**ok, "action": "teleport"}, DomainError, "unknown action"),
        Refused({**ok, "action": "return"}, DomainError, "return without a reason"),
        Refused({**ok, "action": "close"}, DomainError, "issuance's step, not a button"),
    ])


@case("assessment.candidate_add", audit=[(A.CREATE, CANDIDATE)])
def _candidate_add() -> Attempts:
    w = ss.world(trainees=2, completed=1)
    sitting = ss.approved(w, training_class_id=w.cls.pk)
    done, not_done = w.trainees
    ok = {"actor": w.operator, "sitting": sitting, "person": done.person,
          "route": "class_completed", "enrollment": done}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_operator}, NotFound, "another evaluator's sitting"),
        Refused({**ok, "actor": w.county_staff}, Forbidden, "HRSS do not add candidates"),
        Refused({**ok, "person": not_done.person, "enrollment": not_done}, DomainError,
                "did not complete the class"),
        Refused({**ok, "route": "social"}, DomainError, "no years of work"),
        Refused({**ok, "years_in_occupation": Decimal("-1")}, DomainError, "negative years"),
        Refused({**ok, "actor": w.training.operator}, Forbidden,
                "the class's school sees the sitting but does not assess"),
    ])


@case("assessment.candidates_add_from_class", audit=[(A.CREATE, CANDIDATE)] * 2)
def _from_class() -> Attempts:
    w = ss.world(trainees=3, completed=2)
    sitting = ss.approved(w, training_class_id=w.cls.pk)
    bare = ss.approved(w)
    ok = {"actor": w.operator, "sitting": sitting}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.county_staff}, Forbidden, "HRSS do not add candidates"),
        Refused({**ok, "actor": w.other_operator}, NotFound, "another evaluator's sitting"),
        Refused({**ok, "sitting": bare}, DomainError, "the sitting names no class"),
    ])


@case("assessment.candidate_remove", audit=[(A.DELETE, CANDIDATE)])
def _candidate_remove() -> Attempts:
    w = ss.world(trainees=0, completed=0)
    sitting = ss.approved(w)
    row = services.candidate_add(actor=w.operator, sitting=sitting, person=ss.person(),
                                 route="social", years_in_occupation=ss.YEARS)
    scored = services.candidate_add(actor=w.operator, sitting=sitting, person=ss.person(),
                                    route="social", years_in_occupation=ss.YEARS)
    type(scored).objects.filter(pk=scored.pk).update(theory_score=Decimal("70"))
    ok = {"actor": w.operator, "candidate": row}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_operator}, NotFound, "another evaluator's candidate"),
        Refused({**ok, "actor": w.county_staff}, Forbidden, "HRSS do not remove candidates"),
        Refused({**ok, "candidate": scored}, DomainError, "has a score"),
    ])


@case("assessment.direct_recognition_approve", audit=[(A.UPDATE, CANDIDATE)])
def _direct_recognition_approve() -> Attempts:
    w = ss.world(trainees=0, completed=0)
    sitting = ss.approved(w, actor=w.enterprise_user, level=th.level("grade3"),
                          route="direct_recognition")
    row = services.candidate_add(actor=w.enterprise_user, sitting=sitting,
                                 person=ss.person(), route="direct_recognition",
                                 employer=w.enterprise, justification="师带徒效果明显")
    social = services.candidate_add(actor=w.enterprise_user, sitting=sitting,
                                    person=ss.person(), route="self_evaluation",
                                    employer=w.enterprise)
    ok = {"actor": w.county_staff, "candidate": row}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.enterprise_user}, Forbidden, "the enterprise itself"),
        Refused({**ok, "actor": w.other_city_staff}, NotFound, "out of scope"),
        Refused({**ok, "candidate": social}, DomainError, "not a direct recognition"),
    ])


@case("assessment.examiner_add", audit=[(A.CREATE, EXAMINER)])
def _examiner_add() -> Attempts:
    w = ss.world(trainees=1, completed=1)
    sitting = ss.approved(w, training_class_id=w.cls.pk)
    services.candidate_add(actor=w.operator, sitting=sitting, person=w.trainees[0].person,
                           route="class_completed", enrollment=w.trainees[0])
    teacher = f.PersonFactory(id_hash=w.training.teacher.id_hash)
    ok = {"actor": w.operator, "sitting": sitting, "person": ss.person(), "is_chief": True}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_operator}, NotFound, "another evaluator's sitting"),
        Refused({**ok, "actor": w.county_staff}, Forbidden, "HRSS do not add examiners"),
        Refused({**ok, "person": teacher}, DomainError, "考培分离: taught the class"),
        Refused({**ok, "person": w.trainees[0].person}, DomainError, "a candidate"),
    ])


@case("assessment.examiner_remove", audit=[(A.DELETE, EXAMINER)])
def _examiner_remove() -> Attempts:
    w = ss.world(trainees=0, completed=0)
    sitting = ss.approved(w)
    row = services.examiner_add(actor=w.operator, sitting=sitting, person=ss.person())
    ok = {"actor": w.operator, "examiner": row}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_operator}, NotFound, "another evaluator's examiner"),
        Refused({**ok, "actor": w.county_staff}, Forbidden, "HRSS do not remove examiners"),
    ])
