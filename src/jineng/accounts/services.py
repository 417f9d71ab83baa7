"""Account writes: own password, account administration, second factor and API tokens.

Every write runs in one transaction with its audit event; a refused call changes nothing and
writes nothing. Who may do what is decided by accounts.rules.permissions (ensure_*), the same
rules the pages use (may_*) to decide which forms to show.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from jineng.accounts.models import ORGANIZATION_ROLES, REGION_ROLES, ApiToken, Role, User
from jineng.accounts.rules import permissions
from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, NotFound
from jineng.core.models import AuditAction
from jineng.registry import selectors as registry_selectors

MAX_PK = 2**63 - 1  # larger keys cannot exist (and SQLite cannot bind them)
# An account holds at most this many live tokens (one per outside system is the norm).
MAX_ACTIVE_TOKENS = 20
# Temporary passwords: 16 characters without look-alikes (0/O, 1/l/I), in groups of four.
_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@contextmanager
def _translated() -> Iterator[None]:
    """The pure rules raise English messages; say them in the request's language."""
    try:
        yield
    except DomainError as refused:
        refused.message = _(refused.message)
        refused.args = (refused.message,)
        raise


def _ensure(check, *args, **kwargs) -> None:
    with _translated():
        check(*args, **kwargs)


def _reason(reason: str) -> str:
    with _translated():
        return permissions.clean_reason(reason)


def temporary_password() -> str:
    return "-".join("".join(secrets.choice(_TEMP_ALPHABET) for _i in range(4)) for _g in range(4))


def _validate_new_password(password: str, user: User, field: str) -> None:
    if not password:
        raise DomainError(_("This field is required."), field=field, code="required")
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as bad:
        raise DomainError(" ".join(bad.messages), field=field, code="weak_password") from None


def _locked(actor: User, user_id: int) -> User:
    """The target account, locked for the write, if the actor administers it (else NotFound,
    exactly as for a missing account)."""
    if not 0 < user_id <= MAX_PK:
        raise NotFound()
    target = (User.objects.select_for_update(of=("self",))
              .select_related("region", "organization__region").filter(pk=user_id).first())
    if target is None:
        raise NotFound()
    _ensure(permissions.ensure_may_manage, actor.facts, target.facts)
    return target


# --- one's own password ----------------------------------------------------------------------

def _replace_password(user: User, new_password: str, unchanged: str) -> None:
    """Check the new password (validators, not the current one) and store it (the user
    locked by the caller); a password set by its owner needs no change at the next login."""
    _validate_new_password(new_password, user, "new_password1")
    if user.check_password(new_password):
        raise DomainError(unchanged, field="new_password1", code="unchanged")
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])


def password_change(*, actor: User, old_password: str, new_password: str) -> User:
    """The signed-in user changes their own password (the old one is required)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        if not user.check_password(old_password or ""):
            raise DomainError(_("Your old password was entered incorrectly."),
                              field="old_password", code="wrong_password")
        _replace_password(user, new_password,
                          _("Choose a password different from the old one."))
        audit.record(actor=user, action=AuditAction.UPDATE, instance=user, label=user.username,
                     after={"password": "changed"}, reason=_("Changed own password"))
    actor.password = user.password  # the caller keeps its session (update_session_auth_hash)
    actor.must_change_password = False
    return user


def password_set_after_reset(*, actor: User, new_password: str) -> User:
    """After logging in with a temporary password, the user sets their own (required before
    anything else opens)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        if not user.must_change_password or not user.is_active:
            raise NotFound()
        _replace_password(user, new_password,
                          _("Choose a password different from the temporary one."))
        audit.record(actor=user, action=AuditAction.UPDATE, instance=user, label=user.username,
                     before={"must_change_password": True},
                     after={"password": "changed", "must_change_password": False},
                     reason=_("Replaced the temporary password"))
    return user


# --- account administration ------------------------------------------------------------------

