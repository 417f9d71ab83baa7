import pytest
from django.db import DatabaseError, connection, transaction

from jineng.core import audit
from jineng.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_audit_events_cannot_be_changed_through_the_model():
    event = audit.record(actor=None, action="create", entity_type="x.y", label="first")
    event.reason = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(TypeError):
        event.delete()


def test_audit_events_cannot_be_changed_in_sql_either():
    event = audit.record(actor=None, action="create", entity_type="x.y", label="first")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE core_auditevent SET reason = 'x' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_snapshot_never_contains_ciphertext(db):
    from tests.factories import PersonFactory

    person = PersonFactory()
    data = audit.snapshot(person)
    assert "id_encrypted" not in data and "id_hash" not in data
    assert data["id_masked"] == person.id_masked
