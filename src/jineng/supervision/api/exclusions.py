"""Exclusion lists (pension drawers, full-time students, public-payroll staff), mounted at
/api/v1/supervision/: import from a file or an API batch (one list kind and region per
import; idempotent by list kind, region and ID hash; conflicts and bad rows reported with row
and field, nothing written unless skipping bad rows), the CSV template, the entries (masked).
HRSS staff of the region."""

import datetime as dt

from django.http import HttpResponse
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from jineng.core.api import MIB, body_limit, error_responses
from jineng.supervision.selectors.exclusions import exclusion_entry_list
from jineng.supervision.services import exclusions

router = Router(tags=["supervision"])
PAGE = 200


class ExclusionRowIn(Schema):
    id_number: str = Field(max_length=30)
    name: str = Field("", max_length=50)
    valid_from: str = Field(max_length=10, description="YYYY-MM-DD")
    valid_to: str = Field("", max_length=10, description="YYYY-MM-DD, empty when open")


class ExclusionBatchIn(Schema):
    list_kind: str = Field(max_length=16, description="pension, student or public_payroll")
    region: str = Field(max_length=12, description="the importing region's code")
    rows: list[ExclusionRowIn] = Field(max_length=exclusions.MAX_BATCH_ROWS)
    skip_bad_rows: bool = False


class ExclusionErrorOut(Schema):
    row: int
    field: str
    message: str


class ExclusionReportOut(Schema):
    total_rows: int
    created: int
    unchanged: int = Field(description="imported before with the same content")
    skipped: int
    written: bool = Field(description="false: errors, nothing written")
    errors: list[ExclusionErrorOut]


class ExclusionEntryOut(Schema):
    id: int
    list_kind: str
    region_code: str
    id_masked: str
    name: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str
    imported_at: dt.datetime

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code


@router.post("/exclusions/rows", response={200: ExclusionReportOut, **error_responses(400, 403)},
             operation_id="supervision_exclusion_import_rows")
@body_limit(4 * MIB)
def import_rows(request, payload: ExclusionBatchIn):
    report = exclusions.exclusion_list_import_rows(
        actor=request.auth, list_kind=payload.list_kind, region_code=payload.region,
        rows=[r.dict() for r in payload.rows], skip_bad_rows=payload.skip_bad_rows)
    return report.as_dict()


@router.post("/exclusions/import", response={200: ExclusionReportOut, **error_responses(400, 403)},
             operation_id="supervision_exclusion_import")
@body_limit(16 * MIB)
def import_file(request, file: File[UploadedFile], list_kind: Form[str],
                region: Form[str], skip_bad_rows: Form[bool] = False):
    report = exclusions.exclusion_list_import(actor=request.auth, list_kind=list_kind,
                                              region_code=region, file=file,
                                              skip_bad_rows=skip_bad_rows)
    return report.as_dict()


@router.get("/exclusions/template", response={200: None},
            operation_id="supervision_exclusion_template")
def template(request):
    """The CSV template (Chinese column titles, one example row)."""
    response = HttpResponse(exclusions.exclusion_template(),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="exclusion-list.csv"'
    return response


@router.get("/exclusions", response={200: list[ExclusionEntryOut], **error_responses(400)},
            operation_id="supervision_exclusion_list")
def entry_list(request, list_kind: str = "", region: str = "", offset: int = 0):
    qs = exclusion_entry_list(actor=request.auth, list_kind=list_kind or None,
                              region_code=region or None)
    return list(qs[max(offset, 0):max(offset, 0) + PAGE])
