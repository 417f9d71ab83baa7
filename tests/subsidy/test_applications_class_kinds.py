"""Living allowance and employment uplift claims, filed one at a time with their facts read
from the records: the days a trainee attended (training) and the person's key groups; the
class's trainees stably employed (the outcomes job's measures) and its training subsidies.
Each refusal with its code, who may file, the same filing twice, another content for the same
key, and submission and approval deciding again on the same facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jineng.accounts.models import Role
from jineng.core import pii
from jineng.core.errors import Forbidden
from jineng.core.models import AuditEvent
from jineng.subsidy import services
from jineng.subsidy.models import ClaimStatusChange, SubsidyClaim
from jineng.subsidy.services import applications
from jineng.training.models import Enrollment, TrainingClass
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.subsidy import class_kind_helpers as ck
from tests.subsidy import helpers as sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def gz(monkeypatch):
    return sh.use_params(monkeypatch, ck.params())


def written() -> tuple[int, int, int]:
    return (SubsidyClaim.objects.count(), ClaimStatusChange.objects.count(),
            AuditEvent.objects.count())


def file(client: OpenApiClient, day: dt.date, **body):
    return client.call("subsidy_claim_file", json_body={"claim_date": day.isoformat(), **body})


def clerk(code: str = f.COUNTY, role: str = Role.COUNTY_STAFF) -> OpenApiClient:
    return OpenApiClient().login(f.staff(role, code))


def uplift(client: OpenApiClient, a, day: dt.date = ck.UPLIFT_DAY, **body):
    return file(client, day, **{"kind": "employment_uplift", "class_id": a.cls.pk,
                                "account": sh.ACCOUNT, "bank_name": sh.BANK, **body})


def living(client: OpenApiClient, a, person, day: dt.date = ck.LIVING_DAY, **body):
    return file(client, day, kind="living_allowance", class_id=a.cls.pk, person_id=person.pk,
                **body)


def paid_class(trainees: int = 4):
    """An assessed class whose training claims (1,500 yuan each) were approved."""
    sh.budget()
    a = sh.assessed_class(trainees)
    assert len(sh.approved(a)) == trainees
    return a


# --- employment uplift -------------------------------------------------------------------------

def test_the_institution_files_the_uplift_and_it_is_approved_on_the_same_facts(gz):
    a = paid_class(4)
    run = ck.measured(a, [True, True, False, False])  # 2 of 4: the 50% share
    institution = OpenApiClient().login(a.world.operator)
    answer = uplift(institution, a)
    assert answer.status == 200, answer.body
    body = answer.body
    assert body["created"] and body["status"] == "draft", body
    assert body["payee_kind"] == "institution" and body["payee_name"] == a.world.org.name
    assert Decimal(body["amount"]) == Decimal("1200.00")  # 20% of 4 × 1,500
    rules = [s["rule"] for s in body["steps"]]
    assert "uplift_share" in rules and "uplift_rate" in rules
    assert all(s["explanation"] for s in body["steps"])
    evidence = body["evidence"]
    assert evidence["outcomes_run"] == run.pk and evidence["trainees"] == 4
    assert evidence["stably_employed"] == 2 and evidence["window_months"] == 6
    assert Decimal(evidence["class_subsidy_total"]) == Decimal("6000.00")
    claim = SubsidyClaim.objects.get(pk=body["id"])
    assert claim.person_id is None and claim.organization_id == a.world.org.pk
    assert claim.training_class_id == a.cls.pk and claim.fund_source == "employment_subsidy"
    create = ClaimStatusChange.objects.get(claim=claim, action="create")
    assert create.note["evidence"]["outcomes_run"] == run.pk
    event = AuditEvent.objects.get(entity_type="subsidy.subsidyclaim",
                                   entity_id=str(claim.pk), action="create")
    assert event.after["evidence"]["stably_employed"] == 2
    # submission and the two approvals decide again on the facts read from the records
    sh.budget(year=2027)
    services.claim_submit(actor=a.world.operator, claim_id=claim.pk)
    services.claim_review(actor=f.staff(Role.COUNTY_STAFF, f.COUNTY), claim_id=claim.pk,
                          action="approve")
    claim = services.claim_review(actor=f.staff(Role.CITY_STAFF, f.CITY), claim_id=claim.pk,
                                  action="approve")
    assert claim.status == "approved" and claim.amount == Decimal("1200.00")


def test_hrss_staff_file_the_uplift_for_the_institution(gz):
    a = paid_class(2)
    ck.measured(a, [True, False])
    answer = uplift(clerk(), a)
    assert answer.status == 200, answer.body
    assert answer.body["status"] == "draft" and Decimal(answer.body["amount"]) == 600
    claim = SubsidyClaim.objects.get(pk=answer.body["id"])
    assert claim.organization_id == a.world.org.pk  # the institution is the claimant
    services.claim_submit(actor=a.world.operator, claim_id=claim.pk)


def test_uplift_refusals(gz):
    a = paid_class(4)
    institution = OpenApiClient().login(a.world.operator)
    before = written()
    # not measured by the outcomes job yet: nothing written
    none = uplift(institution, a)
    assert none.status == 400 and none.error_codes() == ["not_measured"]
    # measured, but one trainee's window is beyond the run's records
    ck.measured(a, [True, True, True, None])
    partial = uplift(institution, a)
    assert partial.status == 400 and partial.error_codes() == ["not_measured"]
    message = partial.body["detail"][0]["message"]
    assert "3" in message and "4" in message  # 3 of the 4 trainees are known
    assert written() == before
    # below the share: a refused claim with the rule's code and sentence
    ck.measured(a, [True, False, False, False])
    low = uplift(institution, a)
    assert low.status == 200 and low.body["status"] == "refused"
    assert low.body["refusal_code"] == "uplift_share" and low.body["refusal"]
    assert low.body["amount"] is None
    # filed too early (the window after the class end has not passed on the claim date)
    early = uplift(institution, a, day=a.cls.end_date + dt.timedelta(days=90))
    assert early.body["status"] == "refused" and early.body["refusal_code"] == "uplift_too_early"


def test_a_class_not_assessed_and_an_unpaid_class(gz):
    a = sh.assessed_class(2)
    ck.measured(a, [True, True])
    institution = OpenApiClient().login(a.world.operator)
    TrainingClass.objects.filter(pk=a.cls.pk).update(status="finished")
    before = written()
    answer = uplift(institution, a)
    assert answer.status == 400 and answer.error_codes() == ["class_not_finished"]
    assert written() == before
    # assessed, but no training subsidy of the class was approved: nothing to take a share of
    TrainingClass.objects.filter(pk=a.cls.pk).update(status="assessed")
    answer = uplift(institution, a)
    assert answer.body["status"] == "refused"
    assert answer.body["refusal_code"] == "class_subsidy_missing"


def test_a_window_other_than_the_measures_is_refused(monkeypatch):
    # The measure looks for 6 consecutive months starting within 6 after the class end: a
    # region whose parameter says 12 months gets the rule's mismatch, not a wrong count.
    sh.use_params(monkeypatch, ck.params(employment_months=12))
    a = paid_class(2)
    ck.measured(a, [True, True])
    answer = uplift(OpenApiClient().login(a.world.operator), a)
    assert answer.body["refusal_code"] == "uplift_window_mismatch"


def test_the_same_uplift_twice_counts_once_another_content_conflicts(gz):
    a = paid_class(2)
    ck.measured(a, [True, True])
    institution = OpenApiClient().login(a.world.operator)
    first = uplift(institution, a)
    before = written()
    again = uplift(institution, a)
    assert again.status == 200 and not again.body["created"]
    assert again.body["id"] == first.body["id"] and written() == before
    assert again.body["evidence"] == first.body["evidence"]
    other = uplift(institution, a, day=dt.date(2027, 6, 2))
    assert other.status == 409 and other.error_codes() == ["already_filed"]
    other_account = uplift(institution, a, account="6222020000000000001")
    assert other_account.status == 409
    assert written() == before


def test_who_may_file_the_uplift(gz):
    a = paid_class(2)
    ck.measured(a, [True, True])
    other_institution = OpenApiClient().login(a.world.other_operator)
    other_city = clerk(f.OTHER_CITY, Role.CITY_STAFF)
    before = written()
    assert uplift(other_institution, a).status == 404
    assert uplift(other_city, a).status == 404
    assert uplift(OpenApiClient(), a).status in (401, 403)
    with pytest.raises(Forbidden):
        applications.claim_file(actor=None, kind="employment_uplift", class_id=a.cls.pk,
                                verified_person_id=a.enrollments[0].person_id,
                                claim_date=ck.UPLIFT_DAY)
    assert written() == before


# --- living allowance --------------------------------------------------------------------------

def test_the_institution_files_a_trainees_living_allowance(gz):
    a = sh.assessed_class(2)
    enrollment = a.enrollments[0]
    person = enrollment.person
    ck.key_group(person, "unemployed")
    ck.attend(enrollment, 4)  # 4 days, at most 3 paid
    institution = OpenApiClient().login(a.world.operator)
    answer = living(institution, a, person)
    assert answer.status == 200, answer.body
    body = answer.body
    assert body["created"] and body["status"] == "draft" and body["payee_kind"] == "person"
    assert Decimal(body["amount"]) == Decimal("150.00")
    per_day = next(s for s in body["steps"] if s["rule"] == "per_day")
    assert Decimal(per_day["amount"]) == 150 and "3" in per_day["explanation"]  # at most 3
    assert body["evidence"] == {"enrollment": enrollment.pk, "days_attended": 4}
    assert body["enrollment_id"] == enrollment.pk and body["class_id"] == a.cls.pk
    claim = SubsidyClaim.objects.get(pk=body["id"])
    assert claim.person_id == person.pk and claim.organization_id == a.world.org.pk
    # the institution (the claimant) gives the person's account and submits: decided again
    services.claim_set_account(actor=a.world.operator, claim_id=claim.pk, account=sh.ACCOUNT,
                               bank_name=sh.BANK)
    claim = services.claim_submit(actor=a.world.operator, claim_id=claim.pk)
    assert claim.status == "submitted" and claim.amount == Decimal("150.00")


def test_a_window_clerk_files_a_living_allowance(gz):
    a = sh.assessed_class(1)
    person = a.enrollments[0].person
    ck.key_group(person, "graduate")
    ck.attend(a.enrollments[0], 2)
    answer = living(clerk(), a, person)
    assert answer.status == 200, answer.body
    assert Decimal(answer.body["amount"]) == Decimal("100.00")
    claim = SubsidyClaim.objects.get(pk=answer.body["id"])
    assert claim.organization_id is None  # the HRSS office is the claimant
    services.claim_set_account(actor=f.staff(Role.COUNTY_STAFF, f.COUNTY), claim_id=claim.pk,
                               account=sh.ACCOUNT, bank_name=sh.BANK)
    assert services.claim_submit(actor=f.staff(Role.COUNTY_STAFF, f.COUNTY),
                                 claim_id=claim.pk).status == "submitted"


def test_living_allowance_refusals(gz):
    a = sh.assessed_class(3)
    institution = OpenApiClient().login(a.world.operator)
    no_group, no_days, withdrawn = (e.person for e in a.enrollments)
    ck.attend(a.enrollments[0], 2)
    ck.key_group(no_days)
    # a person without a granted key group (a migrant worker is not granted here)
    ck.key_group(no_group, "migrant_worker")
    refused = living(institution, a, no_group)
    assert refused.body["status"] == "refused"
    assert refused.body["refusal_code"] == "key_group_required" and refused.body["refusal"]
    # no day attended
    none = living(institution, a, no_days)
    assert none.body["status"] == "refused" and none.body["refusal_code"] == "days_missing"
    before = written()
    # a trainee who withdrew
    Enrollment.objects.filter(pk=a.enrollments[2].pk).update(status="withdrawn")
    ck.key_group(withdrawn)
    answer = living(institution, a, withdrawn)
    assert answer.status == 400 and answer.error_codes() == ["withdrawn"]
    # a class not finished
    TrainingClass.objects.filter(pk=a.cls.pk).update(status="open")
    answer = living(institution, a, no_days)
    assert answer.status == 400 and answer.error_codes() == ["class_not_finished"]
    assert written() == before


def test_a_refused_living_allowance_is_decided_again_another_day(gz):
    a = sh.assessed_class(1)
    person = a.enrollments[0].person
    ck.key_group(person)
    institution = OpenApiClient().login(a.world.operator)
    first = living(institution, a, person)
    assert first.body["refusal_code"] == "days_missing"
    ck.attend(a.enrollments[0], 1)  # the attendance records arrive
    same_day = living(institution, a, person)
    assert not same_day.body["created"] and same_day.body["id"] == first.body["id"]
    later = living(institution, a, person, day=ck.LIVING_DAY + dt.timedelta(days=1))
    assert later.body["created"] and later.body["status"] == "draft"
    assert Decimal(later.body["amount"]) == Decimal("50.00")


def test_the_same_living_allowance_twice_counts_once_another_content_conflicts(gz):
    a = sh.assessed_class(1)
    person = a.enrollments[0].person
    ck.key_group(person)
    ck.attend(a.enrollments[0], 3)
    institution = OpenApiClient().login(a.world.operator)
    county = clerk()
    first = living(institution, a, person)
    before = written()
    again = living(institution, a, person)
    assert not again.body["created"] and again.body["id"] == first.body["id"]
    assert written() == before
    other = living(institution, a, person, day=dt.date(2026, 6, 2))
    assert other.status == 409 and other.error_codes() == ["already_filed"]
    # the HRSS office filing the same trainee's allowance: already filed by the institution
    assert living(county, a, person).status == 409
    assert written() == before


def test_who_may_file_a_living_allowance(gz):
    a = sh.assessed_class(1)
    person = a.enrollments[0].person
    ck.key_group(person)
    ck.attend(a.enrollments[0], 3)
    stranger = f.PersonFactory()
    other_institution = OpenApiClient().login(a.world.other_operator)
    institution = OpenApiClient().login(a.world.operator)
    other_city, county = clerk(f.OTHER_CITY, Role.CITY_STAFF), clerk()
    before = written()
    assert living(other_institution, a, person).status == 404
    assert living(institution, a, stranger).status == 404
    assert living(other_city, a, person).status == 404
    assert living(OpenApiClient(), a, person).status in (401, 403)
    no_class = file(county, ck.LIVING_DAY, kind="living_allowance", person_id=person.pk)
    assert no_class.status == 400 and no_class.error_codes() == ["required"]
    with pytest.raises(Forbidden):
        applications.claim_file(actor=None, kind="living_allowance", class_id=a.cls.pk,
                                verified_person_id=person.pk, claim_date=ck.LIVING_DAY)
    assert written() == before


# --- the claims page ---------------------------------------------------------------------------

def test_the_institution_files_from_the_claims_page(gz):
    from django.test import Client
    from django.utils.timezone import localdate

    a = paid_class(2)
    ck.measured(a, [True, False])
    web = Client()
    web.force_login(a.world.operator)
    page = web.get("/subsidy/claims/")
    assert page.status_code == 200 and b'id="claim-file-class"' in page.content
    SubsidyClaim.objects.filter(kind="employment_uplift").delete()
    answer = web.post("/subsidy/claims/file-class/", {
        "kind": "employment_uplift", "class_id": a.cls.pk, "account": sh.ACCOUNT,
        "bank_name": sh.BANK}, follow=True)
    claim = SubsidyClaim.objects.get(kind="employment_uplift")
    assert answer.redirect_chain[-1][0] == f"/subsidy/claims/{claim.pk}/"
    assert claim.organization_id == a.world.org.pk and claim.claim_date == localdate()
    # filed today: too early until six months after the class end
    from jineng.subsidy.rules.engine import add_months

    expected = (("draft", "") if localdate() > add_months(a.cls.end_date, 6)
                else ("refused", "uplift_too_early"))
    assert (claim.status, claim.refusal_code) == expected
    # the claim's page shows what the facts were read from
    detail = web.get(f"/subsidy/claims/{claim.pk}/").content.decode()
    assert 'id="claim-evidence"' in detail and "3000.00" in detail
    # a living allowance for a trainee named by the ID number; the refusal is said
    person = a.enrollments[0].person
    answer = web.post("/subsidy/claims/file-class/", {
        "kind": "living_allowance", "class_id": a.cls.pk,
        "id_number": pii.decrypt(person.id_encrypted)},
        follow=True)
    refused = SubsidyClaim.objects.get(kind="living_allowance")
    assert refused.status == "refused" and refused.refusal_code == "key_group_required"
    assert answer.redirect_chain[-1][0] == f"/subsidy/claims/{refused.pk}/"
    # another institution's class: nothing filed, the list again
    other = Client()
    other.force_login(a.world.other_operator)
    before = written()
    answer = other.post("/subsidy/claims/file-class/", {
        "kind": "employment_uplift", "class_id": a.cls.pk, "account": sh.ACCOUNT,
        "bank_name": sh.BANK})
    assert answer.status_code in (302, 404) and written() == before


def _publish_with_uplift() -> None:
    """The shipped national set and Guizhou's, Guizhou granting the uplift (6 months)."""
    from jineng.subsidy.rules import parameters as loader

    def publish(text: str, actor) -> None:
        row = services.parameter_set_upload(actor=actor, yaml_text=text)
        services.parameter_set_publish(actor=actor, parameter_set_id=row.pk)

    publish((loader.PARAMETERS_DIR / "national.yaml").read_text(encoding="utf-8"),
            f.UserFactory(role=Role.SYSTEM_ADMIN))
    guizhou = (loader.PARAMETERS_DIR / "guizhou.yaml").read_text(encoding="utf-8")
    publish(guizhou.replace("kinds:\n", "kinds:\n  employment_uplift:\n    granted: true\n"
                            "    payees: [institution]\n    amount_basis: class_share\n"
                            "    counts_toward_yearly_limit: false\n"
                            "    employment_months: 6\n    uplift_rate: 0.2\n"
                            "    max_factor: 1\n", 1)
            .replace("sources:\n", "sources:\n  kinds.employment_uplift: Illustrative (test).\n",
                     1), f.staff())


