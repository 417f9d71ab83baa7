"""Changing one's own password: the old one is required, Django's validators apply, the change
is audited and the session stays logged in; a refused change changes and audits nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jineng.accounts import services
from jineng.accounts.models import User
from jineng.core.errors import DomainError
from jineng.core.models import AuditAction, AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

OLD = "pass-1234-word"
NEW = "Huangguoshu-Falls-77"


@pytest.fixture
def user():
    return f.operator(f.OrganizationFactory())


def change(client, old=OLD, new=NEW, again=None):
    return client.post(reverse("accounts:password_change"), {
        "old_password": old, "new_password1": new, "new_password2": again or new})


def test_change_own_password_keeps_the_session_and_is_audited(client, user):
    client.force_login(user)
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200 and "old_password" in page.context["form"].fields
    response = change(client)
    assert response.status_code == 302 and response.url == reverse("accounts:account")
    assert client.get(reverse("accounts:account")).status_code == 200  # still logged in
    user.refresh_from_db()
    assert user.check_password(NEW) and not user.check_password(OLD)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, entity_id=str(user.pk))
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 1
    assert event.actor_id == user.pk and event.after == {"password": "changed"}
    assert event.organization_id == user.organization_id
    fresh = Client()
    assert fresh.post(reverse("accounts:login"),
                      {"username": user.username, "password": OLD}).status_code == 200
    assert fresh.post(reverse("accounts:login"),
                      {"username": user.username, "password": NEW}).status_code == 302


@pytest.mark.parametrize(("old", "new", "again", "field"), [
    ("wrong-old-password", NEW, None, "old_password"),
    (OLD, "short", None, "new_password2"),  # MinimumLengthValidator
    (OLD, "password123", None, "new_password2"),  # CommonPasswordValidator
    (OLD, "83920174659", None, "new_password2"),  # NumericPasswordValidator
    (OLD, NEW, NEW + "x", "new_password2"),  # the two do not match
])
def test_refused_changes_change_nothing(client, user, old, new, again, field):
    client.force_login(user)
    hashed = User.objects.get(pk=user.pk).password
    events = AuditEvent.objects.count()  # the login's
    response = change(client, old, new, again)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert User.objects.get(pk=user.pk).password == hashed
    assert AuditEvent.objects.count() == events


def test_the_service_checks_the_old_password_itself(user):
    hashed = user.password
    with pytest.raises(DomainError) as bad:
        services.password_change(actor=user, old_password="nope", new_password=NEW)
    assert bad.value.field == "old_password"
    with pytest.raises(DomainError) as bad:
        services.password_change(actor=user, old_password=OLD, new_password="1234")
    assert bad.value.field == "new_password1"
    with pytest.raises(DomainError) as bad:
        services.password_change(actor=user, old_password=OLD, new_password=OLD)
    assert bad.value.code == "unchanged"
    assert User.objects.get(pk=user.pk).password == hashed
    assert not AuditEvent.objects.exists()


def test_the_password_page_needs_a_login(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_the_menu_leads_to_my_account_and_the_password_page(client, user):
    client.force_login(user)
    home = client.get(reverse("accounts:otp_setup")).content.decode()
    assert reverse("accounts:account") in home
    account = client.get(reverse("accounts:account")).content.decode()
    assert reverse("accounts:password_change") in account
    assert reverse("accounts:tokens") in account
