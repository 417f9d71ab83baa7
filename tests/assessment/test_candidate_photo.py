"""G6: a candidate's photo on their certificates — checked from its header before anything is
decoded or stored, set on both certificates of a 一试双证 pair, printed on the PDF; without a
photo the PDF says so (no empty frame)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jineng.assessment import services
from jineng.assessment.models import Certificate
from jineng.assessment.signing_pdf import certificate_pdf
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.models import AuditEvent
from tests import factories as f
from tests.assessment import issuance_support as s
from tests.assessment.test_photo_rules import jpeg_header, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": str(tmp_path)}}}
    w = s.world(passed=1, failed=0, second_certificate_kind="special_ability",
                special_ability_item=s.ITEM)
    certificates = services.certificates_issue_for_sitting(actor=w.operator, sitting=w.sitting)
    return w, certificates


def test_the_photo_is_set_on_both_certificates_and_printed(issued):
    w, _certificates = issued
    (candidate,) = w.passed
    data = png(295, 413)
    done = services.candidate_photo_set(actor=w.operator, candidate=candidate, data=data)
    assert len(done) == 2
    stored = {c.photo.name for c in Certificate.objects.all()}
    assert len(stored) == 1 and next(iter(stored)).endswith(".png")
    with Certificate.objects.first().photo.open("rb") as handle:
        assert handle.read() == data
    assert AuditEvent.objects.filter(entity_type="assessment.certificate",
                                     action="update").count() == 2
    pdf = certificate_pdf(Certificate.objects.first(), verify_page="http://x/verify/")
    assert b"/Subtype /Image" in pdf


def test_without_a_photo_the_pdf_says_so(issued):
    _w, certificates = issued
    pdf = certificate_pdf(certificates[0], verify_page="http://x/verify/")
    assert b"/Subtype /Image" not in pdf
    text = _page_text(pdf)
    assert _cid("No photo") in text and _cid("on file") in text


def _cid(words: str) -> bytes:
    """How reportlab writes ASCII `words` in the Chinese CID font (UCS-2 big-endian, control
    bytes as octal escapes)."""
    return b"".join(b"\\%03o" % byte if byte < 32 else bytes([byte])
                    for byte in words.encode("utf-16-be"))


def _page_text(pdf: bytes) -> bytes:
    """The content streams of a reportlab PDF, decoded (ASCII85, then Flate)."""
    import base64
    import re
    import zlib

    out = b""
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        raw = m.group(1).strip()
        try:
            out += zlib.decompress(base64.a85decode(raw, adobe=raw.startswith(b"<~")
                                                    or raw.endswith(b"~>")))
        except Exception:  # an image stream, not text
            continue
    return out


@pytest.mark.parametrize(("data", "code"), [
    (b"GIF89a" + b"\x00" * 64, "photo_not_image"),
    (png(20, 20), "photo_bad_size"),
    (b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024), "photo_too_large"),
])
def test_a_bad_photo_is_refused_naming_the_field(issued, data, code):
    w, _certificates = issued
    with pytest.raises(DomainError) as refused:
        services.candidate_photo_set(actor=w.operator, candidate=w.passed[0], data=data)
    assert (refused.value.field, refused.value.code) == ("photo", code)
    assert not Certificate.objects.exclude(photo="").exists()


def test_who_may_set_it(issued):
    w, _certificates = issued
    with pytest.raises(NotFound):
        services.candidate_photo_set(actor=w.other_operator, candidate=w.passed[0],
                                     data=png(300, 400))
    with pytest.raises((NotFound, Forbidden)):
        services.candidate_photo_set(actor=f.staff("industry_staff"), candidate=w.passed[0],
                                     data=png(300, 400))
    assert not Certificate.objects.exclude(photo="").exists()
    services.candidate_photo_set(actor=w.county_staff, candidate=w.passed[0],
                                 data=jpeg_header(295, 413))


def test_no_certificate_yet():
    w = s.world(passed=1, failed=0)
    with pytest.raises(DomainError) as refused:
        services.candidate_photo_set(actor=w.operator, candidate=w.passed[0],
                                     data=png(300, 400))
    assert (refused.value.field, refused.value.code) == ("candidate", "no_certificate")


def test_the_page_uploads(client, issued):
    w, certificates = issued
    client.force_login(w.operator)
    detail = reverse("assessment:issuance_detail", args=[certificates[0].pk])
    assert 'id="photo-form"' in client.get(detail).content.decode()
    url = reverse("assessment:issuance_candidate_photo", args=[w.passed[0].pk])
    bad = client.post(url, {"photo": SimpleUploadedFile("a.gif", b"GIF89a" + b"\x00" * 64),
                            "next": detail})
    assert bad.status_code == 302 and not Certificate.objects.exclude(photo="").exists()
    ok = client.post(url, {"photo": SimpleUploadedFile("me.png", png(300, 400)),
                           "next": detail})
    assert ok.status_code == 302 and ok["Location"] == detail
    assert Certificate.objects.exclude(photo="").count() == 2
    pdf = client.get(reverse("assessment:signing_certificate_pdf", args=[certificates[0].pk]))
    assert pdf.status_code == 200 and b"/Subtype /Image" in pdf.content
