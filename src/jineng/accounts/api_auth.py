"""API authentication: bearer tokens for systems, the session for the web pages' own calls."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from jineng.accounts.models import ApiToken, hash_token

LAST_USED_PRECISION = dt.timedelta(minutes=1)


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        row = (ApiToken.objects.select_related("user", "user__region")
               .filter(key=hash_token(token), revoked_at__isnull=True, user__is_active=True)
               .first())
        if row is None:
            return None
        # "Last used" to the minute is enough; writing it on every call would add a second
        # write to every attendance check-in.
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


class SessionAuth(NinjaSessionAuth):
    """Session cookie (with CSRF) for pages that call the API."""
