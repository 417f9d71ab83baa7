"""Logins and failed logins go into the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from jineng.core import audit
from jineng.core.models import AuditAction


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs) -> None:
    audit.record(actor=user, action=AuditAction.LOGIN, instance=user, label=user.username,
                 region_code=user.region.code if user.region_id else "",
                 organization_id=user.organization_id, ip_address=_ip(request))


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    audit.record(actor=None, action=AuditAction.LOGIN_FAILED, entity_type="accounts.user",
                 label=str(credentials.get("username", ""))[:150], ip_address=_ip(request))
