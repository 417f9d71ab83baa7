"""The worker's own subsidy year on the public site (issue 12): "what can I still get this
year, and why not the others", after the identity check of the own-record pages (the
assessment app's; the session holds only the verified person's id with a deadline)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache

from jineng.assessment.selectors import records as assessment_records
from jineng.core.errors import NotFound
from jineng.subsidy import dry_run


def verified_person_id(request: HttpRequest) -> int | None:
    """The person the identity check verified in this session, while it lasts; else None."""
    return assessment_records.verified_person_id(getattr(request, "session", None))


@never_cache
def own_year(request: HttpRequest) -> HttpResponse:
    person_id = verified_person_id(request)
    if person_id is None:
        return redirect("assessment:records_own")
    try:
        overview = dry_run.year_overview(verified_person_id=person_id,
                                         day=timezone.localdate())
    except NotFound:
        return redirect("assessment:records_own")
    return render(request, "subsidy/own_year.html", {"overview": overview})


urlpatterns = [path("my/", own_year, name="own_year")]
