"""Who may write in the registries, and what several writes share: the actor's facts for
rules.permissions, staff jurisdiction (`ensure_governs`), an organization's managers, field
lengths, phone numbers, the reason a correction needs, the region an audit event is filed under."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jineng.core.errors import DomainError, Forbidden
from jineng.core.scoping import scope_of
from jineng.registry.models import Organization, Region
from jineng.registry.rules import permissions as may
from jineng.registry.rules.permissions import ActorFacts

UNMASK_PERMISSION = "registry.unmask_id_number"


# --- who may write -------------------------------------------------------------------------

def actor_facts(actor, *, unmask: bool = False) -> ActorFacts:
    """What rules.permissions needs to know of an actor (a user, anonymous, or None). The
    unmask permission costs a query or two: it is looked up only with `unmask=True`."""
    scope = scope_of(actor)
    has_perm = getattr(actor, "has_perm", None) if unmask else None
    return ActorFacts(
        everything=scope.everything,
        hrss_staff=bool(getattr(actor, "is_hrss_staff", False)),
        region_prefix=scope.region_prefix, organization_id=scope.organization_id,
        sees_persons=scope.sees_persons,
        may_unmask=bool(has_perm and has_perm(UNMASK_PERMISSION)),
    )


def ensure_governs(actor, region: Region) -> None:
    """Staff may write only inside their region's subtree."""
    facts = actor_facts(actor)
    if not may.is_staff(facts):
        raise Forbidden(_("Only HRSS staff may do this."))
    if not may.governs(facts, region.code):
        raise Forbidden(_("This region is outside your jurisdiction."))


def ensure_manages_organization(actor, organization: Organization) -> None:
    """An organization's own users, or staff governing its region."""
    scope = scope_of(actor)
    if scope.organization_id and scope.organization_id == organization.pk:
        return
    ensure_governs(actor, organization.region)


# --- shared by several writes ------------------------------------------------------------

PHONE_PATTERN = re.compile(r"[0-9+\- ]{5,20}")


def check_length(model, field: str, value: str) -> None:
    """The model field's max_length, enforced at every entry point as the forms enforce it."""
    limit = model._meta.get_field(field).max_length
    if limit and len(value) > limit:
        raise DomainError(_("At most %(max)d characters (this has %(n)d).")
                          % {"max": limit, "n": len(value)}, field=field, code="too_long")


def _require_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for the change; it is kept in the audit trail."),
                          field="reason")
    return reason.strip()


def _actor_region_code(actor) -> str:
    return actor.region.code if getattr(actor, "region_id", None) else ""
