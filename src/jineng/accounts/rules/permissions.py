"""Who may administer which accounts: one vocabulary for services (`ensure_*`), views and
templates (`may_*`). Pure: plain values in, booleans out (no Django).

- Province staff administer accounts in the whole province, city staff in their own subtree;
  county staff, industry departments, inspectors and organizations administer none.
- Nobody creates an account with more power or a wider scope than their own: HRSS staff create
  staff of the levels below them (province → city and county, city → county), industry
  department staff at or below their own region, and operators of training and evaluation
  institutions and enterprises in their region. System administrators and inspectors are made
  by a system administrator only.
- An account someone may not administer is, to them, missing (404): the list never shows it and
  every action on it is refused the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from jineng.core.errors import DomainError, Forbidden, NotFound

# The role values of accounts.models.Role (tests/accounts/test_permissions.py keeps them equal).
PROVINCE_STAFF = "province_staff"
CITY_STAFF = "city_staff"
COUNTY_STAFF = "county_staff"
INDUSTRY_STAFF = "industry_staff"
TRAINING_OPERATOR = "training_operator"
EVALUATION_OPERATOR = "evaluation_operator"
ENTERPRISE = "enterprise"
INSPECTOR = "inspector"
SYSTEM_ADMIN = "system_admin"
ROLES = frozenset({PROVINCE_STAFF, CITY_STAFF, COUNTY_STAFF, INDUSTRY_STAFF, TRAINING_OPERATOR,
                   EVALUATION_OPERATOR, ENTERPRISE, INSPECTOR, SYSTEM_ADMIN})
ORGANIZATION_ROLES = frozenset({TRAINING_OPERATOR, EVALUATION_OPERATOR, ENTERPRISE})

# What each administering role may create (never its own role: that would be the same power).
CREATES: dict[str, frozenset[str]] = {
    PROVINCE_STAFF: frozenset({CITY_STAFF, COUNTY_STAFF, INDUSTRY_STAFF, TRAINING_OPERATOR,
                               EVALUATION_OPERATOR, ENTERPRISE}),
    CITY_STAFF: frozenset({COUNTY_STAFF, INDUSTRY_STAFF, TRAINING_OPERATOR,
                           EVALUATION_OPERATOR, ENTERPRISE}),
}
# A system administrator creates every role but its own.
ADMIN_CREATES = ROLES - {SYSTEM_ADMIN}

# Region levels a staff account of each role may hold (organizations carry their own region).
PLACE_LEVELS: dict[str, frozenset[str]] = {
    PROVINCE_STAFF: frozenset({"province"}),
    CITY_STAFF: frozenset({"city"}),
    COUNTY_STAFF: frozenset({"county"}),
    INDUSTRY_STAFF: frozenset({"province", "city", "county"}),
    INSPECTOR: frozenset({"province", "city", "county"}),
}
# Below this many characters a reason says nothing (e.g. "x").
REASON_MIN = 2
REASON_MAX = 500


def _(text: str) -> str:
    """Marks a message for the catalog; services translate it (gettext) when they raise."""
    return text


@dataclass(frozen=True)
class Account:
    """What the rules need to know of an account (built by accounts.models.User.facts).

    `place` is the region code the account is scoped by: a staff account's own region, an
    organization user's organization's region. `prefix` is the code prefix of the subtree a
    staff account governs ("52" for a province, "5201" for a city)."""

    pk: int | None
    role: str
    place: str = ""
    prefix: str = ""
    superuser: bool = False
    active: bool = True


def is_admin(actor: Account) -> bool:
    return actor.superuser or actor.role == SYSTEM_ADMIN


def creatable_roles(actor: Account) -> frozenset[str]:
    if is_admin(actor):
        return ADMIN_CREATES
    if not actor.prefix:
        return frozenset()
    return CREATES.get(actor.role, frozenset())


def within(actor: Account, region_code: str) -> bool:
    """Whether a region code lies in the subtree the actor governs."""
    if is_admin(actor):
        return True
    return bool(actor.prefix) and bool(region_code) and region_code.startswith(actor.prefix)


def may_administer_accounts(actor: Account) -> bool:
    return bool(creatable_roles(actor))


def may_create(actor: Account, role: str, region_code: str, region_level: str = "") -> bool:
    """A new account of `role`, scoped by `region_code` (its region, or its organization's)."""
    if role not in creatable_roles(actor) or not within(actor, region_code):
        return False
    levels = PLACE_LEVELS.get(role)
    return not (levels and region_level not in levels)


def may_manage(actor: Account, target: Account) -> bool:
    """Whether the actor administers the target account at all (sees it, acts on it)."""
    if target.superuser or target.pk == actor.pk:
        return False
    return target.role in creatable_roles(actor) and within(actor, target.place)


def may_disable(actor: Account, target: Account) -> bool:
    return may_manage(actor, target) and target.active


def may_enable(actor: Account, target: Account) -> bool:
    return may_manage(actor, target) and not target.active


def may_reset_password(actor: Account, target: Account) -> bool:
    return may_manage(actor, target) and target.active


def may_revoke_tokens_of(actor: Account, target: Account) -> bool:
    """Own tokens always; another account's when the actor administers it."""
    return target.pk == actor.pk or is_admin(actor) or may_manage(actor, target)


def may_issue_token(actor: Account) -> bool:
    """Tokens act as their user: any account with a role (or an administrator) may hold one."""
    return actor.active and (is_admin(actor) or actor.role in ROLES)


# --- ensure_*: the same answers as exceptions, for services -----------------------------------

def ensure_may_create(actor: Account, role: str, region_code: str, region_level: str,
                      *, field: str) -> None:
    if role not in creatable_roles(actor):
        raise DomainError(_("You may not create accounts of this role."), field="role",
                          code="forbidden")
    if not within(actor, region_code):
        # A region or organization out of scope is, to the actor, missing.
        raise DomainError(_("Not found."), field=field, code="not_found")
    if not may_create(actor, role, region_code, region_level):
        raise DomainError(_("The region level does not match the role."), field=field,
                          code="level")


def ensure_may_manage(actor: Account, target: Account) -> None:
    if not may_manage(actor, target):
        raise NotFound(_("Not found."))


def ensure_may_revoke_tokens_of(actor: Account, target: Account) -> None:
    if not may_revoke_tokens_of(actor, target):
        raise NotFound(_("Not found."))


def ensure_may_issue_token(actor: Account) -> None:
    if not may_issue_token(actor):
        raise Forbidden(_("Your account may not hold API tokens."))


def clean_reason(reason: str) -> str:
    """An administrative reason: required, at least REASON_MIN and at most REASON_MAX long."""
    text = (reason or "").strip()
    if len(text) < REASON_MIN:
        raise DomainError(_("Give a reason (it is kept in the audit trail)."), field="reason",
                          code="required")
    if len(text) > REASON_MAX:
        raise DomainError(_("At most 500 characters."), field="reason", code="too_long")
    return text
