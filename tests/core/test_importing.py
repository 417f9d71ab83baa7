"""The import pipeline: every bad row reported, nothing written from a file with errors unless
bad rows are skipped, one transaction."""

from __future__ import annotations

import pytest

from jineng.core import audit
from jineng.core.errors import DomainError
from jineng.core.importing import Column, RowInvalid, header_map, run_import
from jineng.core.models import AuditEvent

pytestmark = pytest.mark.django_db  # saving runs inside a transaction

COLUMNS = (Column("code", "代码", required=True), Column("name", "名称", required=True),
           Column("note", "备注"))


def parse(row, context):
    if not row.values["code"].isdigit():
        raise RowInvalid(("code", "not digits"), ("name", "also checked"))
    if row.values["code"] == "0":
        raise DomainError("zero", field="code")
    context.setdefault("parsed", []).append(row.number)
    return row.values["code"]


def csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


class Saver:
    def __init__(self):
        self.calls: list[list] = []

    def __call__(self, items):
        self.calls.append(list(items))
        return len(items), 0, 0


def test_header_map_accepts_labels_and_names():
    assert header_map(COLUMNS) == {"code": "code", "代码": "code", "name": "name", "名称": "name",
                                   "note": "note", "备注": "note"}


def test_good_file_is_saved_once():
    save = Saver()
    report = run_import(data=csv("代码,名称", "1,甲", "2,乙"), filename="a.csv",
                        columns=COLUMNS, parse_row=parse, save=save)
    assert report.ok and report.written and report.created == 2 and report.total_rows == 2
    assert save.calls == [["1", "2"]]


def test_every_bad_row_is_reported_and_nothing_saved():
    save = Saver()
    report = run_import(data=csv("code,name", "x,甲", "2,", "0,丙", "4,丁"), filename="a.csv",
                        columns=COLUMNS, parse_row=parse, save=save)
    assert not report.written and save.calls == []
    assert [(e.row, e.field) for e in report.errors] == [
        (2, "code"), (2, "name"), (3, "name"), (4, "code")]
    assert report.as_dict()["errors"][0] == {"row": 2, "field": "code", "message": "not digits"}


def test_every_missing_required_cell_is_named():
    report = run_import(data=csv("code,name,note", ",,x"), filename="a.csv", columns=COLUMNS,
                        parse_row=parse, save=Saver())
    assert [(e.row, e.field) for e in report.errors] == [(2, "code"), (2, "name")]


def test_skip_bad_rows_saves_the_good_ones():
    save = Saver()
    report = run_import(data=csv("code,name", "x,甲", "2,乙"), filename="a.csv",
                        columns=COLUMNS, parse_row=parse, save=save, skip_bad_rows=True)
    assert report.written and report.skipped == 1 and save.calls == [["2"]]


def test_missing_columns_are_a_file_error():
    with pytest.raises(DomainError) as err:
        run_import(data=csv("code,备注", "1,x"), filename="a.csv", columns=COLUMNS,
                   parse_row=parse, save=Saver())
    assert err.value.field == "file" and "名称 (name)" in err.value.message


def test_prepare_runs_once_before_parsing_with_the_seeded_context():
    seen = []

    def prepare(rows, context):
        seen.append(([r.number for r in rows], dict(context)))
        context["ready"] = True

    def parse_ready(row, context):
        assert context["ready"] and context["actor"] == "someone"
        return row.values["code"]

    run_import(data=csv("code,name", "1,a", "2,b"), filename="a.csv", columns=COLUMNS,
               parse_row=parse_ready, save=Saver(), prepare=prepare,
               context={"actor": "someone"})
    assert seen == [([2, 3], {"actor": "someone"})]


def test_save_runs_in_one_transaction():
    def failing_save(items):
        audit.record(actor=None, action="import", entity_type="x.y", label="half")
        raise DomainError("boom")

    with pytest.raises(DomainError):
        run_import(data=csv("code,name", "1,a"), filename="a.csv", columns=COLUMNS,
                   parse_row=parse, save=failing_save)
    assert not AuditEvent.objects.filter(entity_type="x.y").exists()


def test_unknown_columns_are_a_file_error_naming_them_and_nothing_is_saved():
    saver = Saver()
    with pytest.raises(DomainError) as err:
        run_import(data=csv("代码,名称,民族,Extra", "1,a,汉,x"), filename="a.csv",
                   columns=COLUMNS, parse_row=parse, save=saver)
    assert err.value.field == "file" and err.value.code == "unknown_columns"
    assert "“民族”" in err.value.message and "“Extra”" in err.value.message
    assert "代码 (code)" in err.value.message  # and it says what is accepted
    assert saver.calls == []


def test_titles_declared_as_ignored_are_accepted():
    saver = Saver()
    report = run_import(data=csv("代码,名称,地区", "1,a,南明区"), filename="a.csv",
                        columns=COLUMNS, parse_row=parse, save=saver, ignored_titles={"地区"})
    assert report.written and saver.calls == [["1"]]


def test_cells_longer_than_the_column_are_row_errors():
    columns = (Column("code", "代码", required=True),
               Column("name", "名称", required=True, max_length=5))
    saver = Saver()
    report = run_import(data=csv("代码,名称", "1,abcde", "2,abcdef"), filename="a.csv",
                        columns=columns, parse_row=parse, save=saver)
    assert [(e.row, e.field) for e in report.errors] == [(3, "name")]
    assert "At most 5 characters (this cell has 6)" in report.errors[0].message
    assert not report.written and saver.calls == []
