"""Reads of social-insurance and business-registration imports, scoped: staff see the imports
of regions in their subtree; anything out of scope is 404 like a missing one."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jineng.core.errors import NotFound
from jineng.outcomes.models import InsuranceImport

__all__ = ["insurance_import_get", "insurance_import_list"]


def insurance_import_list(*, actor, kind: str = "", status: str = "") -> QuerySet:
    """The imports the actor may read, newest first."""
    rows = InsuranceImport.objects.visible_to(actor).select_related("region", "requested_by")
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-started_at", "-id")


def insurance_import_get(*, actor, pk: int) -> InsuranceImport:
    found = insurance_import_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such import."))
    return found
