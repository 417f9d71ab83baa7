"""The photo header check (rules.photos): kinds and sizes from the header, table-driven, on
images made here byte by byte (no image library)."""

from __future__ import annotations

import struct
import zlib

import pytest

from jineng.assessment.rules import photos


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\x80" * width * 3 for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def jpeg_header(width: int, height: int, *, sof: int = 0xC0) -> bytes:
    """A JPEG's markers up to its frame header (APP0 JFIF, a DQT-free SOF): what the check
    reads."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    frame = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x11\x00\x02\x11\x00\x03\x11\x00"
    return (b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0
            + bytes([0xFF, sof]) + struct.pack(">H", len(frame) + 2) + frame + b"\xff\xd9")


@pytest.mark.parametrize(("data", "expected"), [
    (png(300, 400), ("png", 300, 400)),
    (jpeg_header(295, 413), ("jpeg", 295, 413)),
    (jpeg_header(295, 413, sof=0xC2), ("jpeg", 295, 413)),  # progressive
])
def test_accepted(data, expected):
    info = photos.inspect(data)
    assert (info.kind, info.width, info.height) == expected


@pytest.mark.parametrize(("data", "code"), [
    (b"GIF89a" + b"\x00" * 100, "not_image"),
    (b"%PDF-1.4", "not_image"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "not_image"),  # no IHDR
    (b"\xff\xd8\xff\xd9", "not_image"),  # no frame
    (jpeg_header(295, 413)[:26], "not_image"),  # cut before the frame
    (png(50, 400), "bad_size"),
    (jpeg_header(5000, 413), "bad_size"),
    (b"\xff\xd8\xff" + b"\x00" * photos.MAX_BYTES, "too_large"),
])
def test_refused(data, code):
    with pytest.raises(photos.PhotoRefused) as refused:
        photos.inspect(data)
    assert refused.value.code == code
