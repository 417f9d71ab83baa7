"""The public site: filters, distance, public fields only, bad input per field, rate limits;
the API through its OpenAPI document (tests/openapi.py), the pages rendered for real."""

from __future__ import annotations

import datetime as dt

import pytest

from jineng.core.models import AuditAction, AuditEvent
from jineng.portal.rules import site_search as rules
from jineng.portal.selectors import site as selectors
from jineng.training.choices import FundingSource
from tests import factories as f
from tests.openapi import OpenApiClient, operations
from tests.portal.site_support import SEARCHER, site_world

pytestmark = pytest.mark.django_db

LAT, LON = SEARCHER


@pytest.fixture
def sw():
    return site_world()


@pytest.fixture
def anon(client):
    return OpenApiClient(client)


def ids(body) -> set[int]:
    return {item["id"] for item in body["items"]}


# --- rules ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("a", "b", "km"), [
    ((26.57, 106.71), (26.57, 106.71), 0.0),
    ((0, 0), (0, 1), 111.195),
    ((39.9042, 116.4074), (31.2304, 121.4737), 1067.3),  # 北京 – 上海, about 1,067 km
])
def test_distance_km(a, b, km):
    assert rules.distance_km(*a, *b) == pytest.approx(km, abs=0.5)


@pytest.mark.parametrize("radius", [1, 10, 30, 200, 500])
@pytest.mark.parametrize("lat", [18.3, 26.57, 45.0, 53.5])
def test_bounding_box_holds_the_circle(lat, radius):
    box = rules.bounding_box(lat, 106.7, radius)
    for bearing in range(0, 360, 15):
        # a point at the radius in this direction (small-step walk along the bearing)
        import math
        d = radius / rules.EARTH_RADIUS_KM
        p1, l1, th = math.radians(lat), math.radians(106.7), math.radians(bearing)
        p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(th))
        l2 = l1 + math.atan2(math.sin(th) * math.sin(d) * math.cos(p1),
                             math.cos(d) - math.sin(p1) * math.sin(p2))
        plat, plon = math.degrees(p2), math.degrees(l2)
        assert box.south <= plat <= box.north and box.west <= plon <= box.east


def test_every_funding_source_is_classified():
    assert set(FundingSource.values) == rules.PUBLIC_FUNDS | rules.OWN_FUNDS
    assert rules.is_subsidized("employment_subsidy") and not rules.is_subsidized("enterprise")


@pytest.mark.parametrize(("phone", "public"), [
    ("0851-12345678", True), ("(0851)12345678", True), ("4001234567", True),
    ("13912345678", False), ("139-1234-5678", False), ("", False), ("12345", False),
])
def test_only_landlines_and_service_numbers_are_public(phone, public):
    assert rules.is_public_phone(phone) is public


# --- distance and filters --------------------------------------------------------------------

def test_a_class_within_10_km_is_found_and_one_at_15_km_is_not(sw, anon):
    result = anon.call("portal_class_search", query={"lat": LAT, "lon": LON, "within_km": 10})
    assert result.status == 200
    assert sw.near.pk in ids(result.body) and sw.far.pk not in ids(result.body)
    near = next(i for i in result.body["items"] if i["id"] == sw.near.pk)
    assert near["distance_km"] == pytest.approx(8.0, abs=0.1)
    wider = anon.call("portal_class_search", query={"lat": LAT, "lon": LON, "within_km": 20})
    order = [i["id"] for i in wider.body["items"]]
    assert order[0] == sw.near.pk and order[-1] == sw.far.pk  # nearest first
    distances = [i["distance_km"] for i in wider.body["items"]]
    assert distances == sorted(distances)
    sites = anon.call("portal_site_map", query={"lat": LAT, "lon": LON, "within_km": 10})
    assert {s["id"] for s in sites.body["items"]} == {sw.near.site_id}


def test_place_by_region_code_measures_from_its_seat(sw, anon):
    result = anon.call("portal_class_search", query={"place": f.COUNTY, "within_km": 100})
    assert result.status == 200 and sw.near.pk in ids(result.body)
    assert all(i["distance_km"] is not None for i in result.body["items"])


