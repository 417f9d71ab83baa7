"""Rate limits of the public certificate checks (core.ratelimit): the status page a QR code
opens (`/assessment/c/<number>/`), the verify page, and their API twins. Certificate numbers
are sequential within a prefix: without a limit anyone could walk them and harvest holders'
(masked) names and statuses. Counted per client address in a fixed window of an hour
(`settings.JINENG_PUBLIC_VERIFY_PER_HOUR`, default 120: a person checks a few certificates, an
HR office a batch of new hires); the first refusal of a window is audited by core.ratelimit."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _

from jineng.core import ratelimit
from jineng.core.errors import DomainError

SCOPE = "assessment.verify"
WINDOW = dt.timedelta(hours=1)
DEFAULT_PER_HOUR = 120


class Throttled(DomainError):
    """Too many certificate checks from this address in the current window (HTTP 429)."""

    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, code="throttled")
        self.retry_after = retry_after


def limit() -> int:
    return int(getattr(settings, "JINENG_PUBLIC_VERIFY_PER_HOUR", DEFAULT_PER_HOUR))


def check(request) -> ratelimit.Decision:
    """Count one public check from the request's client address."""
    address = ratelimit.request_address(request)
    return ratelimit.hit(SCOPE, address, limit=limit(), window=WINDOW,
                         ip_address=address or None)


def message(decision: ratelimit.Decision) -> str:
    return _("Too many certificate checks from your network: at most %(limit)s an hour. Try "
             "again in %(minutes)s minutes.") % {"limit": decision.limit,
                                                 "minutes": max(1, decision.retry_after // 60)}


def ensure(request) -> None:
    """Raise Throttled (429) when this check goes over the limit."""
    decision = check(request)
    if not decision.allowed:
        raise Throttled(message(decision), retry_after=decision.retry_after)
