"""Personal sensitive information: ID numbers encrypted at rest, found by keyed hash, masked.

Encryption uses Fernet (AES-128-CBC + HMAC) from `cryptography` through MultiFernet, so keys can
be rotated: the first key in JINENG_PII_KEYS encrypts, every listed key decrypts.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Callable
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


def reencrypt(token: str) -> str:
    """The same plaintext encrypted under the current (first) key, for key rotation: after every
    stored value has been re-encrypted, the old key can be dropped from JINENG_PII_KEYS."""
    return _cipher().rotate(token.encode()).decode()


def keyed_hash(plain: str) -> str:
    """HMAC-SHA256 of a normalized value: equal IDs give equal hashes, without the key no lookup."""
    return hmac.new(
        settings.PII_HASH_KEY.encode(), plain.strip().upper().encode(), hashlib.sha256
    ).hexdigest()


def keyed_hasher() -> Callable[[str], str]:
    """`keyed_hash` for a loop over many values: the key's HMAC pads are hashed once (RFC 2104;
    OpenSSL 3 sets up a new HMAC key in microseconds, which a million values feel)."""
    ipad, opad = keyed_hash_pads()
    inner, outer = hashlib.sha256(ipad), hashlib.sha256(opad)

    def hash_one(plain: str) -> str:
        i = inner.copy()
        i.update(plain.strip().upper().encode())
        o = outer.copy()
        o.update(i.digest())
        return o.hexdigest()

    return hash_one


def keyed_hash_pads() -> tuple[bytes, bytes]:
    """The inner and outer HMAC pads of the hash key, so that a columnar engine can compute
    `keyed_hash` set-based (RFC 2104: HMAC = SHA-256(opad ‖ SHA-256(ipad ‖ message)) with
    the key padded to the 64-byte block, hashed first when longer). The value to hash must be
    normalized (trimmed, upper case) by the caller, as `keyed_hash` does."""
    key = settings.PII_HASH_KEY.encode()
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def mask_id_number(id_number: str) -> str:
    """`520102199001011234` → `520102********1234` (region kept, birth date and sequence hidden)."""
    value = id_number.strip().upper()
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def _check_digit_ok(number: str) -> bool:
    from jineng.core.validators import id_check_character

    return id_check_character(number[:17]) == number[17].upper()


def mask_in_text(text: str, *, only_valid: bool = False) -> str:
    """Mask every 18-character ID number in a text. `only_valid`: only those whose check digit
    is right (for structured records, where an all-digit credit code must survive)."""
    def masked(m: re.Match) -> str:
        if only_valid and not _check_digit_ok(m.group(0)):
            return m.group(0)
        return mask_id_number(m.group(0))

    return _ID_IN_TEXT.sub(masked, text)


def mask_in_data(value, *, only_valid: bool = True):
    """`mask_in_text` applied to every string inside dicts, lists and tuples."""
    if isinstance(value, str):
        return mask_in_text(value, only_valid=only_valid)
    if isinstance(value, dict):
        return {k: mask_in_data(v, only_valid=only_valid) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_in_data(v, only_valid=only_valid) for v in value]
    return value


class MaskIdNumbersFilter(logging.Filter):
    """Logging filter: no whole ID number ever reaches a log line — neither in the message nor
    in a traceback or stack attached to the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: log it as it is, masked
            message = f"{record.msg} {record.args}"
            record.msg, record.args = mask_in_text(message), None
        else:
            masked = mask_in_text(message)
            if masked != message:
                record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the masked text is what gets written.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_in_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_in_text(record.stack_info)
        return True
