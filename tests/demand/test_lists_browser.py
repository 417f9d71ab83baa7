"""In a real browser on a phone-sized screen: an enterprise user opens this quarter's demand
list, adds a line with no people (told on the field, nothing saved), corrects it, submits the
list, and county HRSS staff accept it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jineng.demand.models import DemandLine, DemandList
from jineng.demand.rules import demand_lists as rules
from tests.browser import force_login
from tests.demand import lists_support as s

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_enterprise_files_a_demand_list_on_a_phone(page, live_server):
    w = s.world()
    page.set_viewport_size({"width": 390, "height": 844})
    force_login(page, live_server, w.user)
    year, quarter = rules.quarter_of(timezone.localdate())
    last = rules.quarter_bounds(year, quarter)[1]
    page.goto(f"{live_server.url}/demand/lists/")
    with page.expect_navigation():
        page.click("#file-list")
    page.select_option("select[name=quarter_key]", f"{year}-{quarter}")
    page.select_option("select[name=sector]", "elderly_child_care")
    page.fill("input[name=contact_name]", "王经理")
    with page.expect_navigation():
        page.click("#list-form button[type=submit]")
    dl = DemandList.objects.get(organization=w.enterprise)
    assert page.url.endswith(f"/demand/lists/{dl.pk}/")
    page.fill("#line-form input[name=occupation]", "养老护理员")
    page.select_option("#line-form select[name=level]", "grade5")
    page.fill("#line-form input[name=headcount]", "0")
    page.fill("#line-form input[name=needed_by]", last.isoformat())
    page.check("#line-form input[name=order_class_wanted]")
    page.fill("#line-form input[name=wage_min]", "3500")
    page.fill("#line-form input[name=wage_max]", "5000")
    page.locator("#line-form input[name=headcount]").evaluate("e => e.removeAttribute('min')")
    with page.expect_navigation():
        page.click("#add-line")
    assert page.locator("[data-field=headcount].has-error").count() == 1
    assert not DemandLine.objects.exists()
    page.fill("#line-form input[name=headcount]", "12")
    with page.expect_navigation():
        page.click("#add-line")
    assert page.locator("#demand-lines tbody tr[data-pk]").count() == 1
    assert "养老护理员" in page.locator("#demand-lines").inner_text()
    with page.expect_navigation():
        page.click("button[data-action=submit]")
    assert page.locator("#list-status").get_attribute("data-status") == "submitted"
    force_login(page, live_server, w.county_staff)
    page.goto(f"{live_server.url}/demand/lists/review/")
    with page.expect_navigation():
        page.click(f"#review-queue tr[data-pk='{dl.pk}'] a")
    with page.expect_navigation():
        page.click("button[data-action=accept]")
    assert page.locator("#list-status").get_attribute("data-status") == "accepted"
    dl.refresh_from_db()
    assert dl.status == "accepted" and dl.lines.get().headcount == 12
