"""Importing entries in the circulated Excel layout: each kind of bad input is refused with the
row and the column named; nothing is written unless bad rows are skipped; exports and the
template can be imported again."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from jineng.catalog import exports, importers, services
from jineng.catalog.choices import CatalogKind
from jineng.catalog.kinds import spec_for
from jineng.core.errors import DomainError
from jineng.registry.choices import OrganizationKind
from tests import factories as f
from tests.catalog.helpers import (
    D,
    base_catalog,
    publish_rows,
    subsidy_row,
    supplement,
    xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return services.version_create_draft(actor=services.SYSTEM, catalog=base_catalog(),
                                         effective_from=D(2025, 1, 1))


def run(version, rows, kind=CatalogKind.SUBSIDY_STANDARD, **kw):
    return services.entries_import(actor=services.SYSTEM, version=version,
                                   data=xlsx(rows, kind), filename="rows.xlsx", **kw)


BAD_ROWS = [
    ({"amount": "-100"}, "amount", "greater than zero"),
    ({"amount": "0"}, "amount", "greater than zero"),
    ({"amount": "990000"}, "amount", "plausible maximum"),
    ({"amount": "一千五"}, "amount", "not a number"),
    ({"required_hours": "0"}, "required_hours", "between 1 and"),
    ({"required_hours": "12.5"}, "required_hours", "whole number"),
    ({"min_attendance_share": "180%"}, "min_attendance_share", "share between 0 and 1"),
    ({"min_attendance_share": "80"}, "min_attendance_share", "0.8 or 80%"),
    ({"government_share": "0.5", "enterprise_share": "0.3"}, "individual_share", "add up to 1"),
    ({"material_cost": "2000"}, "material_cost", "more than the standard"),
    ({"occupation": "火星农场主"}, "occupation", "Unknown occupation"),
    ({"occupation_code": "9-99-99-99"}, "occupation_code", "Unknown occupation code"),
    ({"occupation_code": "4-10-01-05", "occupation": "焊工"}, "occupation", "is 养老护理员"),
    ({"skill_level": "九级工"}, "skill_level", "Unknown skill level"),
    ({"skill_level": ""}, "skill_level", "required"),
    ({"special_ability_item": "苗绣制作"}, "skill_level", "not both"),
    ({"region_code": "530100"}, "region_code", "not a region within"),
    ({"training_type": "太空培训"}, "training_type", "Unknown value"),
    ({"valid_from": "2025-06-01", "valid_to": "2025-05-01"}, "valid_to",
     "before the start date"),
    ({"valid_from": "2025-13-45"}, "valid_from", "not a date"),
    ({"valid_from": "2024-06-01"}, "valid_from", "before the version takes effect"),
    ({"overrides_base": "是", "override_reason": "x"}, "overrides_base", "Only a supplement"),
]


@pytest.mark.parametrize(("change", "field", "text"), BAD_ROWS)
def test_bad_rows_are_refused_naming_row_and_column(draft, change, field, text):
    good = subsidy_row(skill_level="中级工", amount="2000")
    report = run(draft, [good, subsidy_row(**change)])
    assert not report.written and draft.subsidy_entries.count() == 0
    assert [(e.row, e.field) for e in report.errors] == [(3, field)], report.as_dict()
    assert text in report.errors[0].message


def test_overlapping_rows_for_the_same_entry_are_refused(draft):
    rows = [subsidy_row(valid_to="2025-06-30"), subsidy_row(valid_from="2025-07-01"),
            subsidy_row(valid_from="2025-06-01", amount="1600")]
    report = run(draft, rows)
    assert [(e.row, e.field) for e in report.errors] == [(4, "valid_from")]
    assert "row 2" in report.errors[0].message
    # the same entry for another region or training type is no overlap
    report = run(draft, [subsidy_row(), subsidy_row(region_code=f.CITY, amount="1600"),
                         subsidy_row(training_type="岗位技能提升培训")])
    assert report.ok and report.created == 3


def test_a_file_with_errors_writes_nothing_unless_bad_rows_are_skipped(draft):
    rows = [subsidy_row(), subsidy_row(skill_level="中级工", amount="-1"),
            subsidy_row(skill_level="高级工", amount="2800")]
    report = run(draft, rows)
    assert not report.written and draft.subsidy_entries.count() == 0
    report = run(draft, rows, skip_bad_rows=True)
    assert report.written and report.created == 2 and report.skipped == 1
    assert [e.row for e in report.errors] == [3]


def test_appending_the_same_file_twice_counts_once(draft):
    rows = [subsidy_row(), subsidy_row(skill_level="中级工", amount="2000")]
    assert run(draft, rows, mode="append").created == 2
    again = run(draft, rows, mode="append")
    assert again.created == 0 and again.unchanged == 2
    assert draft.subsidy_entries.count() == 2
    changed = run(draft, [subsidy_row(amount="1600")], mode="append")
    assert not changed.written and "already in this draft" in changed.errors[0].message
    replaced = run(draft, [subsidy_row(amount="1600")])
    assert replaced.created == 1 and draft.subsidy_entries.get().amount == 1600


def test_missing_required_columns_and_unreadable_files_are_reported(draft):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["职业(工种)", "补贴标准(元)"])
    book.active.append(["养老护理员", "1500"])
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(DomainError) as bad:
        services.entries_import(actor=services.SYSTEM, version=draft, data=data.getvalue(),
                                filename="a.xlsx")
    assert bad.value.field == "file" and "培训类型" in bad.value.message
    with pytest.raises(DomainError) as bad:
        services.entries_import(actor=services.SYSTEM, version=draft, data=b"not excel",
                                filename="a.xlsx")
    assert bad.value.field == "file"


def test_gbk_csv_with_field_names_and_percent_shares_imports(draft):
    text = ("occupation,skill_level,training_type,amount,required_hours,min_attendance_share,"
            "government_share,enterprise_share,individual_share\n"
            "养老护理员,初级工(五级),岗位技能提升培训,\"1,500.00\",120,90%,60%,30%,10%\n")
    report = services.entries_import(actor=services.SYSTEM, version=draft,
                                     data=text.encode("gbk"), filename="rows.csv")
    assert report.ok, report.as_dict()
    entry = draft.subsidy_entries.get()
    assert (entry.amount, entry.min_attendance_share, entry.enterprise_share) == (
        1500, Decimal("0.9"), Decimal("0.3"))


def test_a_supplement_row_contradicting_the_base_must_say_so():
    base = base_catalog()
    publish_rows(base, [subsidy_row()], D(2025, 1, 1))
    sup = supplement(base)
    draft = services.version_create_draft(actor=services.SYSTEM, catalog=sup,
                                          effective_from=D(2025, 3, 1))
    report = run(draft, [subsidy_row(amount="1500"), subsidy_row(amount="1900",
                                                                 region_code=f.COUNTY)])
    # identical to the base: fine (and harmless); different without saying so: refused
    assert [(e.row, e.field) for e in report.errors] == [(3, "amount")]
    assert "Contradicts the base catalog" in report.errors[0].message
    assert "补贴标准(元)" in report.errors[0].message
    report = run(draft, [subsidy_row(amount="1900", overrides_base="是")])
    assert [(e.row, e.field) for e in report.errors] == [(2, "override_reason")]
    report = run(draft, [subsidy_row(skill_level="高级工", amount="1900", overrides_base="是",
                                     override_reason="x")])
    assert report.errors[0].field == "overrides_base"
    report = run(draft, [subsidy_row(amount="1900", overrides_base="是",
                                     override_reason="本市紧缺")])
    assert report.ok


def test_institution_rows_check_the_organization_its_sites_and_levels():
    trainer = f.OrganizationFactory()
    site = f.SiteFactory(organization=trainer, name="南明教学点")
    enterprise = f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type="")
    catalog = base_catalog(CatalogKind.TRAINING_INSTITUTION)
    draft = services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                          effective_from=D(2025, 1, 1))
    kind = CatalogKind.TRAINING_INSTITUTION
    good = {"credit_code": trainer.credit_code, "occupation": "养老护理员",
            "min_level": "初级工", "max_level": "高级工", "sites": "南明教学点"}
    bad = [
        {**good, "credit_code": "91520102MA6XXXXX00"},
        {**good, "credit_code": enterprise.credit_code},
        {**good, "organization": "别家学校"},
        {**good, "sites": "火星教学点"},
        {**good, "min_level": "技师", "max_level": "初级工"},
    ]
    report = run(draft, [good, *bad], kind)
    assert [(e.row, e.field) for e in report.errors] == [
        (3, "credit_code"), (4, "credit_code"), (4, "sites"), (5, "organization"),
        (6, "sites"), (7, "min_level")], report.as_dict()
    report = run(draft, [good], kind)
    assert report.ok
    entry = draft.institution_entries.get()
    assert list(entry.sites.all()) == [site]


def test_evaluation_rows_need_self_evaluation_for_enterprises_and_the_top_filing():
    enterprise = f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type="")
    catalog = base_catalog(CatalogKind.EVALUATION_INSTITUTION)
    draft = services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                          effective_from=D(2025, 1, 1))
    kind = CatalogKind.EVALUATION_INSTITUTION
    row = {"credit_code": enterprise.credit_code, "occupation": "焊工", "min_level": "初级工",
           "max_level": "首席技师", "self_evaluation": "是"}
    report = run(draft, [row, {**row, "self_evaluation": "否", "occupation": "电工",
                               "max_level": "技师"}], kind)
    assert [(e.row, e.field) for e in report.errors] == [
        (2, "top_filing_number"), (3, "self_evaluation")]
    report = run(draft, [{**row, "top_filing_number": "豫人社备〔2025〕1号",
                          "top_filing_date": "2025-03-01"}], kind)
    assert report.ok


def test_urgent_and_qualification_rows_are_checked():
    urgent = services.version_create_draft(
        actor=services.SYSTEM, catalog=base_catalog(CatalogKind.URGENT_OCCUPATION),
        effective_from=D(2025, 1, 1))
    report = run(urgent, [
        {"occupation": "焊工", "urgency": "紧缺", "forecast_demand": "100",
         "forecast_shortfall": "300"},
        {"occupation": "焊工", "urgency": "极其紧缺"},
        {"occupation": "焊工", "urgency": "紧缺", "forecast_year": "1850"},
    ], CatalogKind.URGENT_OCCUPATION)
    assert [(e.row, e.field) for e in report.errors] == [
        (2, "forecast_shortfall"), (3, "urgency"), (4, "forecast_year")]
    quals = services.version_create_draft(
        actor=services.SYSTEM, catalog=base_catalog(CatalogKind.QUALIFICATION),
        effective_from=D(2025, 1, 1))
    report = run(quals, [{"name": "特种作业人员", "category": "准入类"},
                         {"name": "焊工", "category": "其他类"}], CatalogKind.QUALIFICATION)
    assert [(e.row, e.field) for e in report.errors] == [(3, "category")]


@pytest.mark.parametrize("kind", list(CatalogKind.values))
def test_the_template_lists_every_column_and_imports_as_an_empty_file(kind):
    import io

    import openpyxl

    data = importers.template_workbook(kind)
    book = openpyxl.load_workbook(io.BytesIO(data))
    header = [c.value for c in book.worksheets[0][1]]
    spec = spec_for(kind)
    assert header == [c.label for c in spec.columns]
    documented = [row[1] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert documented == [c.name for c in spec.columns]


def test_an_exported_version_imports_again_unchanged():
    catalog = base_catalog()
    rows = [subsidy_row(), subsidy_row(skill_level="中级工", amount="2000",
                                       government_share="0.6", enterprise_share="0.3",
                                       individual_share="0.1", valid_to="2025-12-31",
                                       note="备注")]
    v1 = publish_rows(catalog, rows, D(2025, 1, 1))
    draft = services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                          effective_from=D(2026, 1, 1), copy_entries=False)
    report = services.entries_import(actor=services.SYSTEM, version=draft,
                                     data=exports.version_xlsx(v1), filename="v1.xlsx")
    assert report.ok and report.created == 2, report.as_dict()
    from jineng.catalog import selectors

    diff = selectors.version_diff(actor=f.staff(), old=v1, new=draft)
    assert diff.is_empty


def test_an_ambiguous_occupation_name_asks_for_the_code(draft):
    from jineng.registry.choices import OccupationRank
    from jineng.registry.models import Occupation
    from tests.catalog.helpers import occupation

    for parent in (occupation("焊工"), occupation("电工")):
        Occupation.objects.create(name="同名工种", parent=parent, rank=OccupationRank.WORK_TYPE,
                                  needs_code=True)
    report = run(draft, [subsidy_row(occupation="同名工种")])
    assert [(e.row, e.field) for e in report.errors] == [(2, "occupation")]
    assert "give the occupation code" in report.errors[0].message


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"点此\")", "+1+1", "-2+3", "@SUM(A1)"])
def test_the_excel_export_writes_formula_like_text_as_text(text):
    """A note starting with =, +, - or @ is read back as the same text, never as a formula."""
    catalog = base_catalog()
    version = publish_rows(catalog, [subsidy_row()], D(2025, 1, 1))
    entries = list(spec_for(catalog.kind).entries(version.pk))
    entries[0].note = text  # as a note that came in through the API (a published row is frozen)
    book = openpyxl.load_workbook(io.BytesIO(exports.version_xlsx(version, entries)))
    sheet = book.worksheets[0]
    notes = [cell for row in sheet.iter_rows(min_row=3) for cell in row if cell.value == text]
    assert len(notes) == 1 and notes[0].data_type == "s"
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
