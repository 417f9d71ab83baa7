"""In a real browser: a user changes their password from the menu and logs in with the new one;
a city clerk creates an account, whose owner logs in with the temporary password and must
choose their own first."""

from __future__ import annotations

import re

import pytest

from jineng.accounts.models import Role, User
from tests import factories as f
from tests.browser import login

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEW = "Fanjingshan-Summit-2572"


def log_out(page) -> None:
    with page.expect_navigation():
        page.click("form[action$='/accounts/logout/'] button")


def test_a_user_changes_the_password_and_logs_in_with_the_new_one(page, live_server):
    user = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    login(page, live_server, user)
    page.click("header a[href='/accounts/me/']")
    page.wait_for_url("**/accounts/me/")
    page.click("a[href='/accounts/me/password/']")
    page.wait_for_url("**/accounts/me/password/")

    # A wrong old password: the error is shown next to its field, nothing changes.
    page.fill("input[name=old_password]", "not-my-password")
    page.fill("input[name=new_password1]", NEW)
    page.fill("input[name=new_password2]", NEW)
    with page.expect_navigation():
        page.click("#password-change button[type=submit]")
    assert page.locator("[data-field=old_password] .errorlist").count() == 1

    page.fill("input[name=old_password]", "browser-Pass-2468")  # tests.browser.login's
    page.fill("input[name=new_password1]", NEW)
    page.fill("input[name=new_password2]", NEW)
    with page.expect_navigation():
        page.click("#password-change button[type=submit]")
    page.wait_for_url("**/accounts/me/")  # still logged in, on the account page
    assert page.locator("ul.messages li.success").count() == 1
    assert page.locator("form[action$='/accounts/logout/']").count() == 1

    log_out(page)
    # The old password no longer works; the new one does.
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "browser-Pass-2468")
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    assert "/accounts/login/" in page.url and page.locator(".errorlist").count() >= 1
    login(page, live_server, user, password=NEW)
    assert "/accounts/login/" not in page.url


def test_a_created_account_sets_its_own_password_at_first_login(page, live_server):
    city = f.staff(Role.CITY_STAFF, f.CITY)
    login(page, live_server, city)
    page.goto(f"{live_server.url}/accounts/users/new/")
    page.fill("input[name=username]", "nanming-clerk")
    page.select_option("select[name=role]", Role.COUNTY_STAFF)
    page.select_option("select[name=region_code]", f.COUNTY)
    page.fill("textarea[name=reason]", "新入职")
    with page.expect_navigation():
        page.click("#user-create button[type=submit]")
    temporary = page.locator("code.temporary-password").inner_text().strip()
    assert re.fullmatch(r"[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){3}", temporary)
    log_out(page)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "nanming-clerk")
    page.fill("input[name=password]", temporary)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    page.wait_for_url("**/accounts/password/new/")
    page.fill("input[name=new_password1]", NEW)
    page.fill("input[name=new_password2]", NEW)
    with page.expect_navigation():
        page.click("#password-new button[type=submit]")
    assert "/accounts/login/" not in page.url and "/accounts/password/" not in page.url
    assert page.locator("form[action$='/accounts/logout/']").count() == 1  # logged in
    user = User.objects.get(username="nanming-clerk")
    assert not user.must_change_password and user.check_password(NEW)
