"""Imports (CSV or .xlsx, with their templates) and exports (CSV or .xlsx; a large one becomes a
background job) of the registries."""


from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from ninja import Field, File, Form, Schema, Status
from ninja.files import UploadedFile

from jineng.core.api import ErrorOut, error_responses
from jineng.core.tabular import check_file_size
from jineng.registry import exports, importers
from jineng.registry.api.common import _actor, _ip, router

# --- schemas ------------------------------------------------------------------------------

class ImportErrorOut(Schema):
    row: int = Field(description="row number as seen in the file (the header is row 1)")
    field: str
    message: str


class ImportReportOut(Schema):
    total_rows: int
    created: int
    updated: int
    unchanged: int = Field(description="rows matching an existing record exactly")
    skipped: int = Field(description="bad rows left out (only with skip_bad_rows)")
    written: bool = Field(description="false: the file had errors and nothing was written")
    errors: list[ImportErrorOut]


# --- imports and exports ------------------------------------------------------------------

XLSX = exports.FORMATS["xlsx"]


def _binary(media_type: str, description: str) -> dict:
    return {"responses": {200: {"description": description, "content": {
        media_type: {"schema": {"type": "string", "format": "binary"}}}}}}


@router.post("/imports/{kind}",
             response={200: ImportReportOut, **error_responses(400, 403, 404, 413, 422)},
             operation_id="registry_import",
             summary="Import a CSV (UTF-8, UTF-8 with BOM, GBK) or .xlsx file of a registry")
def registry_import(request, kind: str, file: File[UploadedFile],
                    skip_bad_rows: Form[bool] = False, source: Form[str] = ""):
    """kind: regions, organizations, sites, persons, occupations (and any importer added
    later). A file with errors writes nothing (`written: false`, every bad row in `errors`)
    unless `skip_bad_rows` is true; re-importing the same file creates nothing new. `source`
    (where the file comes from) is required for occupations and ignored elsewhere."""
    check_file_size(file.size)  # before a byte is read (413)
    report = importers.run(actor=_actor(request), kind=kind, data=file.read(),
                           filename=file.name or "upload.csv", skip_bad_rows=skip_bad_rows,
                           source=source)
    return report.as_dict()


@router.get("/imports/{kind}/template.xlsx", response={404: ErrorOut},
            operation_id="registry_import_template",
            openapi_extra=_binary(XLSX, "xlsx template: header row, an example row, and a "
                                        "sheet 说明 describing the columns"))
def registry_import_template(request, kind: str):
    importer = importers.get_importer(kind)
    response = HttpResponse(importer.template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response


class ExportJobOut(Schema):
    """A large export became a background job: follow `status_url` until it has succeeded,
    then fetch its `download_url` (GET /api/jobs/{job_id})."""

    job_id: int
    status: str = Field(description="queued | running | succeeded | failed")
    total: int | None = Field(description="rows to export")
    status_url: str = Field(description="API address of the job")
    page_url: str = Field(description="the job's web page")


def _export(request, kind: str, fmt: str):
    export = exports.export_request(actor=_actor(request), kind=kind, fmt=fmt,
                                    ip_address=_ip(request))
    if not isinstance(export, exports.ExportFile):  # above the inline limit: a job
        return Status(202, ExportJobOut(
            job_id=export.pk, status=export.status, total=export.total,
            status_url=reverse("api:jobs_job_get", args=[export.pk]),
            page_url=reverse("jobs:job_detail", args=[export.pk])))
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


EXPORT_RESPONSES = {202: ExportJobOut, 404: ErrorOut}


@router.get("/exports/{kind}.csv", response=EXPORT_RESPONSES,
            operation_id="registry_export_csv",
            openapi_extra=_binary("text/csv", "CSV, UTF-8 with BOM, Chinese headers"))
def registry_export_csv(request, kind: str):
    return _export(request, kind, "csv")


@router.get("/exports/{kind}.xlsx", response=EXPORT_RESPONSES,
            operation_id="registry_export_xlsx",
            openapi_extra=_binary(XLSX, "Excel workbook, Chinese headers"))
def registry_export_xlsx(request, kind: str):
    return _export(request, kind, "xlsx")
