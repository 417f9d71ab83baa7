"""One error shape for the whole API: {"detail": [{"field", "code", "message"}]}, with the
message in the request's language (pydantic's and ninja's own English messages are replaced
by ours). Forbidden-to-see and missing both answer 404 (no existence leak)."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from jineng.core.errors import DomainError, NotFound


class RequestTooLarge(DomainError):
    """A request body over the operation's limit, refused before anything parses it."""

    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(
            gettext("The request body is larger than the %(size)s this operation accepts.")
            % {"size": human_size(limit)}, code="too_large")
        self.limit = limit


def human_size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} B"


# Default messages of core.errors (plain English there), marked here for the catalog.
DEFAULT_MESSAGES = [gettext_noop("Not found."), gettext_noop("You may not do this.")]

# pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/), in our
# words; `ctx` values fill the placeholders. A type missing here falls back to "Invalid value."
PYDANTIC_MESSAGES = {
    "missing": _("This field is required."),
    "int_parsing": _("Enter a whole number."),
    "int_type": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "float_parsing": _("Enter a number."),
    "float_type": _("Enter a number."),
    "decimal_parsing": _("Enter a number."),
    "decimal_type": _("Enter a number."),
    "finite_number": _("Enter a finite number."),
    "decimal_max_digits": _("At most %(max_digits)s digits."),
    "decimal_max_places": _("At most %(decimal_places)s decimal places."),
    "decimal_whole_digits": _("At most %(whole_digits)s digits before the decimal point."),
    "bool_parsing": _("Enter true or false."),
    "bool_type": _("Enter true or false."),
    "string_type": _("Enter text."),
    "string_unicode": _("Enter text."),
    "string_too_short": _("At least %(min_length)s characters."),
    "string_too_long": _("At most %(max_length)s characters."),
    "string_pattern_mismatch": _("Not in the expected format."),
    "too_short": _("At least %(min_length)s items."),
    "too_long": _("At most %(max_length)s items."),
    "greater_than": _("Must be greater than %(gt)s."),
    "greater_than_equal": _("Must be at least %(ge)s."),
    "less_than": _("Must be less than %(lt)s."),
    "less_than_equal": _("Must be at most %(le)s."),
    "multiple_of": _("Must be a multiple of %(multiple_of)s."),
    "date_parsing": _("Enter a date as 2024-07-01."),
    "date_from_datetime_parsing": _("Enter a date as 2024-07-01."),
    "date_from_datetime_inexact": _("Enter a date as 2024-07-01."),
    "date_type": _("Enter a date as 2024-07-01."),
    "datetime_parsing": _("Enter a date and time as 2024-07-01T08:30:00+08:00."),
    "datetime_from_date_parsing": _("Enter a date and time as 2024-07-01T08:30:00+08:00."),
    "datetime_type": _("Enter a date and time as 2024-07-01T08:30:00+08:00."),
    "timezone_aware": _("Give the time zone, e.g. +08:00."),
    "time_parsing": _("Enter a time as 08:30."),
    "time_type": _("Enter a time as 08:30."),
    "uuid_parsing": _("Enter a UUID."),
    "uuid_type": _("Enter a UUID."),
    "literal_error": _("Choose one of: %(expected)s."),
    "enum": _("Choose one of: %(expected)s."),
    "list_type": _("Enter a list."),
    "dict_type": _("Enter an object."),
    "model_type": _("Enter an object."),
    "model_attributes_type": _("Enter an object."),
    "json_invalid": _("The body is not valid JSON."),
    "json_type": _("The body is not valid JSON."),
    "extra_forbidden": _("Unknown field."),
    "url_parsing": _("Enter a web address."),
    "bytes_too_long": _("At most %(max_length)s bytes."),
    "union_tag_invalid": _("Not one of the accepted kinds."),
}
WHERE = {"body", "query", "path", "payload", "form", "file", "header", "cookie"}