def test_the_batch_evaluation_sees_the_class_uplifts(gz):
    a = paid_class(2)
    ck.measured(a, [True, True])
    _publish_with_uplift()  # the batch evaluation reads the published sets
    first = uplift(clerk(), a).body
    claim = SubsidyClaim.objects.get(pk=first["id"])
    again = services.claim_batch_evaluate(actor=a.world.operator, claim_ids=[claim.pk])
    assert again.allowed == 1 and SubsidyClaim.objects.get(pk=claim.pk).amount == 600
    # a second live uplift of the class (written past the filing's lock, as a previous
    # system's import might): the batch evaluation refuses it by the class's history
    SubsidyClaim.objects.filter(pk=claim.pk).update(status="submitted")
    claim.pk = None
    claim.status = "draft"
    claim.save()
    result = services.claim_batch_evaluate(actor=a.world.operator, claim_ids=[claim.pk])
    assert result.refused == {"uplift_once_per_class": 1}


def test_the_days_attended_are_days_at_the_site(gz):
    from django.utils import timezone

    from jineng.training import selectors as training
    from jineng.training.models import AttendanceEvent, ClassSession

    a = sh.assessed_class(1)
    enrollment = a.enrollments[0]
    ck.attend(enrollment, 3)
    assert training.attendance_days(enrollment.pk) == 3
    # a voided check-out, a check-in too far from the site: those sessions earn no day
    sessions = list(ClassSession.objects.filter(training_class=a.cls).order_by("seq"))
    AttendanceEvent.objects.filter(enrollment=enrollment, session=sessions[0],
                                   kind=2).update(voided_at=timezone.now())
    AttendanceEvent.objects.filter(enrollment=enrollment, session=sessions[1],
                                   kind=1).update(too_far=True)
    assert training.attendance_days(enrollment.pk) == 1
    # online learning is not a day at the site
    AttendanceEvent.objects.create(
        institution_id=a.cls.institution_id, training_class=a.cls, enrollment=enrollment,
        kind=3, method=4, online_seconds=3600, occurred_at=sessions[3].starts_at,
        received_at=sessions[3].starts_at, idempotency_key="online-1")
    assert training.attendance_days(enrollment.pk) == 1
