"""The public site's one write: counting a visitor's requests against the rate limits of the
public map, class pages and API (core.ratelimit: database-backed, keyed hashes of the client
address, the first refusal of a window audited)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from jineng.core import ratelimit

# Requests per client address and window, per scope. A person browsing the map makes a few
# requests a minute; a phone's search-as-you-filter a few more. Settings may change them
# (JINENG_PORTAL_RATE_LIMITS = {"portal.site.api": [120, 60], ...}).
DEFAULT_LIMITS = {
    "portal.site.api": (120, 60),
    "portal.site.page": (240, 60),
}


def limits_for(scope: str) -> tuple[int, dt.timedelta]:
    configured = getattr(settings, "JINENG_PORTAL_RATE_LIMITS", {}) or {}
    limit, seconds = configured.get(scope, DEFAULT_LIMITS[scope])
    return int(limit), dt.timedelta(seconds=int(seconds))


def public_hit(request, scope: str) -> ratelimit.Decision:
    """Count one request of the client in `scope`; the answer says whether it may proceed."""
    limit, window = limits_for(scope)
    address = ratelimit.request_address(request)
    return ratelimit.hit(scope, address, limit=limit, window=window,
                         ip_address=address or None)
