"""In a real browser, as a worker would: no login, open the catalogs, find an occupation in the
province's subsidy standards and read its amount; then ask what applied on a past day."""

from __future__ import annotations

import pytest

from tests.catalog.helpers import D, base_catalog, publish_rows, subsidy_row

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_worker_finds_the_subsidy_for_an_occupation_on_the_public_page(page, live_server):
    catalog = base_catalog()
    publish_rows(catalog, [subsidy_row(amount="1450")], D(2024, 1, 1))
    publish_rows(catalog, [subsidy_row(amount="1650"),
                           subsidy_row(occupation="焊工", amount="1900"),
                           subsidy_row(occupation="育婴员", amount="1300")], D(2025, 1, 1))

    page.goto(f"{live_server.url}/")
    page.click("nav a[href='/catalogs/']")
    page.wait_for_url("**/catalogs/")
    page.click(f"tr[data-catalog='{catalog.pk}'] a")
    page.wait_for_url(f"**/catalogs/{catalog.pk}/")
    assert page.locator("#entries tbody tr[data-entry]").count() == 3

    page.fill("#entry-search input[name=q]", "养老护理员")
    page.press("#entry-search input[name=q]", "Enter")
    page.wait_for_url("**/catalogs/*/?*q=*")
    rows = page.locator("#entries tbody tr[data-entry]")
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert "养老护理员" in text and "1650.00" in text and "初级工" in text

    # what the catalog said last year
    page.fill("input[name=on]", "2024-06-01")
    page.locator("input[name=on]").press("Enter")
    page.wait_for_url("**/catalogs/*/?on=2024-06-01")
    assert page.locator("#version").get_attribute("data-version") == "1"
    assert "1450.00" in page.locator("#entries").inner_text()
    assert "焊工" not in page.locator("#entries").inner_text()
