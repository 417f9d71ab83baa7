"""The wish map draws the region boundaries: the province's cities coloured by wishers (the
plans map's boundary file and matching), the counties' circles on top; a city's outline when
a city is chosen; circles at the seats without a province. Rendered on the page, and drawn in
a real browser."""

from __future__ import annotations

import pytest

from jineng.demand.selectors import wishes as selectors
from jineng.registry.models import Region
from tests import factories as f
from tests.browser import login
from tests.demand import factories as df

OTHER_CITY_COUNTY = "520302"  # 红花岗区 (遵义市)


def _wishes() -> None:
    home = df.PosterFactory()  # 南明区 (贵阳市)
    away = df.PosterFactory(region=f.region(OTHER_CITY_COUNTY))
    for _ in range(3):
        df.WishFactory(poster=home)
    df.WishFactory(poster=away)


@pytest.mark.django_db
def test_province_map_colours_the_cities_with_counties_on_top():
    _wishes()
    staff = f.staff()  # province staff of 贵州省
    data = selectors.wish_map(actor=staff)
    assert data["mode"] == "province" and data["geojson"].endswith("gui_zhou_geo.json")
    areas = {a["code"]: a for a in data["areas"]}
    cities = Region.objects.filter(parent__code=f.PROVINCE, level="city")
    assert set(areas) == {c.code for c in cities}  # every city an area, with or without wishes
    assert areas[f.CITY]["wishes"] == 3 and areas[f.OTHER_CITY]["wishes"] == 1
    assert areas[f.CITY]["feature"] and data["max"] == 3
    assert data["circlesOnMap"] and {p["code"]: p["wishes"] for p in data["points"]} == {
        f.COUNTY: 3, OTHER_CITY_COUNTY: 1}
    by_city = selectors.wish_map(actor=staff, by="city")
    assert by_city["mode"] == "province" and not by_city["circlesOnMap"]
    assert {p["code"] for p in by_city["points"]} == {f.CITY, f.OTHER_CITY}  # the fallback


@pytest.mark.django_db
def test_a_city_shows_its_outline_and_a_whole_country_reader_circles():
    _wishes()
    data = selectors.wish_map(actor=f.staff(), region_code=f.CITY)
    assert data["mode"] == "city" and data["feature"]
    assert [p["code"] for p in data["points"]] == [f.COUNTY]
    city_staff = selectors.wish_map(actor=f.staff("city_staff", f.CITY))  # their own city
    assert city_staff["mode"] == "city" and city_staff["feature"] == data["feature"]
    assert [p["wishes"] for p in city_staff["points"]] == [3]
    admin = f.UserFactory(is_superuser=True)
    assert selectors.wish_map(actor=admin)["mode"] == "points"


@pytest.mark.django_db
def test_summary_page_renders_the_map_data(client):
    _wishes()
    client.force_login(f.staff())
    page = client.get("/demand/wishes/")
    body = page.content.decode()
    assert page.status_code == 200 and 'data-map-mode="province"' in body
    assert "china-geojson" in body and "gui_zhou_geo.json" in body
    assert page.context["map_data"]["areas"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_wish_map_draws_the_province_and_a_city_in_a_browser(page, live_server):
    _wishes()
    staff = f.staff()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/demand/wishes/")
    page.wait_for_selector("#wish-map[data-map-drawn=province]")
    option = page.evaluate("""() => {
      const o = echarts.getInstanceByDom(document.getElementById("wish-map")).getOption();
      return {geo: o.geo.map((g) => g.map), series: o.series.map((s) => s.type),
              values: (o.series[0].data || []).map((d) => d.value)};
    }""")
    assert option["geo"] == ["jineng-wishes-52"] and option["series"] == ["map", "scatter"]
    assert sorted(v for v in option["values"] if v) == [1, 3]
    page.goto(f"{live_server.url}/demand/wishes/?region={f.CITY}")
    page.wait_for_selector("#wish-map[data-map-drawn=city]")
    assert errors == []
