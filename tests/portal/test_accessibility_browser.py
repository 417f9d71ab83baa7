"""Every public page passes an automated accessibility check (axe-core through
axe_playwright_python, on a phone-sized screen, in Chinese): no serious or critical violation.

To add a page, add a line to PUBLIC_PAGES: a name and a function of the test's world giving the
page's path (None skips a page whose app is not there yet, e.g. a URL not wired)."""

from __future__ import annotations

import time
from importlib import import_module

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.urls import NoReverseMatch, reverse

from jineng.assessment.selectors.records import VERIFIED_PERSON_KEY
from tests.assessment.signing_support import issued_certificate
from tests.browser import TIMEOUT_MS
from tests.portal.site_support import SEARCHER, site_world

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
BLOCKING = {"serious", "critical"}


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


PUBLIC_PAGES = [
    ("home", lambda w: "/"),
    ("training map", lambda w: "/map/"),
    ("training map, near a position", lambda w: (
        f"/map/?lat={SEARCHER[0]:.6f}&lon={SEARCHER[1]:.6f}&within_km=10")),
    ("training map, bad input", lambda w: "/map/?place=999999&within_km=900"),
    ("class page", lambda w: f"/classes/{w['world'].near.pk}/"),
    ("institutions", lambda w: "/institutions/"),
    ("institution page", lambda w: f"/institutions/{w['world'].w.org.pk}/"),
    ("subsidy standards", lambda w: "/subsidy-standards/"),
    ("catalogs", lambda w: _url("catalog:index")),
    ("certificate check", lambda w: _url("assessment:signing_verify")),
    ("certificate QR page", lambda w: _url("assessment:signing_certificate_public",
                                           w["certificate"].number)),
    ("my record (identity check)", lambda w: _url("assessment:records_own")),
    ("search", lambda w: _url("portal:search")),
    ("coverage (public)", lambda w: _url("portal:coverage_public")),
    ("scorecards", lambda w: _url("portal:scorecards")),
    ("scorecard", lambda w: _url("portal:scorecard", w["world"].w.org.pk)),
]

# Pages a worker reaches after the identity check (the session holds the verified person).
VERIFIED_PAGES = [
    ("my record (verified)", lambda w: _url("assessment:records_own")),
    ("my subsidy year (verified)", lambda w: _url("subsidy:own_year")),
]


def _verified_session(person_id: int) -> str:
    session = import_module(django_settings.SESSION_ENGINE).SessionStore()
    session[VERIFIED_PERSON_KEY] = {"id": person_id, "until": time.time() + 600}
    session.save()
    return session.session_key


def test_every_public_page_has_no_serious_accessibility_violation(browser, live_server,
                                                                   settings):
    settings.JINENG_PUBLIC_URL = live_server.url
    world = {"world": site_world(), "certificate": issued_certificate(name="欧阳小明")}
    context = browser.new_context(**PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    screen = context.new_page()
    axe = Axe()
    failures, checked = [], []
    pages = [(name, path_of, False) for name, path_of in PUBLIC_PAGES]
    pages += [(name, path_of, True) for name, path_of in VERIFIED_PAGES]
    signed_in = False
    for name, path_of, verified in pages:
        path = path_of(world)
        if path is None:
            continue
        if verified and not signed_in:
            signed_in = True
            context.add_cookies([{
                "name": django_settings.SESSION_COOKIE_NAME, "url": live_server.url,
                "value": _verified_session(world["certificate"].person_id)}])
        response = screen.goto(live_server.url + path)
        assert response is not None and response.status < 500, (name, path)
        if verified:  # the page itself, not the identity check it sends others back to
            assert response.url.rstrip("/").endswith(path.rstrip("/")), (name, response.url)
            assert 'name="id_number"' not in screen.content(), name  # not the check's form
        screen.wait_for_load_state("networkidle")
        results = axe.run(screen)
        checked.append(name)
        for violation in results.response["violations"]:
            if violation.get("impact") in BLOCKING:
                nodes = [n.get("target") for n in violation.get("nodes", [])][:5]
                failures.append(f"{name} ({path}): {violation['id']} [{violation['impact']}] "
                                f"{violation.get('help')} {nodes}")
    context.close()
    assert {"home", "training map", "class page", "certificate check",
            "my subsidy year (verified)"} <= set(checked)
    assert not failures, "\n".join(failures)
