"""API tokens through the API (OpenAPI client) and the page: issued once, listed without the
secret, revoked by their owner or the staff who administer the account; bearer headers that do
not authenticate answer 401 in JSON, never a CSRF failure."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jineng.accounts.models import ApiToken, hash_token
from jineng.core.models import AuditAction, AuditEvent
from tests import factories as f
from tests.openapi import OpenApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return f.operator(f.OrganizationFactory())


def state():
    tokens = list(ApiToken.objects.order_by("pk").values_list("pk", "name", "revoked_at"))
    return tokens, AuditEvent.objects.count()


def test_issue_list_and_revoke_through_the_api(operator):
    api = OpenApiClient().login(operator)
    created = api.call("accounts_token_create", json_body={"name": "学员管理系统"})
    assert created.status == 201
    secret = created.body["token"]
    row = ApiToken.objects.get(pk=created.body["id"])
    assert row.key == hash_token(secret) and row.prefix == secret[:8] == created.body["prefix"]
    event = AuditEvent.objects.get(action=AuditAction.CREATE, entity_type="accounts.apitoken")
    assert event.organization_id == operator.organization_id and secret not in str(event.after)

    listed = api.call("accounts_token_list")
    assert listed.status == 200 and [t["name"] for t in listed.body] == ["学员管理系统"]
    assert secret not in listed.response.content.decode()
    assert row.key not in listed.response.content.decode()
    assert "token" not in listed.body[0]

    # The token works as its user, on the operator's own scope.
    system = OpenApiClient(Client()).bearer(secret)
    assert system.call("registry_organization_get",
                       path={"organization_id": operator.organization_id}).status == 200
    other = f.OrganizationFactory()
    assert system.call("registry_organization_get",
                       path={"organization_id": other.pk}).status == 404

    revoked = api.call("accounts_token_revoke", path={"token_id": row.pk}, json_body={})
    assert revoked.status == 200 and revoked.body["revoked_at"]
    assert system.call("registry_organization_get",
                       path={"organization_id": operator.organization_id}).status == 401


def test_tokens_cannot_manage_tokens(operator):
    """A leaked token must not mint its successors or hide its tracks."""
    api = OpenApiClient().login(operator)
    secret = api.call("accounts_token_create", json_body={"name": "sync"}).body["token"]
    before = state()
    system = OpenApiClient(Client()).bearer(secret)
    assert system.call("accounts_token_create", json_body={"name": "second"}).status == 401
    assert system.call("accounts_token_list").status == 401
    row = ApiToken.objects.get()
    assert system.call("accounts_token_revoke", path={"token_id": row.pk},
                       json_body={}).status == 401
    assert state() == before


def test_staff_revoke_tokens_of_accounts_they_administer_with_a_reason(operator):
    row, _secret = ApiToken.issue(operator, "sync")
    city = OpenApiClient().login(f.staff("city_staff", f.CITY))
    before = state()
    no_reason = city.call("accounts_token_revoke", path={"token_id": row.pk}, json_body={})
    assert no_reason.status == 400 and no_reason.error_fields() == ["reason"]
    assert state() == before
    listed = city.call("accounts_token_list", query={"user_id": operator.pk})
    assert listed.status == 200 and [t["id"] for t in listed.body] == [row.pk]
    ok = city.call("accounts_token_revoke", path={"token_id": row.pk},
                   json_body={"reason": "机构停业"})
    assert ok.status == 200
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, entity_type="accounts.apitoken")
    assert event.reason == "机构停业" and event.organization_id == operator.organization_id


@pytest.mark.parametrize("outsider", [
    lambda: f.staff("city_staff", f.OTHER_CITY),
    lambda: f.staff("county_staff", f.COUNTY),
    lambda: f.operator(f.OrganizationFactory()),
])
def test_tokens_of_accounts_out_of_scope_answer_404_and_stay(operator, outsider):
    row, _secret = ApiToken.issue(operator, "sync")
    api = OpenApiClient().login(outsider())
    before = state()
    assert api.call("accounts_token_revoke", path={"token_id": row.pk},
                    json_body={"reason": "试图撤销"}).status == 404
    assert api.call("accounts_token_list", query={"user_id": operator.pk}).status == 404
    assert api.call("accounts_token_revoke", path={"token_id": row.pk + 1000},
                    json_body={"reason": "不存在"}).status == 404
    assert state() == before


@pytest.mark.parametrize("name", ["", " ", "x" * 101])
def test_a_bad_token_name_is_refused_with_its_field(operator, name):
    api = OpenApiClient().login(operator)
    before = state()
    result = api.call("accounts_token_create", json_body={"name": name})
    assert result.status in (400, 422) and result.error_fields() == ["name"]
    assert state() == before


def test_the_token_page_shows_the_secret_once(client, operator):
    client.force_login(operator)
    response = client.post(reverse("accounts:tokens"), {"name": "考勤终端"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    secret = re.search(r'class="token-secret">([^<]+)<', response.content.decode()).group(1)
    row = ApiToken.objects.get(user=operator)
    assert row.key == hash_token(secret)
    again = client.get(reverse("accounts:tokens")).content.decode()
    assert "考勤终端" in again and row.prefix in again
    assert secret not in again and row.key not in again
    response = client.post(reverse("accounts:token_revoke", args=[row.pk]),
                           {"user": operator.pk})
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=row.pk).revoked_at is not None


def test_staff_revoke_on_the_account_page(client, operator):
    row, _secret = ApiToken.issue(operator, "sync")
    client.force_login(f.staff("city_staff", f.CITY))
    page = client.get(reverse("accounts:user_detail", args=[operator.pk])).content.decode()
    assert reverse("accounts:token_revoke", args=[row.pk]) in page
    events = AuditEvent.objects.count()
    client.post(reverse("accounts:token_revoke", args=[row.pk]), {"user": operator.pk})
    assert ApiToken.objects.get(pk=row.pk).revoked_at is None  # a reason is required
    assert AuditEvent.objects.count() == events
    client.post(reverse("accounts:token_revoke", args=[row.pk]),
                {"user": operator.pk, "reason": "系统下线"})
    assert ApiToken.objects.get(pk=row.pk).revoked_at is not None


def test_a_page_revoke_of_a_token_out_of_scope_is_404(client, operator):
    row, _secret = ApiToken.issue(operator, "sync")
    client.force_login(f.staff("city_staff", f.OTHER_CITY))
    before = state()
    response = client.post(reverse("accounts:token_revoke", args=[row.pk]),
                           {"user": operator.pk, "reason": "越权"})
    assert response.status_code == 404
    assert state() == before


# --- a bearer header that does not authenticate ----------------------------------------------

BOGUS = ["jn_not-a-real-token", "", "x" * 5000]
PERSON = {"id_number": "", "name": "张三", "region_code": f.COUNTY}


@pytest.mark.parametrize("token", BOGUS)
def test_a_bogus_bearer_token_on_post_is_401_json_not_csrf(token):
    """The client enforces CSRF checks like a browser would; the session path is not asked."""
    api = OpenApiClient(Client(enforce_csrf_checks=True)).bearer(token)
    before = AuditEvent.objects.count()
    with translation.override("zh-hans"):
        result = api.call("registry_person_register",
                          json_body=PERSON | {"id_number": f.id_number_for()})
    assert result.status == 401, result.body
    assert result.response["Content-Type"].startswith("application/json")
    assert "csrf" not in result.response.content.decode().lower()
    assert AuditEvent.objects.count() == before


def test_a_bogus_bearer_token_beside_a_valid_session_is_still_401():
    staff = f.staff()
    api = OpenApiClient(Client(enforce_csrf_checks=True)).login(staff).bearer("jn_bogus")
    result = api.call("registry_person_register",
                      json_body=PERSON | {"id_number": f.id_number_for()})
    assert result.status == 401
    assert "csrf" not in result.response.content.decode().lower()


def test_a_revoked_token_on_post_is_401(operator):
    row, secret = ApiToken.issue(f.staff(), "old")
    from django.utils import timezone

    ApiToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
    api = OpenApiClient(Client(enforce_csrf_checks=True)).bearer(secret)
    result = api.call("registry_person_register",
                      json_body=PERSON | {"id_number": f.id_number_for()})
    assert result.status == 401


def test_a_valid_token_on_post_needs_no_csrf():
    _row, secret = ApiToken.issue(f.staff(), "intake")
    api = OpenApiClient(Client(enforce_csrf_checks=True)).bearer(secret)
    result = api.call("registry_person_register",
                      json_body=PERSON | {"id_number": f.id_number_for()})
    assert result.status == 201, result.body


def test_the_401_message_is_in_the_requests_language():
    """Chinese when the request asks for it (the site's default); the one error shape, not
    ninja's English "Unauthorized"."""
    response = Client().post("/api/registry/persons", data="{}", content_type="application/json",
                             HTTP_AUTHORIZATION="Bearer jn_bogus", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 401
    (item,) = response.json()["detail"]
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "Log in, or send a valid API token (Authorization: Bearer …).")
    assert item == {"field": "", "code": "unauthorized", "message": expected}
