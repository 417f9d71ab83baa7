"""The landing page shows the default plan's headline: title, time elapsed, headline targets
with progress bars and the map of the regions below, at the overview's focus, scoped to the
user; nothing for a user who sees no plan, and never another province's plan."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from jineng.plans import services as plan_services
from jineng.plans.models import ActualFact
from jineng.plans.rules.packs import read_shipped
from jineng.registry.models import Region
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = reverse("portal:overview")
NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"


def user(name: str):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def plan(demo):
    """The Guizhou pack loaded for the demo province, split equally, with some facts."""
    province = user("province")
    loaded = plan_services.plan_load_pack(actor=province, text=read_shipped("guizhou-2025-2027"))
    plan_services.plan_decompose_all(actor=province, plan=loaded,
                                     parent=Region.objects.get(code="520000"), method="equal")
    plan_services.actual_facts_add_many(actor=None, source="test", facts=[
        plan_services.FactInput(metric="person_times_trained", day=dt.date(2025, 5, 1),
                                region_code=code, value=value, sector="rural")
        for code, value in (("520102", 4321), ("520302", 999))])
    return loaded


def page(client, name: str, query: str = "") -> str:
    client.force_login(user(name))
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


def headline(html: str) -> str | None:
    found = re.search(r'<section class="panel" data-testid="plan-headline".*?'
                      r'<p data-testid="plan-link">.*?</section>', html, re.S)
    return found.group(0) if found else None


def map_json(html: str) -> dict | None:
    found = re.search(r'<script id="plans-map-data" type="application/json">(.*?)</script>',
                      html, re.S)
    return json.loads(found.group(1)) if found else None


def total(panel: str) -> str:
    """The actual of the headline card of the plan's total."""
    return re.search(r'data-target="total">.*?<div class="value">([0-9,]+)<', panel,
                     re.S).group(1)


def trained(prefix: str) -> str:
    """Person-times trained in a region's subtree so far, as the card shows it: the facts
    added here plus whatever the demo's finished classes counted."""
    total = ActualFact.objects.filter(
        metric="person_times_trained", region_code__startswith=prefix,
        day__gte=dt.date(2025, 1, 1), day__lte=timezone.localdate(),
    ).aggregate(n=Sum("value"))["n"]
    return f"{total:,}"


def bars(html: str) -> list[str]:
    """The targets of the headline cards that carry a progress bar."""
    return re.findall(r'<div class="card" data-target="([^"]+)">\s*<div class="label">.*?'
                      r'</div>\s*<div class="value">.*?</div>\s*<div class="bar ', html, re.S)


def test_province_staff_land_on_the_plans_headline_and_map(plan, client):
    html = page(client, "province")
    panel = headline(html)
    assert panel is not None and 'data-region="520000"' in panel
    assert plan.short_title in panel and plan.title in panel
    assert "total" in bars(panel)
    assert total(panel) == trained("52")  # 4,321 + 999 added here, and the demo's
    region_map = map_json(html)
    # Boundaries when china-geojson is installed (always under dev.py test), else circles.
    assert region_map["mode"] == ("province" if NODE_MODULES.is_dir() else "points")
    assert len(region_map["points"]) == 9
    assert region_map["points"][0]["url"].startswith(
        reverse("plans:dashboard", args=[plan.key]) + "?region=520100")
    assert f'href="{reverse("plans:dashboard", args=[plan.key])}?region=520000' in panel
    assert "/static/plans/region_map.js" in html and "/static/plans/plans.css" in html


def test_city_staff_see_their_citys_headline(plan, client):
    html = page(client, "city")
    panel = headline(html)
    assert 'data-region="520100"' in panel
    assert total(panel) == trained("5201")
    assert "total" in bars(panel)
    region_map = map_json(html)
    assert {p["code"][:4] for p in region_map["points"]} == {"5201"}  # its counties


def test_county_staff_see_their_countys_headline_without_a_map(plan, client):
    html = page(client, "county")
    panel = headline(html)
    assert 'data-region="520102"' in panel and total(panel) == trained("520102")
    assert map_json(html) is None and "region_map.js" not in html


def test_the_headline_follows_the_overviews_focus(plan, client):
    panel = headline(page(client, "province", "?region=520300"))
    assert 'data-region="520300"' in panel and total(panel) == trained("5203")
    # Staff of the province but looking at a county: the county's figures.
    assert 'data-region="520102"' in headline(page(client, "province", "?region=520102"))


def test_a_user_above_every_region_sees_the_plan_at_its_region(plan, client):
    assert 'data-region="520000"' in headline(page(client, "admin"))
    # Looking at another province, the Guizhou plan is not shown at all.
    html = page(client, "admin", "?region=410000")
    assert headline(html) is None and "data-testid=\"headline\"" not in html


@pytest.mark.parametrize("name", ["enterprise", "trainer", "assessor"])
def test_users_who_see_no_plan_get_the_overview_as_before(plan, client, name):
    html = page(client, name)
    assert headline(html) is None
    assert 'data-testid="plan-link"' not in html and plan.short_title not in html
    assert map_json(html) is None and "plans.css" not in html


def test_no_plan_no_headline(demo, client):
    html = page(client, "province")
    assert headline(html) is None and 'data-testid="plan-link"' not in html


def test_another_provinces_plan_is_never_shown(plan, client):
    henan_staff = f.staff("province_staff", "410000")
    henan = plan_services.plan_load_pack(actor=henan_staff, text=read_shipped("henan-2025"))
    for name in ("province", "city", "county", "inspector"):
        html = page(client, name)
        assert henan.title not in html and henan.key not in html
        assert plan.short_title in headline(html)
    client.force_login(henan_staff)
    html = client.get(URL).content.decode()
    panel = headline(html)
    assert 'data-region="410000"' in panel and henan.short_title in panel
    assert plan.title not in html and plan.key not in html


def test_the_landing_page_stays_within_a_query_budget(plan, client,
                                                      django_assert_max_num_queries):
    client.force_login(user("province"))
    # The overview's own dozen, plus the plan's progress from the pre-aggregated rollup, plus
    # the staff's work section (a fixed handful: tests/portal/test_overview.py WORK_QUERIES).
    with django_assert_max_num_queries(37):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(37):
        assert client.get(URL + "?region=520300").status_code == 200
