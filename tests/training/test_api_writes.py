"""The training write API through its OpenAPI document: declaring a class (idempotent under the
institution's reference), moving it through its states, enrolling and withdrawing trainees; who
may do what, scope (404 like a missing record), and the ID number never in an answer."""

import datetime as dt

import pytest

from jineng.accounts.models import ApiToken
from jineng.core.models import AuditEvent
from jineng.registry.choices import OrganizationKind
from jineng.registry.models import Person
from jineng.training import services
from jineng.training.models import ClassStatusChange, Enrollment, TrainingClass
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


def _as(user) -> OpenApiClient:
    """An outside system acting with the user's API token."""
    _row, token = ApiToken.issue(user, "integration")
    return OpenApiClient().bearer(token)


@pytest.fixture
def w():
    return h.world()


@pytest.fixture
def api(w):
    return _as(w.operator)


def declaration(w, **overrides) -> dict:
    body = {
        "name": "养老护理员（初级）就业技能培训第1期", "site_id": w.site.pk,
        "occupation_id": h.occupation().pk, "level": "grade5", "training_type": "employment",
        "sector": "elderly_child_care", "planned_size": 30,
        "funding_source": "employment_subsidy",
        "sessions": [{"starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat(),
                      "hours": 6} for s in h.sessions()],
        "teacher_ids": [w.teacher.pk], "late_reason": h.LATE,
    }
    body.update(overrides)
    return body


def trainee(birth=h.BIRTH, n=None, **overrides) -> dict:
    number = f.id_number_for(birth=birth, n=n)
    return {"id_number": number, "name": f"学员{number[-4:]}", **overrides}


def test_declare_approve_open_enroll_withdraw(w, api):
    declared = api.call("training_class_declare", json_body=declaration(w, client_ref="T-1"))
    assert declared.status == 201, declared.body
    cls_id = declared.body["id"]
    assert declared.body["status"] == "declared" and declared.body["client_ref"] == "T-1"
    assert len(declared.body["sessions"]) == 5
    cls = TrainingClass.objects.get(pk=cls_id)
    assert (cls.institution, cls.site, list(cls.teachers.all())) == (w.org, w.site, [w.teacher])

    staff = OpenApiClient().login(w.county_staff)
    approved = staff.call("training_class_transition", path={"class_id": cls_id},
                          json_body={"action": "approve"})
    assert approved.status == 200 and approved.body["status"] == "approved"
    opened = api.call("training_class_transition", path={"class_id": cls_id},
                      json_body={"action": "open"})
    assert opened.status == 200 and opened.body["status"] == "open"

    person = trainee()
    no_reason = api.call("training_enrollment_create", path={"class_id": cls_id},
                         json_body=person)
    assert no_reason.status == 400 and no_reason.error_fields() == ["late_reason"]
    enrolled = api.call("training_enrollment_create", path={"class_id": cls_id},
                        json_body={**person, "late_reason": "补录：报名表遗漏"})
    assert enrolled.status == 201, enrolled.body
    assert enrolled.body["class_id"] == cls_id and enrolled.body["status"] == "enrolled"
    assert enrolled.body["id_masked"].count("*") >= 8
    assert {c["code"] for c in enrolled.body["eligibility"]} >= {"minimum_age", "key_group"}
    assert all(c["passed"] and c["text"] for c in enrolled.body["eligibility"]
               if c["blocking"])

    withdrawn = api.call("training_enrollment_withdraw",
                         path={"enrollment_id": enrolled.body["id"]},
                         json_body={"reason": "找到工作"})
    assert withdrawn.status == 200 and withdrawn.body["status"] == "withdrawn"
    assert withdrawn.body["withdrawn_reason"] == "找到工作"
    assert Enrollment.objects.get().status == "withdrawn"
    assert list(ClassStatusChange.objects.filter(training_class_id=cls_id)
                .values_list("action", flat=True)) == ["declare", "approve", "open"]


def test_refused_transitions(w, api):
    cls = api.call("training_class_declare", json_body=declaration(w)).body
    path = {"class_id": cls["id"]}
    # Only the HRSS office approves: the institution may not.
    assert api.call("training_class_transition", path=path,
                    json_body={"action": "approve"}).status == 403
    staff = OpenApiClient().login(w.county_staff)
    no_reason = staff.call("training_class_transition", path=path,
                           json_body={"action": "reject"})
    assert no_reason.status == 400 and no_reason.error_fields() == ["reason"]
    too_early = staff.call("training_class_transition", path=path,
                           json_body={"action": "finish"})
    assert too_early.status == 400 and too_early.error_codes() == ["not_allowed_from"]
    assert TrainingClass.objects.get().status == "declared"


