"""Users and regions as plans.rules.permissions sees them (plain values), for the services
(which enforce the rules) and the selectors and views (which ask them)."""

from __future__ import annotations

from jineng.core.scoping import scope_of
from jineng.plans.rules import permissions as rules
from jineng.registry.models import Region


def actor_facts(actor) -> rules.Actor:
    """A user (or None / an anonymous visitor) as the permission rules see it."""
    scope = scope_of(actor)
    if scope.everything:
        return rules.Actor(pk=getattr(actor, "pk", None), everything=True)
    if actor is None or not getattr(actor, "is_authenticated", False):
        return rules.Actor()
    region = actor.region if getattr(actor, "region_id", None) else None
    return rules.Actor(pk=actor.pk, role=actor.role or "",
                       region=region.code if region is not None else "",
                       prefix=scope.region_prefix,
                       hrss=bool(getattr(actor, "is_hrss_staff", False)))


def place(region: Region) -> rules.Place:
    return rules.Place(code=region.code, prefix=region.scope_prefix, name=region.name)
