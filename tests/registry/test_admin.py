"""Django admin: every registry model browsable, no ciphertext or whole ID number, writes
audited, the audit trail read-only, querysets scoped for non-superuser staff."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from jineng.accounts.models import ApiToken, Role
from jineng.core import audit
from jineng.core.models import AuditAction, AuditEvent
from jineng.registry.models import Occupation, Organization, TrainingSite
from tests import factories as f

pytestmark = pytest.mark.django_db

REGISTRY_MODELS = ["region", "skilllevel", "occupation", "organization",
                   "organizationstatuschange", "trainingsite", "person", "keygroupmembership"]


@pytest.fixture
def superuser():
    return f.UserFactory(is_superuser=True, is_staff=True, role=Role.SYSTEM_ADMIN)


@pytest.fixture
def admin_browser(superuser) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(superuser)
    return client


def changes():
    return AuditEvent.objects.exclude(action__in=[AuditAction.LOGIN, AuditAction.LOGIN_FAILED])


@pytest.mark.parametrize("model", REGISTRY_MODELS)
def test_registry_changelists_load(admin_browser, model):
    org = f.OrganizationFactory()
    f.SiteFactory(organization=org)
    f.PersonFactory()
    response = admin_browser.get(reverse(f"admin:registry_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["admin:core_auditevent_changelist",
                                 "admin:accounts_user_changelist",
                                 "admin:accounts_apitoken_changelist"])
def test_core_and_accounts_changelists_load(admin_browser, url):
    audit.record(actor=None, action=AuditAction.CREATE, entity_type="x.y", label="e")
    assert admin_browser.get(reverse(url)).status_code == 200


def test_person_admin_never_shows_ciphertext_hash_or_whole_number(admin_browser):
    number = f.id_number_for(n=601)
    person = f.PersonFactory(plain_id=number)
    pages = [
        admin_browser.get(reverse("admin:registry_person_changelist")),
        admin_browser.get(reverse("admin:registry_person_change", args=[person.pk])),
        admin_browser.get(reverse("admin:registry_keygroupmembership_add")),
    ]
    for page in pages:
        text = page.content.decode()
        assert page.status_code == 200
        assert number not in text
        assert person.id_encrypted not in text and person.id_hash not in text
        assert 'name="id_encrypted"' not in text and 'name="id_hash"' not in text
    assert person.id_masked in pages[0].content.decode()
    assert person.id_masked in pages[1].content.decode()
    # Persons are registered through the person page (which checks and encrypts the number).
    assert admin_browser.get(reverse("admin:registry_person_add")).status_code == 403


def test_admin_change_of_a_person_is_audited_without_secrets(admin_browser):
    person = f.PersonFactory(name="旧名")
    url = reverse("admin:registry_person_change", args=[person.pk])
    response = admin_browser.post(url, {
        "name": "新名", "region": person.region_id, "phone": "13900000000",
        "registered_by": "",
        "key_groups-TOTAL_FORMS": "0", "key_groups-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.name == "新名"
    event = changes().get(action=AuditAction.UPDATE, entity_type="registry.person")
    assert event.before == {"name": "旧名", "phone": ""}
    assert event.after == {"name": "新名", "phone": "13900000000"}
    assert "id_encrypted" not in str(event.after) and person.id_encrypted not in str(event.after)


def test_admin_create_and_delete_are_audited(admin_browser):
    response = admin_browser.post(reverse("admin:registry_occupation_add"), {
        "code": "", "name": "管理后台新增工种", "rank": "occupation", "parent": "",
        "code_source": "", "needs_code": "on", "named_in": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    occupation = Occupation.objects.get(name="管理后台新增工种")
    created = changes().get(action=AuditAction.CREATE, entity_id=str(occupation.pk))
    assert created.after["name"] == "管理后台新增工种" and created.reason == "admin"

    site = f.SiteFactory()
    response = admin_browser.post(reverse("admin:registry_trainingsite_delete",
                                          args=[site.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not TrainingSite.objects.filter(pk=site.pk).exists()
    deleted = changes().get(action=AuditAction.DELETE, entity_type="registry.trainingsite")
    assert deleted.before["name"] == site.name


def test_admin_bulk_delete_is_audited_per_record(admin_browser):
    sites = [f.SiteFactory() for _ in range(3)]
    response = admin_browser.post(reverse("admin:registry_trainingsite_changelist"), {
        "action": "delete_selected", "_selected_action": [s.pk for s in sites], "post": "yes",
    })
    assert response.status_code == 302
    assert changes().filter(action=AuditAction.DELETE).count() == 3


def test_organization_status_and_credit_code_are_not_edited_in_the_admin(admin_browser):
    org = f.OrganizationFactory()
    text = admin_browser.get(reverse("admin:registry_organization_change",
                                     args=[org.pk])).content.decode()
    assert 'name="status"' not in text and 'name="credit_code"' not in text
    assert 'name="name"' in text


def test_audit_events_are_read_only_in_the_admin(admin_browser):
    event = audit.record(actor=None, action=AuditAction.CREATE, entity_type="x.y",
                         label="不可修改", reason="原因")
    change_url = reverse("admin:core_auditevent_change", args=[event.pk])
    page = admin_browser.get(change_url)
    assert page.status_code == 200 and 'name="reason"' not in page.content.decode()
    admin_browser.post(change_url, {"reason": "改过"})
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.reason == "原因"
    assert admin_browser.get(reverse("admin:core_auditevent_add")).status_code == 403
    delete = admin_browser.post(reverse("admin:core_auditevent_delete", args=[event.pk]),
                                {"post": "yes"})
    assert delete.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_api_token_admin_hides_the_hash(admin_browser, superuser):
    row, token = ApiToken.issue(superuser, "对接系统")
    text = admin_browser.get(reverse("admin:accounts_apitoken_change",
                                     args=[row.pk])).content.decode()
    assert row.key not in text and token not in text
    assert row.prefix in text


def test_user_admin_shows_role_and_scope_fields(admin_browser):
    user = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    text = admin_browser.get(reverse("admin:accounts_user_change",
                                     args=[user.pk])).content.decode()
    for field in ("role", "region", "organization", "sector"):
        assert f'name="{field}"' in text


def test_non_superuser_staff_admin_is_scoped():
    own = f.OrganizationFactory(name="南明后台学校")
    f.OrganizationFactory(name="遵义后台学校", region=f.region(f.OTHER_CITY_COUNTY))
    staff = f.staff(Role.COUNTY_STAFF, f.COUNTY, is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_organization", "change_organization", "view_auditevent"]))
    audit.record(actor=None, action=AuditAction.UPDATE, instance=own, after={"name": "a"})
    far = Organization.objects.get(name="遵义后台学校")
    audit.record(actor=None, action=AuditAction.UPDATE, instance=far, after={"name": "b"})
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff)

    text = client.get(reverse("admin:registry_organization_changelist")).content.decode()
    assert "南明后台学校" in text and "遵义后台学校" not in text
    assert client.get(reverse("admin:registry_organization_change",
                              args=[far.pk])).status_code == 302  # "doesn't exist" redirect
    events = client.get(reverse("admin:core_auditevent_changelist")).content.decode()
    assert "南明后台学校" in events and "遵义后台学校" not in events
