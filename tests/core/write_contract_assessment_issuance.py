"""Write-contract cases of the assessment app's issuance area (see tests/core/write_contract.py):
issuing a sitting's certificates (and what it completes: the sitting closed, the class
assessed, the plans facts), and a class's training certificates."""

from __future__ import annotations

from jineng.accounts.models import Role
from jineng.assessment import services as assessment
from jineng.assessment.choices import SittingStatus
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from jineng.training.models import Enrollment, TrainingClass
from tests import factories as f
from tests.assessment import factories as af
from tests.assessment import issuance_support as s
from tests.core.write_contract import Attempts, Refused, case
from tests.training import helpers as h

CERTIFICATE = "assessment.certificate"
SITTING = "assessment.assessmentsitting"
FACTS = "plans.actualfact"
CLASS = "training.trainingclass"


def _key() -> None:
    """The signing key, made beforehand (its creation is the signing area's event)."""
    assessment.signing_key_create(actor=f.staff(Role.SYSTEM_ADMIN))


@case("assessment.certificates_issue_for_sitting",
      audit=[(A.CREATE, CERTIFICATE), (A.TRANSITION, SITTING), (A.IMPORT, FACTS),
             (A.TRANSITION, CLASS)])
def _certificates_issue_for_sitting() -> Attempts:
    _key()
    tw = h.world()
    cls = h.declare(tw)
    h.enroll(tw, cls)
    TrainingClass.objects.filter(pk=cls.pk).update(status="finished")
    w = s.world(passed=2, failed=1, training_class=cls,
                second_certificate_kind="special_ability", special_ability_item=s.ITEM)
    unlisted = af.EvaluatorCodeFactory()
    no_second = s.results_sitting(unlisted.organization, passed=1, failed=0,
                                  second_certificate_kind="special_ability",
                                  special_ability_item=s.ITEM)
    uncoded = af.EvaluatorFactory()
    no_code = s.results_sitting(uncoded, passed=1, failed=0)
    approved = s.results_sitting(w.sitting.evaluator, passed=1, failed=0,
                                 status=SittingStatus.APPROVED)
    ok = {"actor": w.operator, "sitting": w.sitting}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_operator}, NotFound, "another evaluator's sitting"),
        Refused({**ok, "actor": w.county_staff}, Forbidden, "HRSS staff do not issue"),
        Refused({**ok, "actor": f.staff(Role.COUNTY_STAFF, f.OTHER_COUNTY)}, NotFound,
                "out of scope"),
        Refused({**ok, "sitting": approved}, DomainError, "results not recorded"),
        Refused({"actor": f.operator(uncoded), "sitting": no_code}, DomainError,
                "the evaluator has no evaluator code"),
        Refused({"actor": f.operator(unlisted.organization), "sitting": no_second},
                DomainError, "a second certificate the catalog does not list"),
    ])


@case("assessment.training_certificates_issue", audit=[(A.CREATE, CERTIFICATE)])
def _training_certificates_issue() -> Attempts:
    _key()
    tw = h.world()
    cls = h.declare(tw)
    enrollment = h.enroll(tw, cls)
    running = h.declare(tw, sessions=h.sessions(start=h.START.replace(month=5)))
    TrainingClass.objects.filter(pk=cls.pk).update(status="finished")
    Enrollment.objects.filter(pk=enrollment.pk).update(completed=True)
    ok = {"actor": tw.operator, "training_class": cls}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": tw.other_operator}, NotFound, "another institution's class"),
        Refused({**ok, "actor": f.staff(Role.INSPECTOR, f.PROVINCE)}, Forbidden,
                "an inspector reads, does not issue"),
        Refused({**ok, "training_class": running}, DomainError, "the class is not finished"),
    ])
