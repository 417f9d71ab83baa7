"""Reading and writing tables: UTF-8 (with or without BOM), GBK, xlsx; header matching."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from jineng.core.errors import DomainError
from jineng.core.tabular import (
    decode_text,
    iter_chunks,
    present_columns,
    read_rows,
    read_table,
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
    present, rows = read_table(data, "a.csv", HEADERS)
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