def test_declare_is_idempotent_under_the_client_ref(w, api):
    body = declaration(w, client_ref="ERP-2026-001")
    first = api.call("training_class_declare", json_body=body)
    again = api.call("training_class_declare", json_body=body)
    assert (first.status, again.status) == (201, 200)
    assert again.body["id"] == first.body["id"]
    # The same content spelled otherwise (UTC times, 6.0 hours, a padded reference) is the
    # same declaration.
    respelled = {**body, "client_ref": " ERP-2026-001 ", "sessions": [
        {"starts_at": dt.datetime.fromisoformat(s["starts_at"]).astimezone(dt.UTC)
         .isoformat(), "ends_at": s["ends_at"], "hours": "6.0"} for s in body["sessions"]]}
    assert api.call("training_class_declare", json_body=respelled).body["id"] == first.body["id"]
    other = api.call("training_class_declare", json_body={**body, "planned_size": 20})
    assert other.status == 409 and other.error_fields() == ["client_ref"]
    assert TrainingClass.objects.count() == 1
    assert AuditEvent.objects.filter(entity_type="training.trainingclass",
                                     action="create").count() == 1
    # The reference is the institution's own: another institution may use it too.
    theirs = _as(w.other_operator).call("training_class_declare", json_body=declaration(
        w, client_ref="ERP-2026-001", site_id=w.other_site.pk, teacher_ids=[]))
    assert theirs.status == 201 and theirs.body["id"] != first.body["id"]
    # Without a reference every declaration is a new class.
    plain = declaration(w, planned_size=10, teacher_ids=[])
    assert api.call("training_class_declare", json_body=plain).status == 201
    assert api.call("training_class_declare", json_body=plain).status == 201
    assert TrainingClass.objects.count() == 4


def test_another_institutions_site_or_teacher_is_a_400_naming_the_field(w, api):
    their_teacher = services.teacher_create(actor=w.other_operator, name="李老师")
    their_site = api.call("training_class_declare",
                          json_body=declaration(w, site_id=w.other_site.pk))
    no_site = api.call("training_class_declare", json_body=declaration(w, site_id=999_999))
    assert their_site.status == no_site.status == 400
    assert their_site.error_fields() == ["site_id"]
    assert their_site.body == no_site.body  # the same answer: nothing leaks
    teacher = api.call("training_class_declare",
                       json_body=declaration(w, teacher_ids=[w.teacher.pk, their_teacher.pk]))
    assert teacher.status == 400 and teacher.error_fields() == ["teacher_ids"]
    level = api.call("training_class_declare", json_body=declaration(w, level="nope"))
    assert level.status == 400 and level.error_fields() == ["level"]
    naive = declaration(w)
    naive["sessions"][0]["starts_at"] = "2026-03-02T09:00:00"
    assert api.call("training_class_declare", json_body=naive).status == 422
    assert not TrainingClass.objects.exists()


def test_service_refusals_name_the_body_fields(w, api):
    busy = api.call("training_class_declare", json_body=declaration(w, planned_size=61))
    assert busy.status == 400 and busy.error_codes() == ["site_capacity"]
    order = api.call("training_class_declare", json_body=declaration(w, order_form="order"))
    assert order.status == 400 and order.error_fields() == ["employer_credit_code"]
    assert api.call("training_class_declare", json_body=declaration(
        w, order_form="order", employer_credit_code="91520102MA6DKX1234")).status == 400


def test_an_enterprise_user_and_county_staff_cannot_declare(w):
    enterprise = f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type="")
    for user in (f.operator(enterprise), w.county_staff):
        refused = _as(user).call("training_class_declare", json_body=declaration(w))
        assert refused.status == 403, refused.body
    assert not TrainingClass.objects.exists()
    # An order class's employer sees it but may not move it.
    cls = _as(w.operator).call("training_class_declare", json_body=declaration(
        w, order_form="order", employer_credit_code=enterprise.credit_code)).body
    boss = _as(f.operator(enterprise))
    assert boss.call("training_class_get", path={"class_id": cls["id"]}).status == 200
    assert boss.call("training_class_transition", path={"class_id": cls["id"]},
                     json_body={"action": "cancel", "reason": "x"}).status == 403
    assert TrainingClass.objects.get().status == "declared"


