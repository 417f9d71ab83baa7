"""Login: password, lockout after repeated failures (django-axes), TOTP second factor, audit."""

from __future__ import annotations

from base64 import b32encode

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jineng.core.models import AuditAction, AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "pass-1234-word"  # tests.factories.UserFactory


@pytest.fixture
def user():
    return f.staff("county_staff", f.COUNTY)


def login(client, username: str, password: str = PASSWORD, token: str | None = None):
    data = {"username": username, "password": password}
    if token is not None:
        data["otp_token"] = token
    return client.post(reverse("accounts:login"), data)


def logged_in_as(client):
    return client.get(reverse("portal:overview")).wsgi_request.user


def templates(response) -> set[str]:
    return {t.name for t in response.templates}


def events(action: str, **kw):
    return AuditEvent.objects.filter(action=action, **kw)


def test_successful_login_is_audited(client, user):
    response = login(client, user.username)
    assert response.status_code == 302
    assert response.url == reverse("portal:overview")
    assert logged_in_as(client) == user
    event = events(AuditAction.LOGIN, entity_id=str(user.pk)).get()
    assert event.actor_id == user.pk
    assert event.region_code == f.COUNTY
    assert event.ip_address == "127.0.0.1"


def test_wrong_password_is_refused_and_audited(client, user):
    response = login(client, user.username, "wrong-password")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not logged_in_as(client).is_authenticated
    event = events(AuditAction.LOGIN_FAILED).get()
    assert event.entity_label == user.username and event.actor_id is None
    assert not events(AuditAction.LOGIN).exists()


def test_lockout_after_the_failure_limit_refuses_even_the_right_password(client, user):
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(1, limit):
        response = login(client, user.username, f"wrong-{attempt}")
        assert response.status_code == 200, f"attempt {attempt} must not lock yet"
    response = login(client, user.username, "wrong-last")
    assert response.status_code == 429
    assert "accounts/locked_out.html" in templates(response)

    response = login(client, user.username)  # the right password, too late
    assert response.status_code == 429
    assert "accounts/locked_out.html" in templates(response)
    assert not logged_in_as(client).is_authenticated
    assert not events(AuditAction.LOGIN).exists()
    assert events(AuditAction.LOGIN_FAILED, entity_label=user.username).count() >= limit

    # Another account is not affected by this one's lockout.
    other = f.staff("city_staff", f.CITY)
    assert login(client, other.username).status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, user):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, user.username, f"wrong-{attempt}")
    assert login(client, user.username).status_code == 302
    client.post(reverse("accounts:logout"))
    assert login(client, user.username, "wrong-again").status_code == 200


def test_login_page_shows_no_lockout_for_a_fresh_visitor(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "accounts/login.html" in templates(response)


# --- second factor ------------------------------------------------------------------------

def _token(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):0{device.digits}d}"  # noqa: E501


def _unthrottle(device: TOTPDevice) -> None:
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0,
                                                    throttling_failure_timestamp=None)


def _enable_otp(client, user) -> TOTPDevice:
    client.force_login(user)
    page = client.get(reverse("accounts:otp_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert b32encode(device.bin_key).decode() in page.content.decode()  # key for manual entry
    wrong = client.post(reverse("accounts:otp_setup"), {"token": "000000" if _token(device)
                                                        != "000000" else "111111"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    _unthrottle(device)  # a wrong code throttles the device for a second
    response = client.post(reverse("accounts:otp_setup"), {"token": _token(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert events(AuditAction.OTP, entity_id=str(user.pk)).get().after == {"otp": "enabled"}
    client.post(reverse("accounts:logout"))
    return device


def test_login_without_otp_needs_no_token(client, user):
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert login(client, user.username).status_code == 302


def test_otp_enabled_login_needs_the_current_code(client, user):
    device = _enable_otp(client, user)

    response = login(client, user.username)  # password only
    assert response.status_code == 200
    assert "otp_required" in {e.code for e in response.context["form"].errors.as_data()["__all__"]}
    assert not logged_in_as(client).is_authenticated

    wrong = f"{(int(_token(device, drift=1)) + 1) % 10**6:06d}"
    response = login(client, user.username, token=wrong)
    assert response.status_code == 200
    assert not logged_in_as(client).is_authenticated
    assert events(AuditAction.LOGIN_FAILED, entity_label=user.username).count() == 1
    _unthrottle(device)

    # The code used to confirm the device cannot be replayed; the next step's code works.
    logins_before = events(AuditAction.LOGIN, entity_id=str(user.pk)).count()
    response = login(client, user.username, token=_token(device, drift=1))
    assert response.status_code == 302, response.context["form"].errors
    assert logged_in_as(client) == user
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert events(AuditAction.LOGIN, entity_id=str(user.pk)).count() == logins_before + 1


def test_wrong_codes_count_towards_the_lockout(client, user):
    device = _enable_otp(client, user)
    good = _token(device, drift=1)
    wrong = f"{(int(good) + 1) % 10**6:06d}"
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _unthrottle(device)
        response = login(client, user.username, token=wrong)
    assert response.status_code == 429
    _unthrottle(device)
    assert login(client, user.username, token=good).status_code == 429
    assert not logged_in_as(client).is_authenticated


def test_otp_can_be_turned_off_and_that_is_audited(client, user):
    _enable_otp(client, user)
    client.force_login(user)
    assert client.post(reverse("accounts:otp_disable")).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert events(AuditAction.OTP, entity_id=str(user.pk)).first().after == {"otp": "disabled"}
    client.post(reverse("accounts:logout"))
    assert login(client, user.username).status_code == 302


def test_otp_pages_need_a_login(client):
    response = client.get(reverse("accounts:otp_setup"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url
    assert client.get(reverse("accounts:otp_disable")).status_code in (302, 405)


def test_a_failed_login_with_an_id_number_as_user_name_is_audited_masked(client):
    typed = f.id_number_for()
    login(client, typed, "whatever")
    event = events(AuditAction.LOGIN_FAILED).get()
    assert typed not in event.entity_label
    assert event.entity_label == typed[:6] + "********" + typed[-4:]
