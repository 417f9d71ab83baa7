"""Outcomes API: imports of social-insurance records and business registrations.

Batches of JSON rows (at most 5,000) are imported at once and answer the per-row report; a
batch sent again answers the earlier import (its content hash), and every row is idempotent on
its own key. A file upload answers 202 with the background job that imports it. Province and
city HRSS staff import; reads are scoped (out of scope answers 404 like a missing import)."""

import datetime as dt

from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from jineng.core.api import MIB, Pagination, body_limit, error_responses
from jineng.core.tabular import check_file_size
from jineng.outcomes.selectors import imports as selectors
from jineng.outcomes.services import imports as services

router = Router()


class InsuranceImportErrorOut(Schema):
    row: int = Field(description="row number as in the file (the header is row 1); a batch's "
                                 "rows count from 1")
    field: str
    message: str


class InsuranceImportOut(Schema):
    id: int
    kind: str
    source: str
    filename: str
    status: str = Field(description="running, succeeded, rejected (errors, nothing written) "
                                    "or failed")
    region_code: str
    total_rows: int
    created: int
    corrected: int
    unchanged: int
    duplicates: int
    unlinked: int = Field(description="rows without a usable ID number, left for linkage")
    error_rows: int
    errors: list[InsuranceImportErrorOut] = Field(description="the first 1,000 row errors")
    job_id: int | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    seconds: float | None
    repeated: bool = Field(False, description="the same content was imported before: this "
                                              "is that import, nothing counted twice")

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code


class InsuranceImportListOut(Schema):
    id: int
    kind: str
    source: str
    filename: str
    status: str
    total_rows: int
    created: int
    corrected: int
    unchanged: int
    unlinked: int
    error_rows: int
    started_at: dt.datetime


class InsuranceRecordIn(Schema):
    id_number: str = Field("", max_length=30, description="18 digits (or an old 15-digit "
                           "number); empty or failing its check: kept for linkage")
    name: str = Field("", max_length=50)
    birth_date: str = Field("", max_length=10)
    employer_code: str = Field(max_length=30)
    employer_region: str = Field(max_length=12, description="a county code in your region")
    month: str = Field(max_length=10, description="YYYY-MM or YYYYMM")
    pension: bool = False
    unemployment: bool = False
    injury: bool = False
    wage_base: str = Field(max_length=20, description="yuan, 0 < base ≤ 100000")


class InsuranceRecordBatchIn(Schema):
    rows: list[InsuranceRecordIn] = Field(max_length=services.MAX_BATCH_ROWS)
    skip_bad_rows: bool = False


class BusinessRegistrationIn(Schema):
    credit_code: str = Field(max_length=30)
    kind: str = Field(max_length=20, description="individual or enterprise")
    name: str = Field(max_length=200)
    legal_person_id: str = Field("", max_length=30)
    legal_person_name: str = Field("", max_length=50)
    legal_person_birth_date: str = Field("", max_length=10)
    founded_on: str = Field(max_length=10)
    closed_on: str = Field("", max_length=10)
    region: str = Field(max_length=12)


class BusinessRegistrationBatchIn(Schema):
    rows: list[BusinessRegistrationIn] = Field(max_length=services.MAX_BATCH_ROWS)
    skip_bad_rows: bool = False


class InsuranceImportJobOut(Schema):
    job_id: int
    status: str
    status_url: str
    page_url: str


class InsuranceImportFilter(Schema):
    kind: str = Field("", description="records or businesses")
    status: str = ""


def _flags(row: dict) -> dict:
    return {**row, **{k: "1" if row.get(k) else "0"
                      for k in ("pension", "unemployment", "injury") if k in row}}


def _answer(outcome: services.ImportOutcome):
    imp = outcome.record
    imp.repeated = outcome.repeated
    return imp


@router.post("/records/batch", response={200: InsuranceImportOut,
                                         **error_responses(400, 403, 422)},
             operation_id="outcomes_records_batch")
@body_limit(4 * MIB)
def records_batch(request, payload: InsuranceRecordBatchIn):
    """Up to 5,000 contribution records. Any bad row: nothing written (status `rejected`,
    every error listed) unless `skip_bad_rows`. The same batch again answers the first import."""
    rows = [_flags(r.model_dump()) for r in payload.rows]
    return _answer(services.insurance_import_rows(actor=request.auth, kind="records",
                                                  rows=rows,
                                                  skip_bad_rows=payload.skip_bad_rows))


@router.post("/businesses/batch", response={200: InsuranceImportOut,
                                            **error_responses(400, 403, 422)},
             operation_id="outcomes_businesses_batch")
@body_limit(4 * MIB)
def businesses_batch(request, payload: BusinessRegistrationBatchIn):
    """Up to 5,000 business registrations (idempotent by credit code; a change is a
    correction kept in the registration's history)."""
    rows = [r.model_dump() for r in payload.rows]
    return _answer(services.insurance_import_rows(actor=request.auth, kind="businesses",
                                                  rows=rows,
                                                  skip_bad_rows=payload.skip_bad_rows))


@router.post("/imports/upload", response={202: InsuranceImportJobOut,
                                          **error_responses(400, 403, 413, 422)},
             operation_id="outcomes_import_upload")
def import_upload(request, file: File[UploadedFile], kind: Form[str] = "records",
                  skip_bad_rows: Form[bool] = False):
    """A CSV (UTF-8 or GBK) or .xlsx file, imported by a background job: 202 with the job
    (progress on its page); the import then appears in `GET /imports` with its report."""
    check_file_size(file.size)
    job = services.insurance_import_upload(
        actor=request.auth, kind=kind, upload=file, filename=file.name or "",
        skip_bad_rows=skip_bad_rows, ip_address=request.META.get("REMOTE_ADDR") or None)
    return Status(202, InsuranceImportJobOut(
        job_id=job.pk, status=job.status, status_url=reverse("api:jobs_job_get", args=[job.pk]),
        page_url=reverse("jobs:job_detail", args=[job.pk])))


@router.get("/imports", response={200: list[InsuranceImportListOut]},
            operation_id="outcomes_import_list")
@paginate(Pagination)
def import_list(request, filters: Query[InsuranceImportFilter]):
    """Imports of regions in your scope, newest first."""
    return selectors.insurance_import_list(actor=request.auth, kind=filters.kind,
                                           status=filters.status)


@router.get("/imports/{import_id}", response={200: InsuranceImportOut, **error_responses(404)},
            operation_id="outcomes_import_get")
def import_get(request, import_id: int):
    """One import with its report (the first 1,000 row errors)."""
    return selectors.insurance_import_get(actor=request.auth, pk=import_id)
