"""Importing social-insurance records and business registrations: files (UTF-8, GBK, .xlsx),
row checks, idempotence, corrections kept as revisions, duplicates, linkage rows."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from jineng.accounts.models import Role
from jineng.core import pii
from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditEvent
from jineng.outcomes.models import (
    BusinessRegistration,
    InsuranceImport,
    InsuranceRecord,
    InsuranceRecordRevision,
    RecordLink,
)
from jineng.outcomes.services import imports as services
from tests import factories as f

HEADER = ("公民身份号码,姓名,单位统一社会信用代码,单位所在地区划代码,缴费年月,"
          "养老保险,失业保险,工伤保险,缴费工资基数")
PG = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def employer(n: int = 1) -> str:
    return f.credit_code_for(f.COUNTY, 900000 + n)


def line(id_number: str, month: str = "2025-03", wage: str = "4200", *, name: str = "张三",
         code: str | None = None, region: str = f.COUNTY, kinds: str = "1,1,0") -> str:
    return ",".join([id_number, name, code or employer(), region, month, kinds, wage])


def write(tmp_path, lines: list[str], *, encoding: str = "utf-8", name: str = "r.csv",
          header: str = HEADER):
    path = tmp_path / name
    path.write_bytes(("\n".join([header, *lines]) + "\n").encode(encoding))
    return path


def run(actor, path, **kw) -> services.ImportOutcome:
    return services.insurance_import_file(actor=actor, kind="records", path=path, **kw)


@pytest.fixture
def staff(db):
    return f.staff()


def test_import_then_same_rows_again_count_once_and_correction_is_kept(staff, tmp_path):
    a, b = f.id_number_for(n=11), f.id_number_for(n=12)
    person = f.PersonFactory(plain_id=a)
    first = run(staff, write(tmp_path, [line(a), line(b), line(a, "2025-04")])).record
    assert (first.status, first.created, first.corrected, first.unchanged) == \
        ("succeeded", 3, 0, 0)
    assert InsuranceRecord.objects.filter(person=person).count() == 2
    assert AuditEvent.objects.filter(entity_type="outcomes.insuranceimport",
                                     action="create").count() == 1
    # Another file with the same rows (plus one more): nothing counted twice.
    second = run(staff, write(tmp_path, [line(a), line(b), line(a, "2025-04"),
                                         line(b, "2025-04")], name="r2.csv")).record
    assert (second.created, second.corrected, second.unchanged) == (1, 0, 3)
    assert InsuranceRecord.objects.count() == 4
    # A correction: the wage of b in 2025-03 changes; the old value becomes a revision.
    third = run(staff, write(tmp_path, [line(b, wage="5100.50")], name="r3.csv")).record
    assert (third.created, third.corrected, third.unchanged) == (0, 1, 0)
    record = InsuranceRecord.objects.get(id_hash=pii.keyed_hash(b), month=dt.date(2025, 3, 1))
    assert str(record.wage_base) == "5100.50" and record.source_import_id == third.pk
    revision = InsuranceRecordRevision.objects.get(record=record)
    assert (str(revision.wage_base), revision.previous_import_id, revision.replaced_by_id) == \
        ("4200.00", first.pk, third.pk)


def test_same_file_twice_answers_the_first_import(staff, tmp_path):
    path = write(tmp_path, [line(f.id_number_for(n=21))])
    first = run(staff, path)
    again = run(staff, path)
    assert again.repeated and again.record.pk == first.record.pk
    assert InsuranceImport.objects.count() == 1 and InsuranceRecord.objects.count() == 1


def test_old_15_digit_number_is_converted(staff, tmp_path):
    full = f.id_number_for(birth=dt.date(1968, 2, 3), n=35)
    old = full[:6] + full[8:17]
    assert len(old) == 15
    imp = run(staff, write(tmp_path, [line(old)])).record
    assert imp.created == 1 and imp.unlinked == 0
    assert InsuranceRecord.objects.get().id_hash == pii.keyed_hash(full)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_gbk_and_bom_files(staff, tmp_path, encoding):
    imp = run(staff, write(tmp_path, [line(f.id_number_for(n=41), name="王小明")],
                           encoding=encoding)).record
    assert imp.created == 1


def test_undecodable_file_is_a_file_error(staff, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(HEADER.encode() + b"\n\xff\xfe\x80\x81garbage\n")
    with pytest.raises(DomainError) as error:
        run(staff, path)
    assert "neither UTF-8 nor GBK" in error.value.message
    assert not InsuranceImport.objects.exists()


def test_bad_rows_are_reported_and_nothing_written(staff, tmp_path):
    good = f.id_number_for(n=51)
    this_month = dt.date.today()
    future = f"{this_month.year + 1}-01"
    bad_code = employer(2)[:-1] + ("0" if employer(2)[-1] != "0" else "1")
    path = write(tmp_path, [
        line(good),                                  # row 2: fine
        line(good, "1989-12"),                       # 3: before 1990
        line(good, future),                          # 4: future month
        line(good, "2025-13"),                       # 5: not a month
        line(good, "2025-05", "-300"),               # 6: negative wage
        line(good, "2025-06", "990000"),             # 7: absurd wage
        line(good, "2025-07", code=bad_code),        # 8: check character wrong
        line(good, "2025-08", region="110101"),      # 9: outside the province
        line(good, "2025-09", kinds="0,0,0"),        # 10: no insurance kind
        line(good, "2025-10", region=f.CITY),        # 11: a city, not a county
    ])
    imp = run(staff, path).record
    assert imp.status == "rejected" and imp.error_rows == 10 - 1
    assert not InsuranceRecord.objects.exists()
    by_row = {(e["row"], e["field"]) for e in imp.errors}
    assert {(3, "month"), (4, "month"), (5, "month"), (6, "wage_base"), (7, "wage_base"),
            (8, "employer_code"), (9, "employer_region"), (10, "pension"),
            (11, "employer_region")} == by_row
    assert any("employer code" in e["message"] for e in imp.errors)
    # Skipping bad rows writes the good one and reports the rest.
    skipped = run(staff, path, skip_bad_rows=True).record
    assert skipped.status == "succeeded" and skipped.created == 1 and skipped.error_rows == 9


def test_duplicates_in_a_file(staff, tmp_path):
    a, b = f.id_number_for(n=61), f.id_number_for(n=62)
    identical = run(staff, write(tmp_path, [line(a), line(a), line(b)])).record
    assert (identical.status, identical.created, identical.duplicates) == ("succeeded", 2, 1)
    conflict = run(staff, write(tmp_path, [line(a, "2025-05"), line(a, "2025-05", "9000")],
                                name="c.csv")).record
    assert conflict.status == "rejected"
    assert {e["row"] for e in conflict.errors} == {2, 3}
    assert InsuranceRecord.objects.count() == 2


def test_missing_or_invalid_id_becomes_a_link_not_a_guess(staff, tmp_path):
    good = f.id_number_for(birth=dt.date(1991, 7, 9), n=71)
    broken = good[:17] + ("0" if good[17] != "0" else "1")
    path = write(tmp_path, [line(""), line(broken), line(good)])
    imp = run(staff, path).record
    assert (imp.created, imp.unlinked) == (1, 2)
    links = {link.reason: link for link in RecordLink.objects.all()}
    assert set(links) == {"missing", "invalid"}
    assert links["invalid"].birth_date == dt.date(1991, 7, 9)
    assert pii.decrypt(links["invalid"].id_given_encrypted) == broken
    assert links["invalid"].payload["wage_base"] == "4200.00"
    # The same rows in another file find the same links.
    run(staff, write(tmp_path, [line(""), line(broken)], name="again.csv"))
    assert RecordLink.objects.count() == 2


def test_xlsx_file(staff, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append([f.id_number_for(n=81), "李四", employer(), f.COUNTY, "202503", 1, 0, 1,
                  3800.5])
    path = tmp_path / "r.xlsx"
    book.save(path)
    imp = run(staff, path).record
    assert imp.created == 1
    assert str(InsuranceRecord.objects.get().wage_base) == "3800.50"


def test_unknown_column_and_wrong_format(staff, tmp_path):
    with pytest.raises(DomainError):
        run(staff, write(tmp_path, [line(f.id_number_for(n=82))], header=HEADER + ",备注"))
    path = tmp_path / "r.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(DomainError):
        run(staff, path)


def test_who_may_import(tmp_path, db):
    path = write(tmp_path, [line(f.id_number_for(n=91))])
    with pytest.raises(Forbidden):
        run(f.staff(Role.COUNTY_STAFF, f.COUNTY), path)
    city = run(f.staff(Role.CITY_STAFF, f.CITY), path).record
    assert city.created == 1
    outside = write(tmp_path, [line(f.id_number_for(n=92), region=f.OTHER_CITY_COUNTY)],
                    name="o.csv")
    assert run(f.staff(Role.CITY_STAFF, f.CITY), outside).record.status == "rejected"


def test_business_registrations_with_correction_history(staff, tmp_path):
    owner = f.id_number_for(n=95)
    person = f.PersonFactory(plain_id=owner)
    code = f.credit_code_for(f.COUNTY, 777)
    header = ("统一社会信用代码,市场主体类型,名称,经营者身份号码,经营者姓名,成立日期,"
              "注销日期,登记机关区划代码")
    row = f"{code},个体工商户,小明烧烤店,{owner},王小明,2025-06-01,,{f.COUNTY}"
    path = write(tmp_path, [row, row, f"{f.credit_code_for(f.COUNTY, 778)},企业,某公司,,李四,"
                                      f"2025-01-02,,{f.COUNTY}"], header=header)
    imp = services.insurance_import_file(actor=staff, kind="businesses", path=path).record
    assert (imp.created, imp.duplicates, imp.unlinked) == (2, 1, 1)
    business = BusinessRegistration.objects.get(credit_code=code)
    assert business.person == person and business.kind == "individual"
    closed = write(tmp_path, [row.replace("2025-06-01,,", "2025-06-01,2026-01-31,")],
                   header=header, name="b2.csv")
    again = services.insurance_import_file(actor=staff, kind="businesses", path=closed).record
    assert (again.created, again.corrected) == (0, 1)
    business.refresh_from_db()
    assert business.closed_on == dt.date(2026, 1, 31)
    assert business.history[0]["closed_on"] is None and business.history[0]["import"] == imp.pk
    bad = write(tmp_path, [row.replace("2025-06-01,,", "2025-06-01,2024-01-01,")],
                header=header, name="b3.csv")
    rejected = services.insurance_import_file(actor=staff, kind="businesses", path=bad).record
    assert rejected.status == "rejected" and rejected.errors[0]["field"] == "closed_on"


@PG
def test_two_concurrent_imports_of_the_same_content_count_once(tmp_path):
    from django.db import connection

    from tests.concurrency import in_threads

    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL")
    staff = f.staff()
    path = write(tmp_path, [line(f.id_number_for(n=n)) for n in range(100, 400)])
    results = in_threads(lambda: run(staff, path), lambda: run(staff, path))
    assert InsuranceImport.objects.count() == 1
    assert InsuranceRecord.objects.count() == 300
    assert sorted(r.repeated for r in results) == [False, True]


def test_api_like_rows(staff):
    rows = [{"id_number": f.id_number_for(n=120), "name": "赵六", "employer_code": employer(),
             "employer_region": f.COUNTY, "month": "2025-02", "pension": True,
             "wage_base": 3000}]
    first = services.insurance_import_rows(actor=staff, kind="records", rows=rows)
    again = services.insurance_import_rows(actor=staff, kind="records", rows=rows)
    assert first.record.created == 1 and again.repeated
    with pytest.raises(DomainError):
        services.insurance_import_rows(actor=staff, kind="records", rows=[])


def test_command_line_import(staff, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    path = write(tmp_path, [line(f.id_number_for(n=130)), line(f.id_number_for(n=131))])
    call_command("outcomes-import", str(path), kind="records", user=staff.username,
                 no_progress=True, stdout=out)
    assert "new 2" in out.getvalue()
    call_command("outcomes-import", str(path), kind="records", user=staff.username,
                 no_progress=True, stdout=out)
    assert "Already imported" in out.getvalue() and InsuranceRecord.objects.count() == 2
