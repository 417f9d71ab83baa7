"""The overview page: scoped counts by region, institution type and key group, drill-down by
region, a query budget, and charts from our own static files."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from jineng.registry.choices import KeyGroup, OrganizationKind
from jineng.registry.models import KeyGroupMembership, Organization, Person, Region, TrainingSite
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = reverse("portal:overview")


def user(name: str):
    return get_user_model().objects.get(username=name)


def card(html: str, testid: str) -> int | None:
    found = re.search(rf'data-testid="{testid}">([0-9,]+)<', html)
    return int(found.group(1).replace(",", "")) if found else None


def chart_data(response) -> dict:
    found = re.search(r'<script id="overview-data" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    return json.loads(found.group(1))


def get(client, name: str, query: str = ""):
    client.force_login(user(name))
    return client.get(URL + query)


def test_home_sends_logged_in_users_to_the_overview(demo, client):
    client.force_login(user("county"))
    assert client.get(reverse("portal:home"))["Location"] == URL


def test_overview_needs_a_login(client):
    assert client.get(URL)["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("name", "prefix"), [("province", "52"), ("city", "5201"),
                                              ("county", "520102"), ("inspector", "52")])
def test_staff_see_the_counts_of_their_region(demo, client, name, prefix):
    response = get(client, name)
    assert response.status_code == 200
    html = response.content.decode()
    persons = Person.objects.filter(region__code__startswith=prefix)
    assert card(html, "person-count") == persons.count() > 0
    assert card(html, "organization-count") == \
        Organization.objects.filter(region__code__startswith=prefix).count()
    data = chart_data(response)
    assert sum(data["regions"]["persons"]) == persons.count()
    graduates = persons.filter(key_groups__group=KeyGroup.GRADUATE).distinct().count()
    names = data["groups"]["names"]
    assert data["groups"]["values"][names.index(str(KeyGroup.GRADUATE.label))] == graduates


def test_a_county_sees_fewer_persons_than_the_province(demo, client):
    county = card(get(client, "county").content.decode(), "person-count")
    province = card(get(client, "province").content.decode(), "person-count")
    assert 0 < county < province


def test_province_rows_are_its_cities_and_drill_down_to_counties(demo, client):
    data = chart_data(get(client, "province"))["regions"]
    cities = list(Region.objects.filter(parent__code="520000").values_list("code", flat=True))
    assert data["codes"] == sorted(cities)
    assert all(data["drill"])
    response = get(client, "province", "?region=520100")
    assert response.status_code == 200
    drilled = chart_data(response)["regions"]
    counties = Region.objects.filter(parent__code="520100")
    assert drilled["codes"] == sorted(counties.values_list("code", flat=True))
    assert not any(drilled["drill"])
    assert sum(drilled["persons"]) == Person.objects.filter(region__code__startswith="5201") \
        .count() == data["persons"][data["codes"].index("520100")]
    html = response.content.decode()
    assert 'href="?region=520000"' in html  # the way back up


@pytest.mark.parametrize(("name", "query"), [("county", "?region=520100"),
                                             ("city", "?region=520000"),
                                             ("city", "?region=520302"),
                                             ("province", "?region=110000"),
                                             ("province", "?region=999999")])
def test_regions_outside_the_users_own_answer_404(demo, client, name, query):
    assert get(client, name, query).status_code == 404


def test_institution_users_see_their_own_organization(demo, client):
    trainer = user("trainer")
    response = get(client, "trainer")
    html = response.content.decode()
    assert card(html, "organization-count") == 1
    # An institution sees the persons it registered and those enrolled in its classes.
    from jineng.training.models import Enrollment

    enrolled = Enrollment.objects.filter(
        training_class__institution=trainer.organization).values("person_id")
    own = Person.objects.filter(Q(registered_by=trainer.organization) | Q(pk__in=enrolled))
    assert own.count() > 0
    assert card(html, "person-count") == own.count()
    assert card(html, "site-count") == TrainingSite.objects.filter(
        organization=trainer.organization).count()
    data = chart_data(response)
    assert data["regions"]["codes"] == ["520000"]  # the only province with something in it
    assert [t["value"] for t in data["types"]] == [1]


def test_industry_staff_see_no_person_figures(demo, client):
    response = get(client, "industry")
    html = response.content.decode()
    assert card(html, "organization-count") == Organization.objects.count()
    assert card(html, "person-count") is None
    assert 'id="chart-groups"' not in html
    assert chart_data(response)["regions"]["persons"] is None


def test_institution_types_and_kinds_add_up(demo, client):
    response = get(client, "admin")
    html = response.content.decode()
    data = chart_data(response)
    training = Organization.objects.filter(kind=OrganizationKind.TRAINING).count()
    assert sum(t["value"] for t in data["types"]) == training == card(html, "training-count")
    assert card(html, "evaluation-count") == \
        Organization.objects.filter(kind=OrganizationKind.EVALUATION).count()
    assert card(html, "enterprise-count") == \
        Organization.objects.filter(kind=OrganizationKind.ENTERPRISE).count()


def test_records_kept_at_the_focus_itself_get_their_own_row(demo, client):
    f.PersonFactory(region=f.region("520100"))  # registered at city level, no county
    data = chart_data(get(client, "province", "?region=520100"))["regions"]
    assert data["codes"][-1] == "520100"
    assert data["persons"][-1] == 1
    assert sum(data["persons"]) == Person.objects.filter(region__code__startswith="5201").count()


WORK_QUERIES = 7  # counts and first rows of the staff's work (portal.selectors.work)


def test_the_query_count_does_not_grow_with_regions(demo, client, django_assert_max_num_queries):
    client.force_login(user("province"))
    # The overview's dozen grouped queries, plus the role's work section (a fixed handful).
    with django_assert_max_num_queries(12 + WORK_QUERIES):
        assert client.get(URL).status_code == 200
    # Data in many more counties: still the same handful of grouped queries.
    for county in Region.objects.filter(code__startswith="52", level="county")[:40]:
        person = f.PersonFactory(region=county)
        KeyGroupMembership.objects.create(person=person, group=KeyGroup.VETERAN,
                                          start_date="2020-01-01")
        f.SiteFactory(organization=f.OrganizationFactory(region=county), region=county)
    with django_assert_max_num_queries(12 + WORK_QUERIES):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(12 + WORK_QUERIES):
        assert client.get(URL + "?region=520300").status_code == 200


def test_charts_come_from_our_static_files_not_a_cdn(demo, client):
    html = get(client, "province").content.decode()
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert "/static/vendor/echarts/echarts.min.js" in scripts
    assert "/static/portal/overview.js" in scripts
    assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))]
    assert 'id="chart-regions"' in html and 'id="chart-types"' in html


def test_chart_labels_follow_the_language(demo, client):
    client.force_login(user("province"))
    client.cookies["django_language"] = "en"
    data = chart_data(client.get(URL, HTTP_ACCEPT_LANGUAGE="en"))
    assert data["labels"]["persons"] == "Registered persons"
    assert "Migrant worker" in data["groups"]["names"]
    assert "Private training institution" in [t["name"] for t in data["types"]]


def test_the_overview_links_to_the_plan_dashboard_once_a_plan_exists(demo, client):
    from jineng.plans import services as plan_services
    from jineng.plans.rules.packs import read_shipped

    client.force_login(user("province"))
    assert 'data-testid="plan-link"' not in get(client, "province").content.decode()
    plan = plan_services.plan_load_pack(actor=user("province"),
                                        text=read_shipped("guizhou-2025-2027"))
    html = client.get(URL).content.decode()
    assert 'data-testid="plan-link"' in html
    assert reverse("plans:dashboard", args=[plan.key]) in html
