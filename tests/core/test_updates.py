"""core.updates.audited_update, on a real registry record."""

import pytest

from jineng.core.errors import DomainError
from jineng.core.models import AuditAction, AuditEvent
from jineng.core.updates import audited_update
from jineng.registry.models import Organization
from tests import factories as f

pytestmark = pytest.mark.django_db
EDITABLE = ("contact_phone", "address", "region", "name")


def test_saves_only_the_changed_fields_and_audits_them_once():
    org = f.OrganizationFactory(contact_phone="0851-1", address="旧址")
    staff = f.staff()
    changed = audited_update(actor=staff, instance=org, reason="机构来函更正",
                             changes={"contact_phone": "0851-2", "address": "旧址"},
                             allowed_fields=EDITABLE)
    assert changed == ["contact_phone"]
    assert Organization.objects.get(pk=org.pk).contact_phone == "0851-2"
    assert org.contact_phone == "0851-2"
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.UPDATE and event.entity_type == "registry.organization"
    assert (event.before, event.after) == ({"contact_phone": "0851-1"},
                                           {"contact_phone": "0851-2"})
    assert event.reason == "机构来函更正" and event.actor_id == staff.pk


def test_a_foreign_key_is_changed_by_record_or_by_id():
    org = f.OrganizationFactory()
    other = f.region(f.OTHER_COUNTY)
    assert audited_update(actor=f.staff(), instance=org, changes={"region": other},
                          reason="迁址", allowed_fields=EDITABLE) == ["region"]
    assert Organization.objects.get(pk=org.pk).region_id == other.pk
    assert AuditEvent.objects.get().after == {"region_id": other.pk}


def test_nothing_changed_saves_and_audits_nothing():
    org = f.OrganizationFactory(contact_phone="0851-1")
    assert audited_update(actor=f.staff(), instance=org, changes={"contact_phone": "0851-1"},
                          reason="", allowed_fields=EDITABLE) == []
    assert not AuditEvent.objects.exists()


def test_unknown_or_protected_fields_are_refused():
    org = f.OrganizationFactory()
    with pytest.raises(DomainError) as exc:
        audited_update(actor=f.staff(), instance=org, changes={"credit_code": "x"},
                       reason="", allowed_fields=EDITABLE)
    assert exc.value.field == "credit_code"
    assert not AuditEvent.objects.exists()


def test_an_invalid_value_names_its_field_and_changes_nothing():
    org = f.OrganizationFactory(name="原名")
    with pytest.raises(DomainError) as exc:
        audited_update(actor=f.staff(), instance=org, changes={"name": "长" * 300},
                       reason="", allowed_fields=EDITABLE)
    assert exc.value.field == "name"
    assert Organization.objects.get(pk=org.pk).name == "原名" and org.name == "原名"
    assert not AuditEvent.objects.exists()


def test_a_check_runs_on_the_locked_row_and_can_refuse():
    org = f.OrganizationFactory(contact_phone="0851-1")
    Organization.objects.filter(pk=org.pk).update(status="revoked")  # behind org's back
    seen = []

    def not_revoked(locked):
        seen.append(locked.status)
        if locked.status == "revoked":
            raise DomainError("已撤销的机构不能修改。", field="")

    with pytest.raises(DomainError):
        audited_update(actor=f.staff(), instance=org, changes={"contact_phone": "0851-2"},
                       reason="", allowed_fields=EDITABLE, check=not_revoked)
    assert seen == ["revoked"]  # the stored state, not the caller's stale instance
    assert Organization.objects.get(pk=org.pk).contact_phone == "0851-1"
    assert not AuditEvent.objects.exists()
