"""Helpers for the filed-claim and attachment tests: parameters granting every filed kind, a
trainee with a certificate, an outside-province certificate, insurance months, an
apprenticeship class of an enterprise."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from jineng.assessment.models import Certificate
from jineng.registry.models import Organization
from jineng.subsidy.rules import types as t
from jineng.training.models import TrainingClass
from tests import factories as f
from tests.subsidy import helpers as sh

DAY = dt.date(2026, 6, 1)
_seq = itertools.count(1)


def params(*, outside: bool = False, window: int = 12) -> t.ParameterSet:
    skill = {"family": "skill"}
    person = frozenset({t.PERSON})
    return t.ParameterSet(
        version="gz-app", region_code=f.PROVINCE, valid_from=dt.date(2026, 1, 1),
        valid_to=None, limits=t.Limits(yearly_limit=3, claim_window_months=window),
        kinds={
            t.TRAINING: t.KindRules(amount_basis=t.BASIS_CATALOG, **skill),
            t.CERTIFICATE: t.KindRules(
                amount_basis=t.BASIS_LEVEL_AMOUNTS, level_amounts={"grade5": Decimal("500")},
                needs_certificate=True, claim_window=True, outside_province=outside,
                payees=person, max_factor=Decimal("1"), **skill),
            t.UPSKILLING: t.KindRules(
                amount_basis=t.BASIS_LEVEL_AMOUNTS, level_amounts={"grade5": Decimal("1000")},
                needs_certificate=True, claim_window=True, insured_months=12,
                times_per_year=1, payees=person, max_factor=Decimal("1"), **skill),
            t.APPRENTICESHIP: t.KindRules(
                amount_basis=t.BASIS_LEVEL_AMOUNTS, level_amounts={"grade5": Decimal("4000")},
                payees=frozenset({t.ENTERPRISE}), times_per_year=1, max_factor=Decimal("1")),
            t.EVALUATION: t.KindRules(
                amount_basis=t.BASIS_CATALOG, payees=frozenset({t.PERSON, t.INSTITUTION}),
                family="evaluation", max_factor=Decimal("1")),
        })


def trainee(**kw):
    """An assessed class of one trainee with a certificate issued 2026-04-20."""
    a = sh.assessed_class(1, **kw)
    cert = Certificate.objects.get(person=a.enrollments[0].person)
    return a, a.enrollments[0].person, cert


def outside_certificate(person, *, verified: bool = True, day=dt.date(2026, 3, 1)):
    from tests.training import helpers as th

    return Certificate.objects.create(
        kind="skill_level", number=f"S000043000001265{next(_seq):06d}", origin="other_province",
        verified=verified, person=person, holder_name=person.name,
        occupation=th.occupation(), level=th.level(), issuer_name="湖南省某评价机构",
        region=person.region, issued_on=day)


def insure(person, months: int, *, until=DAY) -> None:
    from jineng.outcomes.choices import ImportKind, ImportSource
    from jineng.outcomes.models import InsuranceImport, InsuranceRecord

    source = InsuranceImport.objects.create(kind=ImportKind.RECORDS, source=ImportSource.FILE,
                                            filename="si.csv",
                                            content_sha256=f"{next(_seq):064d}",
                                            region=f.region(f.PROVINCE))
    first = until.replace(day=1)
    rows = []
    for i in range(months):
        y, m = divmod(first.year * 12 + first.month - 1 - i, 12)
        rows.append(InsuranceRecord(id_hash=person.id_hash, person=person,
                                    employer_code="91520102MA00000001",
                                    employer_region=f.region(f.COUNTY),
                                    month=dt.date(y, m + 1, 1), pension=True,
                                    unemployment=True, wage_base=Decimal(4000),
                                    source_import=source))
    InsuranceRecord.objects.bulk_create(rows)


def apprenticeship_class():
    """A class of type apprenticeship whose organization is an enterprise, one apprentice."""
    a = sh.assessed_class(1, certificates=False)
    TrainingClass.objects.filter(pk=a.cls.pk).update(training_type="apprenticeship")
    Organization.objects.filter(pk=a.world.org.pk).update(kind="enterprise", institution_type="")
    a.cls.refresh_from_db()
    a.world.operator.refresh_from_db()
    return a, a.enrollments[0].person
