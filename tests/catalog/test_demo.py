"""The demo step: the demo province's catalogs, built through the real services, idempotent."""

import datetime as dt

import pytest

from jineng.catalog import selectors
from jineng.catalog.choices import CatalogKind
from jineng.catalog.demo import build_demo_catalogs, seed_occupations
from jineng.catalog.models import Catalog, CatalogVersion
from jineng.registry.choices import OrganizationKind
from jineng.registry.models import SkillLevel
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 15)


@pytest.fixture
def orgs():
    trainers = [f.OrganizationFactory(region=f.region(code))
                for code in (f.COUNTY, f.COUNTY, f.OTHER_COUNTY, f.OTHER_CITY_COUNTY)]
    for trainer in trainers:
        f.SiteFactory(organization=trainer)
    evaluators = [f.OrganizationFactory(kind=OrganizationKind.EVALUATION, institution_type="")]
    enterprises = [f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type="")]
    return trainers, evaluators, enterprises


def test_demo_catalogs_cover_every_seed_occupation_with_history_and_a_supplement(orgs):
    result = build_demo_catalogs(seed=7, today=TODAY)
    assert result["created"] and result["province"] == f.PROVINCE
    base = Catalog.objects.get(kind=CatalogKind.SUBSIDY_STANDARD, region__code=f.PROVINCE)
    current = selectors.version_in_force(base, TODAY)
    past = selectors.version_in_force(base, dt.date(2024, 6, 1))
    assert current.number == 2 and past.number == 1
    covered = set(current.subsidy_entries.values_list("occupation_id", flat=True))
    seeds = seed_occupations()
    assert len(seeds) > 30 and {o.pk for o in seeds} <= covered
    # the city with most organizations (Guiyang) has an approved supplement that applies there
    care = next(o for o in seeds if o.name == "养老护理员")
    grade5 = SkillLevel.objects.get(code="grade5")
    in_city = selectors.subsidy_standard_as_of(care, grade5, f.COUNTY, "employment", TODAY)
    elsewhere = selectors.subsidy_standard_as_of(care, grade5, f.OTHER_CITY_COUNTY,
                                                 "employment", TODAY)
    assert in_city.catalog_id != base.pk and elsewhere.catalog_id == base.pk
    assert in_city.entry.amount == elsewhere.entry.amount + 300
    assert in_city.entry.overrides_base and in_city.entry.override_reason
    assert result["in_review"] == 1  # a second city's filing waits for the province
    diff = selectors.version_diff(actor=None, old=past, new=current)
    assert diff.added and diff.removed and diff.changed
    # one institution was removed from the catalog at the start of the year: listed before,
    # not listed from that day
    removed = orgs[0][-1]
    institutions = Catalog.objects.get(kind=CatalogKind.TRAINING_INSTITUTION)
    old = selectors.version_in_force(institutions, dt.date(2024, 6, 1))
    entry = old.institution_entries.filter(organization=removed).first()
    assert entry is not None
    assert selectors.institution_listed_as_of(removed, entry.occupation, entry.min_level, None,
                                              dt.date(2024, 12, 31))
    gone = selectors.institution_listed_as_of(removed, entry.occupation, entry.min_level, None,
                                              dt.date(2025, 1, 1))
    assert gone.reason == "not_listed"
    # every kind of catalog exists, and the evaluation catalog lists self-evaluation
    assert set(Catalog.objects.filter(base__isnull=True).values_list("kind", flat=True)) == set(
        CatalogKind.values)
    evaluation = Catalog.objects.get(kind=CatalogKind.EVALUATION_INSTITUTION)
    assert evaluation.versions.get().evaluation_entries.filter(self_evaluation=True).exists()
    again = build_demo_catalogs(seed=7, today=TODAY)
    assert again["created"] is False
    assert again["versions"] == result["versions"] == CatalogVersion.objects.count()


def test_demo_catalogs_without_organizations_still_build_the_standards():
    result = build_demo_catalogs(seed=1, today=TODAY, province_code="520000")
    assert result["catalogs"][CatalogKind.SUBSIDY_STANDARD]
    assert CatalogKind.TRAINING_INSTITUTION not in result["catalogs"]


def test_demo_catalogs_can_be_removed_with_the_demo_province(orgs):
    from jineng.catalog import services
    from jineng.catalog.demo import delete_demo_catalogs
    from jineng.core.errors import Forbidden

    build_demo_catalogs(seed=3, today=TODAY)
    with pytest.raises(Forbidden):
        services.catalogs_purge(actor=f.staff(), catalogs=list(Catalog.objects.all()))
    counts = delete_demo_catalogs()
    assert counts["catalogs"] == 7 and counts["versions"] > 7
    assert not Catalog.objects.exists() and not CatalogVersion.objects.exists()
    for org in (*orgs[0], *orgs[1], *orgs[2]):  # nothing refers to the organizations any more
        org.sites.all().delete()
        org.status_history.all().delete()
        org.delete()


def test_the_demo_step_records_its_counts():
    from types import SimpleNamespace

    from jineng.catalog.demo import demo_step

    ctx = SimpleNamespace(seed=5, build=SimpleNamespace(reference_date=TODAY), counts={})
    demo_step(ctx)
    assert ctx.counts["catalog_versions"] >= 4 and ctx.counts["subsidy_standards"] > 100
