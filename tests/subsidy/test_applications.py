"""Claims filed one at a time: certificate and upskilling subsidies for a person (a window
clerk, or the worker after the identity check), apprenticeship by the enterprise, evaluation by
the institution; each refusal with the rule's code; who may file; the same filing twice; a
different content for the same key."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jineng.accounts.models import Role
from jineng.core.errors import DomainError, NotFound
from jineng.core.models import AuditEvent
from jineng.subsidy import services
from jineng.subsidy.models import ClaimStatusChange, SubsidyClaim
from jineng.subsidy.services import applications
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.subsidy import app_helpers as ah
from tests.subsidy import helpers as sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def gz(monkeypatch):
    return sh.use_params(monkeypatch, ah.params())


def written() -> tuple[int, int, int]:
    return (SubsidyClaim.objects.count(), ClaimStatusChange.objects.count(),
            AuditEvent.objects.count())


def file(client: OpenApiClient, **body):
    return client.call("subsidy_claim_file", json_body={"claim_date": "2026-06-01", **body})


def clerk(code: str = f.COUNTY, role: str = Role.COUNTY_STAFF) -> OpenApiClient:
    return OpenApiClient().login(f.staff(role, code))


# --- certificate (证书直补) -----------------------------------------------------------------

def test_a_window_clerk_files_a_certificate_subsidy(gz):
    _a, person, cert = ah.trainee()
    answer = file(clerk(), kind="certificate", person_id=person.pk, certificate_id=cert.pk)
    assert answer.status == 200, answer.body
    body = answer.body
    assert body["created"] and body["status"] == "draft"
    assert Decimal(body["amount"]) == Decimal("500.00")
    assert body["parameter_version"] == "gz-app" and body["payee_kind"] == "person"
    assert body["steps"] and all(s["explanation"] for s in body["steps"])
    claim = SubsidyClaim.objects.get(pk=body["id"])
    assert (claim.person_id, claim.certificate_id, claim.region.code) == (
        person.pk, cert.pk, person.region.code)
    assert AuditEvent.objects.filter(entity_type="subsidy.subsidyclaim",
                                     entity_id=str(claim.pk), action="create").count() == 1
    # the account, then submission: evaluated again on the same facts
    services.claim_set_account(actor=f.staff(Role.COUNTY_STAFF, f.COUNTY), claim_id=claim.pk,
                               account=sh.ACCOUNT, bank_name=sh.BANK)
    submitted = services.claim_submit(actor=f.staff(Role.COUNTY_STAFF, f.COUNTY),
                                      claim_id=claim.pk)
    assert submitted.status == "submitted" and submitted.amount == Decimal("500.00")


def test_the_same_filing_twice_counts_once_another_content_conflicts(gz):
    _a, person, cert = ah.trainee()
    staff = clerk()
    first = file(staff, kind="certificate", person_id=person.pk, certificate_id=cert.pk)
    before = written()
    again = file(staff, kind="certificate", person_id=person.pk, certificate_id=cert.pk)
    assert again.status == 200 and not again.body["created"]
    assert again.body["id"] == first.body["id"] and written() == before
    other = file(staff, kind="certificate", person_id=person.pk, certificate_id=cert.pk,
                 claim_date="2026-06-02")
    assert other.status == 409 and other.error_codes() == ["already_filed"]
    assert written() == before


def test_an_outside_province_certificate_where_the_region_allows(monkeypatch):
    sh.use_params(monkeypatch, ah.params(outside=False))
    _a, person, _cert = ah.trainee()
    outside = ah.outside_certificate(person)
    refused = file(clerk(), kind="certificate", person_id=person.pk, certificate_id=outside.pk)
    assert refused.status == 200 and refused.body["status"] == "refused"
    assert refused.body["refusal_code"] == "outside_province" and refused.body["refusal"]
    # Guizhou (十): certificates from outside the province are accepted — filed again (the
    # refused claim does not block it; the parameters changed, so does the answer)
    sh.use_params(monkeypatch, ah.params(outside=True))
    SubsidyClaim.objects.filter(pk=refused.body["id"]).update(status="withdrawn")
    allowed = file(clerk(), kind="certificate", person_id=person.pk, certificate_id=outside.pk)
    assert allowed.body["status"] == "draft" and Decimal(allowed.body["amount"]) == 500


def test_an_unverified_outside_certificate_is_refused_before_the_rules(gz):
    _a, person, _cert = ah.trainee()
    outside = ah.outside_certificate(person, verified=False)
    staff = clerk()
    before = written()
    answer = file(staff, kind="certificate", person_id=person.pk, certificate_id=outside.pk)
    assert answer.status == 400 and answer.error_codes() == ["not_verified"]
    assert written() == before


def test_the_claim_window(gz):
    _a, person, cert = ah.trainee()  # certificate 2026-04-20, 12 months
    late = file(clerk(), kind="certificate", person_id=person.pk, certificate_id=cert.pk,
                claim_date="2027-04-21")
    assert late.body["status"] == "refused" and late.body["refusal_code"] == "claim_window"


def test_a_training_subsidy_of_the_same_occupation_and_level_refuses(gz):
    a, person, cert = ah.trainee()
    for claim in sh.drafts(a).created:
        services.claim_submit(actor=a.world.operator, claim_id=claim.pk)
    answer = file(clerk(), kind="certificate", person_id=person.pk, certificate_id=cert.pk)
    assert answer.body["refusal_code"] in {"same_certificate", "same_occupation_level"}
    assert answer.body["refusal"]


def test_a_kind_not_granted(monkeypatch):
    params = ah.params()
    kinds = {k: v for k, v in params.kinds.items() if k != "certificate"}
    from dataclasses import replace

    sh.use_params(monkeypatch, replace(params, kinds=kinds))
    _a, person, cert = ah.trainee()
    answer = file(clerk(), kind="certificate", person_id=person.pk, certificate_id=cert.pk)
    assert answer.body["refusal_code"] == "kind_not_granted"


# --- upskilling (技能提升补贴) ---------------------------------------------------------------

def test_upskilling_counts_the_insured_months(gz):
    _a, person, cert = ah.trainee()
    ah.insure(person, 5)
    short = file(clerk(), kind="upskilling", person_id=person.pk, certificate_id=cert.pk)
    assert short.body["status"] == "refused" and short.body["refusal_code"] == "insured_months"
    assert "12" in short.body["refusal"]
    # the same filing again answers the refused claim
    again = file(clerk(), kind="upskilling", person_id=person.pk, certificate_id=cert.pk)
    assert not again.body["created"] and again.body["id"] == short.body["id"]
    assert again.body["refusal"] == short.body["refusal"]
    ah.insure(person, 12, until=dt.date(2026, 1, 1))
    later = file(clerk(), kind="upskilling", person_id=person.pk, certificate_id=cert.pk,
                 claim_date="2026-06-02")
    assert later.body["created"] and later.body["status"] == "draft", later.body
    assert Decimal(later.body["amount"]) == Decimal("1000.00")
    claim = SubsidyClaim.objects.get(pk=later.body["id"])
    assert claim.fund_source == "unemployment_insurance"


# --- apprenticeship and evaluation --------------------------------------------------------

def test_the_enterprise_files_for_its_apprentice(gz):
    a, person = ah.apprenticeship_class()
    enterprise = OpenApiClient().login(a.world.operator)
    no_account = file(enterprise, kind="apprenticeship", person_id=person.pk,
                      class_id=a.cls.pk)
    assert no_account.status == 400 and no_account.error_fields() == ["account"]
    answer = file(enterprise, kind="apprenticeship", person_id=person.pk, class_id=a.cls.pk,
                  account=sh.ACCOUNT, bank_name=sh.BANK)
    assert answer.status == 200, answer.body
    assert answer.body["payee_kind"] == "enterprise" and answer.body["status"] == "draft"
    assert Decimal(answer.body["amount"]) == Decimal("4000.00")
    again = file(enterprise, kind="apprenticeship", person_id=person.pk, class_id=a.cls.pk,
                 account=sh.ACCOUNT, bank_name=sh.BANK)
    assert not again.body["created"]
    # the enterprise submits it (the claimant), evaluated again on the same facts
    claim = services.claim_submit(actor=a.world.operator, claim_id=answer.body["id"])
    assert claim.status == "submitted" and claim.amount == Decimal("4000.00")


def test_a_class_that_is_not_an_apprenticeship(gz):
    a, person, _cert = ah.trainee()
    from jineng.registry.models import Organization

    Organization.objects.filter(pk=a.world.org.pk).update(kind="enterprise", institution_type="")
    enterprise = OpenApiClient().login(a.world.operator)
    before = written()
    answer = file(enterprise, kind="apprenticeship",
                  person_id=person.pk, class_id=a.cls.pk, account=sh.ACCOUNT, bank_name=sh.BANK)
    assert answer.status == 400 and answer.error_codes() == ["not_apprenticeship"]
    assert written() == before


def test_the_institution_files_the_evaluation_subsidy(gz):
    a, person, cert = ah.trainee()
    answer = file(OpenApiClient().login(a.world.operator), kind="evaluation",
                  person_id=person.pk, class_id=a.cls.pk, certificate_id=cert.pk,
                  account=sh.ACCOUNT, bank_name=sh.BANK)
    assert answer.status == 200, answer.body
    assert answer.body["payee_kind"] == "institution" and answer.body["status"] == "draft"
    assert Decimal(answer.body["amount"]) == Decimal("1500.00")  # the catalog standard


# --- who may file ------------------------------------------------------------------------------

def test_who_may_file_nothing_written_otherwise(gz):
    a, person, cert = ah.trainee()
    institution = OpenApiClient().login(a.world.operator)
    other_institution = OpenApiClient().login(a.world.other_operator)
    county, other_city = clerk(), clerk(f.OTHER_CITY, Role.CITY_STAFF)
    stranger = f.PersonFactory()
    before = written()
    body = {"kind": "certificate", "person_id": person.pk, "certificate_id": cert.pk}
    # an institution does not file a person's certificate subsidy
    assert file(institution, **body).status == 403
    # staff of another city do not see the person
    assert file(other_city, **body).status == 404
    # HRSS staff do not file an enterprise's apprenticeship
    assert file(county, kind="apprenticeship", person_id=person.pk,
                class_id=a.cls.pk).status == 403
    # another institution's class, or a person not in the class
    evaluation = {"kind": "evaluation", "class_id": a.cls.pk, "certificate_id": cert.pk,
                  "account": sh.ACCOUNT, "bank_name": sh.BANK}
    assert file(other_institution, person_id=person.pk, **evaluation).status == 404
    assert file(institution, person_id=stranger.pk, **evaluation).status == 404
    # someone else's certificate
    assert file(county, kind="certificate", person_id=stranger.pk,
                certificate_id=cert.pk).status == 404
    # anonymous
    assert file(OpenApiClient(), **body).status in (401, 403)
    # unknown kind, no certificate
    assert file(county, kind="training", person_id=person.pk).status == 400
    assert file(county, kind="certificate", person_id=person.pk).status == 400
    assert written() == before


def test_the_worker_files_after_the_identity_check(gz):
    _a, person, cert = ah.trainee()
    with pytest.raises(DomainError) as no_account:
        applications.claim_file(actor=None, kind="certificate", certificate_id=cert.pk,
                                verified_person_id=person.pk, claim_date=ah.DAY)
    assert no_account.value.field == "account"
    filing = applications.claim_file(actor=None, kind="certificate", certificate_id=cert.pk,
                                     account=sh.ACCOUNT, bank_name=sh.BANK,
                                     verified_person_id=person.pk, claim_date=ah.DAY)
    assert filing.created and filing.claim.status == "submitted"
    assert filing.claim.amount == Decimal("500.00")
    assert list(ClaimStatusChange.objects.filter(claim=filing.claim)
                .values_list("to_status", flat=True).order_by("pk")) == ["draft", "submitted"]
    other = f.PersonFactory()
    with pytest.raises(NotFound):
        applications.claim_file(actor=None, kind="certificate", certificate_id=cert.pk,
                                account=sh.ACCOUNT, bank_name=sh.BANK,
                                verified_person_id=other.pk, claim_date=ah.DAY)
