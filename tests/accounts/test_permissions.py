"""The account-administration rules: a pure table, and the selector that applies them as a
query (the list shows exactly the accounts the rules let the actor manage)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from jineng.accounts import selectors
from jineng.accounts.models import Role
from jineng.accounts.rules import permissions as p
from jineng.registry.choices import OrganizationKind
from tests import factories as f

RULES_DIR = Path(p.__file__).parent

PROVINCE = p.Account(pk=1, role=p.PROVINCE_STAFF, place="520000", prefix="52")
CITY = p.Account(pk=2, role=p.CITY_STAFF, place="520100", prefix="5201")
COUNTY = p.Account(pk=3, role=p.COUNTY_STAFF, place="520102", prefix="520102")
INDUSTRY = p.Account(pk=4, role=p.INDUSTRY_STAFF, place="520000", prefix="52")
OPERATOR = p.Account(pk=5, role=p.TRAINING_OPERATOR, place="520102")
ADMIN = p.Account(pk=6, role=p.SYSTEM_ADMIN)


def test_rule_roles_are_the_model_roles():
    assert set(Role.values) == p.ROLES


def test_rules_import_no_django():
    for path in RULES_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "django" for n in names), (path, names)


@pytest.mark.parametrize(("actor", "role", "code", "level", "allowed"), [
    (PROVINCE, p.CITY_STAFF, "520300", "city", True),
    (PROVINCE, p.COUNTY_STAFF, "520102", "county", True),
    (PROVINCE, p.INDUSTRY_STAFF, "520000", "province", True),
    (PROVINCE, p.TRAINING_OPERATOR, "520102", "county", True),
    (PROVINCE, p.PROVINCE_STAFF, "520000", "province", False),  # same power
    (PROVINCE, p.SYSTEM_ADMIN, "520000", "province", False),
    (PROVINCE, p.INSPECTOR, "520000", "province", False),
    (PROVINCE, p.CITY_STAFF, "530100", "city", False),  # another province
    (PROVINCE, p.CITY_STAFF, "520102", "county", False),  # level does not match the role
    (CITY, p.COUNTY_STAFF, "520102", "county", True),
    (CITY, p.COUNTY_STAFF, "520302", "county", False),  # outside its subtree
    (CITY, p.CITY_STAFF, "520100", "city", False),
    (CITY, p.INDUSTRY_STAFF, "520100", "city", True),
    (CITY, p.INDUSTRY_STAFF, "520000", "province", False),  # wider than its own
    (CITY, p.ENTERPRISE, "520102", "county", True),
    (COUNTY, p.TRAINING_OPERATOR, "520102", "county", False),
    (INDUSTRY, p.COUNTY_STAFF, "520102", "county", False),
    (OPERATOR, p.TRAINING_OPERATOR, "520102", "county", False),
    (ADMIN, p.PROVINCE_STAFF, "520000", "province", True),
    (ADMIN, p.SYSTEM_ADMIN, "", "", False),
])
def test_who_may_create_what(actor, role, code, level, allowed):
    assert p.may_create(actor, role, code, level) is allowed


@pytest.mark.parametrize(("actor", "target", "allowed"), [
    (PROVINCE, p.Account(pk=10, role=p.CITY_STAFF, place="520300"), True),
    (PROVINCE, p.Account(pk=10, role=p.PROVINCE_STAFF, place="520000"), False),
    (PROVINCE, p.Account(pk=10, role=p.ENTERPRISE, place="530102"), False),
    (PROVINCE, p.Account(pk=10, role=p.CITY_STAFF, place="520300", superuser=True), False),
    (CITY, p.Account(pk=10, role=p.COUNTY_STAFF, place="520102"), True),
    (CITY, p.Account(pk=10, role=p.COUNTY_STAFF, place="520302"), False),
    (CITY, p.Account(pk=10, role=p.CITY_STAFF, place="520100"), False),
    (CITY, CITY, False),  # never oneself
    (COUNTY, p.Account(pk=10, role=p.TRAINING_OPERATOR, place="520102"), False),
])
def test_who_may_manage_whom(actor, target, allowed):
    assert p.may_manage(actor, target) is allowed
    assert p.may_revoke_tokens_of(actor, target) is (allowed or target.pk == actor.pk)


def test_state_dependent_actions():
    active = p.Account(pk=10, role=p.COUNTY_STAFF, place="520102")
    disabled = p.Account(pk=10, role=p.COUNTY_STAFF, place="520102", active=False)
    assert p.may_disable(CITY, active) and not p.may_enable(CITY, active)
    assert p.may_enable(CITY, disabled) and not p.may_disable(CITY, disabled)
    assert p.may_reset_password(CITY, active) and not p.may_reset_password(CITY, disabled)


def test_ensure_refusals_name_their_field():
    from jineng.core.errors import DomainError, NotFound

    with pytest.raises(DomainError) as bad:
        p.ensure_may_create(CITY, p.CITY_STAFF, "520100", "city", field="region_code")
    assert bad.value.field == "role"
    with pytest.raises(DomainError) as bad:
        p.ensure_may_create(CITY, p.COUNTY_STAFF, "520302", "county", field="region_code")
    assert (bad.value.field, bad.value.code) == ("region_code", "not_found")
    with pytest.raises(NotFound):
        p.ensure_may_manage(CITY, p.Account(pk=10, role=p.COUNTY_STAFF, place="520302"))
    with pytest.raises(DomainError) as bad:
        p.clean_reason(" x ")
    assert bad.value.field == "reason"
    assert p.clean_reason("  离职  ") == "离职"


@pytest.mark.django_db
def test_the_account_list_is_exactly_what_the_rules_let_each_actor_manage():
    org_home = f.OrganizationFactory()  # 南明区
    org_other = f.OrganizationFactory(region=f.region(f.OTHER_CITY_COUNTY))
    evaluator = f.OrganizationFactory(kind=OrganizationKind.EVALUATION, institution_type="")
    everyone = [
        f.staff(), f.staff(), f.staff("city_staff", f.CITY), f.staff("city_staff", f.OTHER_CITY),
        f.staff("county_staff", f.COUNTY), f.staff("county_staff", f.OTHER_COUNTY),
        f.staff("county_staff", f.OTHER_CITY_COUNTY), f.staff("industry_staff", f.CITY),
        f.staff("industry_staff", f.PROVINCE), f.staff("inspector", f.CITY),
        f.operator(org_home), f.operator(org_other), f.operator(evaluator),
        f.UserFactory(role="", is_superuser=True), f.UserFactory(role="system_admin"),
    ]
    for actor in everyone:
        listed = set(selectors.account_list(actor=actor).values_list("pk", flat=True))
        expected = {u.pk for u in everyone if p.may_manage(actor.facts, u.facts)}
        assert listed == expected, actor.role
    city = everyone[2]
    assert {u.pk for u in selectors.account_list(actor=city)} == {
        everyone[4].pk, everyone[5].pk, everyone[7].pk, everyone[10].pk, everyone[12].pk}
