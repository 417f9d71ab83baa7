"""On a phone-sized screen: a worker finds a class within 10 km from the phone's location (and
not the one 15 km away), opens it and reads how to enrol; a visitor checks a certificate from
the home page by its number."""

from __future__ import annotations

import pytest

from tests.assessment.signing_support import issued_certificate
from tests.browser import TIMEOUT_MS
from tests.portal.site_support import SEARCHER, site_world

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "zh-CN",
         "timezone_id": "Asia/Shanghai"}


def phone_page(browser, **extra):
    context = browser.new_context(**PHONE, **extra)
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


def test_worker_finds_a_class_within_10_km_from_the_phone(browser, live_server):
    world = site_world()
    context, screen = phone_page(
        browser, geolocation={"latitude": SEARCHER[0], "longitude": SEARCHER[1]},
        permissions=["geolocation"])
    screen.goto(live_server.url + "/")
    screen.click("#home-map")
    screen.wait_for_url("**/map/")
    screen.fill("input[name=within_km]", "10")
    with screen.expect_navigation():
        screen.click("#use-location")
    cards = screen.locator("#class-list li.class-card")
    names = cards.all_inner_texts()
    assert any(world.near.name in text for text in names)
    assert not any(world.far.name in text for text in names)
    first = cards.first
    assert first.get_attribute("data-class-id") == str(world.near.pk)
    assert float(first.get_attribute("data-distance")) == pytest.approx(8.0, abs=0.1)
    # The map drew the site (and the list is the same for screen readers).
    assert screen.locator("#training-map").get_attribute("data-map-drawn") in {
        "sites", "boundaries"}
    assert screen.locator(".site-marker").count() == 1
    assert screen.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    with screen.expect_navigation():
        screen.click(f"#class-list a[href='/classes/{world.near.pk}/']")
    text = screen.inner_text("main")
    assert world.near.site.address in text and world.w.org.name in text
    assert "13912345678" not in screen.content()
    context.close()


def test_visitor_checks_a_certificate_from_the_home_page(browser, live_server, settings):
    settings.JINENG_PUBLIC_URL = live_server.url
    certificate = issued_certificate(name="欧阳小明")
    context, screen = phone_page(browser)
    screen.goto(live_server.url + "/")
    with screen.expect_navigation():
        screen.click("#home-verify")
    screen.fill("input[name=number]", certificate.number)
    with screen.expect_navigation():
        screen.click("form.verify-form button[type=submit]")
    verdict = screen.locator("section.verdict")
    assert verdict.get_attribute("data-result") == "valid"
    assert "欧阳小明" not in screen.content()
    assert screen.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    context.close()


def test_province_wide_map_shows_counties_and_zooms_into_one(browser, live_server):
    """With no place the map draws one marker per county (its number of classes); its popup
    leads to the map around the county's seat, where the sites appear."""
    world = site_world()
    context, screen = phone_page(browser)
    screen.goto(live_server.url + "/map/")
    screen.wait_for_selector("#training-map[data-map-drawn]")
    assert screen.locator(".region-marker").count() == 1
    assert screen.locator(".site-marker").count() == 0
    assert screen.locator(".region-marker").inner_text() == "3"
    screen.locator(".region-marker").click()
    with screen.expect_navigation():
        screen.locator(".leaflet-popup-content a").click()
    assert f"place={world.near.site.region.code[:6]}" in screen.url
    screen.wait_for_selector("#training-map[data-map-drawn]")
    assert screen.locator(".site-marker").count() >= 1
    context.close()
