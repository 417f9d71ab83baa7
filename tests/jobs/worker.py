"""Running the real database worker from a test."""

from __future__ import annotations

import io

from django.core.management import call_command


def run_worker() -> str:
    """One pass of the real worker in this process (`jineng jobs-run`, django-tasks-db's
    Worker in batch mode): runs every queued job, then returns what it printed."""
    out = io.StringIO()
    call_command("jobs-run", no_progress=True, stdout=out)
    return out.getvalue()
