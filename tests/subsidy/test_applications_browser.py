"""In a real browser (Chinese, the default language): the worker, after the identity check,
goes from their subsidy year to the application page, files a certificate subsidy for their
certificate and reads the amount's computation step by step."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from jineng.assessment.selectors.records import VERIFIED_PERSON_KEY
from jineng.subsidy.models import SubsidyClaim
from tests.subsidy import app_helpers as ah
from tests.subsidy import helpers as sh

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def verified(page, live_server, person) -> None:
    """The session the identity check leaves (tested in the assessment app)."""
    from importlib import import_module

    from django.conf import settings

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[VERIFIED_PERSON_KEY] = {"id": person.pk, "until": time.time() + 600}
    session.save()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": session.session_key, "url": live_server.url}])


def test_the_worker_files_a_certificate_subsidy(page, live_server, monkeypatch):
    sh.use_params(monkeypatch, ah.params())
    _a, person, cert = ah.trainee()
    verified(page, live_server, person)
    page.goto(f"{live_server.url}/subsidy/my/")
    with page.expect_navigation():
        page.locator("#own-apply-link").click()
    assert "/subsidy/my/apply/" in page.url
    page.select_option("#own-apply select[name=kind]", "certificate")
    page.select_option("#own-apply select[name=certificate_id]", str(cert.pk))
    page.fill("#own-apply input[name=account]", sh.ACCOUNT)
    page.fill("#own-apply input[name=bank_name]", sh.BANK)
    with page.expect_navigation():
        page.locator("#own-apply button[type=submit]").click()
    assert page.locator("#filed").get_attribute("data-status") == "submitted"
    assert "500" in page.locator("#filed-amount").inner_text()
    steps = page.locator("#filed-steps li")
    assert steps.count() >= 2 and all(s.strip() for s in steps.all_inner_texts())
    assert page.locator("#filed-steps li[data-rule=level_amount], "
                        "#filed-steps li[data-rule=standard]").count() >= 1 \
        or "500" in page.locator("#filed-steps").inner_text()
    claim = SubsidyClaim.objects.get(person=person, kind="certificate")
    assert claim.status == "submitted" and claim.amount == Decimal("500.00")
    assert claim.account_masked.endswith(sh.ACCOUNT[-4:])
    assert page.locator("#own-claims tbody tr").count() == 1
