"""One permission vocabulary (plans/rules/permissions.py): a page offers a form exactly when the
service would accept it, role by role; refused calls change nothing. Breadcrumbs link only to
the regions the user may open."""

import pytest

from jineng.accounts.models import Role
from jineng.plans import services
from jineng.plans.models import ChecklistItem, Plan, QuarterlyReport, TargetAllocation
from jineng.plans.rules import permissions as rules
from jineng.plans.rules.packs import read_shipped
from jineng.registry.models import Region
from tests import factories as f

pytestmark = pytest.mark.django_db

ROLES = {
    "province_staff": lambda: f.staff(Role.PROVINCE_STAFF, f.PROVINCE),
    "city_staff": lambda: f.staff(Role.CITY_STAFF, f.CITY),
    "county_staff": lambda: f.staff(Role.COUNTY_STAFF, f.COUNTY),
    "industry_province": lambda: f.staff(Role.INDUSTRY_STAFF, f.PROVINCE),
    "industry_city": lambda: f.staff(Role.INDUSTRY_STAFF, f.CITY),
    "inspector": lambda: f.staff(Role.INSPECTOR, f.PROVINCE),
    "operator": lambda: f.operator(f.OrganizationFactory()),
    "system_admin": lambda: f.UserFactory(role=Role.SYSTEM_ADMIN),
}


def test_the_rules_role_names_are_the_accounts_roles():
    assert {rules.PROVINCE_STAFF, rules.CITY_STAFF, rules.COUNTY_STAFF,
            rules.INDUSTRY_STAFF} <= set(Role.values)


# --- pure rules, table-driven ----------------------------------------------------------------

PROVINCE = rules.Place("520000", "52", "贵州省")
CITY = rules.Place("520100", "5201", "贵阳市")
COUNTY = rules.Place("520102", "520102", "南明区")
ACTORS = {
    "province_staff": rules.Actor(1, "province_staff", "520000", "52", hrss=True),
    "city_staff": rules.Actor(2, "city_staff", "520100", "5201", hrss=True),
    "county_staff": rules.Actor(3, "county_staff", "520102", "520102", hrss=True),
    "industry_province": rules.Actor(4, "industry_staff", "520000", "52"),
    "operator": rules.Actor(5, "training_operator"),
    "admin": rules.Actor(6, everything=True),
}


@pytest.mark.parametrize(("who", "checklist", "split_province", "split_city", "own_report",
                          "department_report", "see_province"), [
    ("province_staff", True, True, False, False, True, True),
    ("city_staff", False, False, True, True, False, False),
    ("county_staff", False, False, False, False, False, False),
    ("industry_province", False, False, False, False, True, True),
    ("operator", False, False, False, False, False, False),
    ("admin", True, True, True, True, True, True),
])
def test_rules_by_role(who, checklist, split_province, split_city, own_report,
                       department_report, see_province):
    actor = ACTORS[who]
    assert rules.may_edit_checklist(actor, PROVINCE) is checklist
    assert rules.may_decompose(actor, PROVINCE) is split_province
    assert rules.may_decompose(actor, CITY) is split_city
    assert rules.may_file_report(actor, plan_region=PROVINCE, region=CITY,
                                 department="") is own_report
    assert rules.may_file_report(actor, plan_region=PROVINCE, region=PROVINCE,
                                 department="人社") is department_report
    assert rules.may_see_region(actor, "520000") is see_province
    if not checklist:
        with pytest.raises(rules.Refused):
            rules.ensure_staff_of(actor, PROVINCE)


def test_review_rules():
    city_report = {"region": CITY, "department": ""}
    assert rules.may_review_report(ACTORS["province_staff"], submitted_by=2, **city_report)
    assert not rules.may_review_report(ACTORS["city_staff"], submitted_by=9, **city_report)
    assert not rules.may_review_report(ACTORS["province_staff"], submitted_by=1,
                                       **city_report)  # not one's own submission
    assert not rules.may_review_report(ACTORS["industry_province"], submitted_by=2,
                                       **city_report)
    assert rules.may_review_report(ACTORS["province_staff"], region=PROVINCE,
                                   department="人社", submitted_by=4)


# --- pages offer a form exactly when the service accepts it ----------------------------------

@pytest.fixture
def plan(db):
    plan = services.plan_load_pack(actor=f.staff(), text=read_shipped("guizhou-2025-2027"))
    services.plan_decompose_all(actor=f.staff(), plan=plan,
                                parent=Region.objects.get(code=f.PROVINCE), method="equal")
    return plan


@pytest.mark.parametrize("who", list(ROLES))
def test_checklist_form_shown_exactly_to_those_the_service_lets_through(client, plan, who):
    user = ROLES[who]()
    client.force_login(user)
    item = ChecklistItem.objects.filter(plan=plan).first()
    page = client.get(f"/plans/{plan.key}/targets/")
    shown = page.status_code == 200 and f"/checklist/{item.pk}/" in page.content.decode()
    response = client.post(f"/plans/{plan.key}/checklist/{item.pk}/",
                           {"status": "done", "note": "ok"})
    accepted = response.status_code == 302
    assert shown == accepted
    assert shown == (who in {"province_staff", "system_admin"})
    item.refresh_from_db()
    assert (item.status == "done") == accepted  # a refusal changes nothing


