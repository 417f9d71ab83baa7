"""The worker attaches files when filing on the public site (certificate or upskilling
subsidy): the claim is submitted at once, so the scans come with the filing, in its
transaction; checked before anything is written; kept once; none on a refused claim."""

from __future__ import annotations

import time

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jineng.assessment.views.records import PERSON_KEY
from jineng.core.errors import DomainError
from jineng.core.models import AuditEvent
from jineng.subsidy.models import ClaimAttachment, SubsidyClaim
from jineng.subsidy.services import applications
from tests.subsidy import app_helpers as ah
from tests.subsidy import helpers as sh

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n" + b"1" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"2" * 64


@pytest.fixture
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return tmp_path


@pytest.fixture
def gz(monkeypatch):
    return sh.use_params(monkeypatch, ah.params())


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def own_file(person, cert, files, **kw):
    return applications.claim_file(actor=None, kind="certificate", certificate_id=cert.pk,
                                   account=sh.ACCOUNT, bank_name=sh.BANK,
                                   verified_person_id=person.pk, claim_date=ah.DAY,
                                   files=files, **kw)


def test_the_files_come_with_the_filing(gz, storage):
    _a, person, cert = ah.trainee()
    filing = own_file(person, cert, [("certificate", SimpleUploadedFile("证书.pdf", PDF)),
                                     ("identity", SimpleUploadedFile("id.png", PNG)),
                                     ("identity", SimpleUploadedFile("again.png", PNG))])
    assert filing.created and filing.claim.status == "submitted"
    found = ClaimAttachment.objects.filter(claim=filing.claim).order_by("pk")
    assert [(a.kind, a.original_name, a.content_type) for a in found] == [
        ("certificate", "证书.pdf", "application/pdf"), ("identity", "id.png", "image/png")]
    assert all(default_storage.exists(a.file.name) for a in found)
    assert AuditEvent.objects.filter(entity_type="subsidy.claimattachment",
                                     action="create").count() == 2
    # the same filing again answers the claim recorded and attaches nothing more
    again = own_file(person, cert, [("other", SimpleUploadedFile("x.pdf", PDF + b"x"))])
    assert not again.created and ClaimAttachment.objects.count() == 2


def test_a_bad_file_refuses_the_filing_before_anything_is_written(gz, storage):
    _a, person, cert = ah.trainee()
    before = (SubsidyClaim.objects.count(), AuditEvent.objects.count())
    with pytest.raises(DomainError) as bad:
        own_file(person, cert, [("certificate", SimpleUploadedFile("a.pdf", b"GIF89a..."))])
    assert bad.value.code == "bad_type"
    with pytest.raises(DomainError) as kind:
        own_file(person, cert, [("selfie", SimpleUploadedFile("a.pdf", PDF))])
    assert kind.value.field == "kind"
    assert (SubsidyClaim.objects.count(), AuditEvent.objects.count()) == before
    assert stored_files(storage) == []


def test_a_failure_after_storing_leaves_no_file(gz, storage, monkeypatch):
    from jineng.subsidy.services import attachments

    _a, person, cert = ah.trainee()
    real = attachments._store_checked

    def store_then_fail(**kw):
        real(**kw)
        raise RuntimeError("crash after the file was stored")

    monkeypatch.setattr(attachments, "_store_checked", store_then_fail)
    with pytest.raises(RuntimeError):
        own_file(person, cert, [("certificate", SimpleUploadedFile("a.pdf", PDF))])
    assert not SubsidyClaim.objects.exists() and stored_files(storage) == []


def test_a_refused_claim_keeps_no_file(monkeypatch, storage):
    sh.use_params(monkeypatch, ah.params(window=1))  # the certificate is too old
    _a, person, cert = ah.trainee()
    filing = own_file(person, cert, [("certificate", SimpleUploadedFile("a.pdf", PDF))])
    assert filing.claim.status == "refused" and not ClaimAttachment.objects.exists()
    assert stored_files(storage) == []


def test_the_page_takes_the_files(gz, storage):
    _a, person, cert = ah.trainee()
    client = Client()
    session = client.session
    session[PERSON_KEY] = {"id": person.pk, "until": time.time() + 600}
    session.save()
    page = client.get("/subsidy/my/apply/")
    assert b'name="file_certificate"' in page.content and b"multipart/form-data" in page.content
    answer = client.post("/subsidy/my/apply/", {
        "kind": "certificate", "certificate_id": cert.pk, "account": sh.ACCOUNT,
        "bank_name": sh.BANK, "file_certificate": SimpleUploadedFile("scan.pdf", PDF)})
    assert answer.status_code == 200
    claim = SubsidyClaim.objects.get(person=person)
    assert claim.status in ("submitted", "refused")
    if claim.status == "submitted":  # filed today: inside the certificate's window or not
        assert b'id="filed-attachments"' in answer.content
        assert ClaimAttachment.objects.get(claim=claim).original_name == "scan.pdf"
