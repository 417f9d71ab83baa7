"""Writes of organizations (training and evaluation institutions, enterprises): registering one
(credit code checked, GB 32100), listing, suspending and revoking it (its status history), and
correcting its details (audited with the reason)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.history import record_transition
from jineng.core.models import AuditAction
from jineng.core.updates import audited_update
from jineng.core.validators import InvalidIdentifier, parse_credit_code
from jineng.registry.choices import InstitutionType, OrganizationKind, OrganizationStatus
from jineng.registry.models import Organization, OrganizationStatusChange, Region
from jineng.registry.rules import permissions as may
from jineng.registry.services.common import (
    PHONE_PATTERN,
    _require_reason,
    actor_facts,
    check_length,
    ensure_governs,
)

# --- organizations -----------------------------------------------------------------------

@dataclass(frozen=True)
class OrganizationInput:
    kind: str
    name: str
    credit_code: str
    region: Region
    institution_type: str = ""
    address: str = ""
    legal_representative: str = ""
    contact_phone: str = ""
    sector: str = ""
    credit_code_override: str = ""


def validate_organization(data: OrganizationInput) -> str:
    """Check an organization's fields; returns the normalized credit code."""
    if data.kind not in OrganizationKind.values:
        raise DomainError(_("Unknown organization kind."), field="kind")
    if not data.name.strip():
        raise DomainError(_("This field is required."), field="name")
    for field in ("name", "address", "legal_representative", "contact_phone", "sector"):
        check_length(Organization, field, getattr(data, field).strip())
    if data.kind == OrganizationKind.TRAINING:
        if data.institution_type not in InstitutionType.values:
            raise DomainError(_("Choose the type of training institution."),
                              field="institution_type")
    elif data.institution_type:
        raise DomainError(_("Only training institutions have an institution type."),
                          field="institution_type")
    try:
        code = parse_credit_code(data.credit_code)
    except InvalidIdentifier as bad:
        raise DomainError(str(bad), field="credit_code", code=bad.code) from bad
    if not code.check_ok and not data.credit_code_override.strip():
        raise DomainError(
            _("The check character of this credit code is wrong. If the code is genuine "
              "(some early pilot codes fail the check), give a reason to accept it."),
            field="credit_code", code="check_character",
        )
    return code.code


def organization_create(*, actor, data: OrganizationInput) -> Organization:
    ensure_governs(actor, data.region)
    credit_code = validate_organization(data)
    with transaction.atomic():
        if Organization.objects.filter(credit_code=credit_code).exists():
            raise Conflict(_("An organization with this credit code is already registered."),
                           field="credit_code", code="duplicate")
        org = Organization.objects.create(
            kind=data.kind, institution_type=data.institution_type, name=data.name.strip(),
            credit_code=credit_code, credit_code_override=data.credit_code_override.strip(),
            region=data.region, address=data.address,
            legal_representative=data.legal_representative,
            contact_phone=data.contact_phone, sector=data.sector,
            status=OrganizationStatus.LISTED, status_since=timezone.localdate(),
        )
        record_transition(OrganizationStatusChange, subject_field="organization", subject=org,
                          actor=actor, action=REGISTER, from_status="",
                          to_status=OrganizationStatus.LISTED, reason=_("Registered"),
                          effective_date=org.status_since)
        audit.record(actor=actor, action=AuditAction.CREATE, instance=org,
                     after=audit.snapshot(org), reason=data.credit_code_override)
    return org


ALLOWED_STATUS_CHANGES = {
    OrganizationStatus.LISTED: {OrganizationStatus.SUSPENDED, OrganizationStatus.REVOKED},
    OrganizationStatus.SUSPENDED: {OrganizationStatus.LISTED, OrganizationStatus.REVOKED},
    OrganizationStatus.REVOKED: set(),
}


