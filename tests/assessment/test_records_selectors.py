"""assessment.selectors.skill_record: a person's whole record on a hand-built history, its
scope (the person's scope: another region answers NotFound) and its query budget; the API."""

import datetime as dt

import pytest

from jineng.assessment import selectors
from jineng.assessment.choices import CertificateKind
from jineng.core.errors import NotFound
from tests import factories as f
from tests.assessment import factories as af
from tests.assessment import records_support as rs
from tests.openapi import OpenApiClient

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def hist():
    return rs.history()


def test_the_record_holds_every_class_assessment_certificate_and_level(hist):
    record = selectors.skill_record(actor=hist.w.county_staff, person=hist.person)
    assert record.person.pk == hist.person.pk
    # classes, oldest first, with hours and completion
    assert [e.pk for e in record.classes] == [hist.finished.pk, hist.running.pk]
    assert record.classes[0].has_completed and record.classes[1].completed is None
    # assessments, oldest first; the cancelled sitting is left out
    assert [c.pk for c in record.assessments] == [hist.passed.pk, hist.failed.pk,
                                                  hist.pending.pk]
    assert [c.passed for c in record.assessments] == [True, False, None]
    # every certificate, issued here or recorded from outside, revoked and unverified too
    assert {c.number for c in record.certificates} == {
        c.number for c in hist.certificates.values()}
    assert [c.issued_on for c in record.certificates] == sorted(
        c.issued_on for c in record.certificates)
    # level over time: 养老护理员 rises 初级 → 中级 (the revoked 高级 and the unverified 技师
    # do not count); 电工 中级 from the legacy qualification; 养老护理员 first (reached later)
    levels = [(o.occupation_name, [(s.on, s.level_name) for s in o.steps])
              for o in record.levels]
    assert levels == [
        ("电工", [(D(2019, 5, 1), "中级工（四级）")]),
        ("养老护理员", [(D(2026, 7, 1), "初级工（五级）"), (D(2027, 3, 1), "中级工（四级）")]),
    ]
    assert record.highest.level_name == "中级工（四级）" and record.highest_occupation == "电工"


def test_a_record_without_history_is_empty_not_an_error():
    person = f.PersonFactory()
    record = selectors.skill_record(actor=f.staff("county_staff", f.COUNTY), person=person.pk)
    assert (record.classes, record.assessments, record.certificates, record.levels) == (
        [], [], [], [])
    assert record.highest is None


def test_scope_is_the_persons(hist):
    other_region = f.staff("city_staff", f.OTHER_CITY)
    with pytest.raises(NotFound):
        selectors.skill_record(actor=other_region, person=hist.person)
    with pytest.raises(NotFound):  # an institution that never served the person
        selectors.skill_record(actor=f.operator(f.OrganizationFactory()), person=hist.person)
    with pytest.raises(NotFound):  # the public
        selectors.skill_record(actor=None, person=hist.person)
    # the training institution (it enrolled the person) and the evaluator (it assessed them)
    for actor in (hist.w.operator, f.operator(hist.passed.sitting.evaluator),
                  f.staff("province_staff", f.PROVINCE)):
        record = selectors.skill_record(actor=actor, person=hist.person)
        assert len(record.certificates) == len(hist.certificates)
    with pytest.raises(NotFound):
        selectors.skill_record(actor=hist.w.county_staff, person=10 ** 9)


def test_the_query_budget_does_not_grow_with_the_history(hist, django_assert_max_num_queries):
    actor = hist.w.county_staff
    with django_assert_max_num_queries(4):
        record = selectors.skill_record(actor=actor, person=hist.person.pk)
        # everything the page and the API read is loaded
        for e in record.classes:
            (e.training_class.name, e.training_class.institution.name,
             e.training_class.occupation.name, str(e.training_class.level))
        for c in record.assessments:
            (c.sitting.evaluator.name, c.sitting.occupation.name, str(c.sitting.level))
        for c in record.certificates:
            (c.occupation and c.occupation.name, str(c.level), c.issuer_name)
        assert record.person.region.code == f.COUNTY
    for _ in range(5):  # more of everything: the same number of queries
        rs.certificate(hist.person, issued_on=D(2028, 1, 1), kind=CertificateKind.TRAINING,
                       level=None)
        af.CandidateFactory(person=hist.person)
    with django_assert_max_num_queries(4):
        record = selectors.skill_record(actor=actor, person=hist.person.pk)
        for c in record.assessments:
            (c.sitting.evaluator.name, c.sitting.occupation.name, str(c.sitting.level))


def test_api_gives_the_record_in_scope_and_404_outside(client, hist):
    api = OpenApiClient(client).login(hist.w.county_staff)
    result = api.call("assessment_skill_record_get", path={"person_id": hist.person.pk})
    assert result.status == 200
    body = result.body
    assert body["person"]["id_masked"] == hist.person.id_masked
    assert hist.person.id_masked.count("*") == 8
    assert [c["enrollment_id"] for c in body["classes"]] == [hist.finished.pk, hist.running.pk]
    assert body["classes"][0]["completed"] is True and body["classes"][1]["completed"] is None
    assert [a["passed"] for a in body["assessments"]] == [True, False, None]
    assert body["highest_level"] == "中级工（四级）"
    care = next(o for o in body["levels"] if o["occupation"] == "养老护理员")
    assert [s["level"] for s in care["steps"]] == ["初级工（五级）", "中级工（四级）"]
    revoked = next(c for c in body["certificates"]
                   if c["number"] == hist.certificates["grade3_revoked"].number)
    assert revoked["status"] == "revoked" and revoked["revocation_reason"] == "error"

    outside = OpenApiClient(client).login(f.staff("city_staff", f.OTHER_CITY))
    assert outside.call("assessment_skill_record_get",
                        path={"person_id": hist.person.pk}).status == 404
    assert outside.call("assessment_skill_record_get",
                        path={"person_id": 10 ** 9}).status == 404