def user_create(*, actor: User, username: str, role: str, reason: str, region_code: str = "",
                organization_id: int | None = None, first_name: str = "", last_name: str = "",
                email: str = "", sector: str = "") -> tuple[User, str]:
    """Create a staff or operator account with a temporary password, returned once (it is
    never stored in clear and cannot be shown again). The account must set its own password
    at its first login."""
    reason = _reason(reason)
    username = (username or "").strip()
    if not username:
        raise DomainError(_("This field is required."), field="username", code="required")
    if len(username) > 150:
        raise DomainError(_("At most 150 characters."), field="username", code="too_long")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as bad:
        raise DomainError(" ".join(bad.messages), field="username") from None
    if role not in Role.values:
        raise DomainError(_("Choose one of the offered roles."), field="role")
    for field, value, limit in (("first_name", first_name, 150), ("last_name", last_name, 150),
                                ("email", email, 254), ("sector", sector, 50)):
        if len(value or "") > limit:
            raise DomainError(_("At most %(n)s characters.") % {"n": limit}, field=field,
                              code="too_long")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise DomainError(_("Enter a valid email address."), field="email") from None
    if sector and role != Role.INDUSTRY_STAFF:
        raise DomainError(_("Only industry department staff have a sector."), field="sector")

    region = organization = None
    if role in REGION_ROLES:
        field = "region_code"
        if not region_code:
            raise DomainError(_("This field is required."), field=field, code="required")
        try:
            region = registry_selectors.region_get(actor=actor, code=region_code or "")
        except NotFound:
            raise DomainError(_("Not found."), field=field, code="not_found") from None
        place, level = region.code, region.level
    elif role in ORGANIZATION_ROLES:
        field = "organization_id"
        if organization_id is None:
            raise DomainError(_("This field is required."), field=field, code="required")
        if not 0 < organization_id <= MAX_PK:
            organization_id = 0  # no such organization (and no overflow in the query)
        try:
            organization = registry_selectors.organization_get(actor=actor,
                                                               pk=organization_id or 0)
        except NotFound:
            raise DomainError(_("Not found."), field=field, code="not_found") from None
        if organization.kind != ORGANIZATION_ROLES[role]:
            raise DomainError(_("The organization kind does not match the role."), field=field,
                              code="kind")
        place, level = organization.region.code, organization.region.level
    else:
        field, place, level = "role", "", ""
    _ensure(permissions.ensure_may_create, actor.facts, role, place, level, field=field)

    password = temporary_password()
    user = User(username=username, role=role, region=region, organization=organization,
                first_name=(first_name or "").strip(), last_name=(last_name or "").strip(),
                email=(email or "").strip(), sector=(sector or "").strip(),
                must_change_password=True)
    user.set_password(password)
    try:
        user.clean()
    except ValidationError as bad:
        name, messages = next(iter(bad.message_dict.items()))
        raise DomainError(" ".join(messages), field=name) from None
    try:
        with transaction.atomic():
            if User.objects.filter(username__iexact=username).exists():
                raise Conflict(_("An account with this user name already exists."),
                               field="username", code="duplicate")
            user.save()
            audit.record(actor=actor, action=AuditAction.CREATE, instance=user,
                         label=user.username, after=audit.snapshot(user), reason=reason)
    except IntegrityError:  # the same name created at the same moment
        raise Conflict(_("An account with this user name already exists."),
                       field="username", code="duplicate") from None
    return user, password


def user_disable(*, actor: User, user_id: int, reason: str) -> User:
    """Disable an account: it can no longer log in, its sessions and API tokens stop working.
    Disabling a disabled account changes nothing (and writes nothing)."""
    reason = _reason(reason)
    with transaction.atomic():
        target = _locked(actor, user_id)
        if target.is_active:
            target.is_active = False
            target.save(update_fields=["is_active"])
            audit.record(actor=actor, action=AuditAction.UPDATE, instance=target,
                         label=target.username, before={"is_active": True},
                         after={"is_active": False}, reason=reason)
    return target


def user_enable(*, actor: User, user_id: int, reason: str) -> User:
    reason = _reason(reason)
    with transaction.atomic():
        target = _locked(actor, user_id)
        if not target.is_active:
            target.is_active = True
            target.save(update_fields=["is_active"])
            audit.record(actor=actor, action=AuditAction.UPDATE, instance=target,
                         label=target.username, before={"is_active": False},
                         after={"is_active": True}, reason=reason)
    return target


