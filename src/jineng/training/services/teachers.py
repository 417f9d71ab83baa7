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
