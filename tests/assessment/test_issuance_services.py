"""Issuing certificates for a sitting: numbers, signatures, 一试双证 pairs, the sitting closed,
the refusals (nothing written), and the number sequences continuing across sittings."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import timezone

from jineng.assessment import services
from jineng.assessment.choices import CertificateKind, CertificateOrigin, SittingStatus
from jineng.assessment.models import (
    AssessmentSitting,
    Certificate,
    CertificateSequence,
    CertificateStatusChange,
    SittingStatusChange,
)
from jineng.assessment.rules import numbering
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.models import AuditEvent
from tests import factories as f
from tests.assessment import factories as af
from tests.assessment import issuance_support as s

pytestmark = pytest.mark.django_db


def _issue(w, sitting=None, actor=None):
    return services.certificates_issue_for_sitting(actor=actor or w.operator,
                                                   sitting=sitting or w.sitting)


def _counts() -> tuple[int, ...]:
    return (Certificate.objects.count(), CertificateStatusChange.objects.count(),
            SittingStatusChange.objects.count(), AuditEvent.objects.count(),
            sum(CertificateSequence.objects.values_list("last", flat=True)))


def test_each_passed_candidate_gets_one_numbered_signed_certificate():
    w = s.world(passed=3, failed=2)
    issued = _issue(w)
    assert [c.candidate_id for c in issued] == [c.pk for c in w.passed]
    year = timezone.localdate().year % 100
    prefix = f"S000052{w.code.site_code}{year:02d}5"
    assert [c.number for c in issued] == [f"{prefix}{n:06d}" for n in (1, 2, 3)]
    for c in issued:
        parsed = numbering.parse_skill_level_number(c.number)
        assert isinstance(parsed, numbering.SkillLevelNumber)
        assert (parsed.category, parsed.level_code, parsed.site_code) == (
            "S", "grade5", w.code.site_code)
        assert c.kind == CertificateKind.SKILL_LEVEL and c.origin == CertificateOrigin.ISSUED
        assert c.holder_name == c.person.name and c.issuer_id == w.sitting.evaluator_id
        assert c.key_id and c.signature and c.signed_payload["number"] == c.number
        assert c.paired_with_id is None
        assert c.recorded_by == w.operator.username and c.issued_on == timezone.localdate()
    assert len({c.status_index for c in issued}) == 3
    assert not Certificate.objects.filter(candidate__in=w.failed).exists()


def test_the_sitting_is_closed_with_its_history_and_audit():
    w = s.world(passed=2, failed=0)
    _issue(w)
    w.sitting.refresh_from_db()
    assert w.sitting.status == SittingStatus.CLOSED
    step = SittingStatusChange.objects.filter(sitting=w.sitting).latest("id")
    assert (step.action, step.from_status, step.to_status, step.note) == (
        "close", "results", "closed", {"certificates": 2})
    # (The first key is made on first use, audited by the signing area.)
    events = AuditEvent.objects.filter(entity_type__startswith="assessment.").exclude(
        entity_type="assessment.signingkey")
    assert sorted(events.values_list("action", "entity_type")) == [
        ("create", "assessment.certificate"), ("transition", "assessment.assessmentsitting")]
    created = events.get(action="create")
    assert created.after["count"] == 2 and created.organization_id == w.sitting.evaluator_id


def test_a_ministry_filed_evaluator_numbers_with_its_ministry_code():
    w = s.world(passed=1, failed=0)
    w.code.filed_with, w.code.ministry_code, w.code.letter = "ministry", "0123", "Y"
    w.code.save()
    number = _issue(w)[0].number
    assert number.startswith(f"Y012352{w.code.site_code}")


def test_numbers_continue_across_sittings_of_the_same_evaluator_level_and_year():
    w = s.world(passed=2, failed=0)
    later = s.results_sitting(w.sitting.evaluator, passed=3, failed=0)
    first = [c.number[-6:] for c in _issue(w)]
    second = [c.number[-6:] for c in _issue(w, later)]
    assert first + second == ["000001", "000002", "000003", "000004", "000005"]


def test_a_number_already_recorded_is_never_issued_again():
    """A previous system's certificate under the same prefix (imported, not from the
    sequence): issuing continues after it."""
    w = s.world(passed=1, failed=0)
    year = timezone.localdate().year % 100
    taken = f"S000052{w.code.site_code}{year:02d}5000007"
    Certificate.objects.create(
        kind="skill_level", number=taken, origin=CertificateOrigin.LEGACY,
        person=f.PersonFactory(), holder_name="旧系统", issuer_name="旧系统",
        region=f.region(f.COUNTY), issued_on=timezone.localdate())
    assert _issue(w)[0].number.endswith("000008")


def test_a_higher_level_numbers_under_its_own_prefix_and_top_technician_layout():
    code = af.EvaluatorCodeFactory()
    senior = s.results_sitting(code.organization, passed=1, failed=0, level=af.level("grade2"))
    top = s.results_sitting(code.organization, passed=1, failed=0, level=af.level("principal"))
    operator = f.operator(code.organization)
    senior_number = services.certificates_issue_for_sitting(actor=operator, sitting=senior)[0]
    top_number = services.certificates_issue_for_sitting(actor=operator, sitting=top)[0]
    assert senior_number.number[15] == "2" and senior_number.number.endswith("000001")
    assert top_number.number[15] == numbering.TOP_LEVEL_LETTER
    assert isinstance(numbering.parse_skill_level_number(top_number.number),
                      numbering.SkillLevelNumber)


def test_a_chief_technician_is_appointed_without_a_numbered_certificate():
    """G5: 首席技师 is an appointment (评聘); the coding rules number certificates up to 特级技师
    only. Issuing a 首席技师 sitting records the appointments (no certificate, no number taken),
    closes the sitting, counts new top technicians and shows the level in the skill
    record."""
    from jineng.assessment.selectors import records as record_selectors
    from jineng.plans.models import ActualFact

    code = af.EvaluatorCodeFactory()
    chief = s.results_sitting(code.organization, passed=1, failed=1, level=af.level("chief"))
    operator = f.operator(code.organization)
    issued = services.certificates_issue_for_sitting(actor=operator, sitting=chief)
    assert issued == []
    assert not Certificate.objects.exists() and not CertificateSequence.objects.exists()
    chief.refresh_from_db()
    assert chief.status == "closed"
    step = chief.status_history.latest("id")
    assert step.note == {"certificates": 0, "appointed": 1}
    (appointed,) = chief.candidates.filter(passed=True)
    event = AuditEvent.objects.get(entity_type="assessment.appointment")
    assert event.after["candidates"] == [appointed.pk]
    facts = list(ActualFact.objects.filter(metric="new_top_technicians")
                 .values_list("source_ref", flat=True))
    assert facts == [f"assessment.top_appointment:{appointed.pk}"]
    record = record_selectors.skill_record(actor=f.staff(), person=appointed.person)
    assert record.highest is not None and record.highest.rank == af.level("chief").rank
    assert record.highest.number == str(record_selectors.APPOINTED)


# --- 一试双证 -----------------------------------------------------------------------------------

def test_dual_certificates_are_paired_both_ways():
    w = s.world(passed=2, failed=1, second_certificate_kind="special_ability",
                special_ability_item=s.ITEM)
    issued = _issue(w)
    skill = [c for c in issued if c.kind == "skill_level"]
    special = [c for c in issued if c.kind == "special_ability"]
    assert len(skill) == len(special) == 2
    for one, other in zip(skill, special, strict=True):
        one.refresh_from_db()
        other.refresh_from_db()
        assert one.paired_with_id == other.pk and other.paired_with_id == one.pk
        assert one.person_id == other.person_id and one.candidate_id == other.candidate_id
        assert other.special_ability_item == s.ITEM and other.level_id is None
        assert numbering.validate_number(
            "special_ability", other.number,
            pattern=numbering.pattern_for("special_ability", "52")) is None
        assert other.signature and other.status_index != one.status_index


def test_dual_certificates_follow_the_provinces_configured_pattern():
    w = s.world(passed=1, failed=0, second_certificate_kind="special_ability",
                special_ability_item=s.ITEM)
    with override_settings(JINENG_CERTIFICATE_NUMBER_PATTERNS={
            "52": {"special_ability": "QZX{province}{year4}{seq:5}"}}):
        special = next(c for c in _issue(w) if c.kind == "special_ability")
    assert special.number == f"QZX52{timezone.localdate().year}00001"


def test_a_second_certificate_the_catalog_does_not_list_is_refused_and_nothing_written():
    code = af.EvaluatorCodeFactory()
    s.publish_evaluation_catalog(s.listing_rows(code.organization, item=False))
    sitting = s.results_sitting(code.organization, passed=2, failed=0,
                                second_certificate_kind="special_ability",
                                special_ability_item=s.ITEM)
    before = _counts()
    with pytest.raises(DomainError) as refused:
        services.certificates_issue_for_sitting(actor=f.operator(code.organization),
                                                sitting=sitting)
    assert (refused.value.field, refused.value.code) == ("second_certificate_kind",
                                                         "second_not_listed")
    assert _counts() == before
    sitting.refresh_from_db()
    assert sitting.status == SittingStatus.RESULTS


@pytest.mark.parametrize(("kind", "item", "code"), [
    ("special_operation", s.ITEM, "second_kind"),
    ("skill_level", "", "second_kind"),  # the same kind as the first
    ("special_ability", "", "second_item"),
])
def test_a_second_certificate_the_sitting_cannot_issue_is_refused(kind, item, code):
    w = s.world(passed=1, failed=0, second_certificate_kind=kind, special_ability_item=item)
    with pytest.raises(DomainError) as refused:
        _issue(w)
    assert refused.value.code == code
    assert not Certificate.objects.exists()


# --- refusals --------------------------------------------------------------------------------

def test_an_evaluator_without_its_code_is_told_so_and_nothing_is_written():
    evaluator = af.EvaluatorFactory()
    sitting = s.results_sitting(evaluator, passed=2, failed=0)
    before = _counts()
    with pytest.raises(DomainError) as refused:
        services.certificates_issue_for_sitting(actor=f.operator(evaluator), sitting=sitting)
    assert (refused.value.field, refused.value.code) == ("evaluator", "no_evaluator_code")
    assert evaluator.name in str(refused.value)
    assert _counts() == before


@pytest.mark.parametrize(("who", "error"), [
    ("other_operator", NotFound), ("county_staff", Forbidden), ("other_county", NotFound),
    ("training_operator", NotFound),
])
def test_only_the_sittings_evaluator_issues(who, error):
    w = s.world(passed=1, failed=0)
    actor = {"other_operator": w.other_operator, "county_staff": w.county_staff,
             "other_county": f.staff("county_staff", f.OTHER_COUNTY),
             "training_operator": f.operator(f.OrganizationFactory())}[who]
    before = _counts()
    with pytest.raises(error):
        _issue(w, actor=actor)
    assert _counts() == before


@pytest.mark.parametrize("status", ["declared", "approved", "closed", "cancelled"])
def test_certificates_are_issued_only_from_results(status):
    w = s.world(passed=1, failed=0)
    AssessmentSitting.objects.filter(pk=w.sitting.pk).update(status=status)
    with pytest.raises(DomainError) as refused:
        _issue(w)
    assert refused.value.code == "no_results"
    assert not Certificate.objects.exists()


def test_issuing_twice_issues_nothing_more():
    w = s.world(passed=2, failed=0)
    _issue(w)
    numbers = set(Certificate.objects.values_list("number", flat=True))
    with pytest.raises(DomainError):
        _issue(w)
    assert set(Certificate.objects.values_list("number", flat=True)) == numbers


def test_a_sitting_without_a_pass_is_closed_with_no_certificate():
    w = s.world(passed=0, failed=2)
    assert _issue(w) == []
    w.sitting.refresh_from_db()
    assert w.sitting.status == SittingStatus.CLOSED
    assert not Certificate.objects.exists()