def user_password_reset(*, actor: User, user_id: int, reason: str) -> tuple[User, str]:
    """Give an account a new temporary password (returned once; never stored in clear). Its
    sessions end (the password hash changes) and it must set its own password at next login."""
    reason = _reason(reason)
    with transaction.atomic():
        target = _locked(actor, user_id)
        if not target.is_active:
            raise DomainError(_("Enable the account before resetting its password."),
                              field="", code="inactive")
        password = temporary_password()
        target.set_password(password)
        before = {"must_change_password": target.must_change_password}
        target.must_change_password = True
        target.save(update_fields=["password", "must_change_password"])
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=target,
                     label=target.username, before=before,
                     after={"password": "reset", "must_change_password": True}, reason=reason)
    return target, password


def user_otp_reset(*, actor: User, user_id: int, reason: str) -> User:
    """Turn off an account's two-step login (its owner lost the device); they may set it up
    again after logging in. An account without one changes nothing and writes nothing."""
    reason = _reason(reason)
    with transaction.atomic():
        target = _locked(actor, user_id)
        devices = TOTPDevice.objects.filter(user=target)
        if devices.filter(confirmed=True).exists():
            devices.delete()
            audit.record(actor=actor, action=AuditAction.OTP, instance=target,
                         label=target.username, before={"otp": "enabled"},
                         after={"otp": "disabled"}, reason=reason)
    return target


# --- second factor ---------------------------------------------------------------------------

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
                     region_code=actor.audit_region_code,
                     organization_id=actor.organization_id)
    return device


def otp_disable(*, actor: User) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).delete()
        audit.record(actor=actor, action=AuditAction.OTP, entity_type="accounts.user",
                     entity_id=str(actor.pk), label=actor.username, after={"otp": "disabled"},
                     region_code=actor.audit_region_code,
                     organization_id=actor.organization_id)


# --- API tokens ------------------------------------------------------------------------------

def api_token_issue(*, actor: User, name: str) -> str:
    """Issue a token acting as the actor (their role, region or organization). The secret is
    returned once; only its hash is stored."""
    return api_token_create(actor=actor, name=name)[1]


def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    _ensure(permissions.ensure_may_issue_token, actor.facts)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("This field is required."), field="name", code="required")
    if len(name) > 100:
        raise DomainError(_("At most 100 characters."), field="name", code="too_long")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).first()  # counts tokens one by one
        live = ApiToken.objects.filter(user=actor, revoked_at__isnull=True).count()
        if live >= MAX_ACTIVE_TOKENS:
            raise Conflict(_("This account already has %(n)s live API tokens; revoke one "
                             "first.") % {"n": MAX_ACTIVE_TOKENS}, field="name", code="too_many")
        row, token = ApiToken.issue(actor, name)
        audit.record(actor=actor, action=AuditAction.CREATE, instance=row, label=str(row),
                     after={"name": row.name, "prefix": row.prefix, "user": actor.username},
                     region_code=actor.audit_region_code,
                     organization_id=actor.organization_id)
    return row, token


def api_token_revoke(*, actor: User, token_id: int, reason: str = "") -> ApiToken:
    """Revoke one of the actor's own tokens, or a token of an account the actor administers
    (with a reason). Revoking twice keeps the first revocation time and writes nothing more.
    Any other token answers NotFound, like a missing one."""
    if not 0 < token_id <= MAX_PK:
        raise NotFound()
    with transaction.atomic():
        row = (ApiToken.objects.select_for_update(of=("self",))
               .select_related("user__region", "user__organization__region")
               .filter(pk=token_id).first())
        if row is None:
            raise NotFound()
        _ensure(permissions.ensure_may_revoke_tokens_of, actor.facts, row.user.facts)
        own = row.user_id == actor.pk
        if not own:
            reason = _reason(reason)
        if row.revoked_at is None:
            row.revoked_at = timezone.now()
            row.save(update_fields=["revoked_at"])
            audit.record(actor=actor, action=AuditAction.UPDATE, instance=row, label=str(row),
                         before={"revoked_at": None},
                         after={"revoked_at": row.revoked_at.isoformat()},
                         reason=(reason or "").strip(),
                         region_code=row.user.audit_region_code,
                         organization_id=row.user.organization_id)
    return row
