"""Reads of certificates issued here, for staff, evaluators and institutions: the list (filtered
by kind, occupation, level, status, issuer and date of issue) and one certificate with its
history and its 一试双证 pair. Every read starts from `Certificate.objects.visible_to(actor)`:
the public never lists certificates (it verifies one by number or file); a certificate out of
scope is NotFound like a missing one. ID numbers are shown masked (`person.id_masked`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from jineng.assessment.choices import CertificateOrigin
from jineng.assessment.models import Certificate, CertificateStatusChange
from jineng.core.errors import NotFound

__all__ = [
    "CertificateFilters",
    "issued_certificate_get",
    "issued_certificate_history",
    "issued_certificate_list",
    "issued_certificate_pair",
]

RELATED = ("person", "occupation", "level", "issuer", "region", "candidate__sitting",
           "training_class")


@dataclass(frozen=True)
class CertificateFilters:
    kind: str = ""
    occupation_id: int | None = None
    level: str = ""  # SkillLevel code
    status: str = ""
    issuer_id: int | None = None
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    sitting_id: int | None = None
    training_class_id: int | None = None
    q: str = ""  # number (start) or holder name


def _issued(actor) -> QuerySet[Certificate]:
    return (Certificate.objects.visible_to(actor).filter(origin=CertificateOrigin.ISSUED)
            .select_related(*RELATED))


def issued_certificate_list(*, actor, filters: CertificateFilters | None = None,
                            ) -> QuerySet[Certificate]:
    """Certificates issued here that the actor may see, newest first."""
    f = filters or CertificateFilters()
    qs = _issued(actor)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.occupation_id:
        qs = qs.filter(occupation_id=f.occupation_id)
    if f.level:
        qs = qs.filter(level__code=f.level)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.issuer_id:
        qs = qs.filter(issuer_id=f.issuer_id)
    if f.issued_from:
        qs = qs.filter(issued_on__gte=f.issued_from)
    if f.issued_to:
        qs = qs.filter(issued_on__lte=f.issued_to)
    if f.sitting_id:
        qs = qs.filter(candidate__sitting_id=f.sitting_id)
    if f.training_class_id:
        qs = qs.filter(training_class_id=f.training_class_id)
    q = f.q.strip()
    if q:
        qs = qs.filter(Q(number__startswith=q.upper()) | Q(holder_name__startswith=q))
    return qs.order_by("-issued_on", "-id")


def issued_certificate_get(*, actor, pk: int) -> Certificate:
    found = _issued(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def issued_certificate_history(*, actor, certificate: Certificate,
                               ) -> list[CertificateStatusChange]:
    """The certificate's status changes after its issue (revocation), oldest first."""
    return list(CertificateStatusChange.objects.visible_to(actor)
                .filter(certificate_id=certificate.pk).order_by("at", "id"))


def issued_certificate_pair(*, actor, certificate: Certificate) -> Certificate | None:
    """The other certificate of the same 一试双证 assessment, if the actor may see it."""
    pair = _issued(actor).filter(Q(pk=certificate.paired_with_id)
                                 | Q(paired_with_id=certificate.pk)).exclude(pk=certificate.pk)
    return pair.first()
