"""Lockout keyed on user name and address, with a growing delay; the same answer for unknown
names; failed logins and lockouts in jineng's own audit trail, in the site's language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from jineng.accounts import lockout
from jineng.core.models import AuditAction, AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "pass-1234-word"
IP_A = "10.1.1.1"
IP_B = "10.2.2.2"


def login(client, username, password="wrong-password", ip=IP_A):
    return client.post(reverse("accounts:login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip)


def lock(client, username, ip=IP_A) -> list:
    return [login(client, username, f"wrong-{i}", ip)
            for i in range(django_settings.AXES_FAILURE_LIMIT)]


def lockouts(username):
    return AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, entity_label=username,
                                     after__locked_out=True)


def age_attempts(minutes: int) -> None:
    """Move axes' record of the failures back in time (as if that long had passed)."""
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - dt.timedelta(minutes=minutes))


@pytest.fixture
def staff():
    return f.staff()  # a province account: the one a stranger would like to lock


def test_failures_from_one_address_do_not_lock_the_owner_out_elsewhere(staff):
    attacker, owner = Client(), Client()
    answers = lock(attacker, staff.username, IP_A)
    assert [r.status_code for r in answers][-1] == 429
    assert login(attacker, staff.username, PASSWORD, IP_A).status_code == 429  # locked at A
    response = login(owner, staff.username, PASSWORD, IP_B)
    assert response.status_code == 302  # the owner, from B, logs in
    assert owner.get(reverse("accounts:account")).wsgi_request.user == staff


def test_a_lock_is_per_user_name_at_an_address(staff):
    other = f.staff()
    client = Client()
    lock(client, staff.username, IP_A)
    assert login(client, other.username, PASSWORD, IP_A).status_code == 302


def _comparable(response, username: str) -> str:
    """The page without what differs by nature: the CSRF token and the echoed user name."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r'"X-CSRFToken": "[^"]+"', "", text)
    return text.replace(username, "NAME")


def test_unknown_user_names_get_the_identical_answer(staff):
    unknown = "no-such-user-0815"
    known_answers = lock(Client(), staff.username)
    unknown_answers = lock(Client(), unknown)
    assert [r.status_code for r in known_answers] == [r.status_code for r in unknown_answers]
    for known, other in zip(known_answers, unknown_answers, strict=True):
        assert _comparable(known, staff.username) == _comparable(other, unknown)
    # While locked, the right password and any password answer alike.
    locked_known = login(Client(), staff.username, PASSWORD)
    locked_unknown = login(Client(), unknown, PASSWORD)
    assert locked_known.status_code == locked_unknown.status_code == 429
    assert _comparable(locked_known, staff.username) == _comparable(locked_unknown, unknown)


def test_each_lockout_within_a_day_lasts_twice_as_long(staff):
    client = Client()
    lock(client, staff.username)
    first = lockouts(staff.username).get()
    assert first.after["cool_off_minutes"] == 30 and first.after["lockout"] == 1
    age_attempts(29)
    assert login(client, staff.username, PASSWORD).status_code == 429  # still locked
    age_attempts(2)  # 31 minutes on: the first lockout is over
    assert login(client, staff.username, "wrong-again").status_code == 200

    lock(client, staff.username)  # the second lockout of the day
    second = lockouts(staff.username).order_by("-id").first()
    assert second.after["cool_off_minutes"] == 60 and second.after["lockout"] == 2
    age_attempts(31)
    assert login(client, staff.username, PASSWORD).status_code == 429  # 60 minutes now
    age_attempts(30)
    response = login(client, staff.username, PASSWORD)
    assert response.status_code == 302
    assert lockouts(staff.username).count() == 2  # refused attempts are not new lockouts


def test_the_delay_doubles_and_is_capped():
    assert [lockout.delay_after(n) for n in (1, 2, 3)] == [
        dt.timedelta(minutes=30), dt.timedelta(hours=1), dt.timedelta(hours=2)]
    assert lockout.delay_after(50) == dt.timedelta(days=1)


def test_failed_logins_and_lockouts_are_audited_in_the_site_language(settings, staff):
    settings.LANGUAGE_CODE = "zh-hans"  # the site's language (the tests read English pages)
    client = Client()
    lock(client, staff.username)
    login(client, staff.username, PASSWORD)  # refused while locked
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED,
                                       entity_label=staff.username).order_by("id")
    with translation.override("zh-hans"):
        wrong = gettext("Login failed: wrong user name, password or one-time password.")
        refused = gettext("Login refused: this user name is locked at this address after "
                          "repeated failures.")
    reasons = [e.reason for e in failed if not (e.after or {}).get("locked_out")]
    assert reasons == [wrong] * django_settings.AXES_FAILURE_LIMIT + [refused]
    event = lockouts(staff.username).get()
    assert event.ip_address == IP_A and event.actor_id is None
    assert event.entity_id == str(staff.pk) and event.region_code == f.PROVINCE  # seen by staff
    assert event.after["failures"] == django_settings.AXES_FAILURE_LIMIT
    assert IP_A in event.reason and "30" in event.reason


def test_the_audit_texts_have_chinese_translations():
    from tests.test_i18n import i18n

    fragment = {e.msgid: e.msgstr[0] for e in i18n.load_po(
        i18n.ROOT / "i18n" / "access.po") if e.msgid}
    for msgid in ("Login failed: wrong user name, password or one-time password.",
                  "Login refused: this user name is locked at this address after repeated "
                  "failures."):
        assert re.search(r"[\u4e00-\u9fff]", fragment.get(msgid, "")), msgid


def test_lockouts_of_unknown_names_are_audited_without_an_account(staff):
    lock(Client(), "ghost-account")
    event = lockouts("ghost-account").get()
    assert event.entity_id == "" and event.region_code == ""
