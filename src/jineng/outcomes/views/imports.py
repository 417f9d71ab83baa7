"""Outcomes pages: imports of social-insurance records and business registrations. The list
with the upload form (province and city HRSS staff; the file is imported by a background job
whose page shows progress), and one import's report (counts and every stored row error)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jineng.core.errors import DomainError
from jineng.core.http import domain_errors, message_errors
from jineng.core.tabular import check_file_size
from jineng.outcomes.choices import ImportKind
from jineng.outcomes.selectors import imports as selectors
from jineng.outcomes.services import imports as services


def _may_import(user) -> bool:
    return (getattr(user, "role", "") in services.HRSS_IMPORTERS
            or getattr(user, "is_superuser", False)) and getattr(user, "region_id", None)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def import_list(request):
    if request.method == "POST":
        upload = request.FILES.get("file")
        with message_errors(request) as outcome:
            if upload is None:
                raise DomainError(_("Choose a file."), field="file")
            check_file_size(upload.size)
            job = services.insurance_import_upload(
                actor=request.user, kind=request.POST.get("kind", ImportKind.RECORDS),
                upload=upload, filename=upload.name or "",
                skip_bad_rows=request.POST.get("skip_bad_rows") == "1",
                ip_address=request.META.get("REMOTE_ADDR") or None)
        if outcome.failed:
            return redirect("outcomes:import_list")
        messages.success(request, _("The file is being imported in the background; its report "
                                    "appears in the list below when the job ends."))
        return redirect("jobs:job_detail", job.pk)
    page = Paginator(selectors.insurance_import_list(actor=request.user), 50).get_page(
        request.GET.get("page"))
    return render(request, "outcomes/imports.html", {
        "page": page, "may_import": _may_import(request.user), "kinds": ImportKind.choices,
        "record_columns": services.RECORD_COLUMNS,
        "business_columns": services.BUSINESS_COLUMNS})


@login_required
@domain_errors
def import_detail(request, pk: int):
    imp = selectors.insurance_import_get(actor=request.user, pk=pk)
    return render(request, "outcomes/import_detail.html", {"imp": imp})


urlpatterns: list = [
    path("imports/", import_list, name="import_list"),
    path("imports/<int:pk>/", import_detail, name="import_detail"),
]
