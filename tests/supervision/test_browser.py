"""In a real browser (Chinese, the default language): an inspector of the province starts a
full risk scan on /supervision/runs/, the background worker runs it, the scan page shows it
succeeded with its rule versions; the inspector filters the alert queue to machine-like
attendance, opens the alert, sees the evidence (the session and the eight people), and
confirms it with findings."""

from __future__ import annotations

import pytest

from jineng.accounts.models import Role
from jineng.supervision.models import RiskAlert
from tests import factories as f
from tests.browser import login
from tests.jobs.worker import run_worker
from tests.supervision.test_scan import planted_class

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "jobs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "jobs", "base_url": None}}}


def test_inspector_scans_opens_evidence_and_confirms(page, live_server):
    _w, cls = planted_class()
    inspector = f.staff(Role.INSPECTOR, f.PROVINCE)
    login(page, live_server, inspector)
    page.goto(f"{live_server.url}/supervision/runs/")
    with page.expect_navigation():
        page.locator("#run-start button[value=full]").click()
    page.wait_for_url("**/supervision/runs/*/")
    run_worker()
    page.reload()
    page.wait_for_selector("#run[data-status=succeeded]")
    assert page.locator("#versions").inner_text().count("R0") >= 7

    page.goto(f"{live_server.url}/supervision/alerts/?rule=R06")
    rows = page.locator("#alerts tbody tr[data-rule=R06]")
    assert rows.count() == 1
    with page.expect_navigation():
        rows.first.locator("a").click()
    evidence = page.locator("#evidence").inner_text()
    assert "people" in evidence and "8" in evidence
    assert str(cls.sessions.order_by("seq").first().pk) in evidence
    page.locator("#alert-decision textarea[name=reason]").fill("八名学员同一秒签到，现场核实为代签")
    with page.expect_navigation():
        page.locator("#alert-decision button[value=confirm]").click()
    page.wait_for_selector("#alert[data-status=confirmed]")
    alert = RiskAlert.objects.get(rule_code="R06")
    assert alert.status == "confirmed" and alert.decided_by == inspector.username
