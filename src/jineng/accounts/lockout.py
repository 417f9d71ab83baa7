"""Login lockout (django-axes), keyed on user name *and* address, with a growing delay.

Five wrong passwords from one address lock that user name at that address only: someone who
knows a province account's name cannot lock its owner out from another address. Each lockout
of the same name at the same address within a day lasts twice as long as the one before
(30 minutes, 1 hour, 2 hours, … at most a day). Lockouts are counted from jineng's own audit
trail (accounts.signals writes one event per lockout), so the delay needs no table of its own.

Unknown user names are counted, locked and answered exactly as known ones.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jineng.core import pii
from jineng.core.models import AuditAction, AuditEvent

BASE = dt.timedelta(minutes=30)
LONGEST = dt.timedelta(days=1)
LOOKBACK = dt.timedelta(days=1)


def username_of(request) -> str:
    from axes.helpers import get_client_username

    return str(get_client_username(request) or "")[:150]


def ip_of(request) -> str | None:
    ip = getattr(request, "axes_ip_address", None)
    if ip is None:
        from axes.helpers import get_client_ip_address

        ip = get_client_ip_address(request)
    return ip or None


def lockouts_before(username: str, ip_address: str | None) -> int:
    """Lockouts of this user name at this address in the last day (from the audit trail)."""
    since = timezone.now() - LOOKBACK
    return AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, entity_type="accounts.user",
        entity_label=pii.mask_in_text(username)[:255], ip_address=ip_address,
        occurred_at__gte=since, after__locked_out=True).count()


def delay_after(lockouts: int) -> dt.timedelta:
    """The cool-off of the n-th lockout in a day (n ≥ 1): doubling from BASE, capped."""
    doublings = min(max(lockouts - 1, 0), 16)
    return min(BASE * (2 ** doublings), LONGEST)


def cool_off(request=None) -> dt.timedelta:
    """AXES_COOLOFF_TIME: how long failures count and a lockout lasts, for this request's user
    name and address. Asked on every check, so a further lockout lengthens the next one."""
    if request is None:
        return BASE
    # axes asks several times per login request; count once per request.
    cached = getattr(request, "_jineng_cool_off", None)
    if cached is None:
        cached = delay_after(lockouts_before(username_of(request), ip_of(request)))
        request._jineng_cool_off = cached
    return cached