def pydantic_message(error: dict) -> str:
    """One pydantic error in the request's language, naming the field."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in {"value_error", "assertion_error"} and "error" in ctx:
        # Our own validators raise translated messages; pydantic only prefixes them.
        problem = str(ctx["error"])
    elif kind in PYDANTIC_MESSAGES:
        try:
            problem = str(PYDANTIC_MESSAGES[kind]) % {k: str(v) for k, v in ctx.items()}
        except (KeyError, ValueError, TypeError):
            problem = gettext("Invalid value.")
    else:
        problem = gettext("Invalid value.")
    field = error_field(error)
    if not field:
        return problem
    return gettext("%(field)s: %(problem)s") % {"field": field, "problem": problem}


def error_field(error: dict) -> str:
    return ".".join(str(p) for p in error.get("loc", []) if p not in WHERE)


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        # A default English message (NotFound's "Not found.") is translated here; messages
        # the services built are translated already and pass through unchanged.
        item = {**exc.as_dict(), "message": gettext(exc.message)}
        return api.create_response(request, {"detail": [item]}, status=exc.status)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        item = {**NotFound().as_dict(), "message": gettext(NotFound().message)}
        return api.create_response(request, {"detail": [item]}, status=404)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        from django.conf import settings

        error = RequestTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return api.create_response(request, {"detail": [error.as_dict()]}, status=413)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc: AuthenticationError):
        message = gettext("Log in, or send a valid API token (Authorization: Bearer …).")
        return api.create_response(
            request, {"detail": [{"field": "", "code": "unauthorized", "message": message}]},
            status=401)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        cause = exc.__cause__
        if isinstance(cause, RequestTooLarge):
            return api.create_response(request, {"detail": [cause.as_dict()]}, status=413)
        if isinstance(cause, RequestDataTooBig):
            return too_big(request, cause)
        if exc.status_code == 400 and cause is not None:
            # ninja could not parse the body: the input does not match the schema (422).
            from jineng.core.api import INT_MAX, NumberTooLarge

            if isinstance(cause, NumberTooLarge):
                item = {"field": "", "code": "number_too_large", "message": gettext(
                    "A number in the body is larger than %(max)s.") % {"max": INT_MAX}}
            else:
                item = {"field": "", "code": "json_invalid",
                        "message": gettext("The body is not valid JSON.")}
            return api.create_response(request, {"detail": [item]}, status=422)
        messages = {
            403: ("forbidden", _("You may not do this.")),
            405: ("method_not_allowed", _("This method is not allowed here.")),
            429: ("throttled", _("Too many requests; try again later.")),
        }
        code, message = messages.get(exc.status_code, ("invalid", _("Invalid request.")))
        if "csrf" in str(exc).lower():
            code, message = "csrf", _("The page's security token is missing or out of date; "
                                      "reload the page and try again.")
        return api.create_response(
            request, {"detail": [{"field": "", "code": code, "message": str(message)}]},
            status=exc.status_code)

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
        errors = [{"field": error_field(e), "code": e.get("type", "invalid"),
                   "message": pydantic_message(e)} for e in exc.errors]
        return api.create_response(request, {"detail": errors}, status=422)


# --- Django's error views (config/urls.py): JSON under /api/, localized pages elsewhere ------

def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _json_error(status: int, code: str, message: str):
    import json

    from django.http import HttpResponse

    body = {"detail": [{"field": "", "code": code, "message": message}]}
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status,
                        content_type="application/json; charset=utf-8")


def handler400(request, exception=None):
    from django.views import defaults

    if _is_api(request):
        return _json_error(400, "bad_request", gettext("Invalid request."))
    return defaults.bad_request(request, exception)


def handler403(request, exception=None):
    from django.views import defaults

    if _is_api(request):
        return _json_error(403, "forbidden", gettext("You may not do this."))
    return defaults.permission_denied(request, exception)


def handler404(request, exception=None):
    """An address that matches no operation (`/api/registry/persons/abc`) answers like a
    missing record."""
    from django.views import defaults

    if _is_api(request):
        return _json_error(404, "not_found", gettext(NotFound().message))
    return defaults.page_not_found(request, exception)


def handler500(request):
    """No database and no context processors: the error may be the database itself."""
    from django.views import defaults

    if _is_api(request):
        return _json_error(500, "server_error", gettext(
            "Something went wrong on our side. The error has been logged; please try again "
            "later."))
    return defaults.server_error(request)
