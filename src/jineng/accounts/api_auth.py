"""API authentication: bearer tokens for systems, the session for the web pages' own calls.

A request that sends an Authorization header is judged by that header alone: a token that is
unknown, revoked or of a disabled account answers 401 (JSON, in the request's language), and
the session and its CSRF check are never consulted (they would answer "CSRF check failed" to a
system that never had a session)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from jineng.accounts.models import ApiToken, hash_token

LAST_USED_PRECISION = dt.timedelta(minutes=1)


def sends_credentials(request) -> bool:
    return bool(request.headers.get("Authorization"))


class ApiTokenAuth(HttpBearer):
    def __call__(self, request):
        if not sends_credentials(request):
            return None
        user = super().__call__(request)
        if user is None:
            # A header that does not authenticate ends the request here (no fallback to the
            # session or to anonymous access).
            raise AuthenticationError()
        return user

    def authenticate(self, request, token: str):
        token = token.strip()
        if not token or len(token) > 200:
            return None
        row = (ApiToken.objects.select_related("user", "user__region",
                                               "user__organization__region")
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
    """Session cookie (with CSRF) for pages that call the API; not consulted when the request
    sends an Authorization header."""

    def __call__(self, request):
        # Without a session cookie there is no session to protect: skip the CSRF check, so an
        # anonymous write answers 401 rather than "CSRF check failed".
        if sends_credentials(request) or settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super().__call__(request)
