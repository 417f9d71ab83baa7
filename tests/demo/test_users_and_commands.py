"""Demo logins (one per role, scoped as their role says) and the two commands."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from jineng.accounts.models import ORGANIZATION_ROLES, Role
from jineng.demo.users import DEMO_PASSWORD, DEMO_USERS
from jineng.registry.models import Person

pytestmark = pytest.mark.django_db


def test_one_demo_user_per_role_with_the_right_scope(demo):
    User = get_user_model()
    users = {u.username: u for u in User.objects.select_related("region", "organization")}
    assert {spec.role for spec in DEMO_USERS} == set(Role.values)
    for spec in DEMO_USERS:
        user = users[spec.username]
        user.full_clean()  # the role's own rules: region level, organization kind, sector
        assert user.role == spec.role
        assert user.check_password(DEMO_PASSWORD)
        kind = ORGANIZATION_ROLES.get(spec.role)
        if kind:
            assert user.organization.kind == kind
            assert user.organization.region.code == "520102"
            assert user.scope.organization_id == user.organization_id
    assert users["province"].scope.region_prefix == "52"
    assert users["city"].scope.region_prefix == "5201"
    assert users["county"].scope.region_prefix == "520102"
    assert users["admin"].is_superuser and users["admin"].scope.everything
    assert users["industry"].sector and not users["industry"].scope.sees_persons
    # Only the province user may unmask ID numbers.
    may_unmask = {u.username for u in users.values() if u.has_perm("registry.unmask_id_number")
                  and not u.is_superuser}
    assert may_unmask == {"province"}
    # The trainer's own institution registered some of the demo persons.
    assert Person.objects.visible_to(users["trainer"]).exists()
    assert (Person.objects.visible_to(users["county"]).count()
            < Person.objects.visible_to(users["city"]).count()
            < Person.objects.visible_to(users["province"]).count())


def test_demo_users_can_log_in_with_the_printed_password(demo, rf):
    request = rf.post("/accounts/login/")
    assert authenticate(request, username="province", password=DEMO_PASSWORD) is not None


def test_a_foreign_user_with_a_demo_name_stops_the_build(db):
    get_user_model().objects.create_user("county", password="x-unrelated-9")
    with pytest.raises(CommandError, match="county"):
        call_command("demo-data", "--scale", "XS", "--no-progress", stdout=io.StringIO())


def test_demo_data_command_builds_and_reports(db):
    out = io.StringIO()
    call_command("demo-data", "--scale", "XS", "--seed", "4", "--no-progress", stdout=out)
    text = out.getvalue()
    assert "Demo province built: tier XS, seed 4" in text
    assert "persons/s" in text and "persons: 300" in text
    out = io.StringIO()
    call_command("demo-data", "--scale", "S", "--if-empty", "--no-progress", stdout=out)
    assert "kept it" in out.getvalue()
    assert Person.objects.count() == 300
    with pytest.raises(CommandError, match="already exists"):
        call_command("demo-data", "--scale", "XS", "--no-progress", stdout=io.StringIO())
    call_command("demo-data", "--remove", stdout=io.StringIO())
    assert not Person.objects.exists()


def test_demo_logins_prints_address_and_one_line_per_role(demo):
    out = io.StringIO()
    call_command("demo-logins", "--address", "http://127.0.0.1:8000/", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text
    lines = text.splitlines()
    for spec in DEMO_USERS:
        line = next(li for li in lines if li.strip().startswith(spec.username + " "))
        assert DEMO_PASSWORD in line
    assert "南明区（520102）" in text  # the county user's region
    assert "贵州省（520000）" in text


def test_demo_logins_without_demo_says_what_to_do(db):
    out = io.StringIO()
    call_command("demo-logins", stdout=out)
    assert "jineng demo-data" in out.getvalue()


def test_the_industry_demo_user_works_in_a_sector_the_classes_use(demo):
    from django.contrib.auth import get_user_model

    from jineng.training.choices import Sector

    industry = get_user_model().objects.get(username="industry")
    assert industry.sector in Sector.values
