"""A claim's attachments: PDF, JPEG or PNG by their first bytes (not the name), a maximum
size checked before anything is stored, the same file once per claim, only the claimant and
only while the claim can be corrected; listed and downloaded by those who see the claim."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jineng.accounts.models import Role
from jineng.core.models import AuditEvent
from jineng.subsidy.models import ClaimAttachment, SubsidyClaim
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.subsidy import app_helpers as ah
from tests.subsidy import helpers as sh

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% scan of the certificate\n" + b"0" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture
def claim(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.JINENG_SUBSIDY_ATTACHMENT_MAX_BYTES = 1024
    sh.use_params(monkeypatch, ah.params())
    a, person, cert = ah.trainee()
    staff = OpenApiClient().login(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    body = staff.call("subsidy_claim_file", json_body={
        "kind": "certificate", "person_id": person.pk, "certificate_id": cert.pk,
        "claim_date": "2026-06-01"}).body
    return staff, SubsidyClaim.objects.get(pk=body["id"]), a


def upload(client, claim_id, data: bytes, name="scan.pdf", kind="certificate"):
    return client.call("subsidy_claim_attachment_add", path={"claim_id": claim_id},
                       files={"file": SimpleUploadedFile(name, data)}, form={"kind": kind})


def stored(tmp) -> list:
    return [p for p in tmp.rglob("*") if p.is_file()]


def test_attach_list_download_remove(claim, tmp_path):
    staff, c, _a = claim
    answer = upload(staff, c.pk, PDF)
    assert answer.status == 200, answer.body
    body = answer.body
    assert body["created"] and body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF) and body["original_name"] == "scan.pdf"
    assert len(body["sha256"]) == 64 and len(stored(tmp_path)) == 1
    # the same file again (another name) counts once
    again = upload(staff, c.pk, PDF, name="again.pdf")
    assert not again.body["created"] and again.body["id"] == body["id"]
    assert ClaimAttachment.objects.count() == 1 and len(stored(tmp_path)) == 1
    # a PNG named .pdf is a PNG
    png = upload(staff, c.pk, PNG, name="id.pdf", kind="identity")
    assert png.body["content_type"] == "image/png"
    listed = staff.call("subsidy_claim_attachment_list", path={"claim_id": c.pk})
    assert [x["id"] for x in listed.body] == [body["id"], png.body["id"]]
    got = staff.call("subsidy_claim_attachment_get",
                     path={"claim_id": c.pk, "attachment_id": body["id"]})
    assert got.status == 200 and b"".join(got.response.streaming_content) == PDF
    gone = staff.call("subsidy_claim_attachment_remove",
                      path={"claim_id": c.pk, "attachment_id": body["id"]})
    assert gone.status == 200 and [x["id"] for x in gone.body] == [png.body["id"]]
    assert ClaimAttachment.objects.count() == 1


def test_bad_type_by_content_and_too_big_store_nothing(claim, tmp_path):
    staff, c, _a = claim
    before = AuditEvent.objects.count()
    fake = upload(staff, c.pk, b"MZ\x90\x00 not a pdf at all", name="scan.pdf")
    assert fake.status == 400 and fake.error_codes() == ["bad_type"]
    big = upload(staff, c.pk, b"%PDF-" + b"0" * 2000)
    assert big.status == 400 and big.error_codes() == ["too_large"]
    empty = upload(staff, c.pk, b"", name="x.png")
    assert empty.status == 400
    kind = upload(staff, c.pk, PDF, kind="selfie")
    assert kind.status == 400 and kind.error_fields() == ["kind"]
    assert not stored(tmp_path) and ClaimAttachment.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_only_the_claimant_and_only_while_it_can_be_corrected(claim, tmp_path):
    staff, c, a = claim
    institution = OpenApiClient().login(a.world.operator)
    other_city = OpenApiClient().login(f.staff(Role.CITY_STAFF, f.OTHER_CITY))
    assert upload(institution, c.pk, PDF).status == 404  # does not see the claim
    assert upload(other_city, c.pk, PDF).status == 404
    listed = other_city.call("subsidy_claim_attachment_list", path={"claim_id": c.pk})
    assert listed.status == 404
    first = upload(staff, c.pk, PDF).body
    assert other_city.call("subsidy_claim_attachment_get", path={
        "claim_id": c.pk, "attachment_id": first["id"]}).status == 404
    SubsidyClaim.objects.filter(pk=c.pk).update(status="submitted")
    late = upload(staff, c.pk, PNG)
    assert late.status == 409 and late.error_codes() == ["not_editable"]
    removed = staff.call("subsidy_claim_attachment_remove",
                         path={"claim_id": c.pk, "attachment_id": first["id"]})
    assert removed.status == 409 and ClaimAttachment.objects.count() == 1
    assert len(stored(tmp_path)) == 1
    for state in ("returned", "payment_failed"):
        SubsidyClaim.objects.filter(pk=c.pk).update(status=state)
        assert upload(staff, c.pk, PNG).status == 200


def test_the_claim_page_shows_them_with_download(claim, tmp_path):
    from django.test import Client

    _staff, c, _a = claim
    county = Client()
    county.force_login(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    added = county.post(f"/subsidy/claims/{c.pk}/attachments/",
                        {"kind": "certificate", "file": SimpleUploadedFile("证书.pdf", PDF)})
    assert added.status_code == 302, added.content[:300]
    att = ClaimAttachment.objects.get(claim=c)
    page = county.get(f"/subsidy/claims/{c.pk}/")
    assert page.status_code == 200 and "证书.pdf" in page.content.decode()
    assert 'id="attachment-add"' in page.content.decode()
    got = county.get(f"/subsidy/claims/{c.pk}/attachments/{att.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    other = Client()
    other.force_login(f.staff(Role.CITY_STAFF, f.OTHER_CITY))
    assert other.get(f"/subsidy/claims/{c.pk}/attachments/{att.pk}/").status_code == 404
    bad = county.post(f"/subsidy/claims/{c.pk}/attachments/",
                      {"kind": "other", "file": SimpleUploadedFile("x.pdf", b"not a pdf")})
    assert bad.status_code == 302 and ClaimAttachment.objects.filter(claim=c).count() == 1
    removed = county.post(f"/subsidy/claims/{c.pk}/attachments/{att.pk}/remove/")
    assert removed.status_code == 302 and not ClaimAttachment.objects.filter(claim=c).exists()


def test_the_worker_page_redirects_without_the_identity_check(claim):
    from django.test import Client

    answer = Client().get("/subsidy/my/apply/")
    assert answer.status_code == 302 and "/subsidy/" not in answer["Location"]
