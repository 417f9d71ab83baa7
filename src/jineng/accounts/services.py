"""Account writes: second factor and API tokens, audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from jineng.accounts.models import ApiToken, User
from jineng.core import audit
from jineng.core.errors import DomainError, NotFound
from jineng.core.models import AuditAction


def otp_device_pending(*, actor: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device (created on first visit to the set-up page)."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name="default", confirmed=False)
    return device


def otp_confirm(*, actor: User, token: str) -> TOTPDevice:
    device = otp_device_pending(actor=actor)
    if not device.verify_token(token.strip()):
        raise DomainError(_("The code is wrong or has expired."), field="token")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(actor=actor, action=AuditAction.OTP, entity_type="accounts.user",
                     entity_id=str(actor.pk), label=actor.username, after={"otp": "enabled"},
                     region_code=actor.region.code if actor.region_id else "",
                     organization_id=actor.organization_id)
    return device


def otp_disable(*, actor: User) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).delete()
        audit.record(actor=actor, action=AuditAction.OTP, entity_type="accounts.user",
                     entity_id=str(actor.pk), label=actor.username, after={"otp": "disabled"},
                     region_code=actor.region.code if actor.region_id else "",
                     organization_id=actor.organization_id)


def api_token_issue(*, actor: User, name: str) -> str:
    if not name.strip():
        raise DomainError(_("This field is required."), field="name")
    with transaction.atomic():
        row, token = ApiToken.issue(actor, name.strip())
        audit.record(actor=actor, action=AuditAction.CREATE, instance=row, label=str(row),
                     region_code=actor.region.code if actor.region_id else "",
                     organization_id=actor.organization_id)
    return token


def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens (a superuser may revoke anyone's). Revoking twice
    keeps the first revocation time. Someone else's token answers NotFound, like a missing one."""
    with transaction.atomic():
        tokens = ApiToken.objects.select_for_update()
        if not actor.is_superuser:
            tokens = tokens.filter(user=actor)
        row = tokens.filter(pk=token_id).first()
        if row is None:
            raise NotFound()
        if row.revoked_at is None:
            row.revoked_at = timezone.now()
            row.save(update_fields=["revoked_at"])
            audit.record(actor=actor, action=AuditAction.UPDATE, instance=row, label=str(row),
                         before={"revoked_at": None},
                         after={"revoked_at": row.revoked_at.isoformat()},
                         region_code=row.user.region.code if row.user.region_id else "",
                         organization_id=row.user.organization_id)
    return row