def test_filters(sw, anon):
    everything = ids(anon.call("portal_class_search").body)
    assert everything == {sw.near.pk, sw.far.pk, sw.enterprise_class.pk}  # not the declared one
    paid = ids(anon.call("portal_class_search", query={"subsidized": "false"}).body)
    assert paid == {sw.enterprise_class.pk}
    assert sw.enterprise_class.pk not in ids(anon.call("portal_class_search", query={
        "subsidized": "true"}).body)
    # A veteran may join the class for veterans and those open to all; a graduate not the first.
    assert ids(anon.call("portal_class_search", query={"key_group": "veteran"}).body) == \
        everything
    assert sw.enterprise_class.pk not in ids(anon.call("portal_class_search", query={
        "key_group": "graduate"}).body)
    by_level = anon.call("portal_class_search", query={"level": sw.near.level.code})
    assert ids(by_level.body) == everything
    other_level = anon.call("portal_class_search", query={"level": "grade1"})
    assert other_level.status == 200 and ids(other_level.body) == set()
    by_occupation = anon.call("portal_class_search", query={"occupation": sw.near.occupation_id})
    assert ids(by_occupation.body) == everything
    soon = sw.near.start_date + dt.timedelta(days=1)
    assert ids(anon.call("portal_class_search", query={"date_to": soon.isoformat()}).body) == \
        {sw.near.pk, sw.far.pk}
    later = sw.near.end_date + dt.timedelta(days=1)
    assert ids(anon.call("portal_class_search", query={"date_from": later.isoformat()}).body) \
        == {sw.enterprise_class.pk}
    page = anon.call("portal_class_search", query={"limit": 1, "offset": 1})
    assert page.body["count"] == 3 and len(page.body["items"]) == 1


# --- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "field", "code"), [
    ({"place": "999999", "within_km": 10}, "place", "unknown"),
    ({"place": "贵阳"}, "place", "unknown"),
    ({"place": f.COUNTY, "within_km": 501}, "within_km", "too_large"),
    ({"place": f.COUNTY, "within_km": 0}, "within_km", "too_small"),
    ({"within_km": 10}, "place", "required"),
    ({"lat": 26.5}, "lon", "required"),
    ({"lat": 60.0, "lon": 10.0}, "lat", "outside"),
    ({"place": f.COUNTY, "lat": 26.5, "lon": 106.7}, "place", "both"),
    ({"date_from": "2026-03-01", "date_to": "2026-02-01"}, "date_to", "before_start"),
    ({"date_from": "1999-01-01"}, "date_from", "too_early"),
    ({"date_to": "2099-01-01"}, "date_to", "too_late"),
    ({"occupation": 2_000_000_000}, "occupation", "unknown"),
    ({"level": "nope"}, "level", "unknown"),
    ({"key_group": "astronaut"}, "key_group", "unknown"),
    ({"date_from": "2026-13-45"}, "date_from", "date_from_datetime_parsing"),
    ({"within_km": "far"}, "within_km", "float_parsing"),
    ({"limit": 1000}, "limit", "less_than_equal"),
])
def test_bad_input_is_named_per_field(anon, query, field, code):
    for op in ("portal_class_search", "portal_site_map"):
        result = anon.call(op, query=query)
        assert result.status == 422, (op, query, result.body)
        assert {(d["field"], d["code"]) for d in result.body["detail"]} >= {(field, code)}
        assert all(d["message"] for d in result.body["detail"])


def test_several_problems_come_back_together(anon):
    result = anon.call("portal_class_search", query={"place": "999999", "within_km": 900,
                                                     "level": "nope"})
    assert {d["field"] for d in result.body["detail"]} == {"place", "within_km", "level"}


