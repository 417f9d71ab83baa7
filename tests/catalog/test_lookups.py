"""The as-of look-ups other apps call: which standard, whether an institution may train or an
organization may assess, on a given day, and which version said so."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jineng.catalog import selectors
from jineng.catalog.choices import CatalogKind
from jineng.registry import services as registry_services
from jineng.registry.choices import OccupationRank, OrganizationKind
from jineng.registry.models import Occupation
from tests import factories as f
from tests.catalog.helpers import (
    D,
    base_catalog,
    level,
    occupation,
    publish_rows,
    subsidy_row,
    supplement,
)

pytestmark = pytest.mark.django_db


def test_the_most_specific_region_entry_wins_inside_one_catalog():
    catalog = base_catalog()
    publish_rows(catalog, [subsidy_row(), subsidy_row(region_code=f.CITY, amount="1600"),
                           subsidy_row(region_code=f.COUNTY, amount="1700")], D(2025, 1, 1))
    day, care, grade5 = D(2025, 2, 1), occupation(), level()
    got = {code: selectors.subsidy_standard_as_of(care, grade5, code, "employment", day)
           .entry.amount for code in (f.COUNTY, f.OTHER_COUNTY, f.OTHER_CITY, f.PROVINCE)}
    assert got == {f.COUNTY: 1700, f.OTHER_COUNTY: 1600, f.OTHER_CITY: 1500,
                   f.PROVINCE: 1500}
    assert selectors.subsidy_standard_as_of(care, grade5, "530102", "employment", day) is None
    assert selectors.subsidy_standard_as_of(care, level("grade4"), f.COUNTY, "employment",
                                            day) is None
    assert selectors.subsidy_standard_as_of(care, grade5, f.COUNTY, "upskilling", day) is None


def test_a_work_type_falls_back_to_its_occupation_and_special_items_are_found_by_name():
    welder = occupation("焊工")
    work_type = (Occupation.objects.filter(parent=welder).first()
                 or Occupation.objects.create(name="测试工种", parent=welder, needs_code=True,
                                              rank=OccupationRank.WORK_TYPE))
    catalog = base_catalog()
    publish_rows(catalog, [subsidy_row(occupation_code=welder.code, occupation=welder.name),
                           subsidy_row(occupation="", skill_level="",
                                       special_ability_item="苗绣制作", amount="900")],
                 D(2025, 1, 1))
    day = D(2025, 2, 1)
    answer = selectors.subsidy_standard_as_of(work_type, "grade5", f.COUNTY, "employment", day)
    assert answer.entry.occupation == welder
    item = selectors.subsidy_standard_as_of(None, None, f.COUNTY, "employment", day,
                                            special_ability_item="苗绣制作")
    assert item.entry.amount == 900


def test_every_answer_names_the_version_it_used():
    catalog = base_catalog()
    v1 = publish_rows(catalog, [subsidy_row()], D(2025, 1, 1))
    answer = selectors.subsidy_standard_as_of(occupation(), level(), f.COUNTY, "employment",
                                              D(2025, 3, 1))
    assert answer.version_id == v1.pk and answer.version_number == 1
    assert catalog.title in answer.citation and str(answer.entry.pk) in answer.citation
    assert answer.as_dict()["version_id"] == v1.pk


def test_an_answer_as_known_before_a_retroactive_version_was_published():
    catalog = base_catalog()
    t1 = timezone.make_aware(dt.datetime(2025, 1, 1, 9))
    t2 = timezone.make_aware(dt.datetime(2025, 5, 1, 9))
    v1 = publish_rows(catalog, [subsidy_row()], D(2025, 1, 1), now=t1)
    v2 = publish_rows(catalog, [subsidy_row(amount="1800")], D(2025, 3, 1), now=t2)
    day, care, grade5 = D(2025, 4, 1), occupation(), level()
    now = selectors.subsidy_standard_as_of(care, grade5, f.COUNTY, "employment", day)
    then = selectors.subsidy_standard_as_of(care, grade5, f.COUNTY, "employment", day,
                                            known_at=t2 - dt.timedelta(days=1))
    assert (now.version_id, then.version_id) == (v2.pk, v1.pk)


def listed_institution(rows_extra=None):
    trainer = f.OrganizationFactory()
    site = f.SiteFactory(organization=trainer, name="一号教学点")
    other_site = f.SiteFactory(organization=trainer, name="二号教学点")
    catalog = base_catalog(CatalogKind.TRAINING_INSTITUTION)
    row = {"credit_code": trainer.credit_code, "occupation": "养老护理员",
           "min_level": "初级工", "max_level": "中级工", "sites": "一号教学点"}
    version = publish_rows(catalog, [row, *(rows_extra or [])], D(2025, 1, 1))
    return trainer, site, other_site, catalog, version, row


def test_an_institution_is_listed_for_its_occupation_levels_and_sites():
    trainer, site, other_site, _catalog, version, _row = listed_institution()
    day, care = D(2025, 3, 1), occupation()
    ok = selectors.institution_listed_as_of(trainer, care, "grade5", site, day)
    assert ok and ok.reason == "listed" and ok.version_id == version.pk
    assert selectors.institution_listed_as_of(trainer, care, "grade3", site, day).reason == \
        "level_not_listed"
    assert selectors.institution_listed_as_of(trainer, care, "grade5", other_site, day).reason \
        == "site_not_listed"
    assert selectors.institution_listed_as_of(trainer, occupation("焊工"), "grade5", site,
                                              day).reason == "not_listed"
    assert selectors.institution_listed_as_of(trainer, care, "grade5", site,
                                              D(2024, 12, 31)).reason == "not_listed"
    stranger_site = f.SiteFactory()
    assert selectors.institution_listed_as_of(trainer, care, "grade5", stranger_site,
                                              day).reason == "site_not_own"


def test_removed_or_suspended_institutions_cannot_train_from_that_date():
    trainer, site, _other, catalog, _v1, row = listed_institution()
    keeper = f.OrganizationFactory()
    care = occupation()
    # removal: a new version without the institution takes effect on 2025-07-01
    publish_rows(catalog, [{**row, "credit_code": keeper.credit_code, "sites": ""}],
                 D(2025, 7, 1))
    assert selectors.institution_listed_as_of(trainer, care, "grade5", site, D(2025, 6, 30))
    removed = selectors.institution_listed_as_of(trainer, care, "grade5", site, D(2025, 7, 1))
    assert not removed and removed.reason == "not_listed"
    assert selectors.institution_listed_as_of(keeper, care, "grade5", None, D(2025, 7, 1))
    # suspension: from its effective date, whatever the catalog says
    registry_services.organization_change_status(
        actor=f.staff(), organization=keeper, status="suspended", reason="抽查发现问题",
        effective_date=timezone.localdate())
    today = timezone.localdate()
    suspended = selectors.institution_listed_as_of(keeper, care, "grade5", None, today)
    assert not suspended and suspended.reason == "organization_suspended"
    assert suspended.message
    assert selectors.institution_listed_as_of(keeper, care, "grade5", None,
                                              today - dt.timedelta(days=1))


def test_evaluators_and_enterprises_approved_for_self_evaluation():
    evaluator = f.OrganizationFactory(kind=OrganizationKind.EVALUATION, institution_type="")
    enterprise = f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type="")
    catalog = base_catalog(CatalogKind.EVALUATION_INSTITUTION)
    v = publish_rows(catalog, [
        {"credit_code": evaluator.credit_code, "occupation": "焊工", "min_level": "初级工",
         "max_level": "技师"},
        {"credit_code": enterprise.credit_code, "occupation": "焊工", "min_level": "初级工",
         "max_level": "首席技师", "self_evaluation": "是", "evaluation_scope": "本企业职工",
         "top_filing_number": "人社特备〔2025〕1号", "top_filing_date": "2025-02-01"},
    ], D(2025, 1, 1))
    day, welder = D(2025, 3, 1), occupation("焊工")
    assert selectors.evaluator_listed_as_of(evaluator, welder, "grade2", day).version_id == v.pk
    assert selectors.evaluator_listed_as_of(evaluator, welder, "chief", day).reason == \
        "level_not_listed"
    listing = selectors.evaluator_listed_as_of(enterprise, welder, "chief", day)
    assert listing and listing.answer.entry.self_evaluation
    assert not selectors.evaluator_listed_as_of(enterprise, occupation("电工"), "grade5", day)


def test_urgent_occupations_as_of_a_day_for_a_region():
    catalog = base_catalog(CatalogKind.URGENT_OCCUPATION)
    publish_rows(catalog, [
        {"occupation": "焊工", "urgency": "紧缺", "region_code": f.CITY, "forecast_year": "2025",
         "forecast_demand": "1200", "forecast_shortfall": "400"},
    ], D(2025, 1, 1))
    welder = occupation("焊工")
    answer = selectors.urgent_occupation_as_of(welder, f.COUNTY, D(2025, 5, 1))
    assert answer.entry.forecast_shortfall == 400
    assert selectors.urgent_occupation_as_of(welder, f.OTHER_CITY, D(2025, 5, 1)) is None
    assert selectors.urgent_occupation_as_of(welder, f.COUNTY, D(2026, 5, 1)) is None


def test_supplement_entries_for_other_occupations_add_to_the_base():
    base = base_catalog()
    publish_rows(base, [subsidy_row()], D(2025, 1, 1))
    publish_rows(supplement(base), [subsidy_row(occupation="焊工", amount="2000")],
                 D(2025, 1, 1))
    day = D(2025, 2, 1)
    assert selectors.subsidy_standard_as_of(occupation(), level(), f.COUNTY, "employment",
                                            day).entry.amount == 1500
    assert selectors.subsidy_standard_as_of(occupation("焊工"), level(), f.COUNTY, "employment",
                                            day).entry.amount == 2000
    assert selectors.subsidy_standard_as_of(occupation("焊工"), level(), f.OTHER_CITY,
                                            "employment", day) is None