# The history's action for each status an organization moves to (its first entry: REGISTER).
REGISTER = "register"
STATUS_ACTIONS = {
    OrganizationStatus.LISTED: "reinstate",
    OrganizationStatus.SUSPENDED: "suspend",
    OrganizationStatus.REVOKED: "revoke",
}


def organization_change_status(*, actor, organization: Organization, status: str, reason: str,
                               effective_date: dt.date | None = None) -> Organization:
    """List, suspend or revoke an organization; revocation is final. Staff only."""
    ensure_governs(actor, organization.region)
    if not reason.strip():
        raise DomainError(_("Give a reason for the status change."), field="reason")
    effective = effective_date or timezone.localdate()
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        if status not in ALLOWED_STATUS_CHANGES.get(org.status, set()):
            raise DomainError(
                _("Cannot change status from %(old)s to %(new)s.")
                % {"old": org.get_status_display(), "new": status}, field="status")
        if effective < org.status_since:
            raise DomainError(_("The effective date is before the current status began."),
                              field="effective_date")
        before = audit.snapshot(org)
        record_transition(OrganizationStatusChange, subject_field="organization", subject=org,
                          actor=actor, action=STATUS_ACTIONS.get(status, ""),
                          from_status=org.status, to_status=status, reason=reason,
                          reason_required=True, effective_date=effective)
        org.status, org.status_since = status, effective
        org.save(update_fields=["status", "status_since"])
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=org,
                     before={"status": before["status"]}, after={"status": status},
                     reason=reason.strip())
    return org


# --- corrections (audited, with a reason) -------------------------------------------------

ORGANIZATION_EDITABLE = ("name", "institution_type", "address", "legal_representative",
                         "contact_phone", "sector")


@dataclass(frozen=True)
class OrganizationChanges:
    """Corrections to an organization's details; None leaves a field as it is. The credit code
    and the kind identify the organization and are not edited."""

    name: str | None = None
    institution_type: str | None = None
    address: str | None = None
    legal_representative: str | None = None
    contact_phone: str | None = None
    sector: str | None = None
    region: Region | None = None


def ensure_may_edit_organization(actor, organization: Organization) -> None:
    if not may.may_edit_organization(actor_facts(actor), organization.region.code):
        raise Forbidden(_("Only HRSS staff of the organization's region may correct its "
                          "details."))


def organization_update(*, actor, organization: Organization, changes: OrganizationChanges,
                        reason: str) -> Organization:
    """Correct an organization's details (name, type, address, legal representative, phone,
    sector, region). Staff governing its region (and the new one); audited field by field with
    the reason; sending what is stored changes nothing and records nothing."""
    if not Organization.objects.visible_to(actor).filter(pk=organization.pk).exists():
        raise NotFound()
    ensure_may_edit_organization(actor, organization)
    if changes.region is not None:
        ensure_governs(actor, changes.region)
    wanted: dict = {}
    for field in ORGANIZATION_EDITABLE:
        value = getattr(changes, field)
        if value is None:
            continue
        value = value.strip()
        check_length(Organization, field, value)
        wanted[field] = value
    if "name" in wanted and not wanted["name"]:
        raise DomainError(_("This field is required."), field="name")
    if "institution_type" in wanted:
        if organization.kind == OrganizationKind.TRAINING:
            if wanted["institution_type"] not in InstitutionType.values:
                raise DomainError(_("Choose the type of training institution."),
                                  field="institution_type")
        elif wanted["institution_type"]:
            raise DomainError(_("Only training institutions have an institution type."),
                              field="institution_type")
    if wanted.get("contact_phone") and not PHONE_PATTERN.fullmatch(
            wanted["contact_phone"].replace("—", "-")):
        raise DomainError(_("Not a phone number."), field="contact_phone")
    if changes.region is not None:
        wanted["region"] = changes.region
    reason = _require_reason(reason)
    audited_update(actor=actor, instance=organization, changes=wanted, reason=reason,
                   allowed_fields=(*ORGANIZATION_EDITABLE, "region"))
    return organization
