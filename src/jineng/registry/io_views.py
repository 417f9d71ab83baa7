"""Registry import and export pages: upload a file, see the report; download a template or an
export. Thin: the importers and exports do the work."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jineng.core.errors import DomainError
from jineng.core.http import domain_errors
from jineng.core.tabular import check_file_size
from jineng.registry import exports, importers, services
from jineng.registry.rules import permissions as may


@login_required
@domain_errors
def import_page(request, kind: str):
    """GET: the form and the columns; POST: run the import and show the report."""
    importer = importers.get_importer(kind)  # NotFound: 404
    facts = services.actor_facts(request.user)
    if not may.may_import(facts, kind):  # no form for those whose import would be refused
        raise PermissionDenied(_("You may not import this registry."))
    context = {
        "importer": importer, "kind": kind,
        "kinds": [(k, i) for k, i in importers.IMPORTERS.items() if may.may_import(facts, k)],
        "exportable": kind in exports.EXPORTERS, "report": None, "error": None,
        "skip_bad_rows": False,
    }
    option_names = tuple(getattr(importer, "options", ()))
    option_values = {name: request.POST.get(name, "").strip() for name in option_names}
    context["options"] = [(name, importers.OPTION_LABELS.get(name, name), option_values[name])
                          for name in option_names]
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        context["skip_bad_rows"] = request.POST.get("skip_bad_rows") == "on"
        try:
            if upload is None:
                raise DomainError(_("Choose a file to upload."), field="file")
            check_file_size(upload.size)  # before a byte is read
            report = importers.run(actor=request.user, kind=kind, data=upload.read(),
                                   filename=upload.name, skip_bad_rows=context["skip_bad_rows"],
                                   **option_values)
        except DomainError as bad:
            context["error"] = bad.message
            status = bad.status
        else:
            context["report"] = report
            context["errors"] = [
                {"row": e.row, "field": importer.column_label(e.field), "message": e.message}
                for e in report.errors
            ]
            status = 200 if report.written else 400
    return render(request, "registry/import_form.html", context, status=status)


@login_required
@domain_errors
def import_template(request, kind: str):
    importer = importers.get_importer(kind)
    response = HttpResponse(importer.template_xlsx(), content_type=exports.FORMATS["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response


@login_required
@domain_errors
def export_download(request, kind: str, fmt: str):
    export = exports.export_request(actor=request.user, kind=kind, fmt=fmt,
                                    ip_address=request.META.get("REMOTE_ADDR"))
    if not isinstance(export, exports.ExportFile):  # a large export: its job page
        return redirect("jobs:job_detail", pk=export.pk)
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
