"""Running the real database worker from a test."""

from __future__ import annotations

import io
from contextlib import nullcontext
from unittest import mock

from django.core.management import call_command
from django.db import connection
from django_tasks_db.management.commands import db_worker


def run_worker(*, progress: bool = False) -> str:
    """One pass of the real worker in this process (`jineng jobs-run`, django-tasks-db's
    Worker in batch mode): runs every queued job, then returns what it printed.

    Between jobs the worker recycles its database connection (Django's
    close_old_connections), which would close a test's enclosing transaction; inside one, that
    recycling alone is skipped. Tests marked transactional (the export test, the browser test)
    run the worker exactly as production does."""
    recycle = (mock.patch.object(db_worker, "close_old_connections", lambda: None)
               if connection.in_atomic_block else nullcontext())
    out = io.StringIO()
    with recycle:
        call_command("jobs-run", no_progress=not progress, stdout=out)
    return out.getvalue()
