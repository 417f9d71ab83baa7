"""Audit trail API (read-only)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from jineng.core import selectors

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    occurred_at: dt.datetime
    actor_username: str
    action: str
    entity_type: str
    entity_id: str
    entity_label: str
    region_code: str
    before: dict | None
    after: dict | None
    reason: str


class AuditFilter(Schema):
    action: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    actor_username: str | None = None
    since: dt.date | None = Field(None, description="first day, inclusive")
    until: dt.date | None = Field(None, description="last day, inclusive")


@router.get("/events", response=list[AuditEventOut], operation_id="audit_event_list")
@paginate(LimitOffsetPagination)
def audit_event_list(request, filters: Query[AuditFilter]):
    return selectors.audit_event_list(actor=request.auth, **filters.dict())
