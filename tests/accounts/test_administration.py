"""Account administration through the pages: province and city staff create, disable, enable
and reset accounts below them; everything else is refused with nothing changed or audited."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jineng.accounts.models import Role, User
from jineng.core.models import AuditAction, AuditEvent
from jineng.registry.choices import OrganizationKind
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "pass-1234-word"
NEW_PASSWORD = "Qingshui-River-2026"


@pytest.fixture
def city():
    return f.staff(Role.CITY_STAFF, f.CITY)


def as_user(client, user):
    client.force_login(user)
    return client


def create(client, **data):
    body = {"username": "new-clerk", "role": Role.COUNTY_STAFF, "region_code": f.COUNTY,
            "organization_code": "", "first_name": "", "last_name": "", "email": "",
            "sector": "", "reason": "新入职"} | data
    return client.post(reverse("accounts:user_create"), body)


def temporary_password(response) -> str:
    found = re.search(r'class="temporary-password">([^<]+)<', response.content.decode())
    assert found, response.content.decode()[:2000]
    return found.group(1)


def snapshot():
    """Everything a refused call must leave as it was."""
    users = list(User.objects.order_by("pk").values_list(
        "pk", "username", "password", "is_active", "must_change_password", "role", "region_id",
        "organization_id"))
    return users, AuditEvent.objects.count()


def test_city_staff_create_a_county_account_that_must_set_its_password(client, city):
    as_user(client, city)
    page = client.get(reverse("accounts:user_create"))
    assert page.status_code == 200
    offered = {v for v, _label in page.context["form"].fields["role"].choices if v}
    assert offered == {Role.COUNTY_STAFF, Role.INDUSTRY_STAFF, Role.TRAINING_OPERATOR,
                       Role.EVALUATION_OPERATOR, Role.ENTERPRISE}
    regions = {v for v, _label in page.context["form"].fields["region_code"].choices if v}
    assert f.COUNTY in regions and f.CITY in regions and f.OTHER_CITY_COUNTY not in regions

    response = create(client, last_name="王", first_name="芳")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = temporary_password(response)
    user = User.objects.get(username="new-clerk")
    assert user.role == Role.COUNTY_STAFF and user.region.code == f.COUNTY
    assert user.must_change_password and user.check_password(password)
    assert password not in user.password
    event = AuditEvent.objects.get(action=AuditAction.CREATE, entity_type="accounts.user")
    assert event.actor_id == city.pk and event.reason == "新入职"
    assert event.region_code == f.COUNTY and "password" not in event.after
    assert password not in str(event.after)
    # The password is never shown again: the account page does not have it.
    detail = client.get(reverse("accounts:user_detail", args=[user.pk]))
    assert detail.status_code == 200 and password not in detail.content.decode()

    # Its owner logs in with it, is sent to set a password, and only then is logged in.
    client.logout()
    response = client.post(reverse("accounts:login"),
                           {"username": "new-clerk", "password": password})
    assert response.status_code == 302 and response.url == reverse("accounts:password_new")
    assert not client.get(reverse("accounts:account")).wsgi_request.user.is_authenticated
    response = client.post(reverse("accounts:password_new"),
                           {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:account")).wsgi_request.user == user
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, entity_id=str(user.pk),
                                     actor=user).count() == 1


def test_the_temporary_password_opens_nothing_but_the_set_password_page(client, city):
    as_user(client, city)
    password = temporary_password(create(client))
    client.logout()
    client.post(reverse("accounts:login"), {"username": "new-clerk", "password": password})
    for name in ("accounts:account", "accounts:tokens", "accounts:password_change"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("accounts:login") in response.url
    assert client.get("/api/accounts/tokens").status_code == 401
    # A weak new password is refused by Django's validators; nothing changes.
    before = snapshot()
    response = client.post(reverse("accounts:password_new"),
                           {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200 and response.context["form"].errors
    assert snapshot() == before


def test_set_password_page_without_a_pending_login_sends_to_login(client):
    response = client.get(reverse("accounts:password_new"))
    assert response.status_code == 302 and response.url == reverse("accounts:login")


@pytest.mark.parametrize(("data", "field"), [
    ({"role": Role.CITY_STAFF, "region_code": f.CITY}, "role"),  # same power as the actor
    ({"role": Role.PROVINCE_STAFF, "region_code": f.PROVINCE}, "role"),  # more power
    ({"role": Role.SYSTEM_ADMIN, "region_code": ""}, "role"),
    ({"role": Role.COUNTY_STAFF, "region_code": f.OTHER_CITY_COUNTY}, "region_code"),
    ({"role": Role.INDUSTRY_STAFF, "region_code": f.PROVINCE}, "region_code"),  # wider scope
    ({"role": Role.COUNTY_STAFF, "region_code": f.CITY}, "region_code"),  # wrong level
    ({"role": Role.COUNTY_STAFF, "region_code": f.COUNTY, "reason": ""}, "reason"),
    ({"role": Role.COUNTY_STAFF, "region_code": f.COUNTY, "username": "a b"}, "username"),
    ({"role": Role.COUNTY_STAFF, "region_code": f.COUNTY, "username": "x" * 151}, "username"),
    ({"role": Role.COUNTY_STAFF, "region_code": f.COUNTY, "sector": "建筑"}, "sector"),
    ({"role": Role.COUNTY_STAFF, "region_code": ""}, "region_code"),
    ({"role": Role.TRAINING_OPERATOR, "region_code": ""}, "organization_code"),
    ({"role": Role.TRAINING_OPERATOR, "organization_code": "91520102MA6DKXXX0X"},
     "organization_code"),
])
def test_refused_creations_name_the_field_and_change_nothing(client, city, data, field):
    as_user(client, city)
    before = snapshot()
    response = create(client, **data)
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert snapshot() == before


def test_the_service_refuses_what_the_form_would_not_offer(city):
    """Calling the service directly (as the API or a script would) is refused the same way."""
    from jineng.accounts import services
    from jineng.core.errors import DomainError

    before = snapshot()
    for role, code in [(Role.CITY_STAFF, f.CITY), (Role.COUNTY_STAFF, f.OTHER_CITY_COUNTY)]:
        with pytest.raises(DomainError):
            services.user_create(actor=city, username="sneaky", role=role, region_code=code,
                                 reason="测试")
    assert snapshot() == before


def test_operators_of_organizations_in_the_region_only(client, city):
    home = f.OrganizationFactory()
    away = f.OrganizationFactory(region=f.region(f.OTHER_CITY_COUNTY))
    evaluator = f.OrganizationFactory(kind=OrganizationKind.EVALUATION, institution_type="")
    as_user(client, city)
    before = snapshot()
    away_response = create(client, username="op-away", role=Role.TRAINING_OPERATOR,
                           region_code="", organization_code=away.credit_code)
    assert away_response.status_code == 400
    assert "organization_code" in away_response.context["form"].errors
    kind_response = create(client, username="op-kind", role=Role.TRAINING_OPERATOR,
                           region_code="", organization_code=evaluator.credit_code)
    assert "organization_code" in kind_response.context["form"].errors
    assert snapshot() == before
    ok = create(client, username="op-home", role=Role.TRAINING_OPERATOR,
                region_code=f.COUNTY, organization_code=home.credit_code.lower())
    assert ok.status_code == 200, ok.context["form"].errors if ok.context else ok
    user = User.objects.get(username="op-home")
    assert user.organization == home and user.region is None


def test_a_duplicate_user_name_is_a_conflict_on_the_field(client, city):
    f.staff(Role.COUNTY_STAFF, f.COUNTY, username="Taken")
    as_user(client, city)
    before = snapshot()
    response = create(client, username="taken")
    assert response.status_code == 400 and "username" in response.context["form"].errors
    assert snapshot() == before


@pytest.mark.parametrize("role_code", [(Role.COUNTY_STAFF, f.COUNTY),
                                       (Role.INDUSTRY_STAFF, f.PROVINCE)])
def test_roles_that_administer_nothing_get_no_pages(client, role_code):
    as_user(client, f.staff(*role_code))
    assert client.get(reverse("accounts:user_list")).status_code == 403
    assert client.get(reverse("accounts:user_create")).status_code == 403
    before = snapshot()
    assert create(client).status_code == 403
    assert snapshot() == before
    account = client.get(reverse("accounts:account"))
    assert reverse("accounts:user_list") not in account.content.decode()


def test_province_staff_see_the_link_and_the_list(client):
    province = f.staff()
    county = f.staff(Role.COUNTY_STAFF, f.OTHER_CITY_COUNTY)
    other_province = f.staff(Role.PROVINCE_STAFF, f.PROVINCE)
    as_user(client, province)
    assert reverse("accounts:user_list") in client.get(reverse("accounts:account")).content.decode()
    page = client.get(reverse("accounts:user_list"))
    listed = {u.pk for u in page.context["page"]}
    assert county.pk in listed and other_province.pk not in listed and province.pk not in listed


def post_action(client, name, target, reason="离职"):
    return client.post(reverse(f"accounts:{name}", args=[target.pk]), {"reason": reason})


def test_disable_and_enable_with_a_reason(client, city):
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    as_user(client, city)
    response = post_action(client, "user_disable", county, "调离岗位")
    assert response.status_code == 302
    county.refresh_from_db()
    assert not county.is_active
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, entity_id=str(county.pk))
    assert (event.before, event.after, event.reason) == (
        {"is_active": True}, {"is_active": False}, "调离岗位")
    # Disabling twice counts once.
    assert post_action(client, "user_disable", county).status_code == 302
    assert AuditEvent.objects.filter(entity_id=str(county.pk)).count() == 1
    # The disabled account cannot log in (the same answer as a wrong password).
    from django.test import Client

    response = Client().post(reverse("accounts:login"),
                             {"username": county.username, "password": PASSWORD})
    assert response.status_code == 200 and response.context["form"].errors
    assert post_action(client, "user_enable", county, "复岗").status_code == 302
    county.refresh_from_db()
    assert county.is_active


def test_disabling_ends_the_accounts_sessions(client, city):
    from django.test import Client

    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    theirs = Client()
    theirs.force_login(county)
    assert theirs.get(reverse("accounts:account")).status_code == 200
    as_user(client, city)
    post_action(client, "user_disable", county)
    assert theirs.get(reverse("accounts:account")).status_code == 302


def test_reset_shows_a_temporary_password_once_and_ends_sessions(client, city):
    from django.test import Client

    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    theirs = Client()
    theirs.force_login(county)
    as_user(client, city)
    response = post_action(client, "user_password_reset", county, "忘记密码")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = temporary_password(response)
    county.refresh_from_db()
    assert county.must_change_password and county.check_password(password)
    assert not county.check_password(PASSWORD)
    assert theirs.get(reverse("accounts:account")).status_code == 302  # logged out
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, entity_id=str(county.pk))
    assert event.reason == "忘记密码" and password not in str(event.after)
    assert password not in event.entity_label


@pytest.mark.parametrize("name", ["user_disable", "user_enable", "user_password_reset",
                                  "user_otp_reset"])
def test_actions_need_a_reason_and_change_nothing_without(client, city, name):
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY, is_active=name != "user_enable")
    as_user(client, city)
    before = snapshot()
    response = post_action(client, name, county, reason=" ")
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    shown = response.content.decode()
    assert 'class="errorlist nonfield"' in shown
    assert response.context["form"].errors["reason"][0] in shown
    assert snapshot() == before


@pytest.mark.parametrize("name", ["user_detail", "user_disable", "user_enable",
                                  "user_password_reset", "user_otp_reset"])
def test_accounts_out_of_scope_or_not_below_answer_404_and_change_nothing(client, city, name):
    targets = [f.staff(Role.COUNTY_STAFF, f.OTHER_CITY_COUNTY),  # another city's county
               f.staff(Role.CITY_STAFF, f.CITY),  # a colleague: same power
               f.staff(Role.PROVINCE_STAFF, f.PROVINCE),  # more power
               f.UserFactory(role="", is_superuser=True)]
    as_user(client, city)
    before = snapshot()
    for target in [*targets, city]:
        if name == "user_detail":
            response = client.get(reverse(f"accounts:{name}", args=[target.pk]))
        else:
            response = post_action(client, name, target)
        assert response.status_code == 404, (target.role, response.status_code)
    missing = max(u[0] for u in before[0]) + 100
    assert client.get(reverse("accounts:user_detail", args=[missing])).status_code == 404
    assert snapshot() == before


def test_detail_offers_only_the_actions_the_rules_allow(client, city):
    active = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    disabled = f.staff(Role.COUNTY_STAFF, f.COUNTY, is_active=False)
    as_user(client, city)
    page = client.get(reverse("accounts:user_detail", args=[active.pk])).content.decode()
    assert 'id="disable"' in page and 'id="reset-password"' in page and 'id="enable"' not in page
    page = client.get(reverse("accounts:user_detail", args=[disabled.pk])).content.decode()
    assert 'id="enable"' in page and 'id="disable"' not in page
    assert 'id="reset-password"' not in page


def test_django_admin_user_editing_is_for_superusers_only(client):
    """A staff member with admin access and user permissions cannot bypass the rules there
    (e.g. give an account a province role)."""
    from django.contrib.auth.models import Permission

    clerk = f.staff(Role.CITY_STAFF, f.CITY, is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_user", "change_user", "add_user"]))
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    client.force_login(clerk)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    before = snapshot()
    response = client.post(reverse("admin:accounts_user_change", args=[county.pk]),
                           {"username": county.username, "role": Role.PROVINCE_STAFF,
                            "region": f.region(f.PROVINCE).pk})
    assert response.status_code == 403
    assert snapshot() == before


def test_the_list_filters_and_says_when_a_filter_is_wrong(client, city):
    clerk = f.staff(Role.COUNTY_STAFF, f.COUNTY, username="nanming-zhang")
    f.staff(Role.COUNTY_STAFF, f.COUNTY, username="nanming-li", is_active=False)
    as_user(client, city)
    page = client.get(reverse("accounts:user_list"), {"q": "zhang", "active": "1"})
    assert [u.pk for u in page.context["page"]] == [clerk.pk]
    disabled = client.get(reverse("accounts:user_list"), {"active": "0"})
    assert [u.username for u in disabled.context["page"]] == ["nanming-li"]
    for bad in ({"role": "province_staff"}, {"active": "maybe"}, {"q": "x" * 101}):
        response = client.get(reverse("accounts:user_list"), bad)
        assert response.status_code == 400, bad
        assert 'class="errorlist nonfield"' in response.content.decode()
        assert not list(response.context["page"])


def test_staff_turn_off_a_lost_second_factor_with_a_reason(client, city):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    as_user(client, city)
    page = client.get(reverse("accounts:user_detail", args=[county.pk])).content.decode()
    assert 'id="reset-otp"' not in page  # nothing to turn off
    TOTPDevice.objects.create(user=county, name="default", confirmed=True)
    page = client.get(reverse("accounts:user_detail", args=[county.pk])).content.decode()
    assert 'id="reset-otp"' in page
    assert post_action(client, "user_otp_reset", county, "手机丢失").status_code == 302
    assert not TOTPDevice.objects.filter(user=county).exists()
    event = AuditEvent.objects.get(action=AuditAction.OTP, entity_id=str(county.pk))
    assert event.reason == "手机丢失" and event.actor_id == city.pk
    # The owner logs in with the password alone again.
    from django.test import Client

    assert Client().post(reverse("accounts:login"), {"username": county.username,
                                                     "password": PASSWORD}).status_code == 302
