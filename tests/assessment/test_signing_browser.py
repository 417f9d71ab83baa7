"""On a phone-sized screen: open a certificate's QR link and see its status; after staff
revoke it, the same link says revoked at once. Upload of a tampered file says tampered."""

from __future__ import annotations

import json

import pytest

from jineng.assessment import selectors
from jineng.assessment.rules import documents
from tests import factories as f
from tests.assessment.signing_support import issued_certificate
from tests.browser import TIMEOUT_MS, login

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3,
         "is_mobile": True, "has_touch": True, "locale": "zh-CN",
         "timezone_id": "Asia/Shanghai"}


def test_phone_opens_qr_link_valid_then_revoked(page, live_server, browser, settings, tmp_path):
    settings.JINENG_PUBLIC_URL = live_server.url
    certificate = issued_certificate(name="欧阳小明")
    link = certificate.signed_payload["verify_url"]  # what the QR code holds
    assert link.startswith(live_server.url)

    phone = browser.new_context(**PHONE)
    phone.set_default_timeout(TIMEOUT_MS)
    screen = phone.new_page()
    screen.goto(link)
    verdict = screen.locator("section.verdict")
    assert verdict.get_attribute("data-result") == "valid"
    assert "欧**明" in verdict.inner_text()
    assert "欧阳小明" not in screen.content()
    # Fits the phone's width: nothing scrolls sideways.
    assert screen.evaluate("document.documentElement.scrollWidth") <= 390 + 1

    login(page, live_server, f.staff())
    page.goto(f"{live_server.url}/assessment/certificates/{certificate.pk}/revoke/")
    page.select_option("select[name=reason]", "fraud")
    page.fill("textarea[name=note]", "冒名顶替")
    with page.expect_navigation():
        page.click("#revoke-form button[type=submit]")

    screen.goto(link)
    assert screen.locator("section.verdict").get_attribute("data-result") == "revoked"

    # The verify page on the phone: a tampered file is reported as tampered.
    document = selectors.certificate_document(certificate)
    document["payload"]["level"]["name"] = "高级技师"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document, ensure_ascii=False))
    screen.goto(f"{live_server.url}/assessment/verify/")
    screen.set_input_files("input[name=file]", str(forged))
    with screen.expect_navigation():
        screen.click("form.verify-form button[type=submit]")
    assert screen.locator("section.verdict").get_attribute("data-result") == "tampered"
    genuine = tmp_path / "genuine.json"
    genuine.write_bytes(documents.document_bytes(selectors.certificate_document(certificate)))
    screen.set_input_files("input[name=file]", str(genuine))
    with screen.expect_navigation():
        screen.click("form.verify-form button[type=submit]")
    assert screen.locator("section.verdict").get_attribute("data-result") == "revoked"
    phone.close()
