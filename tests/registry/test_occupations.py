"""Occupation reference data (migration 0003 from registry/data/occupations.csv) and the importer
of the full classification (registry/occupation_import.py)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import IntegrityError, transaction

from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditEvent
from jineng.core.tabular import write_csv, write_xlsx
from jineng.registry import importers
from jineng.registry.choices import OccupationRank
from jineng.registry.data.occupations import (
    CODE_PATTERN,
    SEEDS,
    SOURCES,
    load_seed_occupations,
    parent_code_of,
    rank_of_code,
    read_seed_occupations,
)
from jineng.registry.models import Occupation
from jineng.registry.occupation_import import import_occupations, importer
from tests import factories as f

SEED_ROWS = read_seed_occupations()

# A hand list, independent of the data file: occupations the seeds name, the clause that names
# them, and the 2022 code (None: no source found, so listed without a code and flagged).
KEY_OCCUPATIONS = [
    ("养老护理员", "4-10-01-05", "黔就劳发〔2025〕3号 (二)"),
    ("家政服务员", "4-10-01-06", "黔就劳发〔2025〕3号 (二)"),
    ("医疗护理员", "4-14-01-02", "黔就劳发〔2025〕3号 (二)"),
    ("人工智能训练师", "4-04-05-05", "连云港技耀港城方案 二(二)1"),
    ("无人机驾驶员", "4-02-04-06", "技能河南2025方案 二(一)5"),
    ("网约配送员", "4-10-08-01", "技能河南2025方案 二(一)6"),
    ("快递员", "4-02-07-08", "技能河南2025方案 二(一)6"),
    ("健康照护师", "4-14-01-03", "连云港技耀港城方案 二(一)3"),
    ("中式烹调师", "4-03-02-01", "黔就劳发〔2025〕3号 (四)"),
    ("焊工", "6-18-02-04", "黔就劳发〔2025〕3号 (十二)"),
    ("电子商务师", "4-01-06-01", "黔就劳发〔2025〕3号 (十二)"),
    ("工业机器人系统运维员", "6-31-07-01", "连云港技耀港城方案 二(二)2"),
    ("育婴员", None, "黔就劳发〔2025〕3号 (二)"),
]

MAJOR_GROUPS = {
    "1": "党的机关、国家机关、群众团体和社会组织、企事业单位负责人",
    "2": "专业技术人员",
    "3": "办事人员和有关人员",
    "4": "社会生产服务和生活服务人员",
    "5": "农、林、牧、渔业生产及辅助人员",
    "6": "生产制造及有关人员",
    "7": "军队人员",
    "8": "不便分类的其他从业人员",
}

HEADER = ["代码", "名称", "层级", "上级代码"]
SOURCE = "测试分类表（2022年版，测试用）"

# A small classification under a made-up middle group 8-90 (the real 8th group has only 8-00),
# children deliberately before their parents.
GOOD_ROWS = [
    ["8-90-01-01-01", "测试工种甲", "", ""],
    ["", "测试工种乙", "工种", "8-90-01-01"],
    ["8-90-01-01", "测试职业", "职业", ""],
    ["8-90-01", "测试小类", "小类", ""],
    ["8-90", "测试中类", "中类", ""],
    ["8-90-01-02", "测试职业二", "occupation", ""],
]


def csv_bytes(rows, header=HEADER, encoding=None) -> bytes:
    data = write_csv(header, rows)
    if encoding:
        data = data.decode("utf-8-sig").encode(encoding)
    return data


def snapshot():
    return sorted(Occupation.objects.values_list(
        "code", "name", "rank", "parent_id", "code_source", "needs_code", "named_in"),
        key=str)


@pytest.fixture
def admin(db):
    return f.UserFactory(role="system_admin")


# --- the data file --------------------------------------------------------------------------

def test_data_file_codes_have_the_2022_shape_and_a_source():
    for item in SEED_ROWS:
        if item.code:
            assert CODE_PATTERN.match(item.code), item
            assert rank_of_code(item.code) == item.rank, item
            assert parent_code_of(item.code) == item.parent_code, item
            assert item.sources and all(key in SOURCES for key in item.sources), item
        elif item.rank == OccupationRank.WORK_TYPE and item.sources:
            assert item.parent_code and not item.needs_code, item  # listed 工种, no number
        else:
            assert item.needs_code and not item.sources and item.note, item


def test_data_file_names_only_known_seed_policies():
    for item in SEED_ROWS:
        for part in filter(None, item.named_in.split("; ")):
            assert part.split(" ")[0] in SEEDS, item


def test_data_file_lists_each_name_and_code_once():
    codes = [i.code for i in SEED_ROWS if i.code]
    assert len(codes) == len(set(codes))
    names = [(i.name, i.parent_code) for i in SEED_ROWS]
    assert len(names) == len(set(names))


def test_hand_list_agrees_with_the_data_file():
    by_name = {i.name: i for i in SEED_ROWS}
    for name, code, clause in KEY_OCCUPATIONS:
        assert by_name[name].code == (code or ""), name
        assert clause in by_name[name].named_in, name


# --- after migrate ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_every_seed_named_occupation_is_present_after_migrate():
    named = [i for i in SEED_ROWS if i.named_in]
    assert len(named) >= 40
    for item in named:
        occ = Occupation.objects.get(name=item.name, code=item.code or None)
        assert occ.named_in == item.named_in
        assert occ.rank == item.rank
        assert (occ.parent.code if occ.parent else "") == item.parent_code
    for name, code, clause in KEY_OCCUPATIONS:
        occ = Occupation.objects.get(name=name)
        assert occ.code == code
        assert clause in occ.named_in


@pytest.mark.django_db
def test_uncoded_entries_are_flagged_unless_a_listed_work_type():
    for occ in Occupation.objects.filter(code=None):
        listed = occ.rank == OccupationRank.WORK_TYPE and occ.parent_id and occ.code_source
        assert occ.needs_code or listed, occ
    assert set(Occupation.objects.filter(needs_code=True).values_list("name", flat=True)) == {
        "育婴员", "网约车驾驶员"}
    assert str(Occupation.objects.get(name="育婴员")) == "育婴员（code pending）"
    assert str(Occupation.objects.get(name="数据标注员")) == "数据标注员"


@pytest.mark.django_db
def test_coded_entries_have_a_source_and_a_consistent_2022_code():
    coded = Occupation.objects.exclude(code=None).select_related("parent")
    assert coded.count() == len([i for i in SEED_ROWS if i.code])
    for occ in coded:
        assert occ.code_source, occ
        assert not occ.needs_code, occ
        assert CODE_PATTERN.match(occ.code), occ
        assert rank_of_code(occ.code) == occ.rank, occ
        assert (occ.parent.code if occ.parent else "") == parent_code_of(occ.code), occ


@pytest.mark.django_db
def test_the_eight_major_groups_of_2022():
    majors = dict(Occupation.objects.filter(rank=OccupationRank.MAJOR)
                  .values_list("code", "name"))
    assert majors == MAJOR_GROUPS


@pytest.mark.django_db
def test_database_refuses_an_unflagged_occupation_without_code():
    with pytest.raises(IntegrityError), transaction.atomic():
        Occupation.objects.create(name="无代码未标记", rank=OccupationRank.OCCUPATION)
    with pytest.raises(IntegrityError), transaction.atomic():  # a 工种 needs its listing source
        Occupation.objects.create(name="无来源工种", rank=OccupationRank.WORK_TYPE,
                                  parent=Occupation.objects.get(code="6-18-02-04"))
    with pytest.raises(IntegrityError), transaction.atomic():  # uncoded names are unique
        Occupation.objects.create(name="育婴员", needs_code=True)


@pytest.mark.django_db
def test_loading_the_seed_again_changes_nothing():
    before = snapshot()
    created, existing = load_seed_occupations(Occupation)
    assert created == 0 and existing == len(SEED_ROWS)
    assert snapshot() == before


# --- the importer ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_import_a_small_classification_from_major_to_work_type(admin):
    report = import_occupations(actor=admin, data=csv_bytes(GOOD_ROWS), filename="c.csv",
                                source=SOURCE)
    assert report.ok and report.written, report.as_dict()
    assert (report.created, report.updated, report.unchanged) == (6, 0, 0)
    work = Occupation.objects.get(code="8-90-01-01-01")
    assert work.rank == OccupationRank.WORK_TYPE and work.code_source == SOURCE
    assert work.parent.code == "8-90-01-01"
    assert work.parent.parent.parent.parent == Occupation.objects.get(code="8")
    listed = Occupation.objects.get(name="测试工种乙")
    assert listed.code is None and not listed.needs_code and listed.parent.code == "8-90-01-01"
    event = AuditEvent.objects.get(action="import", entity_type="registry.occupation")
    assert event.after == {"count": 6, "source": SOURCE}


@pytest.mark.django_db
def test_reimport_changes_nothing(admin):
    import_occupations(actor=admin, data=csv_bytes(GOOD_ROWS), filename="c.csv", source=SOURCE)
    before = snapshot()
    report = import_occupations(actor=admin, data=csv_bytes(GOOD_ROWS), filename="c.csv",
                                source=SOURCE)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 6)
    assert snapshot() == before
    assert AuditEvent.objects.filter(action="import").count() == 1


BAD_ROWS = [
    ["8-90", "测试中类", "", ""],            # row 2: good
    ["8-9-01", "坏代码", "", ""],            # row 3: bad code shape
    ["8-91-01-01", "缺上级", "", ""],        # row 4: parent 8-91-01 nowhere
    ["8-90", "重复", "", ""],                # row 5: duplicate of row 2
    ["8-90-02", "", "", ""],                 # row 6: no name
    ["8-90-02-01", "坏上级之子", "", ""],    # row 7: its parent is the bad row 6
    ["8-90-03", "层级不符", "职业", ""],     # row 8: rank does not match the code
    ["", "无代码职业", "职业", ""],          # row 9: only a 工种 may lack a code
    ["8-90-04", "测试小类四", "小类", ""],   # row 10: good
]


@pytest.mark.django_db
def test_bad_rows_are_reported_by_row_and_field_and_nothing_is_written(admin):
    before = snapshot()
    report = import_occupations(actor=admin, data=csv_bytes(BAD_ROWS), filename="c.csv",
                                source=SOURCE)
    assert not report.written
    errors = {(e.row, e.field) for e in report.errors}
    assert errors == {(3, "code"), (4, "code"), (5, "code"), (6, "name"), (7, "code"),
                      (8, "rank"), (9, "code")}
    assert "8-91-01" in next(e.message for e in report.errors if e.row == 4)
    assert "2" in next(e.message for e in report.errors if e.row == 5)
    assert snapshot() == before
    assert not AuditEvent.objects.filter(action="import").exists()


@pytest.mark.django_db
def test_skip_bad_rows_writes_the_good_ones(admin):
    report = import_occupations(actor=admin, data=csv_bytes(BAD_ROWS), filename="c.csv",
                                source=SOURCE, skip_bad_rows=True)
    assert report.written and report.skipped == 7 and len(report.errors) == 7
    assert report.created == 2
    assert set(Occupation.objects.filter(code__startswith="8-9")
               .values_list("code", flat=True)) == {"8-90", "8-90-04"}


@pytest.mark.django_db
def test_gbk_csv_and_xlsx_are_read(admin):
    report = import_occupations(actor=admin, data=csv_bytes(GOOD_ROWS, encoding="gbk"),
                                filename="c.csv", source=SOURCE)
    assert report.ok and report.created == 6
    assert Occupation.objects.filter(name="测试工种甲").exists()
    xlsx = write_xlsx("分类", HEADER, [*GOOD_ROWS, ["8-90-01-03", "表格职业", "", ""]])
    report = import_occupations(actor=admin, data=xlsx, filename="c.xlsx", source=SOURCE)
    assert (report.created, report.unchanged) == (1, 6)


@pytest.mark.django_db
def test_a_flagged_occupation_gets_its_code_from_the_file(admin):
    flagged = Occupation.objects.create(name="待核职业", needs_code=True, named_in="测试政策 (一)")
    rows = [*GOOD_ROWS, ["8-90-01-09", "待核职业", "", ""]]
    report = import_occupations(actor=admin, data=csv_bytes(rows), filename="c.csv",
                                source=SOURCE)
    assert report.ok and report.updated == 1 and report.created == 6
    flagged.refresh_from_db()
    assert flagged.code == "8-90-01-09" and not flagged.needs_code
    assert flagged.code_source == SOURCE and flagged.named_in == "测试政策 (一)"
    assert flagged.parent.code == "8-90-01"
    assert not Occupation.objects.filter(name="待核职业").exclude(pk=flagged.pk).exists()
    # The seed loader afterwards finds it by name and does not add an uncoded twin.
    load_seed_occupations(Occupation)
    assert Occupation.objects.filter(name="育婴员").count() == 1


@pytest.mark.django_db
def test_a_listed_work_type_gets_its_code_when_a_file_gives_one(admin):
    welder = Occupation.objects.get(name="电焊工")
    report = import_occupations(actor=admin, data=csv_bytes([["6-18-02-04-01", "电焊工", "", ""]]),
                                filename="c.csv", source=SOURCE)
    assert (report.created, report.updated) == (0, 1)
    welder.refresh_from_db()
    assert welder.code == "6-18-02-04-01" and welder.code_source == SOURCE


@pytest.mark.django_db
def test_a_renamed_entry_is_updated_with_the_new_source(admin):
    report = import_occupations(actor=admin, data=csv_bytes([["4-02-07-08", "快递员（新名）",
                                                              "", ""]]),
                                filename="c.csv", source=SOURCE)
    assert report.updated == 1
    occ = Occupation.objects.get(code="4-02-07-08")
    assert occ.name == "快递员（新名）" and occ.code_source == SOURCE
    assert occ.named_in  # who named it is kept


@pytest.mark.django_db
def test_the_source_is_required(admin):
    with pytest.raises(DomainError) as err:
        import_occupations(actor=admin, data=csv_bytes(GOOD_ROWS), filename="c.csv",
                           source="  ")
    assert err.value.field == "source"
    assert not Occupation.objects.filter(code="8-90").exists()


@pytest.mark.django_db
def test_a_file_without_the_name_column_is_refused(admin):
    with pytest.raises(DomainError) as err:
        import_occupations(actor=admin, data=csv_bytes([["8-90"]], header=["代码"]),
                           filename="c.csv", source=SOURCE)
    assert err.value.field == "file" and "名称" in err.value.message


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["county", "city", "operator"])
def test_only_province_staff_and_admins_may_import(who):
    actor = {
        "county": lambda: f.staff("county_staff", f.COUNTY),
        "city": lambda: f.staff("city_staff", f.CITY),
        "operator": lambda: f.operator(f.OrganizationFactory()),
    }[who]()
    before = snapshot()
    with pytest.raises(Forbidden):
        import_occupations(actor=actor, data=csv_bytes(GOOD_ROWS), filename="c.csv",
                           source=SOURCE)
    assert snapshot() == before


@pytest.mark.django_db
def test_province_staff_may_import_through_the_registered_importer(province_staff):
    assert importers.get_importer("occupations") is importer
    report = importer.run(actor=province_staff, data=csv_bytes(GOOD_ROWS), filename="c.csv",
                          source=SOURCE)
    assert report.created == 6
    with pytest.raises(DomainError) as err:  # the generic entry point has no source yet
        importers.run(actor=province_staff, kind="occupations", data=csv_bytes(GOOD_ROWS),
                      filename="c.csv")
    assert err.value.field == "source"


def test_template_marks_codes_as_text_and_reimports_its_header():
    book = openpyxl.load_workbook(io.BytesIO(importer.template_xlsx()))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["A2"].value == "4-10-01-05" and sheet["A3"].number_format == "@"
    assert book["说明"]["A2"].value == "代码"


@pytest.mark.django_db
def test_an_excel_date_in_the_code_column_is_an_error_not_a_guess(admin):
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append([dt.datetime(2024, 4, 10), "中类被Excel改成日期", "", ""])
    out = io.BytesIO()
    book.save(out)
    report = import_occupations(actor=admin, data=out.getvalue(), filename="c.xlsx",
                                source=SOURCE)
    assert [(e.row, e.field) for e in report.errors] == [(2, "code")]