@pytest.mark.parametrize("who", list(ROLES))
def test_split_form_shown_exactly_to_those_the_service_lets_through(client, plan, who):
    user = ROLES[who]()
    client.force_login(user)
    url = f"/plans/{plan.key}/targets/total/split/?region={f.CITY}"
    page = client.get(url)
    shown = page.status_code == 200 and 'data-testid="split-form"' in page.content.decode()
    before = TargetAllocation.objects.filter(parent_region__code=f.CITY).count()
    response = client.post(url, {"method": "equal"})
    accepted = response.status_code == 302
    assert shown == accepted
    assert shown == (who in {"city_staff", "system_admin"})
    after = TargetAllocation.objects.filter(parent_region__code=f.CITY).count()
    assert (after > before) == accepted
    dashboard = client.get(f"/plans/{plan.key}/?region={f.CITY}")
    if dashboard.status_code == 200:  # the dashboard links to the split page only for them
        assert ("/targets/total/split/" in dashboard.content.decode()) == shown


@pytest.mark.parametrize("who", list(ROLES))
@pytest.mark.parametrize("region", [f.PROVINCE, f.CITY])
def test_report_form_shown_exactly_to_those_the_service_lets_through(client, plan, who,
                                                                     region):
    user = ROLES[who]()
    client.force_login(user)
    url = f"/plans/{plan.key}/reports/?region={region}"
    page = client.get(url)
    html = page.content.decode() if page.status_code == 200 else ""
    shown = 'data-testid="prepare-form"' in html
    department = services.plan_departments(plan)[0]
    offers_own = (shown and '<option value="">—</option>' in html) or (
        shown and 'name="department"' not in html)
    offers_department = shown and f"<option>{department}</option>" in html
    own = client.post(url, {"year": "2025", "quarter": "3"}).status_code == 302
    dept = client.post(url, {"year": "2025", "quarter": "3",
                             "department": department}).status_code == 302
    assert offers_own == own
    assert offers_department == dept
    assert shown == (own or dept)
    assert QuarterlyReport.objects.count() == own + dept


@pytest.mark.parametrize("who", list(ROLES))
def test_pack_loading_is_offered_to_hrss_staff_only(client, who):
    user = ROLES[who]()
    client.force_login(user)
    page = client.get("/plans/packs/check/")
    shown = 'data-testid="pack-load"' in page.content.decode()
    assert shown == (who in {"province_staff", "city_staff", "county_staff", "system_admin"})
    response = client.post("/plans/packs/check/", {"text": read_shipped("guizhou-2025-2027"),
                                                   "load": "1"})
    loaded = Plan.objects.filter(key="guizhou-2025-2027").exists()
    assert loaded == (response.status_code == 302)
    if not shown:
        assert not loaded
    if who in {"province_staff", "system_admin"}:
        assert loaded


# --- breadcrumbs -----------------------------------------------------------------------------

def _crumbs(html: str) -> str:
    start = html.index('data-testid="breadcrumbs"')
    return html[start:html.index("</nav>", start)]


def test_county_staff_see_the_regions_above_them_as_text_not_dead_links(client, plan):
    client.force_login(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    page = client.get(f"/plans/{plan.key}/")
    assert page.status_code == 200
    html = page.content.decode()
    crumbs = _crumbs(html)
    assert "贵州省" in crumbs and "贵阳市" in crumbs
    assert f"?region={f.PROVINCE}" not in crumbs and f"?region={f.CITY}" not in crumbs
    assert crumbs.count('data-testid="crumb-text"') == 2
    for link in (f"?region={f.PROVINCE}", f"?region={f.CITY}"):  # they would answer 404
        assert client.get(f"/plans/{plan.key}/{link}").status_code == 404
    for path in ("reports/", f"targets/total/split/?region={f.COUNTY}"):
        html = client.get(f"/plans/{plan.key}/{path}").content.decode()
        assert f'href="?region={f.PROVINCE}"' not in html
        assert f'href="?region={f.CITY}"' not in html


def test_city_staff_link_to_their_city_and_province_staff_to_every_step(client, plan):
    client.force_login(f.staff(Role.PROVINCE_STAFF, f.PROVINCE))
    html = client.get(f"/plans/{plan.key}/?region={f.COUNTY}").content.decode()
    assert f"?region={f.PROVINCE}" in html and f"?region={f.CITY}" in html
    client.force_login(f.staff(Role.CITY_STAFF, f.CITY))
    html = client.get(f"/plans/{plan.key}/?region={f.COUNTY}").content.decode()
    crumbs = _crumbs(html)
    assert f"?region={f.CITY}" in crumbs and f"?region={f.PROVINCE}" not in crumbs


# --- plans is below demo ---------------------------------------------------------------------

def test_plans_does_not_import_the_demo_app():
    import grimp

    graph = grimp.build_graph("jineng", cache_dir=None)
    assert not graph.chain_exists(importer="jineng.plans", imported="jineng.demo",
                                  as_packages=True)