def test_out_of_scope_is_404_like_a_missing_class(w):
    cls = h.declare(w)
    mine = h.enroll(w, cls)
    other = _as(w.other_operator)
    far_staff = OpenApiClient().login(f.staff("county_staff", f.OTHER_COUNTY))
    for caller in (other, far_staff):
        for class_id in (cls.pk, 999_999):
            moved = caller.call("training_class_transition", path={"class_id": class_id},
                                json_body={"action": "cancel", "reason": "x"})
            enrolled = caller.call("training_enrollment_create", path={"class_id": class_id},
                                   json_body=trainee(n=7))
            assert moved.status == enrolled.status == 404
            assert moved.body == enrolled.body
        assert caller.call("training_enrollment_withdraw", path={"enrollment_id": mine.pk},
                           json_body={"reason": "x"}).status == 404
    # Staff who see the class may not enroll: that is the institution's.
    staff = OpenApiClient().login(w.county_staff)
    assert staff.call("training_enrollment_create", path={"class_id": cls.pk},
                      json_body=trainee(n=8)).status == 403
    assert TrainingClass.objects.get().status == "declared"
    assert Enrollment.objects.get().status == "enrolled"


def test_an_ineligible_person_is_refused_with_every_failed_check(w, api):
    cls = h.declare(w, target_group="graduate")
    child = trainee(birth=dt.date(2012, 6, 1))
    refused = api.call("training_enrollment_create", path={"class_id": cls.pk},
                       json_body=child)
    assert refused.status == 400
    assert sorted(refused.error_codes()) == ["key_group", "minimum_age"]
    assert set(refused.error_fields()) == {"id_number"}
    checks = {c["code"]: c for c in refused.body["checks"]}
    assert not checks["minimum_age"]["passed"] and checks["minimum_age"]["params"]["age"] == 13
    assert checks["retirement_age"]["passed"]
    assert not Enrollment.objects.exists()
    assert not Person.objects.exists()  # the newcomer's registration was rolled back
    # Declared in the key group, an adult joins.
    ok = api.call("training_enrollment_create", path={"class_id": cls.pk}, json_body=trainee(
        key_groups=[{"group": "graduate", "start_date": "2025-07-01"}]))
    assert ok.status == 201


def test_the_same_person_twice_counts_once(w, api):
    cls = h.declare(w)
    person = trainee()
    first = api.call("training_enrollment_create", path={"class_id": cls.pk}, json_body=person)
    again = api.call("training_enrollment_create", path={"class_id": cls.pk}, json_body=person)
    assert (first.status, again.status) == (201, 200)
    assert again.body == first.body
    wrong_name = api.call("training_enrollment_create", path={"class_id": cls.pk},
                          json_body={**person, "name": "别人"})
    assert wrong_name.status == 400 and wrong_name.error_fields() == ["name"]
    api.call("training_enrollment_withdraw", path={"enrollment_id": first.body["id"]},
             json_body={"reason": "退学"})
    # Sent again after leaving: the existing enrollment, still withdrawn.
    after = api.call("training_enrollment_create", path={"class_id": cls.pk}, json_body=person)
    assert after.status == 200 and after.body["status"] == "withdrawn"
    assert Enrollment.objects.count() == 1
    assert AuditEvent.objects.filter(entity_type="training.enrollment",
                                     action="create").count() == 1


def test_the_id_number_is_never_in_an_answer(w, api):
    cls_id = api.call("training_class_declare", json_body=declaration(w)).body["id"]
    adult, child = trainee(), trainee(birth=dt.date(2012, 6, 1))
    path = {"class_id": cls_id}
    answers = [
        api.call("training_enrollment_create", path=path, json_body=adult),
        api.call("training_enrollment_create", path=path, json_body=adult),
        api.call("training_enrollment_create", path=path, json_body={**adult, "name": "别人"}),
        api.call("training_enrollment_create", path=path, json_body=child),
        api.call("training_enrollment_create", path=path,
                 json_body={**adult, "id_number": adult["id_number"][:17]
                            + ("0" if adult["id_number"][17] == "X" else "X")}),
    ]
    answers.append(api.call("training_enrollment_withdraw",
                            path={"enrollment_id": answers[0].body["id"]},
                            json_body={"reason": "退学"}))
    answers.append(api.call("training_class_completion", path=path))
    assert [a.status for a in answers] == [201, 200, 400, 400, 400, 200, 200]
    for answer in answers:
        text = answer.response.content.decode()
        for number in (adult["id_number"], child["id_number"]):
            assert number not in text and number[:17] not in text
