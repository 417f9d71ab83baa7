"""A bearer token that does not authenticate is refused even on public operations."""

import pytest

from jineng.accounts.models import ApiToken
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_public_list_answers_anonymous_callers(client):
    assert client.get("/api/registry/regions?level=province").status_code == 200


def test_unknown_token_on_a_public_operation_is_401_not_anonymous(client):
    response = client.get("/api/registry/regions", HTTP_AUTHORIZATION="Bearer jn_not-a-token")
    assert response.status_code == 401


def test_revoked_token_on_a_public_operation_is_401(client):
    from django.utils import timezone

    row, token = ApiToken.issue(f.staff(), "terminal")
    ok = client.get("/api/registry/regions", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert ok.status_code == 200
    ApiToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
    refused = client.get("/api/registry/regions", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert refused.status_code == 401
