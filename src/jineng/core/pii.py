"""Personal sensitive information: ID numbers encrypted at rest, found by keyed hash, masked.

Encryption uses Fernet (AES-128-CBC + HMAC) from `cryptography` through MultiFernet, so keys can
be rotated: the first key in JINENG_PII_KEYS encrypts, every listed key decrypts.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

# 18-character resident ID numbers anywhere in a text (for log masking).
_ID_IN_TEXT = re.compile(r"(?<![0-9])([1-9][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9])")


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _cipher() -> MultiFernet:
    return _fernet(tuple(settings.PII_KEYS))


def encrypt(plain: str) -> str:
    return _cipher().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    return _cipher().decrypt(token.encode()).decode()


def keyed_hash(plain: str) -> str:
    """HMAC-SHA256 of a normalized value: equal IDs give equal hashes, without the key no lookup."""
    return hmac.new(
        settings.PII_HASH_KEY.encode(), plain.strip().upper().encode(), hashlib.sha256
    ).hexdigest()


def mask_id_number(id_number: str) -> str:
    """`520102199001011234` → `520102********1234` (region kept, birth date and sequence hidden)."""
    value = id_number.strip().upper()
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_in_text(text: str) -> str:
    return _ID_IN_TEXT.sub(lambda m: m.group(1) + "********" + m.group(2)[-4:], text)


class MaskIdNumbersFilter(logging.Filter):
    """Logging filter: no whole ID number ever reaches a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_in_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
