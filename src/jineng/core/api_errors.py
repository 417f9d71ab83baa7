"""One error shape for the whole API: {"detail": [{"field", "code", "message"}]}.
Forbidden-to-see and missing both answer 404 (no existence leak)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from jineng.core.errors import DomainError, NotFound


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, {"detail": [exc.as_dict()]}, status=exc.status)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"detail": [NotFound().as_dict()]}, status=404)

    @api.exception_handler(DjangoValidationError)
    def django_validation(request, exc: DjangoValidationError):
        errors = []
        if hasattr(exc, "message_dict"):
            for field, messages in exc.message_dict.items():
                errors += [{"field": field, "code": "invalid", "message": m} for m in messages]
        else:
            errors = [{"field": "", "code": "invalid", "message": m} for m in exc.messages]
        return api.create_response(request, {"detail": errors}, status=400)

    @api.exception_handler(NinjaValidationError)
    def request_validation(request, exc: NinjaValidationError):
        errors = []
        for e in exc.errors:
            where = ("body", "query", "path", "payload")
            loc = [str(p) for p in e.get("loc", []) if p not in where]
            errors.append({"field": ".".join(loc), "code": e.get("type", "invalid"),
                           "message": e.get("msg", "")})
        return api.create_response(request, {"detail": errors}, status=422)
