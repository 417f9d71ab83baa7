"""Factories of the assessment app's records, made with the ORM (the services that declare
sittings and admit candidates are tested on their own; these build the world other tests
start from). Shared by the assessment tests: add to it, keep what is there."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from jineng.assessment.choices import AssessmentRoute, EvaluatorFiledWith, SittingStatus
from jineng.assessment.models import (
    AssessmentSitting,
    Candidate,
    EvaluatorCode,
    SittingExaminer,
)
from jineng.registry.choices import OrganizationKind
from jineng.registry.models import Occupation, SkillLevel
from tests import factories as f

_site_code = itertools.count(1)


def occupation(name: str = "养老护理员") -> Occupation:
    return Occupation.objects.filter(name=name).order_by("pk").first()


def level(code: str = "grade5") -> SkillLevel:
    return SkillLevel.objects.get(code=code)


class EvaluatorFactory(f.OrganizationFactory):
    """An evaluation institution (社会培训评价组织) in the home county."""

    kind = OrganizationKind.EVALUATION
    institution_type = ""
    name = factory.Sequence(lambda n: f"测试评价机构{n}")


class EvaluatorCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluatorCode

    organization = factory.SubFactory(EvaluatorFactory)
    letter = "S"
    filed_with = EvaluatorFiledWith.PROVINCE
    ministry_code = ""
    site_code = factory.LazyFunction(lambda: f"{next(_site_code):06d}")


class SittingFactory(factory.django.DjangoModelFactory):
    """An approved sitting of 养老护理员 初级工 (grade5) in the home county, pass marks 60/60."""

    class Meta:
        model = AssessmentSitting

    evaluator = factory.SubFactory(EvaluatorFactory)
    occupation = factory.LazyFunction(occupation)
    level = factory.LazyFunction(level)
    route = AssessmentRoute.SOCIAL
    region = factory.LazyFunction(lambda: f.region(f.COUNTY))
    place = "贵阳市南明区考点"
    sitting_date = dt.date(2026, 6, 20)
    status = SittingStatus.APPROVED
    declared_by = "factory"


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    sitting = factory.SubFactory(SittingFactory)
    person = factory.SubFactory(f.PersonFactory)
    route = factory.LazyAttribute(lambda c: c.sitting.route)


class ExaminerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SittingExaminer

    sitting = factory.SubFactory(SittingFactory)
    person = factory.SubFactory(f.PersonFactory)
    id_hash = factory.LazyAttribute(lambda e: e.person.id_hash)
