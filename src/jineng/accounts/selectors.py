"""Reads about accounts, scoped to the actor: their own account, the accounts they administer
(accounts.rules.permissions.may_manage, as a query), API tokens."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from jineng.accounts.models import ApiToken, User
from jineng.accounts.rules import permissions
from jineng.core.errors import NotFound
from jineng.registry import selectors as registry_selectors
from jineng.registry.choices import OrganizationKind, RegionLevel

MAX_PK = 2**63 - 1


def otp_enabled(*, actor) -> bool:
    """Whether the user has a confirmed second factor (their own devices only)."""
    return TOTPDevice.objects.filter(user=actor, confirmed=True).exists()


def account_list(*, actor: User, q: str = "", role: str = "",
                 active: bool | None = None) -> QuerySet[User]:
    """The accounts the actor administers: roles below theirs, in their subtree."""
    facts = actor.facts
    roles = permissions.creatable_roles(facts)
    if not roles:
        return User.objects.none()
    qs = (User.objects.filter(role__in=roles, is_superuser=False).exclude(pk=actor.pk)
          .select_related("region", "organization__region").order_by("username"))
    if not permissions.is_admin(facts):
        qs = qs.filter(Q(region__code__startswith=facts.prefix)
                       | Q(organization__region__code__startswith=facts.prefix))
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(first_name__icontains=q)
                       | Q(last_name__icontains=q) | Q(organization__name__icontains=q))
    if role:
        qs = qs.filter(role=role)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


def user_awaiting_new_password(pk: object) -> User | None:
    """The account a login with a temporary password left waiting for its new password (the
    session names it; no one is signed in yet, so there is no actor to scope by): active and
    still required to change it, else None."""
    if not isinstance(pk, int):
        return None
    return User.objects.filter(pk=pk, is_active=True, must_change_password=True).first()


def account_get(*, actor: User, pk: int) -> User:
    if not 0 < pk <= MAX_PK:  # beyond any key (and beyond what SQLite can bind)
        raise NotFound()
    user = account_list(actor=actor).filter(pk=pk).first()
    if user is None:
        raise NotFound()
    return user


def api_token_list(*, actor: User, user: User | None = None) -> QuerySet[ApiToken]:
    """Tokens of the actor, or of an account they administer (never the stored hash)."""
    owner = user or actor
    if not permissions.may_revoke_tokens_of(actor.facts, owner.facts):
        raise NotFound()
    return (ApiToken.objects.filter(user=owner).defer("key")
            .order_by("revoked_at", "-created_at"))


def region_choices(*, actor: User) -> QuerySet:
    """Regions where the actor may place a staff account (province, city, county levels)."""
    facts = actor.facts
    if not permissions.may_administer_accounts(facts):
        return registry_selectors.region_list(actor=actor).none()
    qs = registry_selectors.region_list(actor=actor).filter(
        level__in=[RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY], is_active=True)
    if not permissions.is_admin(facts):
        qs = qs.filter(code__startswith=facts.prefix)
    return qs.order_by("code")


def organization_choices(*, actor: User) -> QuerySet:
    """Organizations whose operators the actor may create accounts for (their subtree)."""
    qs = registry_selectors.organization_list(actor=actor).filter(
        kind__in=[OrganizationKind.TRAINING, OrganizationKind.EVALUATION,
                  OrganizationKind.ENTERPRISE])
    if not permissions.may_administer_accounts(actor.facts):
        return qs.none()
    return qs.order_by("region__code", "name")
