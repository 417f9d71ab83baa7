"""Payment batches: the list, one batch with its transfers (accounts masked), making a batch,
the bank-transfer file (the same bytes every time), the bank's results."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from jineng.core.api import KIB, MIB, Pagination, body_limit, error_responses
from jineng.core.tabular import check_file_size
from jineng.subsidy import exports, selectors, services

router = Router()


class PaymentBatchOut(Schema):
    id: int
    reference: str
    region_code: str
    fund_source: str
    status: str
    count: int
    total: Decimal
    file_sha256: str
    created_at: dt.datetime
    exported_at: dt.datetime | None
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code


class PaymentItemOut(Schema):
    reference: str
    claim_id: int
    amount: Decimal
    payee_name: str
    account_masked: str
    bank_name: str
    result: str
    failure_reason: str


class PaymentBatchDetailOut(PaymentBatchOut):
    items: list[PaymentItemOut]

    @staticmethod
    def resolve_items(obj) -> list:
        return obj.item_rows


@router.get("/payment-batches", response={200: list[PaymentBatchOut]},
            operation_id="subsidy_payment_batch_list")
@paginate(Pagination)
def batch_list(request):
    return selectors.batch_list(actor=request.auth)


def _detail(request, batch):
    batch.item_rows = list(selectors.batch_items(actor=request.auth, batch=batch))
    return batch


@router.get("/payment-batches/{batch_id}", response={200: PaymentBatchDetailOut,
                                                    **error_responses(404)},
            operation_id="subsidy_payment_batch_get")
def batch_get(request, batch_id: int):
    return _detail(request, selectors.batch_get(actor=request.auth, pk=batch_id))


class PaymentBatchIn(Schema):
    region_code: str = Field(max_length=12)
    fund_source: str = Field(max_length=24)
    claim_ids: list[int] | None = Field(None, max_length=5000,
                                        description="only these approved claims (default: all)")


@router.post("/payment-batches",
             response={200: PaymentBatchDetailOut, **error_responses(400, 403, 404, 409)},
             operation_id="subsidy_payment_batch_create")
@body_limit(64 * KIB)
def batch_create(request, payload: PaymentBatchIn):
    batch = services.payment_batch_create(actor=request.auth, region_code=payload.region_code,
                                          fund_source=payload.fund_source,
                                          claim_ids=payload.claim_ids)
    return _detail(request, batch)


class PaymentExportQuery(Schema):
    fmt: Literal["csv", "xlsx"] = Field("csv", description="csv (the file of record) or xlsx "
                                                           "(the same rows)")


@router.post("/payment-batches/{batch_id}/export",
             response={200: None, **error_responses(403, 404)},
             operation_id="subsidy_payment_batch_export")
def batch_export(request, batch_id: int, query: Query[PaymentExportQuery]):
    """The bank-transfer file (CSV, UTF-8 with BOM): 序号, 转账参考号, 收款人名称, 收款账号,
    开户银行, 金额, 用途. The first export moves the claims to "in payment"; later ones answer
    the same bytes."""
    data = services.payment_batch_export(actor=request.auth, batch_id=batch_id)
    batch = selectors.batch_get(actor=request.auth, pk=batch_id)
    if query.fmt == "xlsx":
        response = HttpResponse(exports.transfer_xlsx(data), content_type=exports.XLSX)
    else:
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.reference}.{query.fmt}"'
    return response


class PaymentResultsOut(Schema):
    paid: int
    failed: int
    repeated: int = Field(description="results recorded before (nothing changed)")


@router.post("/payment-batches/{batch_id}/results",
             response={200: PaymentResultsOut, **error_responses(400, 403, 404, 409)},
             operation_id="subsidy_payment_results_import")
@body_limit(8 * MIB)
def results_import(request, batch_id: int, file: File[UploadedFile]):
    """The bank's results (CSV or xlsx: 转账参考号, 结果 成功/失败, 失败原因). A file with any
    row error (unknown reference, …) writes nothing."""
    check_file_size(file.size)
    return services.payment_results_import(actor=request.auth, batch_id=batch_id,
                                           data=file.read(), filename=file.name or "")
