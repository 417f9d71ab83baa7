"""Logins, failed logins and lockouts go into jineng's own audit trail.

The events are written in the site's language (Chinese), whatever the language of the request,
as the trail is read by the province's auditors. A failed login or lockout of a known account
carries that account's region or organization, so the staff who govern it see it in their
trail; the answer to the visitor is the same for known and unknown names (see lockout.py).
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from jineng.accounts import lockout
from jineng.core import audit
from jineng.core.models import AuditAction


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def _account(username: str):
    """The account of a typed user name, if there is one (for the event's region)."""
    from jineng.accounts.models import User

    return (User.objects.select_related("region", "organization__region")
            .filter(username=username).first()) if username else None


def _where(user) -> dict:
    if user is None:
        return {"entity_id": "", "region_code": "", "organization_id": None}
    return {"entity_id": str(user.pk), "region_code": user.audit_region_code,
            "organization_id": user.organization_id}


def _in_site_language(message: str, **params) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(message) % params


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs) -> None:
    audit.record(actor=user, action=AuditAction.LOGIN, instance=user, label=user.username,
                 region_code=user.audit_region_code,
                 organization_id=user.organization_id, ip_address=_ip(request))


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", "") or "")[:150]
    refused_while_locked = (getattr(request, "axes_locked_out", False)
                            and getattr(request, "axes_failures_since_start", None) is None)
    if refused_while_locked:
        reason = _in_site_language(gettext_noop(
            "Login refused: this user name is locked at this address after repeated "
            "failures."))
    else:
        reason = _in_site_language(gettext_noop(
            "Login failed: wrong user name, password or one-time password."))
    audit.record(actor=None, action=AuditAction.LOGIN_FAILED, entity_type="accounts.user",
                 label=username, reason=reason, ip_address=_ip(request),
                 **_where(_account(username)))


@receiver(user_locked_out)
def audit_lockout(sender, request, username, ip_address, **kwargs) -> None:
    # axes also sends this signal for each refused attempt while the lockout lasts; only the
    # attempt that reached the limit has counted its failures (axes_failures_since_start).
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return
    username = str(username or "")[:150]
    nth = lockout.lockouts_before(username, ip_address) + 1
    minutes = int(lockout.delay_after(nth).total_seconds() // 60)
    reason = _in_site_language(
        gettext_noop("Locked out after %(failures)s failed logins from %(ip)s: this user name "
                     "cannot log in from this address for %(minutes)s minutes (lockout %(nth)s "
                     "within a day)."),
        failures=failures, ip=ip_address, minutes=minutes, nth=nth)
    audit.record(actor=None, action=AuditAction.LOGIN_FAILED, entity_type="accounts.user",
                 label=username, reason=reason, ip_address=ip_address,
                 after={"locked_out": True, "failures": failures, "cool_off_minutes": minutes,
                        "lockout": nth},
                 **_where(_account(username)))
