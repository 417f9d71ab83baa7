"""Teachers of a training institution."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jineng.core import audit, pii
from jineng.core.errors import Conflict, DomainError
from jineng.core.models import AuditAction
from jineng.registry import services as registry_services
from jineng.registry.models import (
    Organization,
)
from jineng.training.models import (
    Teacher,
)
from jineng.training.services.common import (
    _ensure_operator,
)

# --- teachers --------------------------------------------------------------------------------

def teacher_create(*, actor, name: str, id_number: str = "", qualification: str = "",
                   organization: Organization | None = None) -> Teacher:
    org = organization or _ensure_operator(actor)
    registry_services.ensure_manages_organization(actor, org)
    if not name.strip():
        raise DomainError(_("This field is required."), field="name")
    id_hash = masked = ""
    if id_number.strip():
        ident = registry_services.parse_id_number(id_number)
        id_hash, masked = pii.keyed_hash(ident.number), pii.mask_id_number(ident.number)
    with transaction.atomic():
        if id_hash and Teacher.objects.filter(organization=org, id_hash=id_hash).exists():
            raise Conflict(_("This teacher is already registered."), field="id_number",
                           code="duplicate")
        teacher = Teacher.objects.create(organization=org, name=name.strip(), id_hash=id_hash,
                                         id_masked=masked, qualification=qualification.strip())
        audit.record(actor=actor, action=AuditAction.CREATE, instance=teacher,
                     after=audit.snapshot(teacher))
    return teacher


def teacher_create_once(*, actor, name: str, id_number: str, qualification: str = "",
                        organization: Organization | None = None) -> tuple[Teacher, bool]:
    """teacher_create for outside systems, which may send the same teacher twice: a teacher of
    the institution with this ID number and the same name is answered as it is (`created`
    False); the same ID number under another name is a Conflict. The ID number is required:
    it is how one person teaching at two institutions is recognised."""
    org = organization or _ensure_operator(actor)
    registry_services.ensure_manages_organization(actor, org)
    if not id_number.strip():
        raise DomainError(_("This field is required."), field="id_number")
    ident = registry_services.parse_id_number(id_number)
    found = Teacher.objects.filter(organization=org, id_hash=pii.keyed_hash(ident.number)).first()
    if found is not None:
        if found.name != name.strip():
            raise Conflict(_("This ID number is registered for another teacher's name."),
                           field="name", code="name_mismatch")
        return found, False
    try:
        return teacher_create(actor=actor, name=name, id_number=ident.number,
                              qualification=qualification, organization=org), True
    except Conflict:
        found = Teacher.objects.filter(organization=org,
                                       id_hash=pii.keyed_hash(ident.number)).first()
        if found is None or found.name != name.strip():
            raise
        return found, False
