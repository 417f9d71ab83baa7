"""Shared Playwright fixtures: headless Debian Chromium against pytest-django's live server.

Registered for every test by `pytest_plugins = ["tests.browser"]` in tests/conftest.py.

Use in a browser test::

    pytestmark = [pytest.mark.browser,
                  pytest.mark.django_db(transaction=True, serialized_rollback=True)]

    def test_something(page, live_server):
        user = f.staff()
        login(page, live_server, user)          # from tests.browser import login
        page.goto(live_server.url + "/registry/persons/")

Why `serialized_rollback=True`: a live-server test runs on a transactional database, which is
flushed afterwards; the official regions and skill levels that migrations load would be gone
for the tests after it. Serialized rollback restores them. The `page` fixture refuses to run
without it (a clear failure instead of mysterious missing regions later).

Browser tests are skipped only when JINENG_SKIP_BROWSER=1; otherwise a missing Chromium fails
the test (install it with `apt-get install -y chromium`; never `playwright install`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("JINENG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_PASSWORD = "browser-Pass-2468"
TIMEOUT_MS = 15_000


def browser_skipped() -> bool:
    return os.environ.get("JINENG_SKIP_BROWSER", "") == "1"


def _start_keeping_connections(sync_playwright):
    """Start Playwright without losing Django's database connections.

    Django keeps connections in an asgiref Local that switches to per-context storage as soon
    as an asyncio loop runs in the thread, which Playwright's loop then does for good. The
    test would get fresh connection objects that lack what the test database setup stored on
    them (the serialized contents used to restore migrated data). Pin the thread's
    connection objects into the new storage, so both views share them."""
    from django.db import connections

    pinned = {alias: connections[alias] for alias in connections}
    playwright = sync_playwright().start()
    for alias, wrapper in pinned.items():
        connections[alias] = wrapper
    return playwright


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium for the whole session."""
    if browser_skipped():
        pytest.skip("browser tests skipped: JINENG_SKIP_BROWSER=1")
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` "
            "or set JINENG_SKIP_BROWSER=1 to skip browser tests.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop marked as running in this thread; Django
    # would then refuse ORM calls from the test body. The tests are synchronous, so allow it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = _start_keeping_connections(sync_playwright)
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, transactional_db) -> Iterator:
    """A fresh browser context and page per test (no cookies shared between tests)."""
    from django.db import connection

    if not hasattr(connection, "_test_serialized_contents"):
        pytest.fail(
            "Browser tests must be marked "
            "pytest.mark.django_db(transaction=True, serialized_rollback=True) so the "
            "regions loaded by migrations survive the flush after a live-server test.",
            pytrace=False,
        )
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def login(page, live_server, user, password: str | None = None) -> None:
    """Log `user` in through the real login page and wait until the next page has loaded.

    Without `password`, the user is first given a known password (saved), so factory-made
    users can log in whatever their factory did with passwords."""
    if password is None:
        password = BROWSER_PASSWORD
        user.set_password(password)
        user.save(update_fields=["password"])
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    if "/accounts/login/" in page.url:
        error = page.locator(".errorlist").all_inner_texts()
        raise AssertionError(f"login as {user.username} failed on {page.url}: {error}")


def force_login(page, live_server, user) -> None:
    """Log `user` in without the login page (a session cookie), for tests about other pages."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": session.session_key, "url": live_server.url}])
