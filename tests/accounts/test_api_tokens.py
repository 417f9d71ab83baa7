"""API tokens: bearer authentication for outside systems, revocation, audit."""

from __future__ import annotations

import pytest

from jineng.accounts import services
from jineng.accounts.models import ApiToken, hash_token
from jineng.core.errors import DomainError, NotFound
from jineng.core.models import AuditAction, AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/registry/persons"  # a read that needs authentication


@pytest.fixture
def operator():
    return f.operator(f.OrganizationFactory())


def get(client, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.get(URL, headers=headers)


def test_bearer_token_authenticates_as_its_user(client, operator):
    token = services.api_token_issue(actor=operator, name="学员管理系统")
    row = ApiToken.objects.get(user=operator)
    assert row.key == hash_token(token) and token not in row.key  # stored hashed only
    assert row.prefix == token[:8] and row.last_used_at is None
    response = get(client, token)
    assert response.status_code == 200, response.content
    row.refresh_from_db()
    assert row.last_used_at is not None
    event = AuditEvent.objects.get(action=AuditAction.CREATE, entity_type="accounts.apitoken")
    assert event.organization_id == operator.organization_id
    assert token not in str(event.after) and token not in event.entity_label


@pytest.mark.parametrize("header", [None, "", "jn_not-a-real-token"])
def test_missing_or_unknown_token_is_refused(client, header):
    assert get(client, header).status_code == 401


def test_revoked_token_is_refused(client, operator):
    token = services.api_token_issue(actor=operator, name="sync")
    row = ApiToken.objects.get(user=operator)
    services.api_token_revoke(actor=operator, token_id=row.pk)
    assert get(client, token).status_code == 401
    first = ApiToken.objects.get(pk=row.pk).revoked_at
    services.api_token_revoke(actor=operator, token_id=row.pk)  # twice counts once
    assert ApiToken.objects.get(pk=row.pk).revoked_at == first
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, entity_type="accounts.apitoken")
    assert event.before == {"revoked_at": None} and event.after["revoked_at"]


def test_token_of_a_deactivated_user_is_refused(client, operator):
    token = services.api_token_issue(actor=operator, name="sync")
    operator.is_active = False
    operator.save(update_fields=["is_active"])
    assert get(client, token).status_code == 401


def test_only_the_owner_or_its_administrators_may_revoke_a_token(operator):
    services.api_token_issue(actor=operator, name="sync")
    row = ApiToken.objects.get(user=operator)
    for outsider in (f.staff("city_staff", f.OTHER_CITY), f.staff("county_staff", f.COUNTY),
                     f.operator(f.OrganizationFactory())):
        with pytest.raises(NotFound):
            services.api_token_revoke(actor=outsider, token_id=row.pk, reason="不再使用")
    assert ApiToken.objects.get(pk=row.pk).revoked_at is None
    admin = f.UserFactory(role="", is_superuser=True)
    services.api_token_revoke(actor=admin, token_id=row.pk, reason="系统停用")
    assert ApiToken.objects.get(pk=row.pk).revoked_at is not None


def test_a_token_needs_a_name(operator):
    with pytest.raises(DomainError) as bad:
        services.api_token_issue(actor=operator, name="  ")
    assert bad.value.field == "name"
    assert not ApiToken.objects.exists() and not AuditEvent.objects.exists()


def test_session_also_authenticates_the_api(client, operator):
    client.force_login(operator)
    assert get(client).status_code == 200


def test_last_used_is_recorded_to_the_minute_not_on_every_call(client):
    import datetime as dt

    from django.utils import timezone

    from jineng.accounts.models import ApiToken
    from tests import factories as fac

    row, token = ApiToken.issue(fac.staff(), "terminal")
    header = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/registry/skill-levels", **header).status_code == 200
    first = ApiToken.objects.get(pk=row.pk).last_used_at
    assert first is not None
    client.get("/api/registry/skill-levels", **header)
    assert ApiToken.objects.get(pk=row.pk).last_used_at == first  # within the minute
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    client.get("/api/registry/skill-levels", **header)
    assert ApiToken.objects.get(pk=row.pk).last_used_at > first - dt.timedelta(seconds=1)
    assert ApiToken.objects.get(pk=row.pk).last_used_at <= timezone.now()
