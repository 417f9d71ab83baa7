"""In a real browser (Chinese, the default language): a city reviewer opens a class's claims,
unfolds an amount to read its computation step by step, ticks the claims and approves them
together; the budget is committed for each."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jineng.accounts.models import Role
from jineng.subsidy import services
from jineng.subsidy.choices import ClaimStatus
from jineng.subsidy.models import SubsidyClaim
from jineng.subsidy.services import funds
from tests import factories as f
from tests.browser import login
from tests.subsidy import helpers as sh

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_reviewer_approves_a_class_and_reads_each_computation(page, live_server,
                                                                monkeypatch):
    sh.use_params(monkeypatch)
    budget = sh.budget("10000.00")
    a = sh.assessed_class(2)
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    for claim in sh.drafts(a).created:
        services.claim_submit(actor=a.world.operator, claim_id=claim.pk)
        services.claim_review(actor=county, claim_id=claim.pk, action="approve")
    reviewer = f.staff(Role.CITY_STAFF, f.CITY)
    login(page, live_server, reviewer)
    page.goto(f"{live_server.url}/subsidy/claims/?class_id={a.cls.pk}")
    rows = page.locator("#claims tbody tr[data-status=city_review]")
    assert rows.count() == 2
    first = rows.first.locator("details.claim-computation")
    first.locator("summary").click()
    standard = first.locator("li[data-rule=standard]")
    assert standard.is_visible() and "1500" in standard.inner_text()
    assert "补贴" in page.content() or "申请" in page.content()  # Chinese by default
    for box in page.locator("#claims input[name=claim_id]").all():
        box.check()
    with page.expect_navigation():
        page.locator("#claims-approve button[type=submit]").click()
    assert page.locator("#claims tbody tr[data-status=approved]").count() == 2
    assert set(SubsidyClaim.objects.values_list("status", flat=True)) == {ClaimStatus.APPROVED}
    assert funds.available(budget.pk) == Decimal("7000.00")