def test_bad_input_on_the_page_is_shown_beside_the_field(client):
    response = client.get("/map/", {"place": "999999", "within_km": "900"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field="place"' in html and 'data-field="within_km"' in html


# --- public fields only ----------------------------------------------------------------------

def test_public_fields_only(sw, anon, client):
    detail = anon.call("portal_class_get", path={"class_id": sw.near.pk})
    assert detail.status == 200
    body = detail.body
    assert body["places_left"] == body["planned_size"] - 1
    assert body["institution_phone"] == ""  # a mobile number is not published
    assert body["subsidy"]["amount"] and body["subsidy"]["citation"]
    texts = [detail.response.content.decode()]
    for url in ("/map/", f"/classes/{sw.near.pk}/", "/institutions/",
                f"/institutions/{sw.w.org.pk}/", "/subsidy-standards/", "/"):
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(response.content.decode())
    search = anon.call("portal_class_search", query={"limit": 100})
    texts.append(search.response.content.decode())
    everything = "\n".join(texts)
    for secret in ("13912345678", "张法人", "李学员", "王老师", sw.w.teacher.id_masked,
                   "待审核班", "补录"):
        assert secret and secret not in everything, secret
    assert sw.w.org.name in everything


def test_a_landline_is_published(sw, anon):
    sw.w.org.contact_phone = "0851-88886666"
    sw.w.org.save()
    assert anon.call("portal_class_get", path={"class_id": sw.near.pk}).body[
        "institution_phone"] == "0851-88886666"


def test_a_class_the_public_does_not_see_is_404_like_a_missing_one(sw, anon, client):
    for pk in (sw.declared.pk, 999_999):
        assert anon.call("portal_class_get", path={"class_id": pk}).status == 404
        assert client.get(f"/classes/{pk}/").status_code == 404
    enterprise = f.OrganizationFactory(kind="enterprise", institution_type="")
    assert client.get(f"/institutions/{enterprise.pk}/").status_code == 404


def test_institution_page_lists_its_catalog_listings_and_classes(sw, client):
    html = client.get(f"/institutions/{sw.w.org.pk}/").content.decode()
    assert "养老护理员" in html and sw.near.name in html and "北郊教学点" in html


def test_operations_are_public_and_documented():
    ops = operations()
    for op_id in ("portal_class_search", "portal_site_map", "portal_class_get"):
        method, _path, op = ops[op_id]
        assert method == "get" and {} in op.get("security", [])
        assert "429" in op["responses"]
    assert "422" in ops["portal_class_search"][2]["responses"]


# --- rate limits -----------------------------------------------------------------------------

def test_the_api_is_rate_limited(sw, anon, settings):
    settings.JINENG_PORTAL_RATE_LIMITS = {"portal.site.api": (3, 60), "portal.site.page": (2, 60)}
    for _ in range(3):
        assert anon.call("portal_class_search").status == 200
    refused = anon.call("portal_class_search")
    assert refused.status == 429 and refused.body["detail"][0]["code"] == "throttled"
    assert int(refused.response["Retry-After"]) > 0
    assert anon.call("portal_class_get", path={"class_id": sw.near.pk}).status == 429
    assert AuditEvent.objects.filter(action=AuditAction.THROTTLED,
                                     entity_id="portal.site.api").count() == 1


def test_the_pages_are_rate_limited(client, settings):
    settings.JINENG_PORTAL_RATE_LIMITS = {"portal.site.page": (2, 60)}
    assert client.get("/map/").status_code == 200
    assert client.get("/institutions/").status_code == 200
    response = client.get("/map/")
    assert response.status_code == 429 and response["Retry-After"]


# --- query budgets ---------------------------------------------------------------------------

def test_search_query_count_does_not_grow_with_the_page(sw, anon, django_assert_max_num_queries):
    search = selectors.search_parse(lat=LAT, lon=LON, within_km=50)
    with django_assert_max_num_queries(6):
        page = selectors.class_search(search)
    assert page.count == 3
    with django_assert_max_num_queries(3):
        selectors.site_map(search)


# --- the province-wide map: per county ----------------------------------------------------------

def test_map_without_a_place_answers_per_county(sw, anon):
    body = anon.call("portal_site_map", query={}).body
    assert body["mode"] == "regions" and body["items"] == []
    # Both sites are public and hold classes: one county (the world's) with 2 sites, 3 classes
    # (the class waiting for review is not counted).
    assert body["count"] == 2
    [county] = body["regions"]
    assert county["code"] == sw.near.site.region.code[:6]
    assert (county["sites"], county["classes"]) == (2, 3)
    assert county["latitude"] and county["longitude"]
    # Filters still apply per county: subsidized leaves out the enterprise's own class.
    subsidized = anon.call("portal_site_map", query={"subsidized": True}).body
    assert subsidized["regions"][0]["classes"] == 2


def test_map_around_a_place_lists_sites_and_wide_radius_answers_per_county(sw, anon):
    near = anon.call("portal_site_map", query={"lat": LAT, "lon": LON, "within_km": 10}).body
    assert near["mode"] == "sites" and near["regions"] == []
    wide = anon.call("portal_site_map", query={"lat": LAT, "lon": LON,
                                               "within_km": selectors.REGIONS_ABOVE_KM + 1}).body
    assert wide["mode"] == "regions" and wide["count"] == 2


def test_region_markers_leave_out_sites_the_public_does_not_see(sw, anon):
    sw.far.site.is_active = False
    sw.far.site.save()
    body = anon.call("portal_site_map", query={}).body
    assert body["count"] == 1 and body["regions"][0]["classes"] == 2


def test_map_page_without_a_place_lists_counties_with_a_link_to_zoom_in(sw, client):
    response = client.get("/map/")
    text = response.content.decode()
    assert response.status_code == 200 and 'id="region-list"' in text
    code = sw.near.site.region.code[:6]
    assert f"place={code}" in text and "within_km=30" in text


def test_a_county_without_coordinates_sits_at_the_mean_of_its_sites(sw, anon):
    county = sw.near.site.region
    county.latitude = county.longitude = None
    county.save()
    [region] = anon.call("portal_site_map", query={}).body["regions"]
    lats = [float(sw.near.site.latitude), float(sw.far.site.latitude)]
    assert region["latitude"] == pytest.approx(sum(lats) / 2, abs=1e-5)
