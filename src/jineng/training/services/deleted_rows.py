"""Housekeeping of the deleted- and written-row records (DeletedRow, WrittenRows, written by
database triggers): kept DELETED_ROWS_KEPT_DAYS days, then removed by the full risk scan that no
longer needs them. Not an action of anyone's: no actor, no audit event (the rows record
deletions and writes, not decisions)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jineng.training.models import DELETED_ROWS_KEPT_DAYS, DeletedRow, WrittenRows


def deleted_rows_prune(now: dt.datetime | None = None) -> int:
    """Remove the records of rows deleted or written more than DELETED_ROWS_KEPT_DAYS (+1, a
    margin for a transaction's start) days ago; answers how many."""
    before = (now or timezone.now()) - dt.timedelta(days=DELETED_ROWS_KEPT_DAYS + 1)
    removed, _ = DeletedRow.objects.filter(deleted_at__lt=before).delete()
    written, _ = WrittenRows.objects.filter(written_at__lt=before).delete()
    return removed + written
