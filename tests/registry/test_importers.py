"""Registry importers: every encoding and format, all-or-nothing, skip bad rows, idempotence,
scope, and the templates. Real database, real files."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from jineng.accounts.models import Role, User
from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditAction, AuditEvent
from jineng.core.validators import id_check_character, make_resident_id
from jineng.registry.importers import IMPORTERS, run
from jineng.registry.models import (
    KeyGroupMembership,
    Organization,
    OrganizationStatusChange,
    Person,
    Region,
    TrainingSite,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def ids(n: int, region: str = f.COUNTY) -> list[str]:
    return [make_resident_id(region, dt.date(1990, 1, 1) + dt.timedelta(days=i), 100 + i)
            for i in range(n)]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    text = "\r\n".join(",".join(r) for r in rows) + "\r\n"
    return text.encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for r in rows:
        book.active.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def person_rows(numbers: list[str]) -> list[list[str]]:
    rows = [["身份证号码", "姓名", "所在地区代码", "联系电话", "重点群体", "重点群体认定日期"]]
    names = ["张三", "李四", "王五", "赵六", "钱七"]
    for i, number in enumerate(numbers):
        rows.append([number, names[i % len(names)], f.COUNTY, f"1380000000{i}",
                     "高校毕业生;农民工" if i % 2 == 0 else "unemployed", "2024-07-01"])
    return rows


# --- formats and encodings ------------------------------------------------------------------

@pytest.mark.parametrize(("filename", "encode"), [
    ("persons.csv", lambda rows: csv_bytes(rows, "utf-8")),
    ("persons.csv", lambda rows: b"\xef\xbb\xbf" + csv_bytes(rows, "utf-8")),
    ("persons.csv", lambda rows: csv_bytes(rows, "gbk")),
    ("persons.xlsx", xlsx_bytes),
])
def test_utf8_bom_gbk_and_xlsx_import_the_same(province_staff, filename, encode):
    numbers = ids(3)
    report = run(actor=province_staff, kind="persons", data=encode(person_rows(numbers)),
                 filename=filename)
    assert report.ok and report.written and report.created == 3
    people = {p.name: p for p in Person.objects.all()}
    assert set(people) == {"张三", "李四", "王五"}
    assert people["张三"].id_masked == numbers[0][:6] + "********" + numbers[0][-4:]
    assert {m.group for m in KeyGroupMembership.objects.filter(person=people["张三"])} == {
        "graduate", "migrant_worker"}
    assert {m.group for m in KeyGroupMembership.objects.filter(person=people["李四"])} == {
        "unemployed"}
    assert KeyGroupMembership.objects.filter(start_date=dt.date(2024, 7, 1)).count() == 5


def test_field_names_work_as_column_titles(province_staff):
    number = ids(1)[0]
    data = csv_bytes([["id_number", "name", "region_code"], [number, "孙八", f.COUNTY]])
    report = run(actor=province_staff, kind="persons", data=data, filename="p.csv")
    assert report.created == 1


# --- all or nothing -------------------------------------------------------------------------

def bad_file() -> bytes:
    good = ids(3)
    wrong_check = good[1][:17] + ("0" if good[1][17] != "0" else "1")
    rows = person_rows([good[0], wrong_check, good[2]])
    rows.append(["", "无号码", f.COUNTY, "", "", ""])
    return csv_bytes(rows)


def test_a_file_with_bad_rows_writes_nothing_and_reports_each(province_staff):
    report = run(actor=province_staff, kind="persons", data=bad_file(), filename="p.csv")
    assert not report.written and report.created == 0
    assert [(e.row, e.field) for e in report.errors] == [(3, "id_number"), (5, "id_number")]
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


def test_skip_bad_rows_writes_the_good_ones(province_staff):
    report = run(actor=province_staff, kind="persons", data=bad_file(), filename="p.csv",
                 skip_bad_rows=True)
    assert report.written and report.created == 2 and report.skipped == 2
    assert Person.objects.count() == 2
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.entity_type == "registry.person" and event.after == {"count": 2,
                                                                       "source": "p.csv"}


def test_same_file_twice_creates_no_duplicates(province_staff):
    data = csv_bytes(person_rows(ids(4)))
    first = run(actor=province_staff, kind="persons", data=data, filename="p.csv")
    second = run(actor=province_staff, kind="persons", data=data, filename="p.csv")
    assert first.created == 4 and second.created == 0 and second.unchanged == 4
    assert second.ok and Person.objects.count() == 4
    assert KeyGroupMembership.objects.count() == 6
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_duplicates_inside_the_file_name_the_first_row(province_staff):
    number = ids(1)[0]
    rows = person_rows([number, number])
    report = run(actor=province_staff, kind="persons", data=csv_bytes(rows), filename="p.csv")
    assert [(e.row, e.field) for e in report.errors] == [(3, "id_number")]
    assert "2" in report.errors[0].message and number not in report.errors[0].message


def test_existing_person_with_different_data_is_reported_not_changed(province_staff):
    number = ids(1)[0]
    person = f.PersonFactory(plain_id=number, name="原名")
    rows = [["身份证号码", "姓名", "所在地区代码", "重点群体"],
            [number, "新名", f.COUNTY, "退役军人"]]
    report = run(actor=province_staff, kind="persons", data=csv_bytes(rows), filename="p.csv")
    assert {e.field for e in report.errors} == {"name", "key_groups"}
    person.refresh_from_db()
    assert person.name == "原名" and not person.key_groups.exists()


def test_person_outside_the_actors_view_is_already_registered(db):
    number = ids(1)[0]
    f.PersonFactory(plain_id=number, region=f.region(f.OTHER_COUNTY))
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    rows = [["身份证号码", "姓名", "所在地区代码"], [number, "某人", f.COUNTY]]
    report = run(actor=county, kind="persons", data=csv_bytes(rows), filename="p.csv")
    assert [(e.row, e.field) for e in report.errors] == [(2, "id_number")]
    assert "already registered" in report.errors[0].message or "已" in report.errors[0].message


@pytest.mark.parametrize(("cells", "field"), [
    ({"id_number": "52010219900230" + "1234"}, "id_number"),  # bad check digit / date
    ({"id_number": "100102199001010011"}, "id_number"),
    ({"region_code": "529999"}, "region_code"),
    ({"region_code": f.OTHER_COUNTY}, "region_code"),  # outside the county's jurisdiction
    ({"key_groups": "宇航员"}, "key_groups"),
    ({"key_group_start": "2024-13-45"}, "key_group_start"),
    ({"phone": "call me"}, "phone"),
])
def test_person_row_errors_name_the_field(db, cells, field):
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    row = {"id_number": ids(1)[0], "name": "测试", "region_code": f.COUNTY, "phone": "",
           "key_groups": "", "key_group_start": ""} | cells
    data = csv_bytes([list(row), list(row.values())])
    report = run(actor=county, kind="persons", data=data, filename="p.csv")
    assert [e.field for e in report.errors] == [field] and report.errors[0].row == 2


def test_impossible_birth_date_and_unknown_province_are_named(province_staff):
    feb30 = f"{f.COUNTY}19900230123"
    unknown = "10010219900101123"  # no province 10
    rows = [["身份证号码", "姓名", "所在地区代码"],
            [feb30 + id_check_character(feb30), "甲", f.COUNTY],
            [unknown + id_check_character(unknown), "乙", f.COUNTY]]
    report = run(actor=province_staff, kind="persons", data=csv_bytes(rows), filename="p.csv")
    assert [(e.row, e.field) for e in report.errors] == [(2, "id_number"), (3, "id_number")]


def test_institution_imports_persons_as_itself(training_org):
    user = f.operator(training_org)
    report = run(actor=user, kind="persons", data=csv_bytes(person_rows(ids(2))),
                 filename="p.csv")
    assert report.created == 2
    assert set(Person.objects.values_list("registered_by_id", flat=True)) == {training_org.pk}


def test_industry_staff_may_not_import_persons(db):
    user = f.staff(Role.INDUSTRY_STAFF, f.PROVINCE)
    with pytest.raises(Forbidden):
        run(actor=user, kind="persons", data=csv_bytes(person_rows(ids(1))), filename="p.csv")


def test_missing_required_column_is_a_file_error(province_staff):
    from jineng.core.errors import DomainError

    with pytest.raises(DomainError) as err:
        run(actor=province_staff, kind="persons", data=csv_bytes([["姓名"], ["张三"]]),
            filename="p.csv")
    assert err.value.field == "file" and "身份证号码" in err.value.message


# --- regions --------------------------------------------------------------------------------

def test_towns_and_villages_with_parents_from_their_codes(db):
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    rows = [["区划代码", "名称", "上级区划代码", "经度", "纬度"],
            ["520102001000", "测试街道", "", "106.71", "26.57"],
            ["520102001001", "测试社区", "520102001", "", ""],
            ["520102001002", "另一社区", "", "", ""]]
    report = run(actor=county, kind="regions", data=csv_bytes(rows), filename="r.csv")
    assert report.ok and report.created == 3
    town = Region.objects.get(code="520102001")
    assert town.level == "town" and town.parent.code == f.COUNTY
    assert town.longitude == Decimal("106.710000")
    village = Region.objects.get(code="520102001001")
    assert village.level == "village" and village.parent == town
    assert village.scope_prefix == "520102001001" and town.contains(village)
    again = run(actor=county, kind="regions", data=csv_bytes(rows), filename="r.csv")
    assert again.created == 0 and again.unchanged == 3


@pytest.mark.parametrize(("row", "field"), [
    (["5201020011", "坏码", "", "", ""], "code"),  # 10 digits
    (["52010200100A", "坏码", "", "", ""], "code"),
    (["520102009001", "孤儿村", "", "", ""], "code"),  # its town does not exist
    (["520102001001", "错配村", "520103001", "", ""], "parent_code"),
    (["520103001", "别县街道", "", "", ""], "code"),  # outside the county
    (["520102001", "南明新街道", "", "200", ""], "longitude"),
    (["520102", "改名区", "", "", ""], "name"),  # exists with another name
])
def test_bad_region_rows_name_the_field(db, row, field):
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    data = csv_bytes([["区划代码", "名称", "上级区划代码", "经度", "纬度"], row])
    report = run(actor=county, kind="regions", data=data, filename="r.csv")
    assert [e.field for e in report.errors] == [field], report.errors
    assert not Region.objects.filter(code__startswith="5201020").exists()


def test_a_village_before_its_town_in_the_file_is_reported(db):
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    rows = [["区划代码", "名称"], ["520102001001", "先到村"], ["520102001", "后到街道"]]
    report = run(actor=county, kind="regions", data=csv_bytes(rows), filename="r.csv")
    assert [(e.row, e.field) for e in report.errors] == [(2, "code")]


def test_institutions_may_not_import_regions(training_org):
    with pytest.raises(Forbidden):
        run(actor=f.operator(training_org), kind="regions",
            data=csv_bytes([["区划代码", "名称"], ["520102001", "街道"]]), filename="r.csv")


# --- organizations --------------------------------------------------------------------------

ORG_HEADER = ["统一社会信用代码", "机构名称", "机构类别", "培训机构类型", "所在地区代码",
              "校验位例外理由"]


def test_organizations_import_with_terms_and_override(db):
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    good = f.credit_code_for(f.COUNTY)
    failing = f.credit_code_for(f.COUNTY)
    failing = failing[:17] + ("0" if failing[17] != "0" else "1")
    rows = [ORG_HEADER,
            [good, "甲培训学校", "培训机构", "民办培训机构", f.COUNTY, ""],
            [failing, "乙企业", "enterprise", "", f.COUNTY, "早期试点代码"],
            [f.credit_code_for(f.COUNTY), "丙评价中心", "评价机构", "", f.COUNTY, ""]]
    report = run(actor=county, kind="organizations", data=xlsx_bytes(rows), filename="o.xlsx")
    assert report.ok and report.created == 3
    enterprise = Organization.objects.get(name="乙企业")
    assert enterprise.kind == "enterprise" and enterprise.credit_code_override == "早期试点代码"
    assert OrganizationStatusChange.objects.count() == 3
    again = run(actor=county, kind="organizations", data=xlsx_bytes(rows), filename="o.xlsx")
    assert again.unchanged == 3 and again.created == 0 and Organization.objects.count() == 3


def test_organization_rows_are_checked(db):
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    existing = f.OrganizationFactory(name="已登记学校")
    failing = f.credit_code_for(f.COUNTY)
    failing = failing[:17] + ("0" if failing[17] != "0" else "1")
    dup = f.credit_code_for(f.COUNTY)
    rows = [ORG_HEADER,
            ["91520102MA6H0001I1", "坏字符", "培训机构", "民办培训机构", f.COUNTY, ""],
            [failing, "无理由", "企业", "", f.COUNTY, ""],
            [existing.credit_code, "改了名的学校", "培训机构", "民办培训机构", f.COUNTY, ""],
            [dup, "重复一", "企业", "", f.COUNTY, ""],
            [dup, "重复二", "企业", "", f.COUNTY, ""],
            [f.credit_code_for(f.COUNTY), "类别不明", "俱乐部", "", f.OTHER_COUNTY, ""]]
    report = run(actor=county, kind="organizations", data=csv_bytes(rows), filename="o.csv")
    assert [(e.row, e.field) for e in report.errors] == [
        (2, "credit_code"), (3, "credit_code"), (4, "name"), (6, "credit_code"),
        (7, "kind"), (7, "region_code")]
    assert Organization.objects.count() == 1


def test_only_staff_import_organizations(training_org):
    with pytest.raises(Forbidden):
        run(actor=f.operator(training_org), kind="organizations",
            data=csv_bytes([ORG_HEADER]), filename="o.csv")


# --- sites ----------------------------------------------------------------------------------

SITE_HEADER = ["机构统一社会信用代码", "场地名称", "地址", "所在地区代码", "经度", "纬度",
               "容纳人数"]


def test_institution_imports_its_own_sites_only(training_org):
    other = f.OrganizationFactory()
    rows = [SITE_HEADER,
            [training_org.credit_code, "一号楼", "中华北路1号", f.COUNTY, "106.71", "26.57", "60"],
            [other.credit_code, "别人的楼", "中华北路2号", f.COUNTY, "106.71", "26.57", "60"],
            [training_org.credit_code, "二号楼", "中华北路3号", f.COUNTY, "10.7", "26.57", "0"]]
    report = run(actor=f.operator(training_org), kind="sites", data=csv_bytes(rows),
                 filename="s.csv", skip_bad_rows=True)
    assert [(e.row, e.field) for e in report.errors] == [
        (3, "organization_credit_code"), (4, "longitude"), (4, "capacity")]
    assert list(TrainingSite.objects.values_list("name", flat=True)) == ["一号楼"]
    again = run(actor=f.operator(training_org), kind="sites", data=csv_bytes(rows[:2]),
                filename="s.csv")
    assert again.unchanged == 1 and TrainingSite.objects.count() == 1


# --- templates ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(IMPORTERS))
def test_template_has_header_example_and_notes(kind):
    importer = IMPORTERS[kind]
    book = openpyxl.load_workbook(io.BytesIO(importer.template_xlsx()))
    assert book.sheetnames == [importer.sheet_title, "说明"]
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == [str(c.label) for c in importer.columns]
    assert any(c.value for c in sheet[2])
    notes = book["说明"]
    assert [c.value for c in notes[1]] == ["列名", "字段名", "必填", "说明"]
    assert [notes.cell(row=i + 2, column=2).value for i in range(len(importer.columns))] == [
        c.name for c in importer.columns]


def test_the_persons_template_imports_as_it_is(province_staff):
    data = IMPORTERS["persons"].template_xlsx()
    report = run(actor=province_staff, kind="persons", data=data, filename="t.xlsx")
    assert report.ok and report.created == 1


def test_the_organizations_template_imports_as_it_is(province_staff):
    data = IMPORTERS["organizations"].template_xlsx()
    report = run(actor=province_staff, kind="organizations", data=data, filename="t.xlsx")
    assert report.ok and report.created == 1


# --- command line ---------------------------------------------------------------------------

def test_cli_import_as_the_system_account(tmp_path, capsys):
    path = tmp_path / "persons.csv"
    path.write_bytes(csv_bytes(person_rows(ids(2)), "gbk"))
    call_command("import_registry", "persons", str(path))
    assert "2 created" in capsys.readouterr().out
    system = User.objects.get(username="jineng-system")
    assert system.is_superuser and not system.is_active and not system.has_usable_password()
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.actor_username == "jineng-system"


def test_cli_reports_bad_rows_and_writes_nothing(tmp_path, capsys, province_staff):
    path = tmp_path / "persons.csv"
    path.write_bytes(bad_file())
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("import_registry", "persons", str(path), "--as", province_staff.username)
    err = capsys.readouterr().err
    assert "row 3, id_number" in err and "row 5, id_number" in err
    assert not Person.objects.exists()
    call_command("import_registry", "persons", str(path), "--skip-bad-rows",
                 "--as", province_staff.username)
    assert Person.objects.count() == 2


def test_cli_unknown_user_or_file(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_registry", "persons", str(tmp_path / "none.csv"))
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes(person_rows(ids(1))))
    with pytest.raises(CommandError, match="No active user"):
        call_command("import_registry", "persons", str(path), "--as", "nobody")


# --- pages ----------------------------------------------------------------------------------

def test_import_page_shows_columns_and_reports_rows(client, province_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(province_staff)
    url = reverse("registry:import", args=["persons"])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "身份证号码" in html and reverse("registry:import_template", args=["persons"]) in html
    assert reverse("registry:export", args=["persons", "xlsx"]) in html
    refused = client.post(url, {"file": SimpleUploadedFile("p.csv", bad_file())})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'data-row="3"' in html and 'data-row="5"' in html and not Person.objects.exists()
    done = client.post(url, {"file": SimpleUploadedFile("p.csv", bad_file()),
                             "skip_bad_rows": "on"})
    assert done.status_code == 200 and Person.objects.count() == 2
    assert 'data-count="created">2<' in done.content.decode()


def test_import_page_errors_and_access(client, training_org):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    url = reverse("registry:import", args=["organizations"])
    assert client.get(url).status_code == 302  # login first
    client.force_login(f.operator(training_org))
    assert client.get(reverse("registry:import", args=["dragons"])).status_code == 404
    forbidden = client.post(url, {"file": SimpleUploadedFile("o.csv", csv_bytes([ORG_HEADER]))})
    assert forbidden.status_code == 403
    no_file = client.post(reverse("registry:import", args=["persons"]), {})
    assert no_file.status_code == 400 and 'role="alert"' in no_file.content.decode()
    template = client.get(reverse("registry:import_template", args=["sites"]))
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_importer_options_reach_only_the_importers_that_declare_them(client, province_staff):
    from django.urls import reverse

    client.force_login(province_staff)
    occupations = client.get(reverse("registry:import", args=["occupations"]))
    assert occupations.status_code == 200 and 'name="source"' in occupations.content.decode()
    persons = client.get(reverse("registry:import", args=["persons"]))
    assert 'name="source"' not in persons.content.decode()
    report = run(actor=province_staff, kind="persons", data=csv_bytes(person_rows(ids(1))),
                 filename="p.csv", source="ignored here")
    assert report.created == 1


# --- nothing dropped without a word (issue 9 §3, §5) ----------------------------------------

def test_a_persons_file_with_extra_columns_is_refused_naming_them(province_staff):
    rows = person_rows(ids(2))
    rows[0] += ["民族", "备注"]
    for row in rows[1:]:
        row += ["汉", "x"]
    with pytest.raises(DomainError) as err:
        run(actor=province_staff, kind="persons", data=csv_bytes(rows), filename="p.csv")
    assert err.value.field == "file" and "“民族”" in err.value.message
    assert "“备注”" in err.value.message
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


def test_an_exported_organizations_file_imports_as_it_is(province_staff):
    from jineng.registry.exports import export_table

    f.OrganizationFactory()
    export = export_table(actor=province_staff, kind="organizations", fmt="xlsx")
    report = run(actor=province_staff, kind="organizations", data=b"".join(export.chunks),
                 filename="o.xlsx")
    assert report.ok and report.unchanged == 1


def test_over_long_names_are_row_errors_naming_the_field(province_staff):
    person = person_rows(ids(2))
    person[1][1] = "张" * 200
    report = run(actor=province_staff, kind="persons", data=csv_bytes(person), filename="p.csv")
    assert [(e.row, e.field) for e in report.errors] == [(2, "name")]
    assert "At most 50 characters (this cell has 200)" in report.errors[0].message
    assert not Person.objects.exists()
    org = [ORG_HEADER, [f.credit_code_for(f.COUNTY), "学" * 300, "企业", "", f.COUNTY, ""]]
    report = run(actor=province_staff, kind="organizations", data=csv_bytes(org),
                 filename="o.csv")
    assert [(e.row, e.field) for e in report.errors] == [(2, "name")]
    assert not Organization.objects.exists()


def test_site_capacity_beyond_the_column_range_is_a_row_error(training_org):
    user = f.operator(training_org)
    rows = [["机构统一社会信用代码", "场地名称", "地址", "所在地区代码", "经度", "纬度",
             "容纳人数"],
            [training_org.credit_code, "大楼", "路1号", f.COUNTY, "106.7", "26.6",
             "99999999999999999999"]]
    report = run(actor=user, kind="sites", data=csv_bytes(rows), filename="s.csv")
    assert [(e.row, e.field) for e in report.errors] == [(2, "capacity")]
    assert not TrainingSite.objects.exists()


def test_unknown_choice_values_name_the_accepted_ones(province_staff):
    org = [ORG_HEADER, [f.credit_code_for(f.COUNTY), "某俱乐部", "俱乐部", "", f.COUNTY, ""]]
    report = run(actor=province_staff, kind="organizations", data=csv_bytes(org),
                 filename="o.csv")
    assert [e.field for e in report.errors] == ["kind"]
    assert "training" in report.errors[0].message and "enterprise" in report.errors[0].message
    person = person_rows(ids(1))
    person[1][4] = "外星人"
    report = run(actor=province_staff, kind="persons", data=csv_bytes(person), filename="p.csv")
    assert [e.field for e in report.errors] == ["key_groups"]
    assert "graduate" in report.errors[0].message


def test_a_csv_cell_over_128_kib_is_a_clear_file_error(client, province_staff):
    rows = person_rows(ids(1))
    rows[1][1] = "x" * (140 * 1024)
    client.force_login(province_staff)
    response = client.post("/registry/imports/persons/", {
        "file": SimpleUploadedFile("p.csv", csv_bytes(rows), content_type="text/csv")})
    assert response.status_code == 400
    assert "Line 2" in response.content.decode()
    assert not Person.objects.exists()
