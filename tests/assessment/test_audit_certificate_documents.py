"""Audit (issue 10): what the printed certificate and the public pages show.

人社鉴发〔2021〕1号: name, ID type and number (masked on public pages), occupation and
工种/职业方向, level, number, photo, QR code and where to check it. The signing tests check the
PDF is a PDF; these check what is drawn on it (the strings handed to reportlab and the QR's
text), and that the public pages never show the whole ID number."""

from __future__ import annotations

import json

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from jineng.accounts.models import Role
from jineng.assessment import selectors
from jineng.assessment.rules import documents
from jineng.core import pii
from tests import factories as f
from tests.assessment.signing_support import issued_certificate

pytestmark = pytest.mark.django_db


def _result(response) -> str:
    text = response.content.decode()
    marker = 'data-result="'
    return text[text.index(marker) + len(marker):].split('"', 1)[0]


@pytest.fixture
def drawn(monkeypatch):
    """Every string drawn on a PDF page, and every text put in a QR code."""
    out: dict[str, list[str]] = {"text": [], "qr": []}

    def keep(original):
        def wrapper(self, x, y, text, *a, **kw):
            out["text"].append(str(text))
            return original(self, x, y, text, *a, **kw)
        return wrapper

    monkeypatch.setattr(Canvas, "drawString", keep(Canvas.drawString))
    monkeypatch.setattr(Canvas, "drawCentredString", keep(Canvas.drawCentredString))
    line = PDFTextObject.textLine

    def text_line(self, text="", *a, **kw):
        out["text"].append(str(text))
        return line(self, text, *a, **kw)

    monkeypatch.setattr(PDFTextObject, "textLine", text_line)
    make = segno.make

    def qr(content, *a, **kw):
        out["qr"].append(str(content))
        return make(content, *a, **kw)

    monkeypatch.setattr(segno, "make", qr)
    return out


def test_the_printed_certificate_carries_the_2021_notice_fields(client, drawn):
    certificate = issued_certificate(name="王小明")
    person = certificate.person
    client.force_login(f.staff(Role.CITY_STAFF, f.CITY))
    response = client.get(reverse("assessment:signing_certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = "\n".join(drawn["text"])
    for shown in ("王小明", "居民身份证", person.id_masked, certificate.occupation.name,
                  "电工", certificate.level.name, certificate.number, certificate.issuer_name):
        assert shown in text, shown
    assert pii.decrypt(person.id_encrypted) not in text  # the ID number is printed masked
    # where to check it: the public verify page, printed; the QR opens the certificate's page
    assert reverse("assessment:signing_verify") in text
    assert len(drawn["qr"]) == 1
    assert drawn["qr"][0].endswith(reverse("assessment:signing_certificate_public",
                                           args=[certificate.number]))


def test_public_pages_never_show_the_whole_id_number(client):
    certificate = issued_certificate(name="李小龙")
    plain = pii.decrypt(certificate.person.id_encrypted)
    assert len(plain) == 18
    page = client.get(reverse("assessment:signing_certificate_public",
                              args=[certificate.number])).content.decode()
    assert plain not in page and "李小龙" not in page and "李*龙" in page
    data = documents.document_bytes(selectors.certificate_document(certificate))
    assert plain.encode() not in data  # the signed file itself holds the masked number
    verified = client.post(reverse("assessment:signing_verify"),
                           {"file": SimpleUploadedFile("c.json", data)}).content.decode()
    assert plain not in verified and "李小龙" not in verified


def test_the_verify_page_says_unknown_key_and_tampered_never_an_error(client):
    certificate = issued_certificate()
    page = reverse("assessment:signing_verify")
    document = json.loads(documents.document_bytes(selectors.certificate_document(certificate)))
    document["key_id"] = "k-nobody"
    response = client.post(page, {"file": SimpleUploadedFile("c.json", json.dumps(
        document).encode())})
    assert response.status_code == 200 and _result(response) == "unknown_key"
    for junk in (b"not json at all", b"{}", b'{"payload": 1}', b"[]"):
        response = client.post(page, {"file": SimpleUploadedFile("c.json", junk)})
        assert response.status_code == 200 and _result(response) == "tampered", junk
