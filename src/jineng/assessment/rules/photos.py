"""The holder's photo printed on a certificate (人社鉴发〔2021〕1号 lists the photo among what a
certificate shows): a JPEG or PNG, its kind and size read from the file's header only — no
image library decodes an upload before it is accepted. Pure (no Django).

Limits: at most MAX_BYTES (checked by the caller before reading), MIN_SIDE–MAX_SIDE pixels a
side (a 1-inch ID photo is 295 × 413 at 300 dpi)."""

from __future__ import annotations

import struct
from dataclasses import dataclass

MAX_BYTES = 2 * 1024 * 1024
MIN_SIDE, MAX_SIDE = 100, 4000
JPEG, PNG = "jpeg", "png"
EXTENSIONS = {JPEG: "jpg", PNG: "png"}

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (those that carry the frame's size): C0–CF but DHT (C4),
# JPG (C8) and DAC (CC).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True)
class PhotoInfo:
    kind: str
    width: int
    height: int


class PhotoRefused(ValueError):
    """`code`: not_image, too_large, bad_size."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _png(data: bytes) -> PhotoInfo:
    # IHDR is the first chunk: length (4) "IHDR" (4) width (4) height (4).
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise PhotoRefused("not_image")
    width, height = struct.unpack(">II", data[16:24])
    return PhotoInfo(PNG, width, height)


def _jpeg(data: bytes) -> PhotoInfo:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise PhotoRefused("not_image")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan before any frame
            break
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if length < 2:
            raise PhotoRefused("not_image")
        if marker in _SOF:
            if pos + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            return PhotoInfo(JPEG, width, height)
        pos += 2 + length
    raise PhotoRefused("not_image")


def inspect(data: bytes) -> PhotoInfo:
    """The photo's kind and size from its header; PhotoRefused when it is not a JPEG or PNG
    of an acceptable size."""
    if len(data) > MAX_BYTES:
        raise PhotoRefused("too_large")
    if data.startswith(_PNG_MAGIC):
        info = _png(data)
    elif data.startswith(b"\xff\xd8\xff"):
        info = _jpeg(data)
    else:
        raise PhotoRefused("not_image")
    if not (MIN_SIDE <= info.width <= MAX_SIDE and MIN_SIDE <= info.height <= MAX_SIDE):
        raise PhotoRefused("bad_size")
    return info
