"""A worker's identity check before they see their own skill record on the public site: ID
number + name, then a one-time code sent to the registered phone."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentityChallenge(models.Model):
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    client_address = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("identity check")
        verbose_name_plural = _("identity checks")
        indexes = [models.Index(fields=["person", "created_at"], name="challenge_person")]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.created_at:%Y-%m-%d %H:%M}"
