"""The plans map: point-in-polygon and name matching (pure rules, table-driven), the boundary
files of china-geojson matched to the registry's real regions, and what the dashboard hands
to the map script for a province, a city and a region without boundaries."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from jineng.plans import dashboard, services
from jineng.plans.rules import geo
from jineng.registry.models import Region
from tests import factories as f
from tests.plans.conftest import add, fact

GEOJSON_DIR = Path(settings.BASE_DIR) / "node_modules" / "china-geojson" / "src" / "geojson"
needs_geojson = pytest.mark.skipif(
    not (Path(settings.BASE_DIR) / "node_modules").is_dir(),
    reason="node_modules is absent (python3 dev.py test installs it)")

SQUARE = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
HOLE = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
# A U: the notch x 3..7, y 3..10 is outside.
U_SHAPE = [[0, 0], [10, 0], [10, 10], [7, 10], [7, 3], [3, 3], [3, 10], [0, 10]]
TRIANGLE = [[20, 0], [30, 0], [25, 8]]


# --- pure rules --------------------------------------------------------------------------------

@pytest.mark.parametrize(("lon", "lat", "ring", "inside"), [
    (5, 5, SQUARE, True),
    (0.001, 9.999, SQUARE, True),
    (-1, 5, SQUARE, False),         # left of it
    (11, 5, SQUARE, False),         # right of it: the ray crosses nothing
    (5, 10.5, SQUARE, False),       # above it
    (1.5, 8, U_SHAPE, True),        # in the left arm
    (5, 8, U_SHAPE, False),         # in the notch: the ray crosses two edges
    (8.5, 8, U_SHAPE, True),        # in the right arm
    (5, 1, U_SHAPE, True),          # in the base
    (25, 4, TRIANGLE, True),        # an open ring (not repeating its first point)
    (21, 6, TRIANGLE, False),
    (5, 5, [[0, 0], [10, 10]], False),  # not a ring
])
def test_point_in_ring(lon, lat, ring, inside):
    assert geo.point_in_ring(lon, lat, ring) is inside


@pytest.mark.parametrize(("lon", "lat", "geometry", "inside"), [
    (2, 2, {"type": "Polygon", "coordinates": [SQUARE, HOLE]}, True),
    (5, 5, {"type": "Polygon", "coordinates": [SQUARE, HOLE]}, False),   # in the hole
    (5, 5, {"type": "Polygon", "coordinates": [SQUARE]}, True),
    (25, 4, {"type": "MultiPolygon", "coordinates": [[SQUARE], [TRIANGLE]]}, True),
    (5, 5, {"type": "MultiPolygon", "coordinates": [[SQUARE, HOLE], [TRIANGLE]]}, False),
    (15, 4, {"type": "MultiPolygon", "coordinates": [[SQUARE], [TRIANGLE]]}, False),
    (5, 5, {"type": "Point", "coordinates": [5, 5]}, False),
    (5, 5, {}, False),
    (5, 5, None, False),
])
def test_point_in_geometry(lon, lat, geometry, inside):
    assert geo.point_in_geometry(lon, lat, geometry) is inside


@pytest.mark.parametrize(("name", "stem"), [
    ("毕节市", "毕节"), ("毕节地区", "毕节"), ("铜仁地区", "铜仁"),
    ("黔东南苗族侗族自治州", "黔东南苗族侗族"), ("锡林郭勒盟", "锡林郭勒"),
    ("神农架林区", "神农架"), ("香港特别行政区", "香港"), ("南明区", "南明"),
    ("沙市区", "沙市"),   # never down to one character
    ("阿拉善盟", "阿拉善"), ("贵州", "贵州"), (" 六盘水市 ", "六盘水"),
])
def test_name_stem(name, stem):
    assert geo.name_stem(name) == stem


def box(x: float, y: float, size: float = 10) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size],
                                                [x, y + size], [x, y]]]}


FEATURES = [geo.Feature("甲乙地区", box(0, 0)), geo.Feature("丙丁市", box(10, 0)),
            geo.Feature("戊己苗族自治州", box(20, 0))]


@pytest.mark.parametrize(("places", "expected"), [
    # seats inside their features, names agreeing after the stem
    ([geo.Place("01", "甲乙市", 5, 5), geo.Place("02", "丙丁市", 15, 5)], {"01": 0, "02": 1}),
    # renamed: the seat decides (庚辛市 lies where the file says 丙丁市)
    ([geo.Place("02", "庚辛市", 15, 5)], {"02": 1}),
    # no coordinates: the name's stem decides
    ([geo.Place("01", "甲乙市"), geo.Place("02", "丙丁市", None, None)], {"01": 0, "02": 1}),
    # a seat in the wrong feature (coarse border) yields to the place of that name
    ([geo.Place("01", "甲乙市", 12, 5), geo.Place("02", "丙丁市", 15, 5)], {"01": 0, "02": 1}),
    # one feature to one place: the second seat in 甲乙 finds nothing else
    ([geo.Place("01", "甲乙市", 5, 5), geo.Place("09", "壬癸市", 6, 6)], {"01": 0}),
    # one stem begins with the other
    ([geo.Place("03", "戊己自治州")], {"03": 2}),
    # outside every feature and no name alike
    ([geo.Place("05", "子丑市", 50, 50)], {}),
])
def test_match_places(places, expected):
    assert geo.match_places(places, FEATURES) == expected


# --- the real boundary files ---------------------------------------------------------------------

@needs_geojson
def test_every_province_in_the_table_has_its_boundary_file():
    assert len(set(dashboard.PROVINCE_GEOJSON_FILES.values())) == len(
        dashboard.PROVINCE_GEOJSON_FILES)
    for prefix, name in dashboard.PROVINCE_GEOJSON_FILES.items():
        path = GEOJSON_DIR / f"{name}_geo.json"
        assert path.is_file(), (prefix, path)
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        # The file is that province's: its features' codes start with the prefix.
        assert all(str(feat["id"]).startswith(prefix) for feat in features), prefix
        assert dashboard.geojson_path(prefix + "0000") == (
            f"{dashboard.GEOJSON_STATIC_DIR}/{name}_geo.json")


@needs_geojson
@pytest.mark.django_db
def test_all_nine_guizhou_cities_match_one_feature_each():
    cities = list(Region.objects.filter(parent__code="520000", level="city").order_by("code"))
    assert [c.code for c in cities] == ["520100", "520200", "520300", "520400", "520500",
                                        "520600", "522300", "522600", "522700"]
    names = dashboard.feature_names(dashboard.geojson_path("520000"), cities)
    assert set(names) == {c.code for c in cities}
    assert len(set(names.values())) == 9  # one feature each
    # Renamed since the file was drawn: 毕节地区 → 毕节市 (2011), 铜仁地区 → 铜仁市 (2011).
    assert names["520500"] == "毕节地区" and names["520600"] == "铜仁地区"
    assert names["522600"] == "黔东南苗族侗族自治州"


@needs_geojson
@pytest.mark.django_db
def test_a_renamed_city_matches_by_its_seat():
    # 襄樊市 has been 襄阳市 since 2010: no name alike, the seat lies in the old boundary.
    cities = list(Region.objects.filter(parent__code="420000", level="city"))
    assert geo.name_stem("襄阳市") != geo.name_stem("襄樊市")
    path = dashboard.geojson_path("420000")
    names = dashboard.feature_names(path, cities)
    assert names["420600"] == "襄樊市"
    assert len(names) == len(cities) == len(set(names.values()))
    # Alone, with every feature free: its seat lies in exactly one of them.
    xiangyang = next(c for c in cities if c.code == "420600")
    assert dashboard.feature_names(path, [xiangyang]) == {"420600": "襄樊市"}


@needs_geojson
def test_a_boundary_file_is_parsed_once():
    path = dashboard.geojson_path("520000")
    assert dashboard.province_features(path) is dashboard.province_features(path)
    assert len(dashboard.province_features(path)) == 9
    assert dashboard.province_features("vendor/china-geojson/nowhere.json") == ()


# --- what the dashboard hands to the map -------------------------------------------------------

@pytest.fixture
def plan_with_facts(guizhou_plan, province_staff):
    add(fact(day=dt.date(2025, 5, 1), region="520102", value=500),
        fact(day=dt.date(2025, 5, 1), region="520502", value=700))
    services.plan_decompose_all(actor=province_staff, plan=guizhou_plan,
                                parent=Region.objects.get(code=f.PROVINCE), method="equal")
    return guizhou_plan


def map_json(response) -> dict:
    found = re.search(r'<script id="plans-map-data" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    return json.loads(found.group(1))


@needs_geojson
@pytest.mark.django_db
def test_the_province_dashboard_maps_each_city_to_its_boundary(client, plan_with_facts,
                                                                province_staff):
    client.force_login(province_staff)
    response = client.get(f"/plans/{plan_with_facts.key}/?as_of=2025-06-30")
    region_map = response.context["region_map"]
    assert region_map["mode"] == "province"
    assert region_map["geojson"] == "/static/vendor/china-geojson/gui_zhou_geo.json"
    assert region_map["mapName"] == "jineng-520000"
    assert region_map["nameMap"]["毕节地区"] == "毕节市"
    assert region_map["nameMap"]["贵阳市"] == "贵阳市"
    assert len(region_map["nameMap"]) == 9 and region_map["unplaced"] == []
    bijie = next(p for p in region_map["points"] if p["code"] == "520500")
    assert (bijie["feature"], bijie["actual"]) == ("毕节地区", 700.0)
    assert bijie["url"].endswith("?region=520500&as_of=2025-06-30")
    assert bijie["color"] == dashboard.STATUS_COLORS[bijie["status"]]
    assert map_json(response) == json.loads(json.dumps(region_map))  # what the script reads
    html = response.content.decode()
    assert "/static/plans/region_map.js" in html
    assert 'data-testid="map-note"' in html and "审图号" in html  # orientation only


@needs_geojson
@pytest.mark.django_db
def test_a_city_dashboard_draws_the_citys_outline_with_its_counties(client, plan_with_facts,
                                                                     province_staff):
    client.force_login(province_staff)
    response = client.get(f"/plans/{plan_with_facts.key}/?region=520500&as_of=2025-06-30")
    region_map = response.context["region_map"]
    assert region_map["mode"] == "city"
    assert region_map["geojson"] == "/static/vendor/china-geojson/gui_zhou_geo.json"
    assert region_map["feature"] == "毕节地区"  # today's 毕节市, under its old name
    assert {p["code"] for p in region_map["points"]} == set(
        Region.objects.filter(parent__code="520500", is_active=True)
        .values_list("code", flat=True))
    # A county has no regions below it: no map.
    response = client.get(f"/plans/{plan_with_facts.key}/?region=520102&as_of=2025-06-30")
    assert response.context["region_map"] == {}
    assert 'id="chart-map"' not in response.content.decode()


@pytest.mark.django_db
def test_without_a_boundary_file_the_seats_are_circles(client, plan_with_facts,
                                                       province_staff, monkeypatch):
    monkeypatch.setattr(dashboard, "PROVINCE_GEOJSON_FILES", {})
    client.force_login(province_staff)
    response = client.get(f"/plans/{plan_with_facts.key}/?as_of=2025-06-30")
    region_map = response.context["region_map"]
    assert (region_map["mode"], region_map["geojson"], region_map["nameMap"]) == (
        "points", "", {})
    assert len(region_map["points"]) == 9
    assert all(p["lon"] and p["lat"] for p in region_map["points"])
    assert "审图号" not in response.content.decode()
