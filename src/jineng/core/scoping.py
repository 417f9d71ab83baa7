"""Scope: what an actor may read. Every selector filters through `visible_to(actor)`.

A staff user of a region sees that region's subtree (region codes share a prefix: province "52",
city "5201", county "520102"); an institution or enterprise user sees its own organization's
records; the public sees only what is published. Models say how they relate to region and
organization by implementing `scope_filter` on their queryset.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class Scope:
    """What one actor may see. Built by accounts.User.scope; anonymous → Scope.public()."""

    everything: bool = False  # superuser / system jobs
    region_prefix: str | None = None  # staff: the subtree they govern
    organization_id: int | None = None  # institution / enterprise users
    sees_persons: bool = False  # may read real-name person records at all
    public: bool = False  # anonymous visitor
    sector: str = ""  # industry department's sector, where one applies

    @classmethod
    def public_scope(cls) -> Scope:
        return cls(public=True)

    @classmethod
    def nothing(cls) -> Scope:
        return cls()


def scope_of(actor) -> Scope:
    """The scope of a user, an anonymous visitor or None (treated as the public)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Scope.public_scope()
    return actor.scope


class ScopedQuerySet(models.QuerySet):
    """Base queryset: subclasses implement `scope_filter(scope) -> Q`."""

    def scope_filter(self, scope: Scope) -> Q:  # pragma: no cover - abstract
        raise NotImplementedError

    def visible_to(self, actor) -> ScopedQuerySet:
        scope = scope_of(actor)
        if scope.everything:
            return self.all()
        condition = self.scope_filter(scope)
        if condition is None:
            return self.none()
        return self.filter(condition)


def region_q(path: str, scope: Scope) -> Q | None:
    """Q for records whose region (reached through `path`, e.g. "region") is in the subtree."""
    if scope.region_prefix is None:
        return None
    return Q(**{f"{path}__code__startswith": scope.region_prefix})


def any_of(*conditions: Q | None) -> Q | None:
    present = [c for c in conditions if c is not None]
    if not present:
        return None
    result = present[0]
    for c in present[1:]:
        result |= c
    return result
