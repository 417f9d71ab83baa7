"""The certificate file: a signed document anyone can check offline (pure: no Django).

A file is one JSON object::

    {"format": "jineng-certificate/1",
     "payload": {...what the certificate says...},
     "key_id": "k2026…",
     "signature": "<base64url, no padding, of the Ed25519 signature over canonical(payload)>"}

`canonical` is `rules.canonical.canonical` (a subset of RFC 8785 JCS; every number and date in
the payload is a string). Only the payload is signed: the file may be re-indented, its members
reordered, and it still verifies.

The payload carries what 人社鉴发〔2021〕1号 asks a certificate to show (holder's name, ID
type and masked ID number, occupation and 工种/职业方向, level, number, issuer, date of issue,
a hash of the photo), where its revocation status is published (`status.list_url`,
`status.index`: the W3C-style status list of `rules.status_list`), the public page that checks
it (`verify_url`) and when it was signed (`signed_at`, ISO 8601 with offset; it must fall in
the signing key's published validity).

`verify_document` never raises on bad input: a file that is not JSON, not this format, truncated,
with a changed payload or signature is `tampered`; a signature by a key not published (or not
valid when the file says it was signed) is `unknown_key`; a good signature whose bit is set in
the status list is `revoked`; otherwise `valid`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from jineng.assessment.rules import status_list
from jineng.assessment.rules.canonical import canonical, canonical_of_parsed, loads_without_numbers

__all__ = [
    "FORMAT",
    "MAX_DOCUMENT_BYTES",
    "REVOKED",
    "TAMPERED",
    "UNKNOWN_KEY",
    "VALID",
    "Outcome",
    "b64url_decode",
    "b64url_encode",
    "document_bytes",
    "mask_name",
    "parse_time",
    "sign_payload",
    "verify_document",
]

FORMAT = "jineng-certificate/1"
# A certificate file is a few kilobytes; anything past this is not one (checked before parsing).
MAX_DOCUMENT_BYTES = 64 * 1024

# The values of choices.VerificationResult (rules import no Django; a test keeps them equal).
VALID = "valid"
REVOKED = "revoked"
TAMPERED = "tampered"
UNKNOWN_KEY = "unknown_key"

KeyTable = Mapping[str, tuple[bytes, Any, Any]]


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url (padding optional); ValueError on anything else."""
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64url") from error


def parse_time(value: Any) -> dt.datetime | None:
    """An aware datetime from a datetime or ISO 8601 text; None for None/empty."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("a time with its offset")
    return moment


def mask_name(name: str) -> str:
    """A name partly masked for public pages: 张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明;
    a Latin name keeps its first and last letters."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


@dataclass(frozen=True)
class Outcome:
    """What a verifier says about one file. `reason` is a short code for the log and the CLI
    (`not_json`, `bad_format`, `bad_signature`, `key_not_published`, `key_not_valid_then`, …);
    `payload` is the signed content when the signature checked out (else None)."""

    result: str
    reason: str = ""
    key_id: str = ""
    payload: dict | None = None
    # Whether a status list was consulted and reached this certificate's index.
    status_checked: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def number(self) -> str:
        return str((self.payload or {}).get("number", ""))

    @property
    def holder_name(self) -> str:
        return str(((self.payload or {}).get("holder") or {}).get("name", ""))

    @property
    def holder_name_masked(self) -> str:
        return mask_name(self.holder_name)

    def facts(self) -> dict[str, Any]:
        """The certificate's facts for display (the holder's name masked)."""
        payload = self.payload or {}
        holder = payload.get("holder") or {}
        return {
            "number": self.number,
            "kind": payload.get("kind", ""),
            "holder_name_masked": self.holder_name_masked,
            "id_type": holder.get("id_type", ""),
            "id_number_masked": holder.get("id_number_masked", ""),
            "occupation": (payload.get("occupation") or {}).get("name", ""),
            "work_type": payload.get("work_type", ""),
            "level": (payload.get("level") or {}).get("name", ""),
            "issuer": (payload.get("issuer") or {}).get("name", ""),
            "issued_on": payload.get("issued_on", ""),
            "key_id": self.key_id,
            "signed_at": payload.get("signed_at", ""),
        }


@lru_cache(maxsize=64)
def _public_key(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)


