"""The landing page puts each role's work first, scoped through the apps' selectors: every
figure is the count of the list it links to, and no link on it is dead.

The demo province (tier XS, built today) is built once for the module inside a transaction
rolled back at the end.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from jineng.demo.users import DEMO_USERNAMES
from jineng.plans import services as plan_services
from jineng.plans.rules.packs import read_shipped
from jineng.registry.models import Region
from jineng.training import selectors as training

URL = reverse("portal:overview")


@pytest.fixture(scope="module")
def province(demo_province):  # the shared build (tests/demo_fixture.py)
    return demo_province


def user(name: str):
    return get_user_model().objects.select_related("region", "organization").get(username=name)


def page(client, name: str) -> str:
    client.force_login(user(name))
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def work(html: str) -> str:
    found = re.search(r'<section class="panel" data-testid="work".*?</section>', html, re.S)
    assert found, "no work section"
    return found.group(0)


def figure(html: str, key: str) -> tuple[int, str]:
    """The count and link of one figure of the work section."""
    found = re.search(rf'data-testid="work-{key}".*?<a href="([^"]+)" '
                      rf'data-testid="work-{key}-link">([\d,]+)</a>', html, re.S)
    assert found, f"no figure {key}"
    return int(found.group(2).replace(",", "")), found.group(1).replace("&amp;", "&")


def links(section: str) -> set[str]:
    return {h.replace("&amp;", "&") for h in re.findall(r'href="([^"#]+)"', section)}


@pytest.mark.parametrize("name", DEMO_USERNAMES)
def test_every_role_has_a_work_section_without_dead_links(province, db, client, name):
    section = work(page(client, name))
    hrefs = links(section)
    assert hrefs, f"{name} has nothing to open"
    for href in hrefs:
        assert client.get(href).status_code == 200, (name, href)


def test_an_institution_sees_its_classes_today_declarations_returns_and_short_trainees(
        province, db, client):
    trainer = user("trainer")
    html = work(page(client, "trainer"))
    assert 'data-role="institution"' in html
    today, url = figure(html, "today")
    assert today == len(training.today_board(actor=trainer)) > 0
    assert url == reverse("training:today")
    for key, status in (("returned", "returned"), ("declared", "declared")):
        count, url = figure(html, key)
        own = training.class_list(actor=trainer, status=status)
        assert count == own.count() > 0
        assert url == f"{reverse('training:class_list')}?status={status}"
        # the linked list shows exactly these classes
        listed = client.get(url).content.decode()
        for c in own:
            assert reverse("training:class_detail", args=[c.pk]) in listed
    short, _url = figure(html, "short")
    assert short == sum(len(s.rows) for s in training.trainees_short_of_hours(actor=trainer)) > 0
    # a returned class is one click away, and its page offers the correction
    returned = training.class_list(actor=trainer, status="returned").first()
    assert reverse("training:class_detail", args=[returned.pk]) in html


@pytest.mark.parametrize("name", ["county", "city", "province"])
def test_staff_see_what_waits_for_their_review(province, db, client, name):
    staff = user(name)
    html = work(page(client, name))
    assert 'data-role="hrss"' in html
    count, url = figure(html, "review")
    waiting = training.classes_waiting_review(actor=staff)
    assert count == waiting.count() > 0
    assert url == reverse("training:review_queue")
    queue = client.get(url).content.decode()
    for c in waiting[:5]:
        assert reverse("training:class_detail", args=[c.pk]) in queue
        assert c.region.code.startswith(staff.region.scope_prefix)
    # a declaration resubmitted after a return says so
    if any(c.resubmitted for c in waiting[:5]):
        assert "resubmitted after a return" in html or "退回后重新提交" in html
    returned, _url = figure(html, "returned")
    assert returned == training.class_list(actor=staff, status="returned").count()


def test_the_subtree_sees_at_least_what_the_county_sees(province, db, client):
    counts = {name: figure(work(page(client, name)), "review")[0]
              for name in ("county", "city", "province")}
    assert counts["county"] <= counts["city"] <= counts["province"]


def test_an_enterprise_sees_its_order_classes(province, db, client):
    enterprise = user("enterprise")
    html = work(page(client, "enterprise"))
    count, url = figure(html, "orders-open")
    assert count == training.class_list(actor=enterprise, status="open").count() > 0
    assert all(c.employer_id == enterprise.organization_id or
               c.institution_id == enterprise.organization_id
               for c in training.class_list(actor=enterprise))
    assert client.get(url).status_code == 200


def test_an_industry_department_sees_its_sector_first(province, db, client):
    industry = user("industry")
    plan = plan_services.plan_load_pack(actor=user("province"),
                                        text=read_shipped("guizhou-2025-2027"))
    plan_services.plan_decompose_all(actor=user("province"), plan=plan,
                                     parent=Region.objects.get(code="520000"), method="equal")
    html = page(client, "industry")
    section = work(html)
    assert 'data-role="industry"' in section
    # its sector's targets, before the plan's headline
    assert 'data-testid="sector-targets"' in section
    assert f'data-target="sector.{industry.sector}"' in section
    assert html.index('data-testid="work"') < html.index('data-testid="plan-headline"')
    count, _url = figure(section, "sector-all")
    assert count == training.class_list(actor=industry).count() > 0


@pytest.mark.parametrize("name", ["assessor", "inspector"])
def test_evaluation_and_inspection_get_an_honest_short_page(province, db, client, name):
    section = work(page(client, name))
    assert 'data-testid="work-intro"' in section
    assert 'data-testid="work-links"' in section


def test_the_assessor_lands_on_a_link_to_its_sittings(province, db, client):
    section = work(page(client, "assessor"))
    assert f'href="{reverse("assessment:sittings_list")}"' in section
