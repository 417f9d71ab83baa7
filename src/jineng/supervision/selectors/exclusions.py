"""Reads of the exclusion lists (models.ExclusionListEntry): scoped lists for the pages and
the API, and the set-based read of the risk scan (R16A)."""

from __future__ import annotations

from django.db.models import QuerySet

from jineng.supervision.models import ExclusionListEntry


def exclusion_entry_list(*, actor, list_kind: str | None = None,
                         region_code: str | None = None) -> QuerySet[ExclusionListEntry]:
    """The entries the actor may read (the region subtree's HRSS staff and inspectors),
    optionally of one list kind and one region (and its subtree)."""
    qs = ExclusionListEntry.objects.visible_to(actor).select_related("region")
    if list_kind:
        qs = qs.filter(list_kind=list_kind)
    if region_code:
        qs = qs.filter(region__code__startswith=region_code.rstrip("0") or region_code)
    return qs


def exclusions_for_risk() -> QuerySet:
    """(ID hash, list kind, from, until) of every entry, unscoped, for the risk scan (a
    values_list queryset: the scan streams it, or compiles it into a COPY)."""
    return (ExclusionListEntry.objects.order_by()
            .values_list("id_hash", "list_kind", "valid_from", "valid_to"))
