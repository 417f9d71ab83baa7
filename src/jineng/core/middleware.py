"""Request body size, checked before anything parses the body.

Every request is held to settings.JINENG_MAX_REQUEST_BYTES (the largest upload any page or
operation accepts) from its Content-Length; a body sent without one (chunked) is read through
a stream that stops at the limit. API operations then apply their own, smaller limits
(core.api.guard_request). Refusals answer 413: the API's JSON error body under /api/,
a short page elsewhere.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _

from jineng.core.api_errors import RequestTooLarge
from jineng.core.errors import DomainError


class LimitedStream:
    """Reads at most `limit` bytes of the wrapped stream; one byte more raises."""

    def __init__(self, stream, limit: int) -> None:
        self.stream = stream
        self.limit = limit
        self.seen = 0

    def _count(self, data: bytes) -> bytes:
        self.seen += len(data)
        if self.seen > self.limit:
            raise RequestTooLarge(self.limit)
        return data

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.limit + 1 - self.seen
        return self._count(self.stream.read(min(size, self.limit + 1 - self.seen)))

    def readline(self, size: int = -1) -> bytes:
        room = self.limit + 1 - self.seen
        return self._count(self.stream.readline(room if size is None or size < 0
                                                else min(size, room)))

    def __iter__(self):
        while line := self.readline():
            yield line


def declared_length(request) -> int | None:
    """The Content-Length as a number, None when absent; a malformed one is refused."""
    raw = request.META.get("CONTENT_LENGTH") or ""
    if not raw.strip():
        return None
    try:
        length = int(raw)
    except ValueError:
        raise DomainError(_("The Content-Length header is not a number."),
                          code="invalid_length") from None
    return max(length, 0)


def too_large_response(request, limit: int) -> HttpResponse:
    error = RequestTooLarge(limit)
    if request.path_info.startswith("/api/"):
        return HttpResponse(json.dumps({"detail": [error.as_dict()]}, ensure_ascii=False),
                            status=413, content_type="application/json; charset=utf-8")
    return HttpResponse(error.message, status=413, content_type="text/plain; charset=utf-8")


class RequestSizeLimitMiddleware:
    """Refuses a body over the site-wide limit before a view or parser reads it."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.JINENG_MAX_REQUEST_BYTES
        try:
            length = declared_length(request)
        except DomainError as exc:  # a malformed Content-Length
            if request.path_info.startswith("/api/"):
                body = {"detail": [{"field": "", "code": "invalid_length",
                                    "message": str(exc)}]}
                return HttpResponse(json.dumps(body, ensure_ascii=False), status=400,
                                    content_type="application/json; charset=utf-8")
            return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
        if length is not None and length > limit:
            return too_large_response(request, limit)
        if length is None and hasattr(request, "_stream"):
            request._stream = LimitedStream(request._stream, limit)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RequestTooLarge):
            return too_large_response(request, exception.limit)
        return None
