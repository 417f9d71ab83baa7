"""Write-contract cases of claims filed one at a time (certificate, upskilling,
apprenticeship, evaluation) and of claim attachments."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from jineng.accounts.models import Role
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from jineng.subsidy.services import applications
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case
from tests.subsidy import app_helpers as ah
from tests.subsidy import helpers as sh

CLAIM = "subsidy.subsidyclaim"
ATTACHMENT = "subsidy.claimattachment"
PDF = b"%PDF-1.7\n" + b"0" * 64


def _storage(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.JINENG_SUBSIDY_ATTACHMENT_MAX_BYTES = 1024


@case("subsidy.claim_file", audit=[(A.CREATE, CLAIM)])
def _claim_file(monkeypatch) -> Attempts:
    sh.use_params(monkeypatch, ah.params())
    a, person, cert = ah.trainee()
    outside = ah.outside_certificate(person, verified=False)
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    ok = {"actor": county, "kind": "certificate", "person_id": person.pk,
          "certificate_id": cert.pk, "claim_date": ah.DAY}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": a.world.operator}, Forbidden, "an institution"),
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.OTHER_CITY)}, NotFound,
                "another city's staff"),
        Refused({**ok, "kind": "apprenticeship"}, Forbidden, "HRSS filing an apprenticeship"),
        Refused({**ok, "certificate_id": outside.pk}, DomainError, "an unverified certificate"),
        Refused({**ok, "certificate_id": None}, DomainError, "no certificate"),
        Refused({**ok, "kind": "training"}, DomainError, "a class's kind"),
        Refused({**ok, "actor": None, "verified_person_id": person.pk}, DomainError,
                "the worker without an account"),
        # the class kinds (living allowance, employment uplift)
        Refused({"actor": a.world.operator, "kind": "employment_uplift", "class_id": a.cls.pk,
                 "account": sh.ACCOUNT, "bank_name": sh.BANK, "claim_date": ah.DAY},
                DomainError, "an uplift the outcomes job has not measured"),
        Refused({"actor": a.world.other_operator, "kind": "living_allowance",
                 "class_id": a.cls.pk, "person_id": person.pk, "claim_date": ah.DAY},
                NotFound, "another institution's class"),
        Refused({"actor": county, "kind": "living_allowance", "person_id": person.pk,
                 "claim_date": ah.DAY}, DomainError, "a living allowance without its class"),
    ])


def _draft(monkeypatch):
    sh.use_params(monkeypatch, ah.params())
    a, person, cert = ah.trainee()
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    claim = applications.claim_file(actor=county, kind="certificate", person_id=person.pk,
                                    certificate_id=cert.pk, claim_date=ah.DAY).claim
    return a, county, claim


@case("subsidy.claim_attachment_add", audit=[(A.CREATE, ATTACHMENT)])
def _attachment_add(monkeypatch, settings, tmp_path) -> Attempts:
    _storage(settings, tmp_path)
    a, county, claim = _draft(monkeypatch)

    def pdf(data: bytes = PDF, name: str = "scan.pdf"):
        return SimpleUploadedFile(name, data)

    ok = {"actor": county, "claim_id": claim.pk, "kind": "certificate", "file": pdf()}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": a.world.operator, "file": pdf()}, NotFound,
                "an institution that does not see the claim"),
        Refused({**ok, "file": pdf(b"GIF89a not allowed", "x.pdf")}, DomainError,
                "a GIF named .pdf"),
        Refused({**ok, "file": pdf(b"%PDF-" + b"0" * 2048)}, DomainError, "too big"),
        Refused({**ok, "kind": "selfie", "file": pdf()}, DomainError, "unknown kind"),
        Refused({**ok, "file": None}, DomainError, "no file"),
    ])


@case("subsidy.claim_attachment_remove", audit=[(A.DELETE, ATTACHMENT)])
def _attachment_remove(monkeypatch, settings, tmp_path) -> Attempts:
    from jineng.subsidy.models import SubsidyClaim
    from jineng.subsidy.services import attachments

    _storage(settings, tmp_path)
    a, county, claim = _draft(monkeypatch)
    att = attachments.claim_attachment_add(actor=county, claim_id=claim.pk, kind="other",
                                           file=SimpleUploadedFile("a.pdf", PDF)).attachment
    a2, county2, other = _draft_other(a)
    SubsidyClaim.objects.filter(pk=other.pk).update(status="submitted")
    ok = {"actor": county, "claim_id": claim.pk, "attachment_id": att.pk}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.OTHER_CITY)}, NotFound,
                "another city's staff"),
        Refused({**ok, "attachment_id": att.pk + 1000}, NotFound, "no such attachment"),
        Refused({"actor": county2, "claim_id": other.pk, "attachment_id": a2}, Conflict,
                "a submitted claim"),
    ])


def _draft_other(a):
    """A second claim with an attachment, then submitted (no longer correctable)."""
    from jineng.subsidy.services import attachments

    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    b = sh.assessed_class(1, world=a.world)
    from jineng.assessment.models import Certificate

    person = b.enrollments[0].person
    cert = Certificate.objects.get(person=person)
    claim = applications.claim_file(actor=county, kind="certificate", person_id=person.pk,
                                    certificate_id=cert.pk, claim_date=ah.DAY).claim
    att = attachments.claim_attachment_add(actor=county, claim_id=claim.pk, kind="other",
                                           file=SimpleUploadedFile("b.pdf", PDF + b"b"))
    return att.attachment.pk, county, claim
