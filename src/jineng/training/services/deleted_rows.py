"""Housekeeping of the deleted-row records (DeletedRow, written by a database trigger): kept
DELETED_ROWS_KEPT_DAYS days, then removed by the full risk scan that no longer needs them. Not
an action of anyone's: no actor, no audit event (the rows record deletions, not decisions)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jineng.training.models import DELETED_ROWS_KEPT_DAYS, DeletedRow


def deleted_rows_prune(now: dt.datetime | None = None) -> int:
    """Remove the records of rows deleted more than DELETED_ROWS_KEPT_DAYS (+1, a margin for a
    transaction's start) days ago; answers how many."""
    before = (now or timezone.now()) - dt.timedelta(days=DELETED_ROWS_KEPT_DAYS + 1)
    removed, _ = DeletedRow.objects.filter(deleted_at__lt=before).delete()
    return removed
