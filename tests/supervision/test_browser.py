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


def test_inspector_confirms_and_city_staff_recover_the_subsidies(page, live_server,
                                                                  monkeypatch):
    """The queue shows the alert with its risk score; the inspector opens it, reads the
    evidence, confirms it with findings and sees the class's paid claim "to recover"; city
    HRSS staff start the recovery: the claim is recovered and the fund's ledger records it."""
    from jineng.subsidy.models import BudgetEntry
    from tests.supervision import oversight_helpers as oh

    a, claims = oh.paid_claims(monkeypatch)
    claim = claims[0]
    alert = oh.alert(rule="R06", subject_ref=str(a.cls.pk), training_class_id=a.cls.pk,
                     institution_id=a.world.org.pk)
    RiskAlert.objects.filter(pk=alert.pk).update(evidence={"session": 4101, "people": 8})
    inspector = f.staff(Role.INSPECTOR, f.COUNTY)
    login(page, live_server, inspector)
    page.goto(f"{live_server.url}/supervision/alerts/")
    row = page.locator("#alerts tbody tr[data-rule=R06]")
    assert row.get_attribute("data-score") == "1.5"
    with page.expect_navigation():
        row.locator("a").first.click()
    evidence = page.locator("#evidence").inner_text()
    assert "people" in evidence and "4101" in evidence
    page.locator("#alert-decision textarea[name=reason]").fill("现场核查：八名学员未到场，代签")
    with page.expect_navigation():
        page.locator("#alert-decision button[value=confirm]").click()
    page.wait_for_selector("#alert[data-status=confirmed]")
    with page.expect_navigation():
        page.locator("#alert-recovery-link").click()
    claim_row = page.locator(f"#claims tr[data-claim='{claim.pk}']")
    assert claim_row.get_attribute("data-status") == "paid"
    assert page.locator("#recovery-start").count() == 1  # offered; only the city may start it

    page.context.clear_cookies()
    login(page, live_server, oh.city())
    page.goto(f"{live_server.url}/supervision/alerts/{alert.pk}/recovery/")
    with page.expect_navigation():
        page.locator("#recovery-start button").click()
    page.wait_for_selector(f"#claims tr[data-claim='{claim.pk}'][data-status=recovered]")
    claim.refresh_from_db()
    assert claim.status == "recovered"
    assert BudgetEntry.objects.filter(kind="recover", claim=claim,
                                      amount=claim.amount).count() == 1
