"""Bad input to the exclusion-list import: a file over the size limit is refused before it is
read, an .xlsx file imports like a CSV, a person twice in one file with two contents is a row
error naming both rows, a batch with a bad row writes nothing unless skipping bad rows."""

from __future__ import annotations

import io

import openpyxl
import pytest

from jineng.accounts.models import Role
from jineng.core.errors import DomainError
from jineng.core.tabular import MAX_FILE_BYTES
from jineng.supervision.models import ExclusionListEntry
from jineng.supervision.services import exclusions
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    f.region(f.CITY)
    return f.staff(Role.CITY_STAFF, f.CITY)


class _Huge:
    name = "huge.csv"
    size = MAX_FILE_BYTES + 1

    def read(self):  # pragma: no cover - must not be reached
        raise AssertionError("a file over the limit was read")


def test_too_large_file_refused_before_reading(city) -> None:
    with pytest.raises(DomainError) as bad:
        exclusions.exclusion_list_import(actor=city, list_kind="student", region_code=f.CITY,
                                         file=_Huge())
    assert bad.value.field == "file"
    assert ExclusionListEntry.objects.count() == 0


def test_xlsx_file_and_repeats(city) -> None:
    one, two = f.id_number_for(n=11), f.id_number_for(n=12)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["身份证号", "姓名", "起始日期", "截止日期"])
    sheet.append([one, "王五", "2024-03-01", "2024-12-31"])
    sheet.append([two, "赵六", "2024-03-01", None])
    sheet.append([one, "王五", "2024-03-01", "2024-12-31"])  # the same again: counted once
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "payroll.xlsx"
    report = exclusions.exclusion_list_import(actor=city, list_kind="public_payroll",
                                              region_code=f.CITY, file=data)
    assert report.written and report.created == 2 and report.unchanged == 1
    assert set(ExclusionListEntry.objects.values_list("list_kind", flat=True)) == {
        "public_payroll"}


def test_same_person_twice_with_two_contents_and_skipping(city) -> None:
    one, two = f.id_number_for(n=21), f.id_number_for(n=22)
    rows = [{"id_number": one, "valid_from": "2024-01-01"},
            {"id_number": two, "valid_from": "2024-01-01"},
            {"id_number": one, "valid_from": "2024-02-01"}]
    report = exclusions.exclusion_list_import_rows(actor=city, list_kind="student",
                                                   region_code=f.CITY, rows=rows)
    assert not report.written and ExclusionListEntry.objects.count() == 0
    (error,) = report.errors
    assert (error.row, error.field) == (3, "valid_from") and "row 1 " in error.message
    skipped = exclusions.exclusion_list_import_rows(actor=city, list_kind="student",
                                                    region_code=f.CITY, rows=rows,
                                                    skip_bad_rows=True)
    assert skipped.written and skipped.created == 2 and skipped.skipped == 1
    # The same person on another list kind or region is another entry.
    other = exclusions.exclusion_list_import_rows(actor=city, list_kind="pension",
                                                  region_code=f.CITY, rows=rows[:1])
    assert other.created == 1 and ExclusionListEntry.objects.count() == 3


def test_dates_checked(city) -> None:
    one = f.id_number_for(n=31)
    report = exclusions.exclusion_list_import_rows(
        actor=city, list_kind="student", region_code=f.CITY,
        rows=[{"id_number": one, "valid_from": "2024-05-01", "valid_to": "2024-04-30"},
              {"id_number": one[:-1] + "X", "valid_from": "someday"}])
    assert {(e.row, e.field) for e in report.errors} >= {(1, "valid_to"), (2, "valid_from")}
    assert ExclusionListEntry.objects.count() == 0
