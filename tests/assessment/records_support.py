"""A person's hand-built history for the skill-record tests: two classes (one finished and
completed), three assessments, certificates issued here and recorded from outside (one revoked,
one unverified), built with the ORM and the shared factories."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from jineng.assessment.choices import (
    AssessmentRoute,
    CertificateKind,
    CertificateOrigin,
    CertificateStatus,
    RevocationReason,
    SittingStatus,
)
from jineng.assessment.models import Candidate, Certificate
from jineng.registry.models import Person
from jineng.training.models import Enrollment
from tests import factories as f
from tests.assessment import factories as af
from tests.training import helpers as h

D = dt.date
_number = itertools.count(1)
FIRST_DAY = D(2026, 7, 1)


def certificate(person: Person, *, level: str | None = "grade5", occupation=None,
                issued_on: dt.date = FIRST_DAY, kind: str = CertificateKind.SKILL_LEVEL,
                origin: str = CertificateOrigin.ISSUED, verified: bool = True,
                revoked: bool = False, region: str = f.COUNTY, **kw) -> Certificate:
    return Certificate.objects.create(
        kind=kind, number=kw.pop("number", f"S{next(_number) + 900000:021d}"),
        origin=origin, verified=verified, person=person, holder_name=person.name,
        occupation=af.occupation() if occupation is None else occupation,
        level=af.level(level) if level else None, issuer_name="测试评价机构",
        region=f.region(region), issued_on=issued_on,
        status=CertificateStatus.REVOKED if revoked else CertificateStatus.VALID,
        revoked_on=issued_on + dt.timedelta(days=30) if revoked else None,
        revocation_reason=RevocationReason.ERROR if revoked else "", **kw)


@dataclass
class History:
    w: h.World
    person: Person
    finished: Enrollment
    running: Enrollment
    passed: Candidate
    failed: Candidate
    pending: Candidate
    certificates: dict[str, Certificate]


def history() -> History:
    """养老护理员: 初级 (2026-07-01, here), 中级 (2027-03-01, another province, verified), a
    revoked 高级 (2027-06-01) and an unverified 技师 (2027-08-01); 电工: 中级 legacy
    qualification (2019-05-01). The person lives in the home county, has a phone."""
    w = h.world()
    first = h.declare(w, name="养老护理员（初级）第1期")
    second = h.declare(w, name="养老护理员（初级）第2期", sessions=h.sessions(start=D(2026, 9, 7)))
    finished = h.enroll(w, first, n=601, name="李秀英")
    person = finished.person
    Person.objects.filter(pk=person.pk).update(phone="13812345678")
    person.refresh_from_db()
    Enrollment.objects.filter(pk=finished.pk).update(attended_hours=Decimal("30.00"),
                                                     completed=True)
    finished.refresh_from_db()
    running = h.enroll(w, second, n=601, name="李秀英")

    evaluator = af.EvaluatorFactory(name="贵阳职业技能评价中心")
    passed = af.CandidateFactory(
        person=person, route=AssessmentRoute.CLASS_COMPLETED, enrollment=finished,
        sitting=af.SittingFactory(evaluator=evaluator, sitting_date=D(2026, 6, 20),
                                  status=SittingStatus.CLOSED, training_class=first),
        theory_score=Decimal("82.50"), practical_score=Decimal("75"), passed=True)
    failed = af.CandidateFactory(
        person=person, sitting=af.SittingFactory(evaluator=evaluator, level=af.level("grade3"),
                                                 sitting_date=D(2027, 5, 10),
                                                 status=SittingStatus.RESULTS),
        theory_score=Decimal("58"), practical_score=Decimal("70"), passed=False)
    pending = af.CandidateFactory(
        person=person, sitting=af.SittingFactory(evaluator=evaluator, level=af.level("grade3"),
                                                 sitting_date=D(2027, 11, 2)))
    af.CandidateFactory(person=person, sitting=af.SittingFactory(
        evaluator=evaluator, status=SittingStatus.CANCELLED, sitting_date=D(2027, 1, 5)))
    electrician = af.occupation("电工")
    certs = {
        "grade5": certificate(person, issued_on=D(2026, 7, 1), candidate=passed),
        "grade4": certificate(person, level="grade4", issued_on=D(2027, 3, 1),
                              origin=CertificateOrigin.OTHER_PROVINCE, region=f.PROVINCE),
        "grade3_revoked": certificate(person, level="grade3", issued_on=D(2027, 6, 1),
                                      revoked=True),
        "grade2_unverified": certificate(person, level="grade2", issued_on=D(2027, 8, 1),
                                         origin=CertificateOrigin.NATIONAL, verified=False),
        "electrician": certificate(person, level="grade4", occupation=electrician,
                                   kind=CertificateKind.QUALIFICATION,
                                   origin=CertificateOrigin.LEGACY, issued_on=D(2019, 5, 1),
                                   number="1234567890123456"),
        "training": certificate(person, level=None, kind=CertificateKind.TRAINING,
                                title="养老护理员（初级）第1期", issued_on=D(2026, 6, 30),
                                training_class=first),
    }
    return History(w=w, person=person, finished=finished, running=running, passed=passed,
                   failed=failed, pending=pending, certificates=certs)
