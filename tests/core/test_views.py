"""The audit-trail page: scoped, filtered, readable diffs, no secrets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jineng.accounts.models import Role
from jineng.core import audit
from jineng.core.models import AuditAction, AuditEvent
from jineng.core.views import diff_rows
from jineng.registry import services
from tests import factories as f

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def rows(response) -> list[AuditEvent]:
    return [event for event, _diff in response.context["rows"]]


def test_audit_page_needs_login(client):
    response = client.get(reverse("core:audit_list"))
    assert response.status_code == 302


def test_staff_see_events_of_their_subtree_only():
    own = f.OrganizationFactory(name="南明学校")
    far = f.OrganizationFactory(name="红花岗学校", region=f.region(f.OTHER_CITY_COUNTY))
    admin = f.UserFactory(is_superuser=True, role=Role.SYSTEM_ADMIN)
    for org in (own, far):
        services.organization_change_status(actor=admin, organization=org, status="suspended",
                                            reason=f"停办 {org.name}")
    county = client_for(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    response = county.get(reverse("core:audit_list"), {"action": "transition"})
    labels = {e.entity_label for e in rows(response)}
    assert labels == {"南明学校"}
    assert "停办 红花岗学校" not in response.content.decode()

    province = client_for(f.staff())
    labels = {e.entity_label for e in rows(province.get(reverse("core:audit_list"),
                                                        {"action": "transition"}))}
    assert labels == {"南明学校", "红花岗学校"}


def test_organization_users_see_their_own_organization_only():
    mine, other = f.OrganizationFactory(), f.OrganizationFactory()
    audit.record(actor=None, action=AuditAction.UPDATE, instance=mine, after={"name": "x"})
    audit.record(actor=None, action=AuditAction.UPDATE, instance=other, after={"name": "y"})
    operator = client_for(f.operator(mine))
    events = rows(operator.get(reverse("core:audit_list"), {"action": "update"}))
    assert [e.entity_id for e in events] == [str(mine.pk)]


def test_industry_staff_see_no_events():
    audit.record(actor=None, action=AuditAction.CREATE, entity_type="x.y", region_code="520102")
    industry = client_for(f.staff(Role.INDUSTRY_STAFF, f.PROVINCE))
    assert rows(industry.get(reverse("core:audit_list"))) == []


def test_filters_by_action_type_record_actor_and_dates():
    person = f.PersonFactory()
    org = f.OrganizationFactory()
    viewer = f.staff(username="auditor1")
    audit.record(actor=viewer, action=AuditAction.UNMASK, instance=person, reason="核对")
    audit.record(actor=None, action=AuditAction.UPDATE, instance=org, after={"name": "z"})
    client = client_for(f.staff())
    url = reverse("core:audit_list")

    by_action = rows(client.get(url, {"action": "unmask"}))
    assert [e.action for e in by_action] == ["unmask"]
    by_record = rows(client.get(url, {"entity_type": "registry.person",
                                      "entity_id": str(person.pk)}))
    assert [e.entity_id for e in by_record] == [str(person.pk)]
    by_actor = rows(client.get(url, {"actor": "auditor1"}))
    assert [e.actor_username for e in by_actor] == ["auditor1"]

    today = timezone.localdate()
    assert len(rows(client.get(url, {"since": today.isoformat(), "action": "unmask"}))) == 1
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert rows(client.get(url, {"until": yesterday, "action": "unmask"})) == []

    bad = client.get(url, {"since": today.isoformat(), "until": yesterday})
    assert "before the start date" in bad.content.decode()


def test_diff_is_readable_with_field_labels():
    org = f.OrganizationFactory(name="旧名字")
    audit.record(actor=None, action=AuditAction.UPDATE, instance=org,
                 before={"name": "旧名字", "address": "甲路"},
                 after={"name": "新名字", "address": "甲路"})
    client = client_for(f.staff())
    text = client.get(reverse("core:audit_list"), {"action": "update"}).content.decode()
    assert "旧名字" in text and "新名字" in text
    assert '<tr class="changed"><th>name</th>' in text  # the verbose name of the field

    table = diff_rows("registry.organization", {"name": "a", "address": "x"},
                      {"name": "b", "address": "x"})
    assert [(r.label, r.changed) for r in table] == [("name", True), ("address", False)]
    created = diff_rows("registry.organization", None, {"credit_code_override": ""})
    assert created[0].label == "reason for accepting a failed check character"
    assert created[0].after == "—"


def test_audit_page_never_shows_ciphertext_or_whole_id_numbers():
    number = f.id_number_for(n=555)
    person = f.PersonFactory(plain_id=number)
    admin = f.UserFactory(is_superuser=True, role=Role.SYSTEM_ADMIN)
    audit.record(actor=admin, action=AuditAction.CREATE, instance=person,
                 after=audit.snapshot(person))
    services.person_unmask_id(actor=admin, person=person, reason="核对")
    text = client_for(admin).get(reverse("core:audit_list")).content.decode()
    assert person.id_masked in text
    assert number not in text and person.id_encrypted not in text and person.id_hash not in text


def test_audit_page_query_budget(django_assert_max_num_queries):
    org = f.OrganizationFactory()
    for i in range(60):
        audit.record(actor=None, action=AuditAction.UPDATE, instance=org,
                     before={"name": str(i)}, after={"name": str(i + 1)})
    client = client_for(f.staff())
    with django_assert_max_num_queries(6):
        response = client.get(reverse("core:audit_list"))
    assert len(rows(response)) == 50
