"""The 30-minute circle in a browser: the public summary on a phone-sized screen passes axe-core
(with a run, so its table is checked), and a staff member's run page draws the map (points, then
the province's boundary file from our static files: no network) and lists the gaps."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from tests.browser import TIMEOUT_MS, login
from tests.portal import coverage_support as cs

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


def test_public_summary_accessible_and_run_page_map(browser, live_server, page):
    w = cs.world()
    run = cs.run(w)
    context = browser.new_context(**PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    phone = context.new_page()
    phone.goto(live_server.url + reverse("portal:coverage_public"))
    assert phone.get_by_test_id("public-counties").is_visible()
    violations = [v for v in Axe().run(phone).response["violations"]
                  if v.get("impact") in {"serious", "critical"}]
    context.close()
    assert not violations, [(v["id"], [n.get("target") for n in v["nodes"]][:5],
                             [n.get("failureSummary") for n in v["nodes"]][:2])
                            for v in violations]

    login(page, live_server, w.city_staff)
    page.goto(live_server.url + reverse("portal:coverage_run", args=[run.pk]))
    chart = page.get_by_test_id("coverage-map")
    page.wait_for_function(
        "document.querySelector('[data-testid=coverage-map]').dataset.mapDrawn === 'geo'")
    assert chart.get_attribute("data-map-drawn") == "geo"
    assert page.locator("[data-testid=gaps] tr[data-area]").count() == 2
