"""In a real browser: the province opens the plan dashboard, drills into a city and downloads
the city's quarterly report."""

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jineng.plans import services
from jineng.plans.rules.packs import read_shipped
from jineng.registry.models import Region
from tests import factories as f
from tests.browser import login
from tests.plans.conftest import add, fact

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_dashboard_drill_into_a_city_and_download_its_quarterly_report(page, live_server):
    province_staff = f.staff()
    plan = services.plan_load_pack(actor=province_staff,
                                   text=read_shipped("guizhou-2025-2027"))
    services.plan_decompose_all(actor=province_staff, plan=plan,
                                parent=Region.objects.get(code=f.PROVINCE), method="equal")
    add(fact(day=dt.date(2025, 8, 1), region="520102", value=4321, sector="rural"),
        fact(day=dt.date(2025, 8, 2), region="520302", value=999, sector="digital_economy"))
    report = services.report_prepare(actor=f.staff("city_staff", f.CITY), plan=plan,
                                     region=Region.objects.get(code=f.CITY), year=2025,
                                     quarter=3)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    login(page, live_server, province_staff)
    page.goto(f"{live_server.url}/plans/")
    page.wait_for_url(f"**/plans/{plan.key}/")
    page.wait_for_selector("#chart-map canvas")
    page.wait_for_selector("#chart-sector canvas")
    assert page.locator('[data-testid=headline] [data-target="total"]').count() == 1

    page.click('[data-testid=children-table] tr[data-code="520100"] a')
    page.wait_for_url("**region=520100**")
    assert "贵阳市" in page.locator("[data-testid=dashboard-title]").inner_text()
    page.wait_for_selector('[data-testid=children-table] tr[data-code="520102"]')
    row = page.locator('[data-testid=target-table] tr[data-target="total"]')
    assert "4,321" in row.inner_text()

    with page.expect_download() as download_info:
        page.click("[data-testid=report-xlsx-2025-3]")
    download = download_info.value
    assert download.suggested_filename == f"{plan.key}-520100-2025Q3.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    total = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "各类职业技能培训")
    assert total[5] == 4321  # this quarter, counted by jineng
    assert report.lines.get(target__key="total").prefilled_quarter == 4321
    assert errors == []


OPTION_JS = """(id) => {
  const chart = echarts.getInstanceByDom(document.getElementById(id));
  const option = chart.getOption();
  return {series: option.series.map((s) => ({type: s.type, map: s.map || null,
                                            coordinateSystem: s.coordinateSystem || null,
                                            names: (s.data || []).map((d) => d.name),
                                            colors: (s.data || []).map((d) => d.itemStyle
                                              ? (d.itemStyle.areaColor || d.itemStyle.color)
                                              : null)})),
          geo: (option.geo || []).map((g) => g.map)};
}"""

# Where a point (lon, lat) of the map series is drawn, in page pixels.
PIXEL_JS = """([id, lon, lat]) => {
  const el = document.getElementById(id);
  const chart = echarts.getInstanceByDom(el);
  const [x, y] = chart.convertToPixel({seriesIndex: 0}, [lon, lat]);
  const box = el.getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""


def test_dashboard_map_draws_the_province_boundaries_and_drills_into_a_city(page, live_server):
    province_staff = f.staff()
    plan = services.plan_load_pack(actor=province_staff,
                                   text=read_shipped("guizhou-2025-2027"))
    services.plan_decompose_all(actor=province_staff, plan=plan,
                                parent=Region.objects.get(code=f.PROVINCE), method="equal")
    add(fact(day=dt.date(2025, 8, 1), region="520302", value=150000))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, live_server, province_staff)
    page.goto(f"{live_server.url}/plans/{plan.key}/?as_of=2025-09-30")
    page.wait_for_selector("#chart-map[data-map-drawn=province]")
    option = page.evaluate(OPTION_JS, "chart-map")
    [series] = option["series"]
    assert (series["type"], series["map"]) == ("map", "jineng-520000")
    cities = Region.objects.filter(parent__code="520000", level="city")
    assert sorted(series["names"]) == sorted(c.name for c in cities)  # 毕节市, not 毕节地区
    zunyi = series["names"].index("遵义市")
    assert series["colors"][zunyi] == "#1f7a1f"  # done: far above its share
    assert "#c9d2dc" not in series["colors"][:zunyi] + series["colors"][zunyi + 1:]

    # Click inside 遵义市 (at its seat) and land on its dashboard, its outline drawn.
    seat = Region.objects.get(code="520300")
    x, y = page.evaluate(PIXEL_JS, ["chart-map", float(seat.longitude), float(seat.latitude)])
    page.mouse.click(x, y)
    page.wait_for_url("**region=520300**")
    assert "遵义市" in page.locator("[data-testid=dashboard-title]").inner_text()
    page.wait_for_selector("#chart-map[data-map-drawn=city]")
    option = page.evaluate(OPTION_JS, "chart-map")
    assert option["geo"] == ["jineng-520300"]
    [counties] = option["series"]
    assert (counties["type"], counties["coordinateSystem"]) == ("scatter", "geo")
    assert "红花岗区" in counties["names"]
    assert errors == []


def test_county_staff_see_regions_above_as_text_and_a_wrong_date_is_named(page, live_server):
    province_staff = f.staff()
    plan = services.plan_load_pack(actor=province_staff,
                                   text=read_shipped("guizhou-2025-2027"))
    county = f.staff("county_staff", f.COUNTY)
    login(page, live_server, county)
    page.goto(f"{live_server.url}/plans/{plan.key}/")
    crumbs = page.locator("[data-testid=breadcrumbs]")
    assert "贵州省" in crumbs.inner_text() and "贵阳市" in crumbs.inner_text()
    assert crumbs.locator("a").count() == 0  # nothing to click that would answer 404
    assert page.locator("[data-testid=crumb-text]").count() == 2
    # A date typed into the address that no plan can have: the page names the parameter.
    response = page.goto(f"{live_server.url}/plans/{plan.key}/?as_of=9999-12-31")
    assert response.status == 400
    error = page.locator('[data-testid=query-errors] [data-field="as_of"]')
    assert "2099-12-31" in error.inner_text()
    page.click("[data-testid=query-reset]")
    page.wait_for_selector("[data-testid=dashboard-title]")
