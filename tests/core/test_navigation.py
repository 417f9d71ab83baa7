"""The navigation bar: every link a role is shown opens (no 403, 404 or 500) for that role, so a
menu never offers what the user may not do. Walks the real base template's links."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from jineng.accounts.models import Role
from jineng.registry.choices import OrganizationKind
from tests import factories as f

pytestmark = pytest.mark.django_db

NAV = re.compile(r"<nav>(.*?)</nav>", re.S)
HREF = re.compile(r'href="([^"#?]+)"')


def _users():
    users = {role: f.staff(role=role, code=code) for role, code in (
        (Role.PROVINCE_STAFF, f.PROVINCE), (Role.CITY_STAFF, f.CITY),
        (Role.COUNTY_STAFF, f.COUNTY), (Role.INDUSTRY_STAFF, f.CITY),
        (Role.INSPECTOR, f.CITY))}
    users[Role.TRAINING_OPERATOR] = f.operator(f.OrganizationFactory())
    users[Role.EVALUATION_OPERATOR] = f.operator(f.OrganizationFactory(
        kind=OrganizationKind.EVALUATION, institution_type=""))
    users[Role.ENTERPRISE] = f.operator(f.OrganizationFactory(
        kind=OrganizationKind.ENTERPRISE, institution_type=""))
    return users


@pytest.mark.parametrize("role", [Role.PROVINCE_STAFF, Role.CITY_STAFF, Role.COUNTY_STAFF,
                                  Role.INDUSTRY_STAFF, Role.INSPECTOR, Role.TRAINING_OPERATOR,
                                  Role.EVALUATION_OPERATOR, Role.ENTERPRISE])
def test_every_link_in_the_menu_opens_for_its_role(role):
    users = _users()
    client = Client()
    client.force_login(users[role])
    page = client.get("/overview/")
    assert page.status_code == 200
    links = HREF.findall(NAV.search(page.content.decode()).group(1))
    assert links, "the menu has links"
    broken = []
    for link in dict.fromkeys(links):
        answer = client.get(link)
        if answer.status_code not in (200, 302):
            broken.append((link, answer.status_code))
    assert not broken, broken


def test_the_inspector_is_shown_the_supervision_work():
    client = Client()
    client.force_login(f.staff(role=Role.INSPECTOR, code=f.CITY))
    menu = NAV.search(client.get("/overview/").content.decode()).group(1)
    for path in ("/supervision/alerts/", "/supervision/spot-checks/",
                 "/supervision/inspections/"):
        assert f'href="{path}"' in menu, path
    client.force_login(f.operator(f.OrganizationFactory()))
    menu = NAV.search(client.get("/overview/").content.decode()).group(1)
    assert "/supervision/alerts/" not in menu
