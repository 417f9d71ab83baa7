"""In a real browser: the province user logs in with the demo password and the charts draw;
with a plan, the landing page shows its headline bars and the boundary map."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from jineng.demo.generator import generate
from jineng.demo.users import DEMO_PASSWORD
from jineng.plans import services
from jineng.plans.rules.packs import read_shipped
from jineng.registry.models import Region
from tests.browser import login

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_province_and_an_institution_land_on_their_overview(page, live_server):
    """One demo province for the three walks (a build costs 15–40 s; each transactional test
    would make its own): the province's charts, an institution's work, then — last, since it
    adds a plan — the plan's headline and map."""
    generate("XS", seed=1, progress=False)
    _province_user_lands_on_the_overview_and_the_charts_render(page, live_server)
    page.context.clear_cookies()
    _the_institution_clicks_from_its_landing_page_into_a_returned_class(page, live_server)
    page.context.clear_cookies()
    _the_landing_page_shows_the_plans_headline_bars_and_map(page, live_server)


def _province_user_lands_on_the_overview_and_the_charts_render(page, live_server):
    province = get_user_model().objects.get(username="province")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, live_server, province, password=DEMO_PASSWORD)
    assert page.url.endswith("/overview/")
    # ECharts draws into a <canvas> it creates inside each chart's div.
    page.wait_for_selector("#chart-regions canvas")
    page.wait_for_selector("#chart-types canvas")
    page.wait_for_selector("#chart-groups canvas")
    box = page.locator("#chart-regions canvas").first.bounding_box()
    assert box["width"] > 300 and box["height"] > 200
    # Drill down through the table link to the counties of 贵阳市.
    page.click('[data-testid=region-table] tr[data-code="520100"] a')
    page.wait_for_url("**/overview/?region=520100")
    page.wait_for_selector("#chart-regions canvas")
    assert page.locator('[data-testid=region-table] tr[data-code="520102"]').count() == 1
    assert errors == []


def _the_landing_page_shows_the_plans_headline_bars_and_map(page, live_server):
    province = get_user_model().objects.get(username="province")
    plan = services.plan_load_pack(actor=province, text=read_shipped("guizhou-2025-2027"))
    services.plan_decompose_all(actor=province, plan=plan,
                                parent=Region.objects.get(code="520000"), method="equal")
    services.actual_facts_add_many(actor=None, source="test", facts=[services.FactInput(
        metric="person_times_trained", day=dt.date(2025, 8, 1), region_code="520302",
        value=150000)])
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, live_server, province, password=DEMO_PASSWORD)
    assert page.url.endswith("/overview/")
    panel = page.locator("[data-testid=plan-headline]")
    assert plan.short_title in panel.locator("h2").inner_text()
    bar = panel.locator('[data-testid=headline] [data-target="total"] .bar')
    assert bar.count() == 1 and bar.bounding_box()["width"] > 100
    # The boundary map, coloured by progress, with the province's nine cities.
    page.wait_for_selector("[data-testid=plan-headline] #chart-map[data-map-drawn=province]")
    series = page.evaluate("""() => echarts.getInstanceByDom(
        document.getElementById('chart-map')).getOption().series.map(
        (s) => ({type: s.type, names: s.data.map((d) => d.name)}))""")
    assert [s["type"] for s in series] == ["map"]
    assert len(series[0]["names"]) == 9 and "遵义市" in series[0]["names"]
    # The link into the dashboard at the same region.
    with page.expect_navigation():
        panel.locator("[data-testid=plan-link] a.button").click()
    assert f"/plans/{plan.key}/?region=520000" in page.url
    page.wait_for_selector("#chart-map[data-map-drawn=province]")
    assert errors == []


def _the_institution_clicks_from_its_landing_page_into_a_returned_class(page, live_server):
    trainer = get_user_model().objects.get(username="trainer")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, live_server, trainer, password=DEMO_PASSWORD)
    assert page.url.endswith("/overview/")
    work = page.locator("[data-testid=work][data-role=institution]")
    assert int(work.locator("[data-testid=work-today-link]").inner_text()) > 0
    # The returned declaration, listed under its figure, opens on its own page.
    returned = work.locator("[data-testid=work-returned] .work-rows a").first
    name = returned.inner_text().split(" · ")[0]
    with page.expect_navigation():
        returned.click()
    assert "/training/" in page.url
    assert name in page.locator("h1").inner_text()
    # Back on the landing page, the figure opens the list it counts.
    page.go_back()
    count = int(work.locator("[data-testid=work-declared-link]").inner_text())
    with page.expect_navigation():
        work.locator("[data-testid=work-declared-link]").click()
    assert page.url.endswith("/training/?status=declared")
    assert page.locator("table tbody tr").count() == count
    assert errors == []
