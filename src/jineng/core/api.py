"""Audit trail API (read-only), and the pieces every app's API shares: the error body schema,
the region fields of records in a region, and anonymous access for public operations."""

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from jineng.core import selectors

router = Router(tags=["audit"])


class ErrorItem(Schema):
    field: str = Field(description="the input at fault (字段); empty for the whole request")
    code: str = Field(description="stable machine reason, e.g. check_digit, duplicate")
    message: str = Field(description="human-readable message in the request's language")


class ErrorOut(Schema):
    """The one error body of the API (api_errors.py)."""

    detail: list[ErrorItem]


class InRegion(Schema):
    """Adds `region_code` and `region_name` of the record's region (select_related by the
    selectors)."""

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj) -> str:
        return obj.region.name


def error_responses(*codes: int) -> dict[int, type[ErrorOut]]:
    """`response={200: X, **error_responses(400, 404)}`: document the error statuses."""
    return dict.fromkeys(codes, ErrorOut)


class AnonymousAccess:
    """Last auth callback of a public operation: lets anonymous visitors through as
    AnonymousUser (whose scope is the public one). Put the real auth callbacks before it."""

    def __call__(self, request) -> AnonymousUser | None:
        # Credentials that were sent but did not authenticate are refused (401), not quietly
        # downgraded to the public view: a caller with a revoked token must notice.
        if request.headers.get("Authorization"):
            return None
        return AnonymousUser()


# Added to a public operation's OpenAPI security (ninja lists the real schemes and appends
# this): the empty requirement says a call without credentials is accepted too.
PUBLIC_SECURITY = [{}]


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
