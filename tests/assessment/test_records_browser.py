"""A worker on a phone opens their own skill record on the public site: ID number and name,
the one-time code (shown on the page in the demo, no SMS gateway), the record with the ID
number masked, then closes it."""

import datetime as dt

import pytest

from tests import factories as f
from tests.assessment import records_support as rs

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_worker_opens_their_own_record_on_a_phone(page, live_server, settings):
    settings.DEMO, settings.JINENG_SMS_BACKEND = True, ""
    number = f.id_number_for(n=751)
    person = f.PersonFactory(plain_id=number, name="赵春梅", phone="13700007777")
    cert = rs.certificate(person, issued_on=dt.date(2026, 7, 1))
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/assessment/my-record/")
    page.fill("input[name=id_number]", number)
    page.fill("input[name=name]", "赵春梅")
    with page.expect_navigation():
        page.click("#record-start button[type=submit]")
    code = page.locator("#demo-code strong").inner_text().strip()
    assert len(code) == 6 and code.isdigit()
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.click("#record-code button[type=submit]")

    assert page.locator("#record-id").inner_text().strip() == person.id_masked
    assert cert.number in page.locator("#record-certificates").inner_text()
    assert "初级工" in page.locator("#record-highest").inner_text()
    assert number not in page.content()
    with page.expect_navigation():
        page.click("#record-logout button[type=submit]")
    assert page.locator("#record-start").is_visible()
    assert cert.number not in page.content()
