"""Factories for tests: real records through the real models (regions are the official ones
loaded by migration; Guizhou 52 is the home province of the tests)."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from jineng.accounts.models import Role, User
from jineng.core import pii
from jineng.core.validators import make_credit_code, make_resident_id
from jineng.registry.choices import InstitutionType, OrganizationKind
from jineng.registry.models import Organization, Person, Region, TrainingSite

PROVINCE = "520000"  # 贵州省
CITY = "520100"  # 贵阳市
COUNTY = "520102"  # 南明区
OTHER_COUNTY = "520103"  # 云岩区
OTHER_CITY = "520300"  # 遵义市
OTHER_CITY_COUNTY = "520302"  # 红花岗区

_org_seq = itertools.count(1)
_person_seq = itertools.count(1)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def credit_code_for(region_code: str, n: int | None = None) -> str:
    n = next(_org_seq) if n is None else n
    return make_credit_code("52", region_code, f"{n:08d}")


def id_number_for(region_code: str = COUNTY, birth: dt.date = dt.date(1990, 5, 17),
                  n: int | None = None) -> str:
    n = next(_person_seq) % 1000 if n is None else n
    return make_resident_id(region_code, birth, n)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrganizationKind.TRAINING
    institution_type = InstitutionType.PRIVATE_TRAINING
    name = factory.Sequence(lambda n: f"测试培训学校{n}")
    region = factory.LazyFunction(lambda: region(COUNTY))
    credit_code = factory.LazyAttribute(lambda o: credit_code_for(o.region.code))


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSite

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"教学点{n}")
    address = "中华北路1号"
    region = factory.LazyAttribute(lambda s: s.organization.region)
    longitude = factory.LazyAttribute(lambda s: s.region.longitude or 106.7)
    latitude = factory.LazyAttribute(lambda s: s.region.latitude or 26.6)
    capacity = 60


class PersonFactory(factory.django.DjangoModelFactory):
    """A person whose ID number is `plain_id` (kept on the instance for assertions)."""

    class Meta:
        model = Person
        exclude = ["plain_id"]

    plain_id = factory.LazyFunction(id_number_for)
    name = factory.Sequence(lambda n: f"张{n}")
    region = factory.LazyFunction(lambda: region(COUNTY))
    id_hash = factory.LazyAttribute(lambda p: pii.keyed_hash(p.plain_id))
    id_encrypted = factory.LazyAttribute(lambda p: pii.encrypt(p.plain_id))
    id_masked = factory.LazyAttribute(lambda p: pii.mask_id_number(p.plain_id))
    gender = factory.LazyAttribute(lambda p: "M" if int(p.plain_id[16]) % 2 else "F")
    birth_date = factory.LazyAttribute(
        lambda p: dt.date(int(p.plain_id[6:10]), int(p.plain_id[10:12]), int(p.plain_id[12:14])))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    # Hashed before the insert (a post-generation set_password was never saved, so neither
    # password login nor force_login's session hash survived the next request).
    password = factory.django.Password("pass-1234-word")
    role = Role.PROVINCE_STAFF


def staff(role: str = Role.PROVINCE_STAFF, code: str = PROVINCE, **kw) -> User:
    return UserFactory(role=role, region=region(code), **kw)


def operator(organization: Organization, **kw) -> User:
    role = {OrganizationKind.TRAINING: Role.TRAINING_OPERATOR,
            OrganizationKind.EVALUATION: Role.EVALUATION_OPERATOR,
            OrganizationKind.ENTERPRISE: Role.ENTERPRISE}[organization.kind]
    return UserFactory(role=role, organization=organization, **kw)
