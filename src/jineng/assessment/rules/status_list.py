"""The revocation status list, in the manner of the W3C Bitstring Status List (pure).

Every issued certificate holds an index into one bitstring; bit 1 means revoked. The bit at
index 0 is the most significant bit of the first byte (as in the W3C text). The bitstring is at
least 131,072 bits long (16 KiB, the W3C minimum, so that a holder's index tells little about
them) and grows in steps of 131,072 bits. Published form (`encodedList`): the bytes
gzip-compressed (modification time 0, so the same list always gives the same text), then
base64url without padding, prefixed with the multibase letter `u` (as in W3C v1.0); a text
without the `u` is read too.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from collections.abc import Iterable

__all__ = ["MIN_BITS", "StatusListError", "bits_for", "decode", "encode", "is_set", "make",
           "revoked_indices"]

MIN_BITS = 131_072
# A decoded list larger than this is refused (a gzip bomb): 2**27 bits = 16 MiB.
MAX_BITS = 2 ** 27


class StatusListError(ValueError):
    """The text is not a status list."""


def bits_for(highest_index: int | None) -> int:
    """The list's length in bits for indices up to `highest_index`."""
    needed = (highest_index or 0) + 1
    steps = max(1, -(-needed // MIN_BITS))
    return steps * MIN_BITS


def make(revoked: Iterable[int], *, highest_index: int | None = None) -> bytearray:
    """The bitstring with the bits of `revoked` set."""
    revoked = list(revoked)
    top = max([highest_index or 0, *revoked]) if revoked else (highest_index or 0)
    bits = bytearray(bits_for(top) // 8)
    for index in revoked:
        if index < 0:
            raise ValueError("a status list index is not negative")
        bits[index >> 3] |= 0x80 >> (index & 7)
    return bits


def encode(bits: bytes | bytearray) -> str:
    """The published text of a bitstring."""
    packed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode(text: str | bytes) -> bytes:
    """The bitstring of a published text; `StatusListError` when it is not one."""
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError as error:
            raise StatusListError("not base64url text") from error
    text = text.strip()
    if text.startswith("u"):
        text = text[1:]
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise StatusListError("not base64url text") from error
    try:
        reader = zlib.decompressobj(wbits=31)
        bits = reader.decompress(packed, MAX_BITS // 8 + 1)
    except zlib.error as error:
        raise StatusListError("not gzip data") from error
    if len(bits) > MAX_BITS // 8:
        raise StatusListError("status list too large")
    if len(bits) * 8 < MIN_BITS:
        raise StatusListError("status list shorter than 131,072 bits")
    return bits


def is_set(bits: bytes | bytearray, index: int) -> bool | None:
    """Whether the bit at `index` is set; None when the list does not reach that far (a list
    older than the certificate)."""
    if index < 0 or (index >> 3) >= len(bits):
        return None
    return bool(bits[index >> 3] & (0x80 >> (index & 7)))


def revoked_indices(bits: bytes | bytearray) -> list[int]:
    """Every set index (for tests and tools)."""
    found = []
    for byte_index, byte in enumerate(bits):
        if byte:
            for bit in range(8):
                if byte & (0x80 >> bit):
                    found.append(byte_index * 8 + bit)
    return found
