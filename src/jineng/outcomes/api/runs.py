"""Outcomes API: runs of the outcomes job (HRSS staff): the latest runs, one run with its step
times and counts, and starting a run (province HRSS staff; the run already queued or running
answers a second request)."""


import datetime as dt

from ninja import Field, Router, Schema

from jineng.core.api import KIB, body_limit, error_responses
from jineng.outcomes.selectors import runs as selectors
from jineng.outcomes.services import runs as services

router = Router()


class OutcomeRunOut(Schema):
    id: int
    status: str
    engine: str
    data_through: dt.date | None = Field(description="records complete through this month")
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    snapshot_seconds: float | None
    compute_seconds: float | None
    store_seconds: float | None
    trainees: int
    records: int
    indicator_values: int
    error: str
    job_id: int | None = Field(description="the background job: /api/jobs/{id} (its owner)")


class OutcomeRunStartIn(Schema):
    data_through: dt.date | None = Field(
        None, description="records complete through this month (default: the last month with "
                          "records, before the current month)")


@router.get("/runs", response={200: list[OutcomeRunOut], **error_responses(403)},
            operation_id="outcomes_run_list")
def run_list(request):
    """The latest 50 runs, newest first."""
    return list(selectors.run_list(actor=request.auth))


@router.get("/runs/{run_id}", response={200: OutcomeRunOut, **error_responses(404)},
            operation_id="outcomes_run_get")
def run_get(request, run_id: int):
    return selectors.run_get(actor=request.auth, pk=run_id)


@router.post("/runs", response={200: OutcomeRunOut, **error_responses(403, 404)},
             operation_id="outcomes_run_start")
@body_limit(4 * KIB)
def run_start(request, payload: OutcomeRunStartIn):
    """Compute every measure and indicator in the background (province HRSS staff)."""
    return services.outcomes_run_start(actor=request.auth, data_through=payload.data_through)
