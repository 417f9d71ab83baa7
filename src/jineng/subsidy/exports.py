"""The bank-transfer file as an Excel workbook: the same rows as the batch's stored CSV (the
CSV is the file of record, its SHA-256 the batch's fingerprint; the workbook is rendered from
it on request, so both always agree)."""

from __future__ import annotations

import csv
import io

from jineng.core import tabular

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def transfer_xlsx(csv_bytes: bytes) -> bytes:
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    if not rows:
        return tabular.write_xlsx("转账", [], [])
    return tabular.write_xlsx("转账", rows[0], rows[1:])
