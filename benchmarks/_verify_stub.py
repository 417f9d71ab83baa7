"""A floor for benchmarks/assessment_verify_load.py: the same gunicorn and database, but one
bare view that reads a certificate's status by number (`--stub`). Not part of the product:
it shows how much of a public verification's time is the application's own work (middleware,
templates, the selector) rather than the server, the connection and the index look-up."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jineng.config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import Http404, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402


def status(request, number: str) -> JsonResponse:
    from jineng.assessment.models import Certificate

    row = (Certificate.objects.filter(number=number)
           .values("number", "status", "kind", "holder_name", "issuer_name", "issued_on")
           .first())
    if row is None:
        raise Http404
    row["holder_name"] = row["holder_name"][:1] + "*" * (len(row["holder_name"]) - 1)
    return JsonResponse(row)


urlpatterns = [path("stub/certificates/<str:number>", status)]
settings.ROOT_URLCONF = __name__
application = get_wsgi_application()
