"""Audit trail API (read-only), and the pieces every app's API shares: the error body schema,
the region fields of records in a region, anonymous access for public operations, list
pagination with a capped page size, and request body size limits checked before parsing."""

import datetime as dt
import functools
import json
import re
import typing
from collections.abc import Callable
from typing import Any

import pydantic
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.parser import Parser

from jineng.core import selectors
from jineng.core.api_errors import RequestTooLarge
from jineng.core.errors import DomainError
from jineng.core.middleware import LimitedStream, declared_length

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


def api_authenticators() -> list:
    """The API's authentication callbacks, from `settings.JINENG_API_AUTHENTICATION` (dotted
    paths, like Django's AUTHENTICATION_BACKENDS): the accounts app provides them, and apps
    below it (registry, catalog) need not import it to mark an operation public."""
    return [import_string(path)() for path in settings.JINENG_API_AUTHENTICATION]


def public_auth() -> list:
    """`auth=` of an operation anyone may call: the real callbacks first (a caller with
    credentials is that caller), then anonymous visitors."""
    return [*api_authenticators(), AnonymousAccess()]


MAX_LIMIT = 500
MAX_OFFSET = 10_000_000  # far past any list; keeps the SQL OFFSET in range on every database


class Pagination(LimitOffsetPagination):
    """`limit`/`offset` for every list of the API. A `limit` above MAX_LIMIT is refused (400
    naming `limit`) rather than quietly clamped, so a caller learns to page."""

    class Input(Schema):
        limit: int = Field(100, ge=1, description=f"items per page, at most {MAX_LIMIT}")
        offset: int = Field(0, ge=0, description="items to skip")

    def paginate_queryset(self, queryset, pagination: Input, request, **params):
        if pagination.limit > MAX_LIMIT:
            raise DomainError(_("At most %(n)s items per page; ask for the next page with "
                                "offset.") % {"n": MAX_LIMIT}, field="limit", code="max_value")
        if pagination.offset > MAX_OFFSET:
            raise DomainError(_("At most %(n)s.") % {"n": MAX_OFFSET}, field="offset",
                              code="max_value")
        return super().paginate_queryset(queryset, pagination, request, **params)


# --- request body size, checked before anything parses the body -------------------------------

KIB = 1024
MIB = 1024 * KIB
NO_BODY_LIMIT = 64 * KIB  # an operation that takes no body (GET, bare actions)
JSON_BODY_LIMIT = 1 * MIB  # an operation with a JSON body, unless it says otherwise


def body_limit(max_bytes: int) -> Callable:
    """`@body_limit(2 * MIB)` under the route decorator: the largest body this operation
    accepts (413 above it, before parsing)."""

    def mark(func: Callable) -> Callable:
        func.body_limit = max_bytes  # type: ignore[attr-defined]
        return func

    return mark


def operation_body_limit(operation: Any) -> int:
    """The declared limit, else one by what the operation takes: files, JSON or nothing."""
    declared = getattr(operation.view_func, "body_limit", None)
    if declared is not None:
        return declared
    kinds = {getattr(model, "__ninja_param_source__", "")
             for model in getattr(operation, "models", [])}
    if "file" in kinds or "form" in kinds:
        return settings.JINENG_MAX_UPLOAD_BYTES
    if "body" in kinds:
        return JSON_BODY_LIMIT
    return NO_BODY_LIMIT


# The database's integers are 64-bit at most: a larger id in a query or path can match
# nothing, but SQLite raises on it (OverflowError) instead of finding nothing.
INT_MAX = 2**63 - 1
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


def integer_fields(model: Any) -> set[str]:
    """Names of the integer inputs of a ninja parameter model (nested schemas flattened, as
    ninja flattens `Query[Schema]`)."""
    names: set[str] = set()
    for name, info in getattr(model, "model_fields", {}).items():
        kinds = typing.get_args(info.annotation) or (info.annotation,)
        if int in kinds and bool not in kinds:
            names.add(info.alias or name)
        for kind in kinds:
            if isinstance(kind, type) and issubclass(kind, pydantic.BaseModel):
                names |= integer_fields(kind)
    return names


def too_large_integers(operation: Any, request, path_values: dict) -> list[dict]:
    """pydantic-shaped errors for integer query/path values beyond the database's range."""
    errors = []
    for model in getattr(operation, "models", []):
        where = getattr(model, "__ninja_param_source__", "")
        if where not in {"query", "path"}:
            continue
        source = request.GET if where == "query" else path_values
        for name in integer_fields(model):
            raw = source.get(name)
            if isinstance(raw, str) and _INTEGER.fullmatch(raw) and abs(int(raw)) > INT_MAX:
                errors.append({"type": "less_than_equal", "loc": (where, name),
                               "ctx": {"le": INT_MAX}})
    return errors


def guard_request(run: Callable) -> Callable:
    """Ninja "view" decorator, run before authentication and parsing: compares the
    Content-Length with the operation's body limit (and caps the stream of a body sent without
    one), and refuses integers in the query or path that no database column can hold."""
    operation = run.__self__  # type: ignore[attr-defined]
    limit = operation_body_limit(operation)

    @functools.wraps(run)
    def checked(request, *args, **kwargs):
        try:
            length = declared_length(request)
            if length is not None and length > limit:
                raise RequestTooLarge(limit)
            errors = too_large_integers(operation, request, kwargs)
            # PostgreSQL text cannot hold NUL: a query value with one is refused, not a 500.
            errors += [{"type": "string_pattern_mismatch", "loc": ("query", key),
                        "ctx": {"pattern": "[^\\x00]*"}}
                       for key, values in request.GET.lists()
                       if "\x00" in key or any("\x00" in v for v in values)]
            if errors:
                raise NinjaValidationError(errors)
        except (DomainError, NinjaValidationError) as exc:
            return operation.api.on_exception(request, exc)
        if length is None:
            request._stream = LimitedStream(request._stream, limit)
        return run(request, *args, **kwargs)

    checked.body_limit = limit  # type: ignore[attr-defined]
    return checked


class NumberTooLarge(ValueError):
    """An integer in a JSON body beyond the database's range."""


def bounded_int(text: str) -> int:
    value = int(text)
    if abs(value) > INT_MAX:
        raise NumberTooLarge(text)
    return value


class JsonParser(Parser):
    """ninja's JSON parser, refusing integers no database column can hold (they would stop
    the query on SQLite rather than match nothing)."""

    def parse_body(self, request):
        data = json.loads(request.body, parse_int=bounded_int)
        if b"\\u0000" in request.body:  # PostgreSQL text cannot hold NUL: refuse, not a 500
            raise NinjaValidationError([{"type": "string_pattern_mismatch", "loc": ("body",),
                                         "ctx": {"pattern": "[^\\x00]*"}}])
        return data


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
@paginate(Pagination)
def audit_event_list(request, filters: Query[AuditFilter]):
    return selectors.audit_event_list(actor=request.auth, **filters.dict())
