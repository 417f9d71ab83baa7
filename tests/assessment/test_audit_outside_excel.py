"""Audit (issue 10): certificates from outside by Excel — the filled-in .xlsx template (the
outside tests import CSV files; only the template itself is checked as a workbook)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jineng.assessment import services
from jineng.assessment.models import Certificate
from tests import factories as f
from tests.assessment import outside_helpers as h

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filled_template(rows: list[dict]) -> SimpleUploadedFile:
    book = openpyxl.load_workbook(io.BytesIO(services.certificates_template()))
    sheet = book.active
    sheet.delete_rows(2, sheet.max_row)  # the template's example row
    for row in rows:
        sheet.append([row.get(c.name, "") for c in services.CERTIFICATE_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("外省证书.xlsx", out.getvalue(), content_type=XLSX)


def test_the_filled_template_imports_and_reports_its_bad_rows():
    clerk = f.staff("city_staff", f.CITY)
    a, b = h.person(), h.person()
    rows = [h.cert_row(a, number=h.number(1)),
            h.cert_row(b, number="S00005200000125X000002")]  # a letter where a digit goes
    report = services.certificates_import(actor=clerk, file=_filled_template(rows))
    assert [(e.row, e.field) for e in report.errors] == [(3, "number")]
    assert not Certificate.objects.exists()  # a file with errors writes nothing
    report = services.certificates_import(actor=clerk, file=_filled_template(rows[:1]))
    assert report.ok and report.created == 1
    again = services.certificates_import(actor=clerk, file=_filled_template(rows[:1]))
    assert (again.created, again.unchanged) == (0, 1)
    assert Certificate.objects.get().number == h.number(1)
