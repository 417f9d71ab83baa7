"""Reading and writing tables: UTF-8 (with or without BOM), GBK, xlsx; header matching."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from jineng.core.errors import DomainError
from jineng.core.tabular import (
    MAX_CELL_CHARS,
    FileTooLarge,
    check_file_size,
    csv_cell,
    decode_text,
    iter_chunks,
    present_columns,
    read_rows,
    read_table,
    unknown_columns,
    write_csv,
    write_xlsx,
)

HEADERS = {"id_number": "id_number", "身份证号码": "id_number", "name": "name", "姓名": "name",
           "region_code": "region_code", "地区代码": "region_code"}
ROWS = [["身份证号码", "姓名", "地区代码", "备注"],
        ["52010219900101001X", "张三", "520102", "忽略"],
        ["", "", "", ""],
        ["520102199001010021", "李四", "520103", ""]]
EXPECTED = [
    (2, {"id_number": "52010219900101001X", "name": "张三", "region_code": "520102"}),
    (4, {"id_number": "520102199001010021", "name": "李四", "region_code": "520103"}),
]


def as_csv(rows, encoding="utf-8", bom=False) -> bytes:
    data = "\n".join(",".join(r) for r in rows).encode(encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + data


def as_xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for r in rows:
        book.active.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("filename", "data"), [
    ("a.csv", as_csv(ROWS)),
    ("a.csv", as_csv(ROWS, bom=True)),
    ("a.CSV", as_csv(ROWS, "gbk")),
    ("a.txt", as_csv(ROWS, "gb18030")),
    ("a.xlsx", as_xlsx(ROWS)),
])
def test_every_format_reads_the_same(filename, data):
    rows = read_rows(data, filename, HEADERS)
    assert [(r.number, r.values) for r in rows] == EXPECTED
    assert present_columns(data, filename, HEADERS) == {"id_number", "name", "region_code"}


def test_gbk_is_not_mistaken_for_utf8():
    text = "姓名,地区\n张三,南明区\n"
    assert decode_text(text.encode("gbk")) == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode()) == text


def test_field_names_and_starred_titles_match():
    data = as_csv([["ID_NUMBER", "姓名*", " region_code "], ["x", "y", "z"]])
    present, rows, unknown = read_table(data, "a.csv", HEADERS)
    assert unknown == []
    assert present == {"id_number", "name", "region_code"}
    assert rows[0].values == {"id_number": "x", "name": "y", "region_code": "z"}


def test_xlsx_cells_are_cleaned():
    data = as_xlsx([["姓名", "地区代码", "id_number"],
                    [" 王五 ", 520102.0, dt.datetime(2024, 7, 1)],
                    [None, 520103, dt.date(2024, 7, 2)]])
    rows = read_rows(data, "a.xlsx", HEADERS)
    assert rows[0].values == {"name": "王五", "region_code": "520102", "id_number": "2024-07-01"}
    assert rows[1].values == {"name": "", "region_code": "520103", "id_number": "2024-07-02"}


@pytest.mark.parametrize(("filename", "data"), [
    ("a.pdf", b"%PDF-1.4"),
    ("a.csv", b""),
    ("a.xlsx", b"not a zip"),
])
def test_bad_files_are_file_errors(filename, data):
    with pytest.raises(DomainError) as err:
        read_rows(data, filename, HEADERS)
    assert err.value.field == "file"


def test_written_files_read_back():
    headers = ["身份证号码", "姓名"]
    rows = [["520102********001X", "张三"], ["520102********0021", "李四"]]
    csv_data = write_csv(headers, rows)
    assert csv_data.startswith(b"\xef\xbb\xbf")
    xlsx_data = write_xlsx("人员", headers, iter(rows))
    for filename, data in (("a.csv", csv_data), ("a.xlsx", xlsx_data)):
        back = read_rows(data, filename, HEADERS)
        assert [r.values["name"] for r in back] == ["张三", "李四"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_data)).worksheets[0]
    assert sheet.title == "人员" and sheet["A1"].font.bold


def test_iter_chunks():
    assert list(iter_chunks(range(5), 2)) == [[0, 1], [2, 3], [4]]
    assert list(iter_chunks([], 3)) == []


# --- unknown columns, sizes -----------------------------------------------------------------

@pytest.mark.parametrize("filename", ["a.csv", "a.xlsx"])
def test_unknown_columns_are_named(filename):
    rows = [["身份证号码", "姓名", "备注", "民族*"], ["x", "y", "z", "汉"]]
    data = as_csv(rows) if filename == "a.csv" else as_xlsx(rows)
    assert unknown_columns(data, filename, HEADERS) == ["备注", "民族"]


def test_a_csv_cell_over_the_limit_is_a_file_error_naming_the_line():
    data = as_csv([["姓名", "地区代码"], ["张三", "520102"], ["李四", "x" * (MAX_CELL_CHARS + 1)]])
    with pytest.raises(DomainError) as err:
        read_rows(data, "a.csv", HEADERS)
    assert err.value.field == "file" and err.value.code == "cell_too_large"
    assert "Line 3" in err.value.message


def test_a_cell_just_under_the_limit_is_read():
    data = as_csv([["姓名"], ["x" * (MAX_CELL_CHARS - 1)]])
    assert len(read_rows(data, "a.csv", HEADERS)[0].values["name"]) == MAX_CELL_CHARS - 1


def test_file_size_is_checked_before_reading(settings):
    from jineng.core.tabular import MAX_FILE_BYTES

    assert MAX_FILE_BYTES == settings.JINENG_MAX_UPLOAD_BYTES
    check_file_size(MAX_FILE_BYTES)
    with pytest.raises(FileTooLarge) as err:
        check_file_size(MAX_FILE_BYTES + 1)
    assert err.value.status == 413 and err.value.field == "file"


# --- text is written as text (formula injection) --------------------------------------------

DANGEROUS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_xlsx_writes_formula_like_text_as_text(text):
    data = write_xlsx("人员", ["姓名", "数"], [[text, 5]])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value == text.replace("\r", "\n")  # XML stores CR as LF
    assert sheet["B2"].value == 5 and sheet["B2"].data_type == "n"  # numbers stay numbers


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_prefixes_formula_like_text_with_an_apostrophe(text):
    data = write_csv(["姓名", "数"], [[text, -5]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[1] == ["'" + text, "-5"]  # a negative number is a number, not text


def test_harmless_text_is_written_unchanged():
    assert csv_cell("张三") == "张三" and csv_cell("a=b") == "a=b" and csv_cell(3) == 3
