"""History import: a previous system's claims and payments, from a file or an API batch
(idempotent by the previous claim number; row errors; nothing written from a batch with an
error unless skipping bad rows). Province and city HRSS staff."""

from django.http import HttpResponse
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from jineng.core.api import MIB, body_limit, error_responses
from jineng.subsidy.services import history

router = Router()


class HistoryRowIn(Schema):
    claim_number: str = Field(max_length=60)
    id_number: str = Field(max_length=30)
    name: str = Field(max_length=50)
    kind: str = Field(max_length=30)
    region: str = Field(max_length=12)
    claim_date: str = Field(max_length=10, description="YYYY-MM-DD")
    amount: str = Field(max_length=20)
    status: str = Field("", max_length=20)
    payee_kind: str = Field("", max_length=20)
    payee_name: str = Field("", max_length=200)
    occupation_code: str = Field("", max_length=20)
    level: str = Field("", max_length=30)
    certificate_number: str = Field("", max_length=40)
    certificate_date: str = Field("", max_length=10)
    paid_amount: str = Field("", max_length=20)
    paid_on: str = Field("", max_length=10)
    payment_reference: str = Field("", max_length=60)


class HistoryBatchIn(Schema):
    rows: list[HistoryRowIn] = Field(max_length=history.MAX_BATCH_ROWS)
    skip_bad_rows: bool = False


class HistoryErrorOut(Schema):
    row: int
    field: str
    message: str


class HistoryReportOut(Schema):
    total_rows: int
    created: int
    unchanged: int = Field(description="imported before with the same content")
    skipped: int
    written: bool = Field(description="false: errors, nothing written")
    errors: list[HistoryErrorOut]


@router.post("/history/rows", response={200: HistoryReportOut, **error_responses(400, 403)},
             operation_id="subsidy_history_import_rows")
@body_limit(4 * MIB)
def import_rows(request, payload: HistoryBatchIn):
    report = history.subsidy_history_import_rows(
        actor=request.auth, rows=[r.dict() for r in payload.rows],
        skip_bad_rows=payload.skip_bad_rows)
    return report.as_dict()


@router.post("/history/import", response={200: HistoryReportOut, **error_responses(400, 403)},
             operation_id="subsidy_history_import")
@body_limit(16 * MIB)
def import_file(request, file: File[UploadedFile], skip_bad_rows: Form[bool] = False):
    report = history.subsidy_history_import(actor=request.auth, file=file,
                                            skip_bad_rows=skip_bad_rows)
    return report.as_dict()


@router.get("/history/template", response={200: None}, operation_id="subsidy_history_template")
def template(request):
    """The CSV template (Chinese column titles, one example row)."""
    response = HttpResponse(history.history_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="subsidy-history.csv"'
    return response
