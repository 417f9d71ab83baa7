"""A class's trainee refused by the rules for a missing fact (here: the certificate, issued
after the batch ran) is evaluated again by HRSS staff once the fact is fixed: the claim itself
becomes a draft with its amount (never a second claim); a reviewer's refusal stands; the
rules still refusing writes nothing; who may do it; the button and the API."""

from __future__ import annotations

import pytest
from django.test import Client

from jineng.accounts.models import Role
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
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
    from dataclasses import replace

    from jineng.subsidy.rules import types as t

    params = ah.params()
    training = replace(params.kinds[t.TRAINING], needs_certificate=True)
    return sh.use_params(monkeypatch, replace(params, kinds={**params.kinds,
                                                             t.TRAINING: training}))


def written() -> tuple[int, int, int]:
    return (SubsidyClaim.objects.count(), ClaimStatusChange.objects.count(),
            AuditEvent.objects.count())


def refused_trainee():
    """A class of two: the first trainee's certificate issued, the second's not yet."""
    a = sh.assessed_class(2, certificates=False)
    sh.certificate(a.enrollments[0])
    result = sh.drafts(a)
    assert len(result.created) == 1 and len(result.refused) == 1
    refused = result.refused[0]
    assert refused.refusal_code == "certificate_missing"
    return a, refused


def county():
    return f.staff(Role.COUNTY_STAFF, f.COUNTY)


def test_the_fixed_trainee_becomes_a_draft_of_the_same_claim(gz):
    a, refused = refused_trainee()
    staff = county()
    before = written()
    with pytest.raises(DomainError) as still:  # the certificate is still missing
        services.claim_reevaluate(actor=staff, claim_id=refused.pk)
    assert still.value.code == "certificate_missing" and written() == before
    cert = sh.certificate(a.enrollments[1])
    claim = services.claim_reevaluate(actor=staff, claim_id=refused.pk)
    assert claim.pk == refused.pk and claim.status == "draft"
    assert claim.certificate_id == cert.pk and claim.refusal_code == ""
    assert claim.amount > 0 and any(s["rule"] == "standard" for s in claim.steps)
    entry = ClaimStatusChange.objects.filter(claim=claim).order_by("-pk").first()
    assert (entry.action, entry.from_status, entry.to_status) == ("reevaluate", "refused",
                                                                  "draft")
    assert AuditEvent.objects.filter(entity_type="subsidy.subsidyclaim",
                                     entity_id=str(claim.pk), action="transition").count() == 1
    # no second claim: the class's batch run again skips the trainee, who has one
    again = sh.drafts(a)
    assert again.created == [] and again.already == 2
    assert SubsidyClaim.objects.filter(enrollment_id=a.enrollments[1].pk).count() == 1
    # the institution submits it as any draft
    assert services.claim_submit(actor=a.world.operator,
                                 claim_id=claim.pk).status == "submitted"
    # a draft is not re-evaluated
    with pytest.raises(Conflict):
        services.claim_reevaluate(actor=staff, claim_id=claim.pk)


def test_a_certificate_paid_by_another_kind_meanwhile_keeps_it_refused(gz):
    a, refused = refused_trainee()
    cert = sh.certificate(a.enrollments[1])
    staff = county()
    other = applications.claim_file(actor=staff, kind="certificate", person_id=cert.person_id,
                                    certificate_id=cert.pk, claim_date=sh.CLAIM_DAY).claim
    services.claim_set_account(actor=staff, claim_id=other.pk, account=sh.ACCOUNT,
                               bank_name=sh.BANK)
    services.claim_submit(actor=staff, claim_id=other.pk)  # it counts now
    before = written()
    with pytest.raises(DomainError) as twice:
        services.claim_reevaluate(actor=staff, claim_id=refused.pk)
    assert twice.value.code in ("same_certificate", "same_occupation_level")
    assert written() == before
    assert SubsidyClaim.objects.get(pk=refused.pk).status == "refused"


def test_a_reviewers_refusal_stands_and_who_may(gz):
    a, refused = refused_trainee()
    sh.certificate(a.enrollments[1])
    draft = SubsidyClaim.objects.get(enrollment_id=a.enrollments[0].pk)
    services.claim_submit(actor=a.world.operator, claim_id=draft.pk)
    services.claim_review(actor=county(), claim_id=draft.pk, action="refuse",
                          reason="考勤记录存疑")
    before = written()
    with pytest.raises(Conflict):
        services.claim_reevaluate(actor=county(), claim_id=draft.pk)
    with pytest.raises(Forbidden):  # the institution sees the claim, but does not decide
        services.claim_reevaluate(actor=a.world.operator, claim_id=refused.pk)
    with pytest.raises(NotFound):
        services.claim_reevaluate(actor=f.staff(Role.CITY_STAFF, f.OTHER_CITY),
                                  claim_id=refused.pk)
    assert written() == before


def test_the_button_and_the_api(gz):
    a, refused = refused_trainee()
    staff = county()
    web = Client()
    web.force_login(staff)
    page = web.get(f"/subsidy/claims/{refused.pk}/")
    assert b'id="claim-reevaluate"' in page.content
    institution = Client()
    institution.force_login(a.world.operator)
    assert b'id="claim-reevaluate"' not in institution.get(
        f"/subsidy/claims/{refused.pk}/").content
    api = OpenApiClient().login(staff)
    still = api.call("subsidy_claim_reevaluate", path={"claim_id": refused.pk})
    assert still.status == 400 and still.error_codes() == ["certificate_missing"]
    sh.certificate(a.enrollments[1])
    web.post(f"/subsidy/claims/{refused.pk}/reevaluate/")
    assert SubsidyClaim.objects.get(pk=refused.pk).status == "draft"
    answer = api.call("subsidy_claim_reevaluate", path={"claim_id": refused.pk})
    assert answer.status == 409
