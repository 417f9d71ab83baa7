"""The set-based records pass (DuckDB): the SQL ID-number check states the same rule as the
Python one, and the file's row numbers survive blank and malformed rows."""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pytest
from django.utils import timezone

from jineng.core import pii
from jineng.core.validators import make_resident_id
from jineng.outcomes.models import InsuranceRecord, RecordLink
from jineng.outcomes.services.imports import records as columnar
from jineng.outcomes.services.imports.common import _Checks
from jineng.registry.models import Region
from tests import factories as f
from tests.outcomes.test_import_records import HEADER, line, run, write


@pytest.fixture
def staff(db):
    return f.staff()


def garbled_ids(n: int, seed: int = 7) -> list[str]:
    """Valid, converted and broken numbers, the shapes an export really holds."""
    rng = random.Random(seed)
    out = ["", "   ", "\t", "0", "X" * 18, "11010519491231002x", " 11010519491231002X ",
           "110105194912310", "110105491231002", "52010219900230123X", "520102303001011234",
           "520102189912311234", "５２０１０２１９９００１０１１２３Ｘ",
           "１１０１０５４９１２３１００２",
           "52010219900101123", "5201021990010112345", "52010219900101123Y", "5201021990a101123X",
           "520102199001011234\x00", "٥٢٠١٠٢١٩٩٠٠١٠١١٢٣٤"]
    for _ in range(n):
        born = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(30_000))
        number = make_resident_id(rng.choice(["520102", "110105", "440301"]), born,
                                  rng.randrange(1000))
        kind = rng.randrange(6)
        if kind == 1:  # the check character wrong
            number = number[:17] + rng.choice([c for c in "0123456789X" if c != number[17]])
        elif kind == 2 and born.year >= 1900 and born.year < 2000:  # the old 15-digit form
            number = number[:6] + number[8:17]
        elif kind == 3:  # a digit typed wrong
            i = rng.randrange(17)
            number = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1:]
        elif kind == 4:  # lower-case x, spaces around
            number = f" {number.lower()} "
        out.append(number)
    return out


def test_sql_id_check_equals_the_python_rule(db):
    region = Region.objects.get(code=f.PROVINCE) if Region.objects.filter(
        code=f.PROVINCE).exists() else f.staff().region
    today = timezone.localdate()
    checks = _Checks(region, today)
    values = garbled_ids(3000)
    con = duckdb.connect()
    con.execute("CREATE TABLE raw (id_raw VARCHAR)")
    con.executemany("INSERT INTO raw VALUES (?)", [[v] for v in values])
    columnar._identities(con, checks)
    got = {r[0]: r[1:] for r in con.execute(
        "SELECT id_raw, ok, id_hash, reason, id_value, id_birth FROM identities").fetchall()}
    assert set(got) == set(values)
    expected = {}
    for value in values:
        who = _Checks(region, today).identity(value)
        expected[value] = ((True, who[1], None, None, None) if who[0] == "ok"
                           else (False, None, str(who[1]), who[2], who[3]))
    assert got == expected
    # Both outcomes happen, the converted 15-digit numbers hash as their 18-digit form.
    assert sum(1 for v in got.values() if v[0]) > 1000
    assert sum(1 for v in got.values() if not v[0]) > 500
    assert got["110105491231002"][1] == pii.keyed_hash("11010519491231002X")


def test_blank_and_malformed_rows_keep_the_file_row_numbers(staff, tmp_path):
    good = f.id_number_for(n=81)
    other = f.id_number_for(n=82)
    path = write(tmp_path, [
        line(good),                              # row 2
        "",                                      # 3: blank, skipped
        "1,2,3",                                 # 4: too few cells
        line(other, "2025-13"),                  # 5: a bad month
        line(other) + ",extra",                  # 6: too many cells
        line(other, "2025-04"),                  # 7: fine
    ])
    imp = run(staff, path).record
    assert imp.status == "rejected"
    rows = {(e["row"], e["field"]) for e in imp.errors}
    assert rows == {(4, "row"), (5, "month"), (6, "row")}
    assert "header has 9" in next(e["message"] for e in imp.errors if e["row"] == 4)
    skipped = run(staff, path, skip_bad_rows=True).record
    assert (skipped.status, skipped.created, skipped.error_rows, skipped.total_rows) == \
        ("succeeded", 2, 3, 5)
    assert InsuranceRecord.objects.count() == 2


def test_quoted_cells_with_commas_and_newlines(staff, tmp_path):
    a = f.id_number_for(n=83)
    path = write(tmp_path, [f'{a},"张,三",{f.credit_code_for(f.COUNTY, 900001)},{f.COUNTY},'
                            f'2025-03,1,1,0,"4,200"',
                            f'"",\"李\n四\",{f.credit_code_for(f.COUNTY, 900001)},{f.COUNTY},'
                            f'2025-03,1,1,0,3000'])
    imp = run(staff, path).record
    assert (imp.status, imp.created, imp.unlinked) == ("succeeded", 1, 1), imp.errors
    assert str(InsuranceRecord.objects.get().wage_base) == "4200.00"
    assert RecordLink.objects.get().row_number == 3


def test_a_small_duckdb_memory_limit_gives_the_same_answer(staff, tmp_path, monkeypatch):
    """DuckDB runs in memory up to DUCKDB_MEMORY and spills to the import's temporary
    directory beyond it; the answers do not depend on the limit."""
    monkeypatch.setattr(columnar, "DUCKDB_MEMORY", "32MB")
    ids = [f.id_number_for(n=90 + i) for i in range(6)]
    path = write(tmp_path, [line(i, f"2025-0{m}") for i in ids for m in (1, 2)]
                 + [line(ids[0], "2025-01")])
    imp = run(staff, path).record
    assert (imp.status, imp.created, imp.duplicates) == ("succeeded", 12, 1)


def test_header_only_file_imports_nothing(staff, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(HEADER + "\n", encoding="utf-8")
    imp = run(staff, path).record
    assert (imp.status, imp.total_rows, imp.created) == ("succeeded", 0, 0)


def test_an_unclosed_quotation_mark_is_reported_not_guessed(staff, tmp_path):
    """The quote swallows the rest of the file: that row is malformed (named), and nothing
    is written."""
    path = write(tmp_path, [line(f.id_number_for(n=84)),
                            line(f.id_number_for(n=85)).replace("张三", '"张三'),
                            line(f.id_number_for(n=86))])
    imp = run(staff, path).record
    assert imp.status == "rejected"
    assert [(e["row"], e["field"]) for e in imp.errors] == [(3, "row")]
    assert not InsuranceRecord.objects.exists()


def test_any_change_of_a_record_leaves_a_revision(staff, tmp_path):
    """The database keeps the history (migration 0003), whoever changes the values; linking
    a person changes no value and leaves none."""
    from jineng.outcomes.models import InsuranceRecordRevision

    a = f.id_number_for(n=87)
    first = run(staff, write(tmp_path, [line(a)])).record
    record = InsuranceRecord.objects.get()
    InsuranceRecord.objects.filter(pk=record.pk).update(person=f.PersonFactory())
    assert not InsuranceRecordRevision.objects.exists()
    InsuranceRecord.objects.filter(pk=record.pk).update(wage_base="4300.00")
    revision = InsuranceRecordRevision.objects.get()
    assert (str(revision.wage_base), revision.previous_import_id, revision.record_id) == \
        ("4200.00", first.pk, record.pk)
    assert revision.replaced_at is not None
