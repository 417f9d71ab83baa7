"""Attachments of a subsidy claim (certificate scan, ID card, apprenticeship contract, other):
the file in the default storage, its original name, size and SHA-256; one file once per
claim."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet, any_of, region_q
from jineng.subsidy.models.claims import SubsidyClaim


class AttachmentKind(models.TextChoices):
    CERTIFICATE = "certificate", _("Certificate scan")
    IDENTITY = "identity", _("ID card")
    CONTRACT = "contract", _("Contract")
    OTHER = "other", _("Other")


class ClaimAttachmentQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        by_region = region_q("claim__region", scope) if scope.sees_persons else None
        return any_of(by_region, Q(claim__organization_id=scope.organization_id)
                      if scope.organization_id else None)


class ClaimAttachment(models.Model):
    """One file attached to a claim by its claimant."""

    claim = models.ForeignKey(SubsidyClaim, on_delete=models.CASCADE,
                              related_name="attachments", verbose_name=_("claim"))
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to="subsidy/attachments/", max_length=200)
    original_name = models.CharField(_("original name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_by_name = models.CharField(_("uploaded by"), max_length=150, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ClaimAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("claim attachment")
        verbose_name_plural = _("claim attachments")
        ordering = ["uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["claim", "sha256"],
                                               name="subsidy_attachment_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def audit_region_code(self) -> str:
        return self.claim.region.code

    @property
    def audit_organization_id(self) -> int | None:
        return self.claim.organization_id
