"""Reads of certificates recorded from outside (other provinces, the national platform, other
authorities, a previous system): the list staff work through, with a verified filter."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jineng.assessment.choices import CertificateOrigin
from jineng.assessment.models import Certificate
from jineng.assessment.rules import numbering
from jineng.core.errors import NotFound


def outside_certificate_list(*, actor, verified: bool | None = None, origin: str = "",
                             kind: str = "", q: str = "") -> QuerySet[Certificate]:
    """Certificates recorded from outside that the actor sees (by the certificate's or the
    holder's region), newest first. `q`: a number (whole or its start) or a holder's name
    (its start)."""
    qs = (Certificate.objects.visible_to(actor).exclude(origin=CertificateOrigin.ISSUED)
          .select_related("person", "occupation", "level", "region"))
    if verified is not None:
        qs = qs.filter(verified=verified)
    if origin:
        qs = qs.filter(origin=origin)
    if kind:
        qs = qs.filter(kind=kind)
    text = (q or "").strip()
    if text:
        qs = qs.filter(Q(number__startswith=numbering.normalize(text))
                       | Q(holder_name__startswith=text))
    return qs.order_by("-created_at", "-id")


def outside_certificate_get(*, actor, pk: int) -> Certificate:
    cert = (outside_certificate_list(actor=actor).filter(pk=pk).first())
    if cert is None:
        raise NotFound()
    return cert


__all__ = ["outside_certificate_get", "outside_certificate_list"]