def _pynacl():
    """PyNaCl (libsodium, bundled in its wheels, pinned in requirements.lock): the same RFC 8032
    check as `cryptography`'s at about half the cost (41 µs against 82 µs a call here: no
    OpenSSL provider look-up per call), which is what checking 100,000 files costs. It also
    refuses small-order public keys, which OpenSSL accepts (none of ours is one: keys are
    generated). `JINENG_ED25519=cryptography` turns it off; so does PyNaCl missing."""
    if os.environ.get("JINENG_ED25519", "") == "cryptography":
        return None, None
    try:
        from nacl.exceptions import BadSignatureError
        from nacl.signing import VerifyKey
    except ImportError:
        return None, None
    return VerifyKey, BadSignatureError


_VerifyKey, _BadSignatureError = _pynacl()
ED25519_BACKEND = "pynacl" if _VerifyKey is not None else "cryptography"


@lru_cache(maxsize=64)
def _verify_key(raw: bytes) -> Any:
    return _VerifyKey(raw)


def ed25519_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Whether `signature` is a good Ed25519 signature of `message` by `public_key` (raw
    32 bytes)."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    if _VerifyKey is not None:
        try:
            _verify_key(public_key).verify(message, signature)
        except _BadSignatureError:
            return False
        return True
    try:
        _public_key(public_key).verify(signature, message)
    except InvalidSignature:
        return False
    return True


def sign_payload(payload: dict, *, key_id: str, private_key: Ed25519PrivateKey) -> dict:
    """The document of a payload signed by `private_key` (published as `key_id`)."""
    signature = private_key.sign(canonical(payload))
    return {"format": FORMAT, "payload": payload, "key_id": key_id,
            "signature": b64url_encode(signature)}


def document_bytes(document: dict) -> bytes:
    """The file's bytes: readable JSON (the signature covers the payload, not the layout)."""
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def _tampered(reason: str, key_id: str = "") -> Outcome:
    return Outcome(result=TAMPERED, reason=reason, key_id=key_id)


def verify_document(data: bytes | str, keys: KeyTable,
                    status_bits: bytes | bytearray | None = None) -> Outcome:
    """Check one certificate file against the published keys (key id → (raw public key,
    valid from, valid until)) and, when given, the decoded status list. Never raises."""
    try:
        return _verify(data, keys, status_bits)
    except Exception:
        return _tampered("unreadable")


def _verify(data: bytes | str, keys: KeyTable,
            status_bits: bytes | bytearray | None) -> Outcome:
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_DOCUMENT_BYTES:
        return _tampered("too_large")
    try:
        document = loads_without_numbers(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _tampered("not_json")
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return _tampered("bad_format")
    payload, key_id, signature_text = (document.get("payload"), document.get("key_id"),
                                       document.get("signature"))
    if not isinstance(payload, dict) or not isinstance(key_id, str) \
            or not isinstance(signature_text, str):
        return _tampered("bad_format")
    try:
        signature = b64url_decode(signature_text)
    except ValueError:
        return _tampered("bad_signature", key_id)
    if len(signature) != 64:
        return _tampered("bad_signature", key_id)
    published = keys.get(key_id)
    if published is None:
        return Outcome(result=UNKNOWN_KEY, reason="key_not_published", key_id=key_id)
    raw_key, valid_from, valid_until = published
    try:
        message = canonical_of_parsed(payload, data)
    except TypeError:
        return _tampered("not_canonical", key_id)
    if not ed25519_verify(bytes(raw_key), signature, message):
        return _tampered("bad_signature", key_id)
    try:
        signed_at = parse_time(payload.get("signed_at"))
        starts, ends = parse_time(valid_from), parse_time(valid_until)
    except (TypeError, ValueError):
        return _tampered("bad_signed_at", key_id)
    if signed_at is None:
        return _tampered("bad_signed_at", key_id)
    if (starts is not None and signed_at < starts) or (ends is not None and signed_at >= ends):
        return Outcome(result=UNKNOWN_KEY, reason="key_not_valid_then", key_id=key_id)
    checked = False
    if status_bits is not None:
        index_text = (payload.get("status") or {}).get("index")
        if isinstance(index_text, str) and index_text.isdigit():
            revoked = status_list.is_set(status_bits, int(index_text))
            checked = revoked is not None
            if revoked:
                return Outcome(result=REVOKED, reason="status_bit_set", key_id=key_id,
                               payload=payload, status_checked=True)
    return Outcome(result=VALID, key_id=key_id, payload=payload, status_checked=checked)


def b64_std(data: bytes) -> str:
    """Standard base64 with padding (how public keys are published)."""
    return base64.b64encode(data).decode("ascii")


def b64_std_decode(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
