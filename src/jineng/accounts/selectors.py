"""Reads about the signed-in user's own account."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice


def otp_enabled(*, actor) -> bool:
    """Whether the user has a confirmed second factor (their own devices only)."""
    return TOTPDevice.objects.filter(user=actor, confirmed=True).exists()
