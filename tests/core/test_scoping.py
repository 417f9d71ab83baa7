"""The scoping kernel: Scope, scope_of, visible_to, region_q and any_of."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from jineng.core.scoping import Scope, any_of, region_q, scope_of
from jineng.registry.models import Organization, Person, Region
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_anonymous_and_none_get_the_public_scope():
    assert scope_of(None) == Scope(public=True)
    assert scope_of(AnonymousUser()) == Scope(public=True)
    assert Scope.nothing() == Scope()
    assert not Scope.nothing().sees_persons


def test_scope_of_a_user_is_the_users_scope():
    user = f.staff("city_staff", f.CITY)
    assert scope_of(user) == Scope(region_prefix="5201", sees_persons=True)


def test_region_q_and_any_of():
    assert region_q("region", Scope()) is None
    assert region_q("region", Scope(region_prefix="5201")) == Q(region__code__startswith="5201")
    assert any_of(None, None) is None
    assert any_of(Q(a=1), None) == Q(a=1)
    assert any_of(Q(a=1), None, Q(b=2)) == Q(a=1) | Q(b=2)


def test_visible_to_everything_nothing_and_a_subtree():
    here = f.OrganizationFactory(region=f.region(f.COUNTY))
    there = f.OrganizationFactory(region=f.region(f.OTHER_CITY_COUNTY))
    admin = f.UserFactory(role="system_admin")
    assert set(Organization.objects.visible_to(admin)) == {here, there}
    nobody = f.UserFactory(role="")  # no role: sees nothing, never everything
    assert not Organization.objects.visible_to(nobody).exists()
    assert not Person.objects.visible_to(nobody).exists()
    county = f.staff("county_staff", f.COUNTY)
    assert list(Organization.objects.visible_to(county)) == [here]


def test_reference_data_is_visible_to_everyone():
    assert Region.objects.visible_to(None).filter(code=f.PROVINCE).exists()
    assert Region.objects.visible_to(f.UserFactory(role="")).filter(code=f.PROVINCE).exists()


def test_visible_to_composes_with_other_filters():
    a = f.OrganizationFactory(region=f.region(f.COUNTY), name="甲")
    f.OrganizationFactory(region=f.region(f.COUNTY), name="乙")
    f.OrganizationFactory(region=f.region(f.OTHER_CITY_COUNTY), name="甲")
    city = f.staff("city_staff", f.CITY)
    assert list(Organization.objects.filter(name="甲").visible_to(city)) == [a]
    assert list(Organization.objects.visible_to(city).filter(name="甲")) == [a]
