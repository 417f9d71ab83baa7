"""The exclusion-list page (/supervision/exclusions/): the entries the actor may read (masked
ID numbers), and for a region's HRSS staff the import of a list from a CSV or .xlsx file with
its per-row report; the CSV template."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.core.http import domain_errors, form_errors
from jineng.supervision.models import ExclusionListKind
from jineng.supervision.selectors.exclusions import exclusion_entry_list
from jineng.supervision.services import exclusions


class ExclusionImportForm(forms.Form):
    list_kind = forms.ChoiceField(label=gettext_lazy("List"), choices=ExclusionListKind.choices)
    region = forms.CharField(label=gettext_lazy("Region code"), max_length=12,
                             help_text=gettext_lazy("The region whose list this is."))
    file = forms.FileField(label=gettext_lazy("File (.xlsx or .csv)"))
    skip_bad_rows = forms.BooleanField(
        label=gettext_lazy("Skip bad rows (import the good rows, report the bad ones)"),
        required=False)


@login_required
@domain_errors
def exclusion_page(request):
    may_import = exclusions.may_import_exclusions(request.user)
    form = ExclusionImportForm(request.POST or None, request.FILES or None) if may_import \
        else None
    report = None
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        with form_errors(form):
            report = exclusions.exclusion_list_import(
                actor=request.user, list_kind=d["list_kind"], region_code=d["region"],
                file=d["file"], skip_bad_rows=d.get("skip_bad_rows") or False)
            if report.written:
                messages.success(request, _("%(n)s entries added; %(m)s on the list before.")
                                 % {"n": report.created, "m": report.unchanged})
    kind = request.GET.get("list_kind", "")
    qs = exclusion_entry_list(actor=request.user, list_kind=kind or None)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    status = 400 if (form is not None and form.errors) or (
        report is not None and not report.written) else 200
    return render(request, "supervision/exclusions.html", {
        "form": form, "report": report, "errors": report.errors if report else [],
        "page": page, "kinds": ExclusionListKind.choices, "kind": kind,
        "columns": exclusions.EXCLUSION_COLUMNS}, status=status)


@login_required
def exclusion_template(request):
    response = HttpResponse(exclusions.exclusion_template(),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="exclusion-list.csv"'
    return response


urlpatterns = [
    path("exclusions/", exclusion_page, name="exclusions"),
    path("exclusions/template.csv", exclusion_template, name="exclusion_template"),
]
