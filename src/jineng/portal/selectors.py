"""Reads for the overview page and the public home page, scoped to the actor."""

from __future__ import annotations

from django.db.models import Count

from jineng.registry import selectors as registry


def public_stats() -> dict:
    return {
        "institutions": registry.organization_list(actor=None).count(),
        "sites": registry.site_list(actor=None).count(),
    }


def overview(*, actor) -> dict:
    orgs = registry.organization_list(actor=actor)
    persons = registry.person_list(actor=actor)
    return {
        "organization_count": orgs.count(),
        "site_count": registry.site_list(actor=actor).count(),
        "person_count": persons.count(),
        "organizations_by_kind": list(orgs.values("kind").annotate(n=Count("id"))
                                      .order_by("kind")),
        "key_groups": registry.counts_by_key_group(actor=actor),
    }
