"""Ed25519 keys that sign certificates. Public keys are published with their ids and validity;
a retired key stops signing but keeps verifying what it signed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SigningKey(models.Model):
    key_id = models.CharField(_("key id"), max_length=40, unique=True)
    public_key = models.CharField(_("public key (base64)"), max_length=64)
    # The private key, Fernet-encrypted with the PII keys (core.pii).
    private_key_encrypted = models.TextField(editable=False)
    valid_from = models.DateTimeField(_("signs from"))
    valid_until = models.DateTimeField(_("signs until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["valid_from", "id"]

    def __str__(self) -> str:
        return self.key_id
