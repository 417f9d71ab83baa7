"""API authentication: bearer tokens for systems, the session for the web pages' own calls."""

from __future__ import annotations

from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from jineng.accounts.models import ApiToken, hash_token


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        row = (ApiToken.objects.select_related("user", "user__region")
               .filter(key=hash_token(token), revoked_at__isnull=True, user__is_active=True)
               .first())
        if row is None:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


class SessionAuth(NinjaSessionAuth):
    """Session cookie (with CSRF) for pages that call the API."""
