"""Reads of the outcomes runs: the latest runs and one run, for HRSS staff (a run is
province-wide; its record — times, counts, error — is for staff). Out of scope answers like
missing (404)."""

from __future__ import annotations

from django.db.models import QuerySet

from jineng.core.errors import NotFound
from jineng.outcomes.models import OutcomeRun

__all__ = ["run_get", "run_list"]


def run_list(*, actor, limit: int = 50) -> QuerySet[OutcomeRun]:
    """The latest runs the actor sees, newest first."""
    return (OutcomeRun.objects.visible_to(actor).select_related("requested_by")
            .order_by("-requested_at", "-id")[:limit])


def run_get(*, actor, pk: int) -> OutcomeRun:
    run = OutcomeRun.objects.visible_to(actor).select_related("requested_by").filter(
        pk=pk).first()
    if run is None:
        raise NotFound()
    return run
