"""Sending a text message (SMS) to a phone: one interface for every app, a backend chosen by
configuration.

`settings.JINENG_SMS_BACKEND` names the class of a real gateway ("package.module.Class", with
a `send(phone: str, text: str) -> None` method that raises on failure). Until one is
configured, the development backend sends nothing: with DEBUG on it writes the message to the
log (the phone masked) so a developer can read a one-time code; otherwise it drops it. Callers
that would show a code to a demo visitor ask `gateway_configured()` first.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("jineng.sms")


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


def _masked(phone: str) -> str:
    phone = (phone or "").strip()
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:] if len(phone) >= 7 else "***"


class DevelopmentBackend:
    """No gateway: the message goes to the log in development (DEBUG) only."""

    def send(self, phone: str, text: str) -> None:
        if settings.DEBUG:
            logger.warning("SMS (development, not sent) to %s: %s", _masked(phone), text)


def gateway_configured() -> bool:
    return bool(getattr(settings, "JINENG_SMS_BACKEND", ""))


def backend() -> SmsBackend:
    path = getattr(settings, "JINENG_SMS_BACKEND", "")
    return import_string(path)() if path else DevelopmentBackend()


def send(phone: str, text: str) -> bool:
    """Send `text` to `phone`; True if a gateway took it, False if only the development
    backend saw it. A gateway's failure is logged and answers False (the caller's answer to
    the visitor must not change with it)."""
    try:
        backend().send(phone, text)
    except Exception:  # a gateway down must not turn into an error page
        logger.exception("SMS to %s failed", _masked(phone))
        return False
    return gateway_configured()
