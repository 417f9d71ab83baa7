"""A worker's identity check before they see their own skill record on the public site: ID
number + name, then a one-time code sent to the registered phone.

Every start is kept, matched or not (`person` empty when the ID number and name matched no one
with a phone, `code_hash` empty when no code was sent): the per-address and per-person limits
count them, and the answer to the visitor is the same either way."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentityChallenge(models.Model):
    person = models.ForeignKey("registry.Person", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    # HMAC-SHA256 (keyed, hex) of the one-time code; empty when no code was sent.
    code_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    client_address = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("identity check")
        verbose_name_plural = _("identity checks")
        indexes = [models.Index(fields=["person", "created_at"], name="challenge_person"),
                   models.Index(fields=["client_address", "created_at"],
                                name="challenge_address")]

    def __str__(self) -> str:
        return f"{self.person_id or '-'} @ {self.created_at:%Y-%m-%d %H:%M}"
