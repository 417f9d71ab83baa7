"""Dated eligibility parameters (the age rule's version per region)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.registry import services as registry_services
from jineng.registry.models import (
    Region,
)
from jineng.training.models import (
    EligibilityParameter,
)

# --- eligibility parameters ------------------------------------------------------------------

def eligibility_parameter_set(*, actor, region: Region | None, valid_from: dt.date,
                              minimum_age: int = 16, scheme: str = "gradual_2025",
                              female_basis: int = 55, over_age_without_pension: bool = False,
                              source: str = "") -> EligibilityParameter:
    """Record a new dated version of the age parameter for a region (staff governing it) or
    the nation (system administrators)."""
    if region is None:
        if not scope_of(actor).everything:
            raise Forbidden(_("Only system administrators set the national parameter."))
    else:
        registry_services.ensure_governs(actor, region)
    if female_basis not in (50, 55):
        raise DomainError(_("The women's original retirement age is 50 or 55."),
                          field="female_basis")
    if not (14 <= minimum_age <= 18):
        raise DomainError(_("The minimum age must be between 14 and 18."), field="minimum_age")
    with transaction.atomic():
        if EligibilityParameter.objects.filter(region=region, valid_from=valid_from).exists():
            raise Conflict(_("A version valid from this day already exists."),
                           field="valid_from", code="duplicate")
        row = EligibilityParameter.objects.create(
            region=region, valid_from=valid_from, minimum_age=minimum_age, scheme=scheme,
            female_basis=female_basis, over_age_without_pension=over_age_without_pension,
            source=source.strip())
        audit.record(actor=actor, action=AuditAction.CREATE, instance=row,
                     after=audit.snapshot(row))
    return row
