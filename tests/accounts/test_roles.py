"""Roles: what User.clean accepts for each role and what each role's scope reads."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jineng.accounts.models import Role, User
from jineng.core.scoping import Scope
from jineng.registry.choices import InstitutionType, OrganizationKind
from jineng.registry.models import Organization, Person, TrainingSite
from tests import factories as f

pytestmark = pytest.mark.django_db


def _user(role: str, **kw) -> User:
    return User(username=f"u-{role}", role=role, **kw)


def _errors(user: User) -> dict:
    with pytest.raises(ValidationError) as bad:
        user.clean()
    return bad.value.message_dict


@pytest.mark.parametrize(("role", "code"), [
    (Role.PROVINCE_STAFF, f.PROVINCE), (Role.CITY_STAFF, f.CITY), (Role.COUNTY_STAFF, f.COUNTY),
    (Role.INDUSTRY_STAFF, f.PROVINCE), (Role.INDUSTRY_STAFF, f.COUNTY),
    (Role.INSPECTOR, f.CITY),
])
def test_staff_roles_accept_a_matching_region(role, code):
    _user(role, region=f.region(code)).clean()


@pytest.mark.parametrize(("role", "code"), [
    (Role.PROVINCE_STAFF, f.CITY), (Role.PROVINCE_STAFF, f.COUNTY),
    (Role.CITY_STAFF, f.PROVINCE), (Role.CITY_STAFF, f.COUNTY),
    (Role.COUNTY_STAFF, f.PROVINCE), (Role.COUNTY_STAFF, f.CITY),
])
def test_hrss_staff_region_level_must_match_the_role(role, code):
    assert "region" in _errors(_user(role, region=f.region(code)))


@pytest.mark.parametrize("role", [Role.PROVINCE_STAFF, Role.CITY_STAFF, Role.COUNTY_STAFF,
                                  Role.INDUSTRY_STAFF, Role.INSPECTOR])
def test_staff_roles_need_a_region_and_no_organization(role):
    assert "region" in _errors(_user(role))
    org = f.OrganizationFactory()
    level_code = {Role.CITY_STAFF: f.CITY, Role.COUNTY_STAFF: f.COUNTY}.get(role, f.PROVINCE)
    assert "organization" in _errors(_user(role, region=f.region(level_code), organization=org))


ORG_KIND = {Role.TRAINING_OPERATOR: OrganizationKind.TRAINING,
            Role.EVALUATION_OPERATOR: OrganizationKind.EVALUATION,
            Role.ENTERPRISE: OrganizationKind.ENTERPRISE}


def _org(kind: str) -> Organization:
    extra = {"institution_type": InstitutionType.PRIVATE_TRAINING if kind == "training" else ""}
    return f.OrganizationFactory(kind=kind, **extra)


@pytest.mark.parametrize("role", list(ORG_KIND))
def test_organization_roles_need_an_organization_of_the_matching_kind(role):
    assert "organization" in _errors(_user(role))
    _user(role, organization=_org(ORG_KIND[role])).clean()
    for kind in OrganizationKind.values:
        if kind != ORG_KIND[role]:
            assert "organization" in _errors(_user(role, organization=_org(kind)))


def test_organization_users_have_no_region_and_only_industry_staff_a_sector():
    org = _org("training")
    assert "region" in _errors(_user(Role.TRAINING_OPERATOR, organization=org,
                                     region=f.region(f.COUNTY)))
    assert "sector" in _errors(_user(Role.CITY_STAFF, region=f.region(f.CITY), sector="工信"))
    _user(Role.INDUSTRY_STAFF, region=f.region(f.CITY), sector="工信").clean()


@pytest.mark.parametrize(("role", "code", "prefix"), [
    (Role.PROVINCE_STAFF, f.PROVINCE, "52"),
    (Role.CITY_STAFF, f.CITY, "5201"),
    (Role.COUNTY_STAFF, f.COUNTY, "520102"),
    (Role.INSPECTOR, f.CITY, "5201"),
])
def test_staff_scope_is_their_region_subtree(role, code, prefix):
    assert f.staff(role, code).scope == Scope(region_prefix=prefix, sees_persons=True)


def test_each_role_reads_its_scope():
    here = f.OrganizationFactory(region=f.region(f.COUNTY))
    next_door = f.OrganizationFactory(region=f.region(f.OTHER_COUNTY))
    other_city = f.OrganizationFactory(region=f.region(f.OTHER_CITY_COUNTY))
    evaluator = _org("evaluation")
    p_here = f.PersonFactory(region=f.region(f.COUNTY), registered_by=here)
    p_next = f.PersonFactory(region=f.region(f.OTHER_COUNTY), registered_by=here)
    p_other = f.PersonFactory(region=f.region(f.OTHER_CITY_COUNTY))
    site_other = f.SiteFactory(organization=other_city)

    def orgs(user):
        return set(Organization.objects.visible_to(user)) - {evaluator}

    def persons(user):
        return set(Person.objects.visible_to(user))

    province = f.staff(Role.PROVINCE_STAFF, f.PROVINCE)
    city = f.staff(Role.CITY_STAFF, f.CITY)
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    industry = f.staff(Role.INDUSTRY_STAFF, f.PROVINCE, sector="工信")
    inspector = f.staff(Role.INSPECTOR, f.OTHER_CITY)
    operator = f.operator(here)
    assert orgs(province) == {here, next_door, other_city}
    assert persons(province) == {p_here, p_next, p_other}
    assert orgs(city) == {here, next_door} and persons(city) == {p_here, p_next}
    assert orgs(county) == {here} and persons(county) == {p_here}
    assert industry.scope.sector == "工信" and not industry.scope.sees_persons
    assert orgs(industry) == {here, next_door, other_city} and persons(industry) == set()
    assert orgs(inspector) == {other_city} and persons(inspector) == {p_other}
    assert set(TrainingSite.objects.visible_to(inspector)) == {site_other}
    # An operator sees its own organization and the persons it registered, wherever they live.
    assert set(Organization.objects.visible_to(operator)) == {here}
    assert persons(operator) == {p_here, p_next}
    assert not TrainingSite.objects.visible_to(operator).exists()
    assert set(Person.objects.visible_to(f.operator(evaluator))) == set()


def test_superuser_and_system_admin_see_everything_and_roleless_users_nothing():
    f.PersonFactory()
    for user in (f.UserFactory(role="", is_superuser=True), f.UserFactory(role="system_admin")):
        assert user.scope.everything and Person.objects.visible_to(user).count() == 1
    for user in (f.UserFactory(role=""), f.UserFactory(role=Role.CITY_STAFF),
                 f.UserFactory(role=Role.TRAINING_OPERATOR)):
        assert user.scope == Scope.nothing()
        assert not Person.objects.visible_to(user).exists()
        assert not Organization.objects.visible_to(user).exists()
