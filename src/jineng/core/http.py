"""Domain errors in views, one way for every app (the API's side is core.api_errors).

- `domain_errors` (view decorator): NotFound → the 404 page, Forbidden → the 403 page (Django's
  handler404/handler403 in config/urls.py render them, localized; under /api/ they answer JSON).
- `form_errors(form)` (context manager): any other DomainError is put on the form field it
  names (or on the whole form) so the view re-renders the form with the message beside it.
- `message_errors(request)` (context manager): any other DomainError becomes a message, for
  buttons that post and redirect back.

    @login_required
    @domain_errors
    def draft_create(request, pk):
        catalog = selectors.catalog_get(actor=request.user, pk=pk)   # NotFound → 404
        form = DraftForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with form_errors(form):
                version = services.version_create_draft(actor=request.user, ...)
                return redirect(...)
        return render(request, "...", {"form": form}, status=400 if form.errors else 200)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404

from jineng.core.errors import DomainError, Forbidden, NotFound


def as_http_exception(error: DomainError) -> Exception | None:
    """The Django exception that renders the page for a NotFound or Forbidden, else None."""
    if isinstance(error, NotFound):
        return Http404(error.message)
    if isinstance(error, Forbidden):
        return PermissionDenied(error.message)
    return None


def domain_errors(view: Callable) -> Callable:
    """NotFound → 404 page, Forbidden → 403 page; other errors pass through."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (NotFound, Forbidden) as error:
            raise as_http_exception(error) from error

    return wrapper


@dataclass
class Outcome:
    """What a guarded block ended with: `error` is the DomainError it was refused with."""

    error: DomainError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def attach(form, error: DomainError) -> None:
    """Put the message on the form field the error names, or on the whole form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


@contextmanager
def form_errors(form) -> Iterator[Outcome]:
    outcome = Outcome()
    try:
        yield outcome
    except (NotFound, Forbidden) as error:
        raise as_http_exception(error) from error
    except DomainError as error:
        attach(form, error)
        outcome.error = error


@contextmanager
def message_errors(request) -> Iterator[Outcome]:
    outcome = Outcome()
    try:
        yield outcome
    except (NotFound, Forbidden) as error:
        raise as_http_exception(error) from error
    except DomainError as error:
        messages.error(request, error.message)
        outcome.error = error
