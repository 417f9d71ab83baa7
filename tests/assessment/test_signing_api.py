"""The signing API: public keys, status list, verify, status by number; staff revoke and
rotate."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jineng.accounts.models import Role
from jineng.assessment import selectors, services
from jineng.assessment.models import Certificate, CertificateStatusChange, SigningKey
from jineng.assessment.rules import documents, status_list
from jineng.core.models import AuditEvent
from tests import factories as f
from tests.assessment.signing_support import issued_certificate
from tests.openapi import OpenApiClient, build_url

pytestmark = pytest.mark.django_db


def _file(certificate: Certificate, change=None) -> SimpleUploadedFile:
    document = selectors.certificate_document(certificate)
    if change:
        change(document)
    return SimpleUploadedFile("c.json", documents.document_bytes(document),
                              content_type="application/json")


def test_public_keys_status_list_and_status_by_number(client):
    certificate = issued_certificate(name="王小明")
    api = OpenApiClient(client)
    keys = api.call("assessment_signing_keys").body["keys"]
    assert [k["key_id"] for k in keys] == [certificate.key_id]
    assert keys[0]["algorithm"] == "Ed25519" and keys[0]["valid_until"] is None
    listing = api.call("assessment_status_list").body
    assert listing["length"] == 131_072
    assert status_list.revoked_indices(status_list.decode(listing["encoded_list"])) == []
    status = api.call("assessment_certificate_public_status",
                      path={"number": certificate.number}).body
    assert status["result"] == "valid"
    assert status["holder_name_masked"] == "王*明"
    assert "王小明" not in json.dumps(status, ensure_ascii=False)
    unknown = api.call("assessment_certificate_public_status", path={"number": "Y123"}).body
    assert unknown["result"] == "unknown" and unknown["holder_name_masked"] == ""


def test_verify_upload_valid_tampered_unknown_key(client):
    certificate = issued_certificate()
    api = OpenApiClient(client)
    answer = api.call("assessment_certificate_verify", files={"file": _file(certificate)})
    assert answer.status == 200
    assert answer.body["result"] == "valid" and answer.body["status_checked"] is True
    assert answer.body["certificate"]["number"] == certificate.number
    assert answer.body["certificate"]["holder_name_masked"] == "张*三"

    def rename(d):
        d["payload"]["holder"]["name"] = "李四"
    answer = api.call("assessment_certificate_verify", files={"file": _file(certificate, rename)})
    assert answer.body["result"] == "tampered" and answer.body["certificate"] is None

    def other_key(d):
        d["key_id"] = "k-nobody"
    answer = api.call("assessment_certificate_verify",
                      files={"file": _file(certificate, other_key)})
    assert answer.body["result"] == "unknown_key"

    for junk in (b"", b"\x00\xff garbage", b'{"format": "jineng-certificate/1"}',
                 documents.document_bytes(selectors.certificate_document(certificate))[:100]):
        answer = api.call("assessment_certificate_verify",
                          files={"file": SimpleUploadedFile("x.json", junk)})
        assert (answer.status, answer.body["result"]) == (200, "tampered")


def test_verify_refuses_a_large_body_before_parsing(client):
    response = client.post(build_url("assessment_certificate_verify"),
                           {"file": SimpleUploadedFile("big.json", b" " * (200 * 1024))})
    assert response.status_code == 413


def test_revoke_through_the_api_shows_at_once(client):
    certificate = issued_certificate()
    province = f.staff(Role.PROVINCE_STAFF)
    api = OpenApiClient(client).login(province)
    answer = api.call("assessment_certificate_revoke", path={"certificate_id": certificate.pk},
                      json_body={"reason": "fraud", "note": "冒名顶替"})
    assert answer.status == 200 and answer.body["revoked"] == [certificate.number]
    public = OpenApiClient(client.__class__())
    status = public.call("assessment_certificate_public_status",
                         path={"number": certificate.number}).body
    assert status["result"] == "revoked" and status["revocation_reason"] == "fraud"
    listing = public.call("assessment_status_list").body
    assert status_list.revoked_indices(status_list.decode(listing["encoded_list"])) == [
        certificate.status_index]
    answer = public.call("assessment_certificate_verify", files={"file": _file(certificate)})
    assert answer.body["result"] == "revoked"
    # Again: refused, nothing more written.
    events = AuditEvent.objects.count()
    again = api.call("assessment_certificate_revoke", path={"certificate_id": certificate.pk},
                     json_body={"reason": "fraud", "note": "again"})
    assert again.status == 400 and AuditEvent.objects.count() == events
    assert CertificateStatusChange.objects.filter(certificate=certificate).count() == 1


def test_revoke_scope_and_roles(client):
    certificate = issued_certificate(region_code=f.COUNTY)
    other_city = f.staff(Role.CITY_STAFF, f.OTHER_CITY)
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    body = {"reason": "error", "note": "录入错误"}
    answer = OpenApiClient(client).login(other_city).call(
        "assessment_certificate_revoke", path={"certificate_id": certificate.pk}, json_body=body)
    assert answer.status == 404
    answer = OpenApiClient(client).login(county).call(
        "assessment_certificate_revoke", path={"certificate_id": certificate.pk}, json_body=body)
    assert answer.status == 403
    answer = OpenApiClient(client.__class__()).call(
        "assessment_certificate_revoke", path={"certificate_id": certificate.pk}, json_body=body)
    assert answer.status in (401, 404)
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    city = f.staff(Role.CITY_STAFF, f.CITY)
    answer = OpenApiClient(client).login(city).call(
        "assessment_certificate_revoke", path={"certificate_id": certificate.pk}, json_body=body)
    assert answer.status == 200


def test_rotate_keeps_old_certificates_valid(client):
    old = issued_certificate()
    admin = f.staff(Role.SYSTEM_ADMIN)
    answer = OpenApiClient(client).login(admin).call("assessment_signing_key_rotate")
    assert answer.status == 201
    new_key = answer.body["key_id"]
    assert new_key != old.key_id
    new = issued_certificate()
    assert new.key_id == new_key
    keys = {k.key_id: k for k in SigningKey.objects.all()}
    assert keys[old.key_id].valid_until == keys[new_key].valid_from
    public = OpenApiClient(client.__class__())
    for certificate in (old, new):
        answer = public.call("assessment_certificate_verify", files={"file": _file(certificate)})
        assert answer.body["result"] == "valid", certificate.key_id
    county = f.staff(Role.CITY_STAFF, f.CITY)
    answer = OpenApiClient(client).login(county).call("assessment_signing_key_rotate")
    assert answer.status == 403
    assert SigningKey.objects.count() == 2


def test_paired_certificate_is_asked_about(client):
    first = issued_certificate()
    second = issued_certificate(person=first.person)
    Certificate.objects.filter(pk=second.pk).update(paired_with=first)
    api = OpenApiClient(client).login(f.staff())
    body = {"reason": "fraud", "note": "考试作弊"}
    answer = api.call("assessment_certificate_revoke", path={"certificate_id": first.pk},
                      json_body=body)
    assert answer.status == 400 and answer.error_codes() == ["paired_certificate"]
    assert not CertificateStatusChange.objects.exists()
    answer = api.call("assessment_certificate_revoke", path={"certificate_id": first.pk},
                      json_body={**body, "revoke_paired": True})
    assert sorted(answer.body["revoked"]) == sorted([first.number, second.number])
    assert set(Certificate.objects.values_list("status", flat=True)) == {"revoked"}


def test_paired_certificate_may_be_kept():
    first = issued_certificate()
    second = issued_certificate(person=first.person, paired_with=first)
    revoked = services.certificate_revoke(actor=f.staff(), certificate=first, reason="error",
                                          note="工种录错", revoke_paired=False)
    assert revoked == [first]
    second.refresh_from_db()
    assert second.status == "valid"
