"""Helpers of the signing tests: an issued certificate made directly (the issuance helper's
own factory is theirs), signed through services.certificate_sign."""

from __future__ import annotations

import datetime as dt
import itertools

from jineng.assessment.choices import CertificateKind
from jineng.assessment.models import Certificate
from jineng.assessment.services import certificate_sign
from jineng.registry.choices import OrganizationKind
from jineng.registry.models import Occupation, SkillLevel
from tests import factories as f

_numbers = itertools.count(1)


def evaluator(**kw):
    return f.OrganizationFactory(kind=OrganizationKind.EVALUATION, institution_type="",
                                 name=kw.pop("name", "贵州省职业技能鉴定指导中心"), **kw)


def issued_certificate(*, person=None, region_code: str = f.COUNTY, sign: bool = True,
                       name: str = "张小三", **kw) -> Certificate:
    person = person or f.PersonFactory(name=name, region=f.region(region_code))
    issuer = kw.pop("issuer", None) or evaluator()
    level = SkillLevel.objects.get(code="grade4")
    occupation = Occupation.objects.filter(rank="occupation").first()
    values = {
        "kind": CertificateKind.SKILL_LEVEL,
        "number": f"S0000521000012642{next(_numbers):05d}",
        "person": person,
        "holder_name": person.name,
        "occupation": occupation,
        "work_type": "电工",
        "level": level,
        "issuer": issuer,
        "issuer_name": issuer.name,
        "region": f.region(region_code),
        "issued_on": dt.date(2026, 11, 30),
    }
    values.update(kw)
    certificate = Certificate.objects.create(**values)
    if sign:
        certificate_sign(certificate)
        certificate.refresh_from_db()
    return certificate
