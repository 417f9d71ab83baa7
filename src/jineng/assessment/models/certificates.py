"""Certificates: issued here (signed, numbered, revocable) or recorded from outside (other
provinces, the national platform, other authorities, a previous system)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.assessment.choices import (
    CertificateKind,
    CertificateOrigin,
    CertificateStatus,
    RevocationReason,
)
from jineng.core.history import StatusHistoryEntry
from jineng.core.scoping import Scope, ScopedQuerySet, any_of, region_q


class CertificateQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        # The public reaches a certificate only through verification (by number or file),
        # never by listing.
        if not scope.sees_persons:
            return None
        return any_of(
            region_q("region", scope),
            region_q("person__region", scope),
            Q(issuer_id=scope.organization_id) if scope.organization_id else None,
            Q(training_class__institution_id=scope.organization_id)
            if scope.organization_id else None,
        )


class Certificate(models.Model):
    """One certificate of one person. Issued here: `number` from the numbering rules, a
    signature over `signed_payload` (canonical JSON) by `key_id`, a place `status_index` in the
    published status list. Recorded from outside: the number as printed, `verified` once checked
    against its issuer."""

    kind = models.CharField(_("kind"), max_length=20, choices=CertificateKind.choices)
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    origin = models.CharField(_("origin"), max_length=16, choices=CertificateOrigin.choices,
                              default=CertificateOrigin.ISSUED)
    verified = models.BooleanField(_("verified"), default=True)
    # Recorded from outside: who checked it against its issuer, when, and what they found.
    verified_note = models.CharField(_("verification note"), max_length=500, blank=True)
    verified_by = models.CharField(_("verified by"), max_length=150, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("holder"))
    holder_name = models.CharField(_("holder name"), max_length=50)
    occupation = models.ForeignKey("registry.Occupation", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("occupation"))
    work_type = models.CharField(_("work type or direction"), max_length=100, blank=True)
    level = models.ForeignKey("registry.SkillLevel", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("skill level"))
    special_ability_item = models.CharField(_("special ability item"), max_length=100,
                                            blank=True)
    # Training / entrepreneurship certificates: the project (class) and its dates.
    title = models.CharField(_("project"), max_length=200, blank=True)
    training_class = models.ForeignKey("training.TrainingClass", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("class"))
    training_start = models.DateField(_("training from"), null=True, blank=True)
    training_end = models.DateField(_("training to"), null=True, blank=True)
    issuer = models.ForeignKey("registry.Organization", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("issuer"))
    issuer_name = models.CharField(_("issuer name"), max_length=200)
    # The region that issued (here) or recorded (outside) it: scope and certificate numbers.
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    issued_on = models.DateField(_("issued on"))
    candidate = models.ForeignKey("assessment.Candidate", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="certificates",
                                  verbose_name=_("candidate"))
    # 一试双证: the other certificate of the same assessment.
    paired_with = models.OneToOneField("self", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("paired certificate"))
    photo = models.FileField(_("photo"), upload_to="certificates/photos/", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CertificateStatus.choices,
                              default=CertificateStatus.VALID)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.CharField(_("revocation reason"), max_length=10, blank=True,
                                         choices=RevocationReason.choices)
    status_index = models.PositiveIntegerField(_("status list index"), null=True, blank=True,
                                               unique=True)
    key_id = models.CharField(_("signing key"), max_length=40, blank=True)
    signature = models.TextField(_("signature"), blank=True)
    signed_payload = models.JSONField(_("signed content"), default=dict, blank=True)
    # Outside and imported certificates: a repeat with the same content counts once; the same
    # number with different content is a conflict.
    fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)
    recorded_by = models.CharField(_("recorded by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["person", "issued_on"], name="cert_person_day"),
                   # The status list reads the revoked few (signing).
                   models.Index(fields=["status_index"], condition=Q(status="revoked"),
                                name="cert_revoked_index")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="valid", revoked_on__isnull=True, revocation_reason="")
                | Q(status="revoked", revoked_on__isnull=False) & ~Q(revocation_reason=""),
                name="certificate_revocation_complete"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def audit_region_code(self) -> str:
        return self.region.code

    @property
    def audit_organization_id(self) -> int | None:
        return self.issuer_id


class CertificateStatusChangeQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if not scope.sees_persons:
            return None
        return any_of(region_q("certificate__region", scope),
                      Q(certificate__issuer_id=scope.organization_id)
                      if scope.organization_id else None)


class CertificateStatusChange(StatusHistoryEntry):
    """A certificate revoked (or reinstated), with its reason (core's history shape)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE,
                                    related_name="status_history",
                                    verbose_name=_("certificate"))

    objects = CertificateStatusChangeQuerySet.as_manager()

    class Meta(StatusHistoryEntry.Meta):
        verbose_name = _("certificate status change")
        verbose_name_plural = _("certificate status changes")
        ordering = ["certificate", "at", "id"]


class CertificateSequence(models.Model):
    """The last number used under one prefix (numbers without gaps: the row is locked while a
    number is taken, in the issuing transaction). The status list's next index is the
    sequence named "status-list"."""

    prefix = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("certificate number sequence")
        verbose_name_plural = _("certificate number sequences")

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"


__all__ = ["Certificate", "CertificateSequence", "CertificateStatusChange"]
