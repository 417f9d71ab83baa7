"""Reads of record links (rows without a valid ID number and their linkage), scoped to the
actor: HRSS staff with person access see their region's; out of scope answers NotFound."""

from __future__ import annotations

from django.db.models import QuerySet

from jineng.core.errors import NotFound
from jineng.outcomes.choices import LinkStatus
from jineng.outcomes.models import RecordLink
from jineng.registry import selectors as registry_selectors

__all__ = ["link_counts", "link_get", "link_list"]


def link_list(*, actor, status: str = "", region_code: str = "",
              import_id: int | None = None) -> QuerySet[RecordLink]:
    """Links the actor sees; `status` one of LinkStatus, `region_code` a region's subtree
    (its code prefix), `import_id` one import's. The queue order: awaiting first, most
    probable first."""
    qs = (RecordLink.objects.visible_to(actor)
          .select_related("region", "candidate", "source_import", "decided_by"))
    if status in LinkStatus.values:
        qs = qs.filter(status=status)
    if region_code:
        qs = qs.filter(region__code__startswith=registry_selectors.subtree_prefix(
            region_code.strip()[:12]))
    if import_id is not None:
        qs = qs.filter(source_import_id=import_id)
    return qs.order_by("status", "-match_probability", "id")


def link_get(*, actor, pk: int) -> RecordLink:
    link = link_list(actor=actor).filter(pk=pk).first()
    if link is None:
        raise NotFound()
    return link


def link_counts(*, actor) -> dict[str, int]:
    """How many links the actor sees, by status."""
    from django.db.models import Count

    counts = dict.fromkeys(LinkStatus.values, 0)
    for row in (RecordLink.objects.visible_to(actor).values("status")
                .annotate(n=Count("id")).order_by()):
        counts[row["status"]] = row["n"]
    return counts
