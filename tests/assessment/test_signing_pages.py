"""Signing pages: the public verify page and QR link, the staff downloads and revoke form."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jineng.accounts.models import Role
from jineng.assessment import selectors
from jineng.assessment.models import Certificate, SigningKey
from jineng.assessment.rules import documents
from jineng.core import pii
from tests import factories as f
from tests.assessment.signing_support import issued_certificate

pytestmark = pytest.mark.django_db


def _result(response) -> str:
    text = response.content.decode()
    marker = 'data-result="'
    return text[text.index(marker) + len(marker):].split('"', 1)[0]


def test_qr_link_valid_then_revoked_masked_name(client):
    certificate = issued_certificate(name="李小龙")
    url = reverse("assessment:signing_certificate_public", args=[certificate.number])
    response = client.get(url)
    assert response.status_code == 200 and _result(response) == "valid"
    text = response.content.decode()
    assert "李*龙" in text and "李小龙" not in text
    plain_id = pii.decrypt(certificate.person.id_encrypted)
    assert plain_id not in text and plain_id[6:14] not in text  # nor the birth date in it
    client.force_login(f.staff())
    revoke = reverse("assessment:signing_certificate_revoke", args=[certificate.pk])
    assert client.get(revoke).status_code == 200
    response = client.post(revoke, {"reason": "fraud", "note": "证书造假"})
    assert response.status_code == 302
    client.logout()
    response = client.get(url)
    assert _result(response) == "revoked"


def test_qr_link_unknown_number(client):
    response = client.get(reverse("assessment:signing_certificate_public", args=["Y000"]))
    assert response.status_code == 200 and _result(response) == "unknown"


def test_verify_page_file_and_number(client):
    certificate = issued_certificate()
    page = reverse("assessment:signing_verify")
    assert client.get(page).status_code == 200
    data = documents.document_bytes(selectors.certificate_document(certificate))
    response = client.post(page, {"file": SimpleUploadedFile("c.json", data)})
    assert _result(response) == "valid"
    assert "张*三" in response.content.decode()
    document = json.loads(data)
    document["payload"]["level"]["name"] = "高级技师"
    response = client.post(page, {"file": SimpleUploadedFile("c.json", json.dumps(
        document).encode())})
    assert response.status_code == 200 and _result(response) == "tampered"
    for junk in (b"\xff\xfe\x00", data[:50], b"[]", b'{"payload": 1}'):
        response = client.post(page, {"file": SimpleUploadedFile("c.json", junk)})
        assert response.status_code == 200 and _result(response) == "tampered", junk
    # an empty upload is no file at all: the form says so (400), nothing is verified
    response = client.post(page, {"file": SimpleUploadedFile("c.json", b"")})
    assert response.status_code == 400 and 'data-result="' not in response.content.decode()
    response = client.post(page, {"number": f" {certificate.number.lower()} "})
    assert response.status_code == 302
    assert response.url == reverse("assessment:signing_certificate_public",
                                   args=[certificate.number])
    response = client.post(page, {})
    assert response.status_code == 400


def test_staff_downloads_signed_file_and_pdf(client):
    certificate = issued_certificate()
    client.force_login(f.staff(Role.CITY_STAFF, f.CITY))
    response = client.get(reverse("assessment:signing_certificate_file", args=[certificate.pk]))
    assert response.status_code == 200
    assert documents.verify_document(response.content, selectors.key_table()).result == "valid"
    response = client.get(reverse("assessment:signing_certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_unsigned_certificate_is_signed_on_first_download(client):
    certificate = issued_certificate(sign=False)
    client.force_login(f.staff())
    response = client.get(reverse("assessment:signing_certificate_file", args=[certificate.pk]))
    assert response.status_code == 200
    assert Certificate.objects.get(pk=certificate.pk).signature


def test_out_of_scope_staff_get_404_and_county_gets_403_on_revoke(client):
    certificate = issued_certificate(region_code=f.COUNTY)
    client.force_login(f.staff(Role.CITY_STAFF, f.OTHER_CITY))
    for name in ("signing_certificate_file", "signing_certificate_pdf",
                 "signing_certificate_revoke"):
        assert client.get(reverse(f"assessment:{name}", args=[certificate.pk])).status_code == 404
    client.force_login(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    response = client.post(reverse("assessment:signing_certificate_revoke",
                                   args=[certificate.pk]), {"reason": "fraud", "note": "x"})
    assert response.status_code == 403
    assert Certificate.objects.get(pk=certificate.pk).status == "valid"


def test_revoke_form_asks_about_the_pair(client):
    first = issued_certificate()
    issued_certificate(person=first.person, paired_with=first)
    client.force_login(f.staff())
    url = reverse("assessment:signing_certificate_revoke", args=[first.pk])
    response = client.post(url, {"reason": "error", "note": "录错"})
    assert response.status_code == 400
    assert Certificate.objects.filter(status="revoked").count() == 0
    response = client.post(url, {"reason": "error", "note": "录错", "revoke_paired": "no"})
    assert response.status_code == 302
    assert Certificate.objects.filter(status="revoked").count() == 1


def test_keys_page_and_rotate(client):
    issued_certificate()
    url = reverse("assessment:signing_keys")
    assert client.get(url).status_code == 200
    client.force_login(f.staff(Role.SYSTEM_ADMIN))
    assert client.post(url).status_code == 302
    assert SigningKey.objects.count() == 2
    client.force_login(f.staff(Role.CITY_STAFF, f.CITY))
    client.post(url)
    assert SigningKey.objects.count() == 2
