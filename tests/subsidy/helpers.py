"""Helpers for subsidy tests: an assessed class with completed trainees and their certificates,
parameters in force (rules.types built in Python), budgets, accounts."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from jineng.assessment.models import Certificate
from jineng.subsidy import evaluation, services
from jineng.subsidy.choices import FundSource
from jineng.subsidy.rules import types as t
from jineng.training.models import Enrollment, TrainingClass
from tests import factories as f
from tests.training import helpers as h

CLAIM_DAY = dt.date(2026, 6, 1)
ACCOUNT = "6222021234567890123"
BANK = "中国工商银行贵阳中华北路支行"
_numbers = itertools.count(1)
_weeks = itertools.count(1)


def rules_params(version: str = "gz-2026", **kind_overrides) -> t.ParameterSet:
    """A province parameter set: training paid from the catalog standard to the person or the
    institution, three subsidies a year."""
    training = t.KindRules(amount_basis=t.BASIS_CATALOG, **kind_overrides)
    return t.ParameterSet(version=version, region_code=f.PROVINCE, valid_from=dt.date(2026, 1, 1),
                          valid_to=None, limits=t.Limits(yearly_limit=3),
                          kinds={t.TRAINING: training})


def use_params(monkeypatch, params: t.ParameterSet | None = None) -> t.ParameterSet:
    """Make `params` the set in force everywhere (the published sets are tested apart)."""
    params = params or rules_params()
    monkeypatch.setattr(evaluation, "parameters_for", lambda region, day: params)
    return params


@dataclass
class Assessed:
    world: h.World
    cls: TrainingClass
    enrollments: list[Enrollment]


def certificate(enrollment: Enrollment, day: dt.date = dt.date(2026, 4, 20)) -> Certificate:
    cls = enrollment.training_class
    return Certificate.objects.create(
        kind="skill_level", number=f"S52{next(_numbers):010d}", person=enrollment.person,
        holder_name=enrollment.person.name, occupation=cls.occupation, level=cls.level,
        training_class=cls, issuer_name="测试评价机构", region=cls.region, issued_on=day)


def assessed_class(trainees: int = 2, *, certificates: bool = True,
                   world: h.World | None = None, person_numbers: tuple[int, ...] = ()
                   ) -> Assessed:
    """A class declared through the training services, its trainees enrolled, then moved to
    "assessed" with every trainee completed (the training and assessment apps' own steps are
    tested there)."""
    w = world or h.world()
    # A second class of the same institution runs weeks later (its site and teacher are free).
    later = next(_weeks) if world is not None else 0
    cls = h.declare(w, name=f"养老护理员（初级）就业技能培训第{later + 1}期",
                    sessions=h.sessions(start=h.START + dt.timedelta(weeks=2 * later)))
    enrollments = [h.enroll(w, cls) for _ in range(trainees)]
    enrollments += [h.enroll(w, cls, n=n, name=f"学员{n}") for n in person_numbers]
    Enrollment.objects.filter(training_class=cls).update(completed=True,
                                                         attended_hours=Decimal("30"))
    TrainingClass.objects.filter(pk=cls.pk).update(status="assessed")
    cls.refresh_from_db()
    enrollments = list(Enrollment.objects.filter(training_class=cls).order_by("pk"))
    if certificates:
        for e in enrollments:
            certificate(e)
    return Assessed(world=w, cls=cls, enrollments=enrollments)


def budget(amount: str = "100000.00", code: str = f.CITY,
           source: str = FundSource.EMPLOYMENT_SUBSIDY, year: int = 2026):
    return services.budget_create(actor=f.staff(), source=source, region_code=code, year=year,
                                  amount=Decimal(amount))


def drafts(a: Assessed, **kw):
    """The class's claims, paid to the institution, as drafts."""
    return services.claim_batch_from_class(actor=a.world.operator, class_id=a.cls.pk,
                                           account=ACCOUNT, bank_name=BANK,
                                           claim_date=CLAIM_DAY, **kw)


def approved(a: Assessed):
    """Every claim of the class submitted and approved by the county, then the city."""
    result = drafts(a)
    county, city = f.staff("county_staff", f.COUNTY), f.staff("city_staff", f.CITY)
    claims = []
    for claim in result.created:
        services.claim_submit(actor=a.world.operator, claim_id=claim.pk)
        services.claim_review(actor=county, claim_id=claim.pk, action="approve")
        claims.append(services.claim_review(actor=city, claim_id=claim.pk, action="approve"))
    return claims
