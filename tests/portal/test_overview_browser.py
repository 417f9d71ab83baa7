"""In a real browser: the province user logs in with the demo password and the charts draw."""

from __future__ import annotations

import pytest

from jineng.demo.generator import generate
from jineng.demo.users import DEMO_PASSWORD
from tests.browser import login

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_province_user_lands_on_the_overview_and_the_charts_render(page, live_server):
    generate("XS", seed=1, progress=False)
    from django.contrib.auth import get_user_model

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
