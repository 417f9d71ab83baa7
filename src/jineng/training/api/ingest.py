"""Attendance ingestion from terminals and learning platforms: one event, a batch of events,
xAPI statements."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from django.http import HttpResponse
from ninja import Body, Field, Schema, Status

from jineng.core.api import MIB, body_limit, error_responses
from jineng.training import services
from jineng.training.api.common import router


class EventResultOut(Schema):
    index: int
    idempotency_key: str
    status: str = Field(description="accepted, duplicate or rejected")
    event_id: int | None = None
    flags: list[str] = Field(default_factory=list,
                             description="outside_window, too_far: kept, earn no hours")
    errors: list[dict] = Field(default_factory=list,
                               description="[{field, code, message}] for a rejected event")


class IngestOut(Schema):
    accepted: int
    duplicates: int
    rejected: int
    results: list[EventResultOut]


class BatchIn(Schema):
    events: list[Any] = Field(
        description="Up to 5,000 events; each as for the single endpoint. A malformed event is "
                    "rejected with its reasons and the others are kept.")


class EventIn(Schema):
    """One check-in or check-out (documented shape; the endpoint reports every faulty field
    of a malformed event instead of refusing the request)."""

    idempotency_key: str = Field(max_length=100, description="unique per institution; a "
                                 "replay with the same key counts once")
    class_id: int
    kind: str = Field(description="check_in or check_out")
    occurred_at: dt.datetime = Field(description="ISO 8601 with a time-zone offset")
    method: str = Field(description="terminal, mobile (needs latitude/longitude) or qr")
    id_number: str | None = Field(None, description="the trainee's ID number (hashed on "
                                  "arrival, never stored), or")
    enrollment_id: int | None = None
    session_id: int | None = Field(None, description="optional: matched by time otherwise")
    latitude: float | None = None
    longitude: float | None = None
    device: str | None = Field(None, max_length=64)


def _json(report: services.IngestReport) -> HttpResponse:
    """The batch answer written directly (its shape is IngestOut): validating thousands of
    result objects again on the way out would cost more than the insert."""
    return HttpResponse(json.dumps(_shape(report), ensure_ascii=False),
                        content_type="application/json")


def _shape(report: services.IngestReport) -> dict:
    return {
        "accepted": report.accepted, "duplicates": report.duplicates,
        "rejected": report.rejected,
        "results": [{"index": r.index, "idempotency_key": r.idempotency_key,
                     "status": r.status, "event_id": r.event_id, "flags": r.flags,
                     "errors": r.errors} for r in report.results],
    }


@router.post("/attendance/events", response={201: EventResultOut, 200: EventResultOut,
                                             **error_responses(400, 403, 409, 422)},
             operation_id="attendance_event_create",
             openapi_extra={"requestBody": {"content": {"application/json": {
                 "schema": EventIn.model_json_schema()}}}})
def attendance_event_create(request, payload: Annotated[dict[str, Any], Body()]):
    """One check-in or check-out. 201: stored; 200: a replay of an event already stored
    (nothing changes); 400: rejected, with every reason; 409: the idempotency key was already
    used for another event."""
    report = services.attendance_ingest(actor=request.auth, events=[payload], source="single")
    result = _shape(report)["results"][0]
    if result["status"] == services.REJECTED:
        reused = any(e["code"] == "key_reused" for e in result["errors"])
        return Status(409 if reused else 400, {"detail": result["errors"]})
    return Status(201 if result["status"] == services.ACCEPTED else 200, result)


@router.post("/attendance/events/batch",
             response={200: IngestOut, **error_responses(400, 403, 422)},
             operation_id="attendance_event_batch")
@body_limit(2 * MIB)  # 5,000 events of ~300 bytes; refused before parsing above it
def attendance_event_batch(request, payload: BatchIn):
    """A batch of events from a terminal (idempotent: the same batch twice gives the same
    counts the second time as duplicates and stores nothing new)."""
    return _json(services.attendance_ingest(actor=request.auth, events=payload.events,
                                            source="batch"))


@router.post("/xapi/statements", response={200: IngestOut, **error_responses(400, 403, 422)},
             operation_id="xapi_statements")
def xapi_statements(request, payload: Annotated[list[Any] | dict[str, Any], Body()]):
    """xAPI statements (one or a list) from a learning platform: `completed` and `progressed`
    with `result.duration` count as online hours; `answered`, `interacted`, `attempted`,
    `commented` and `responded` are kept as interactions, without hours (docs/training.md)."""
    statements = payload if isinstance(payload, list) else [payload]
    return _json(services.attendance_ingest_xapi(actor=request.auth, statements=statements))
