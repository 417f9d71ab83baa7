"""Plan pages and API: scoped like the selectors, bad input answered with lines."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jineng.plans import services
from jineng.plans.models import Plan
from jineng.plans.rules.packs import read_shipped
from jineng.registry.models import Region
from tests import factories as f
from tests.plans.conftest import add, fact

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_with_facts(guizhou_plan, province_staff):
    add(fact(day=dt.date(2025, 5, 1), region="520102", value=500, sector="rural"),
        fact(day=dt.date(2025, 5, 1), region="520302", value=700, sector="digital_economy"))
    services.plan_decompose_all(actor=province_staff, plan=guizhou_plan,
                                parent=Region.objects.get(code=f.PROVINCE), method="equal")
    return guizhou_plan


def test_schema_is_published_without_login(client):
    response = client.get("/plans/schema.json")
    assert response.status_code == 200
    assert response.json()["title"] == "jineng policy pack"


def test_home_lands_on_the_plan_dashboard(client, plan_with_facts, province_staff):
    client.force_login(province_staff)
    response = client.get("/plans/")
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{plan_with_facts.key}/"


def test_dashboard_shows_targets_cities_and_stays_within_a_query_budget(
        client, plan_with_facts, province_staff):
    client.force_login(province_staff)
    url = f"/plans/{plan_with_facts.key}/?as_of=2025-06-30"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-target="total"' in html and 'data-code="520100"' in html
    assert "黔灵家政" in html
    assert len(queries) <= 40, [q["sql"] for q in queries.captured_queries]


def test_city_staff_see_their_city_and_not_the_province(client, plan_with_facts):
    city = f.staff("city_staff", f.CITY)
    client.force_login(city)
    response = client.get(f"/plans/{plan_with_facts.key}/")
    assert response.status_code == 200
    assert "贵阳市" in response.context["region"].name
    assert response.context["children"]  # its counties
    assert client.get(f"/plans/{plan_with_facts.key}/?region={f.PROVINCE}").status_code == 404
    assert client.get(f"/plans/{plan_with_facts.key}/?region={f.OTHER_CITY}").status_code == 404
    assert client.get(f"/plans/{plan_with_facts.key}/?region={f.COUNTY}").status_code == 200


def test_other_provinces_staff_get_404(client, plan_with_facts):
    client.force_login(f.staff("province_staff", "410000"))
    assert client.get(f"/plans/{plan_with_facts.key}/").status_code == 404
    assert client.get(f"/plans/{plan_with_facts.key}/targets/").status_code == 404
    assert client.get("/plans/nonexistent/").status_code == 404


def test_targets_page_shows_clauses(client, plan_with_facts, province_staff):
    client.force_login(province_staff)
    html = client.get(f"/plans/{plan_with_facts.key}/targets/").content.decode()
    assert "二、（九）" in html and "累计开展特种作业人员技能培训" in html


def test_decompose_page_refuses_shares_that_do_not_add_up(client, guizhou_plan,
                                                          province_staff):
    client.force_login(province_staff)
    url = f"/plans/{guizhou_plan.key}/targets/total/split/?region={f.PROVINCE}"
    data = {"method": "manual", **{f"share-{c.code}": "100000"
                                   for c in services.child_regions(
                                       Region.objects.get(code=f.PROVINCE))}}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "−100,000" in response.content.decode()
    data["share-520100"] = "200000"
    assert client.post(url, data).status_code == 302
    # city staff may not split the province's target
    client.force_login(f.staff("city_staff", f.CITY))
    assert client.post(url, data).status_code == 404  # the province is outside their view


def test_report_pages(client, plan_with_facts):
    city = f.staff("city_staff", f.CITY)
    client.force_login(city)
    response = client.post(f"/plans/{plan_with_facts.key}/reports/?region={f.CITY}",
                           {"year": "2025", "quarter": "2"})
    assert response.status_code == 302
    report_url = response["Location"]
    page = client.get(report_url)
    assert page.status_code == 200 and page.context["can_edit"]
    assert client.post(report_url, {"action": "submit"}).status_code == 302
    preview = client.get(f"/plans/{plan_with_facts.key}/reports/preview.xlsx?region={f.CITY}"
                         "&year=2025&quarter=2")
    assert preview.status_code == 200
    province = f.staff()
    client.force_login(province)
    summary = client.get(f"/plans/{plan_with_facts.key}/reports/summary/?region={f.PROVINCE}"
                         "&year=2025&quarter=2")
    assert summary.status_code == 200
    assert client.get(f"/plans/{plan_with_facts.key}/reports/summary.pdf?region={f.PROVINCE}"
                      "&year=2025&quarter=2").content.startswith(b"%PDF")


def test_pack_check_page_lists_problems_with_lines(client, province_staff):
    client.force_login(province_staff)
    bad = read_shipped("guizhou-2025-2027").replace("sector: rural\n", "secotr: rural\n")
    response = client.post("/plans/packs/check/", {"text": bad})
    assert response.status_code == 400
    assert response.context["issues"][0]["code"] == "unknown_key"
    assert response.context["issues"][0]["line"] is not None
    good = read_shipped("guizhou-2025-2027")
    response = client.post("/plans/packs/check/", {"text": good, "load": "1"})
    assert response.status_code == 302
    assert Plan.objects.filter(key="guizhou-2025-2027").exists()


# --- API ------------------------------------------------------------------------------------

def test_api_progress(client, plan_with_facts, province_staff):
    client.force_login(province_staff)
    response = client.get(f"/api/plans/{plan_with_facts.key}/progress?as_of=2025-06-30")
    assert response.status_code == 200
    body = response.json()
    total = next(t for t in body["targets"] if t["key"] == "total")
    assert float(total["actual"]) == 1200 and total["status"] == "far_behind"
    city = client.get(f"/api/plans/{plan_with_facts.key}/progress?region=520300"
                      "&as_of=2025-06-30").json()
    assert float(next(t for t in city["targets"] if t["key"] == "total")["actual"]) == 700
    assert client.get(f"/api/plans/{plan_with_facts.key}/targets").status_code == 200
    assert len(client.get("/api/plans/").json()) == 1


def test_api_scoping_and_pack_check(client, plan_with_facts):
    client.force_login(f.staff("city_staff", f.CITY))
    assert client.get(f"/api/plans/{plan_with_facts.key}/progress?region={f.OTHER_CITY}"
                      ).status_code == 404
    bad = read_shipped("henan-2025").replace("value: 2000000", "value: 1900000")
    response = client.post("/api/plans/packs/check", {"text": bad},
                           content_type="application/json")
    assert response.status_code == 400
    codes = [i["code"] for i in response.json()["issues"]]
    assert "parts_mismatch" in codes
    assert client.post("/api/plans/packs/check", {"text": read_shipped("henan-2025")},
                       content_type="application/json").json()["targets"] == 40


def test_every_shipped_pack_loads_and_its_pages_render(client):
    admin = f.UserFactory(role="system_admin", is_superuser=True)
    client.force_login(admin)
    for key in ("guizhou-2025-2027", "henan-2025", "hunan-lifelong-training",
                "lianyungang-2025-2027", "zhejiang-2025-2027"):
        plan = services.plan_load_pack(actor=admin, text=read_shipped(key))
        assert client.get(f"/plans/{plan.key}/").status_code == 200, key
        assert client.get(f"/plans/{plan.key}/targets/").status_code == 200, key
        assert client.get(f"/plans/{plan.key}/reports/").status_code == 200, key
    assert client.get("/plans/all/").status_code == 200
