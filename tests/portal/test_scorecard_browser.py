"""In a browser on a phone: a worker opens the portal, finds a training institution in the
directory, follows its link to the public scorecard and reads its figures, the run's time and a
suppressed cell ("fewer than 10 trainees"); the scorecard pages pass axe-core."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser import TIMEOUT_MS
from tests.portal.test_scorecard_pages import scorecard_world

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


def test_worker_finds_an_institution_and_reads_its_scorecard(browser, live_server):
    _run, school, _other, _gone = scorecard_world()
    context = browser.new_context(**PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    screen = context.new_page()
    screen.goto(live_server.url + "/institutions/")
    screen.fill("#q", "阳光")
    with screen.expect_navigation():
        screen.click("form.site-filters button[type=submit]")
    with screen.expect_navigation():
        screen.click(f"#institution-list a[href='/institutions/{school.pk}/']")
    with screen.expect_navigation():
        screen.click("#institution-scorecard")
    assert screen.url.endswith(f"/scorecards/{school.pk}/")
    table = screen.locator("#scorecard-figures")
    completion = table.locator("tr[data-code=completion]")
    assert "83.3%" in completion.inner_text() and "12" in completion.inner_text()
    suppressed = table.locator("tr[data-code=employed_q4]")
    assert suppressed.get_attribute("data-suppressed") == "1"
    assert "10" in suppressed.locator(".suppressed").inner_text()
    assert "2026-09" in screen.inner_text("[data-testid=scorecard-stamp]")
    # The definition link leads to the methodology section on the same page.
    table.locator("tr[data-code=employment] th a").click()
    assert screen.url.endswith("#def-employment")
    assert screen.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    axe = Axe()
    failures = []
    for path in ("/scorecards/", f"/scorecards/{school.pk}/"):
        screen.goto(live_server.url + path)
        for violation in axe.run(screen).response["violations"]:
            if violation.get("impact") in {"serious", "critical"}:
                failures.append(f"{path}: {violation['id']} {violation.get('help')}")
    context.close()
    assert not failures, "\n".join(failures)
