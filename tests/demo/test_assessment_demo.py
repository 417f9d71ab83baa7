"""The assessment part of the demo province: sittings of the finished classes by listed
evaluators with realistic pass rates, direct recognitions and self-evaluations, certificates
numbered by the rules and signed so that they verify (revoked ones as revoked), certificates
from outside, and sittings for the assessor login to run.

The province is built once for the module (tier XS, today) inside a transaction that is rolled
back at the end, so the other tests never see it.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from jineng.assessment import demo as assessment_demo
from jineng.assessment import selectors
from jineng.assessment.choices import (
    AssessmentRoute,
    CertificateKind,
    CertificateOrigin,
    CertificateStatus,
    RevocationReason,
    SittingStatus,
)
from jineng.assessment.models import (
    AssessmentSitting,
    Candidate,
    Certificate,
    CertificateSequence,
    CertificateStatusChange,
    EvaluatorCode,
    SittingExaminer,
)
from jineng.assessment.rules import documents, numbering
from jineng.catalog import selectors as catalog
from jineng.plans.models import ActualFact
from jineng.training.models import TrainingClass


@pytest.fixture(scope="module")
def province(demo_province):  # the shared build (tests/demo_fixture.py)
    return demo_province


def user(name: str):
    return get_user_model().objects.select_related("region", "organization").get(username=name)


def test_the_assessment_part_is_built_and_counted(province, db):
    for key in ("sittings", "candidates", "certificates", "certificates_revoked",
                "certificates_outside", "certificates_dual", "classes_assessed",
                "assessment_plan_facts"):
        assert province[key] > 0, key
    assert province["sittings"] == AssessmentSitting.objects.count()
    assert province["certificates"] == Certificate.objects.count()
    routes = set(AssessmentSitting.objects.values_list("route", flat=True))
    assert {AssessmentRoute.CLASS_COMPLETED, AssessmentRoute.DIRECT_RECOGNITION,
            AssessmentRoute.SELF_EVALUATION} <= routes
    assert SittingExaminer.objects.exists() and EvaluatorCode.objects.exists()
    # the certificates count in the plans as issuing them would have
    assert ActualFact.objects.filter(source=assessment_demo.PLAN_FACTS_SOURCE,
                                     metric="certificates").exists()


def test_every_sitting_is_by_an_evaluator_listed_for_it_on_the_day(province, db):
    for s in AssessmentSitting.objects.select_related("evaluator__region", "occupation",
                                                      "level"):
        listing = catalog.evaluator_listed_as_of(s.evaluator, s.occupation, s.level,
                                                 s.sitting_date)
        assert listing, (s.pk, s.evaluator.name, s.occupation, s.level, listing.reason)
        assert s.listing_version_id == listing.version_id
        if s.route == AssessmentRoute.SELF_EVALUATION:
            assert s.evaluator.kind == "enterprise"
        if s.second_certificate_kind:  # 一试双证 only where the catalog lists the item too
            assert catalog.evaluator_listed_as_of(
                s.evaluator, None, None, s.sitting_date,
                special_ability_item=s.special_ability_item)


def test_class_candidates_completed_the_class_and_examiners_are_not_candidates(province, db):
    class_sittings = AssessmentSitting.objects.filter(route=AssessmentRoute.CLASS_COMPLETED)
    assert class_sittings.exists()
    for c in Candidate.objects.filter(sitting__in=class_sittings).select_related(
            "enrollment", "sitting"):
        assert c.enrollment.completed is True
        assert c.enrollment.training_class_id == c.sitting.training_class_id
        assert c.enrollment.person_id == c.person_id
    for s in AssessmentSitting.objects.prefetch_related("examiners", "candidates"):
        examiners = {e.person_id for e in s.examiners.all()}
        assert examiners and not examiners & {c.person_id for c in s.candidates.all()}
        assert sum(e.is_chief for e in s.examiners.all()) == 1


def test_direct_recognitions_carry_justification_and_approval(province, db):
    direct = Candidate.objects.filter(route=AssessmentRoute.DIRECT_RECOGNITION)
    assert direct.exists()
    for c in direct:
        assert c.justification and c.approved_by and c.approved_at
        assert c.sitting.evaluator.kind == "enterprise"  # by a self-evaluating enterprise
        assert c.sitting.level.code in ("grade3", "grade2", "grade1")  # 高级工 and above
        assert c.route_basis["route"]["allowed"] and c.route_basis["facts"]["employer_id"] \
            == c.sitting.evaluator_id
        assert c.approved_at < c.result_entered_at


def test_each_candidate_keeps_its_route_and_separation_answer(province, db):
    for c in Candidate.objects.all():
        assert c.route_basis["route"]["route"] == c.route and c.route_basis["route"]["allowed"]
        assert c.route_basis["route"]["citation"] and c.route_basis["explanation"]
        assert c.route_basis["separation"]["allowed"]


def test_results_are_consistent_and_pass_rates_realistic(province, db):
    by_level: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s in AssessmentSitting.objects.filter(
            status__in=[SittingStatus.RESULTS, SittingStatus.CLOSED]).select_related(
            "level", "occupation"):
        present = passed = 0
        for c in s.candidates.all():
            outcome = selectors.outcome_of(c, s)  # the results area's own rule
            assert outcome.passed == c.passed, (s.pk, c.pk)
            if not c.absent:
                present += 1
                passed += bool(c.passed)
        assert present
        if s.route == AssessmentRoute.CLASS_COMPLETED:
            expected = assessment_demo.pass_rate(s.level.code, s.occupation.name)
            assert abs(passed / present - expected) <= (assessment_demo.SITTING_SPREAD
                                                        + 1 / present), s.pk
            by_level[s.level.code][0] += passed
            by_level[s.level.code][1] += present
    for level, (passed, present) in by_level.items():
        if present >= 30:
            low, high = assessment_demo.PASS_RATE_BANDS[level]
            assert low <= passed / present <= high, (level, passed, present)
    # awaiting results: no scores yet
    waiting = Candidate.objects.filter(sitting__status=SittingStatus.APPROVED)
    assert waiting.exists() and not waiting.exclude(passed=None).exists()


def test_the_documented_pass_rates_lie_in_their_bands():
    for level, (low, high) in assessment_demo.PASS_RATE_BANDS.items():
        assert low < assessment_demo.PASS_RATES[level] < high
        for adjustment in assessment_demo.OCCUPATION_ADJUSTMENT.values():
            assert low <= assessment_demo.PASS_RATES[level] + adjustment <= high


def test_finished_classes_with_closed_sittings_are_assessed(province, db):
    closed = set(AssessmentSitting.objects.filter(status=SittingStatus.CLOSED)
                 .exclude(training_class=None).values_list("training_class", flat=True))
    assert closed
    assert not TrainingClass.objects.filter(pk__in=closed, status="finished").exists()
    moved = TrainingClass.objects.filter(status_history__action="assess",
                                         status_history__actor_username="assessment")
    assert moved.count() == province["classes_assessed"]


def test_certificates_follow_the_numbering_rules_without_gaps(province, db):
    issued = Certificate.objects.filter(origin=CertificateOrigin.ISSUED).select_related("level")
    kinds = Counter(issued.values_list("kind", flat=True))
    assert kinds[CertificateKind.SKILL_LEVEL] and kinds[CertificateKind.TRAINING]
    sequences: dict[str, list[int]] = defaultdict(list)
    for c in issued:
        if c.kind == CertificateKind.SKILL_LEVEL:
            assert numbering.validate_number(c.kind, c.number) is None, c.number
            parts = numbering.parse_skill_level_number(c.number)
            assert parts.level_code == c.level.code and parts.year == c.issued_on.year
            sequences[parts.prefix].append(parts.sequence)
        else:
            pattern = numbering.pattern_for(c.kind, c.number[1:3])
            values = pattern.values_of(c.number)
            assert values is not None, c.number
            key = f"{c.kind}:{pattern.sequence_key({**values, 'year': c.issued_on.year})}"
            sequences[key].append(int(values["seq"]))
    last = dict(CertificateSequence.objects.values_list("prefix", "last"))
    for key, seqs in sequences.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), key  # no gaps, no repeats
        assert last[key] == len(seqs), key
    # every certificate issued to a candidate passed; every passed candidate of a closed
    # sitting holds one
    skill = issued.filter(kind=CertificateKind.SKILL_LEVEL)
    assert not skill.exclude(candidate__passed=True).exists()
    assert not Candidate.objects.filter(sitting__status=SittingStatus.CLOSED, passed=True,
                                        certificates=None).exists()


def test_issued_certificates_verify_and_revoked_ones_verify_as_revoked(province, db):
    issued = Certificate.objects.filter(origin=CertificateOrigin.ISSUED)
    assert not issued.filter(signature="").exists()
    for c in issued.order_by("pk")[:40]:
        data = documents.document_bytes(selectors.certificate_document(c))
        outcome = selectors.verify_document_bytes(data)
        expected = "revoked" if c.status == CertificateStatus.REVOKED else "valid"
        assert outcome.result == expected, (c.number, outcome)
    revoked = issued.filter(status=CertificateStatus.REVOKED)
    assert set(revoked.values_list("revocation_reason", flat=True)) == {
        RevocationReason.FRAUD, RevocationReason.ERROR}
    for c in revoked:
        data = documents.document_bytes(selectors.certificate_document(c))
        assert selectors.verify_document_bytes(data).result == "revoked"
        step = CertificateStatusChange.objects.get(certificate=c, action="revoke")
        assert step.reason and step.effective_date == c.revoked_on
        assert selectors.certificate_public_status(c.number).result == "revoked"
    tampered = selectors.certificate_document(issued.filter(
        status=CertificateStatus.VALID).first())
    tampered["payload"] = {**tampered["payload"], "holder": {
        **tampered["payload"]["holder"], "name": "王五"}}
    assert selectors.verify_document_bytes(
        documents.document_bytes(tampered)).result == "tampered"


def test_dual_certificates_are_paired_both_ways(province, db):
    """一试双证: a sitting with a second certificate kind gives each passed candidate a
    skill-level certificate and a special-ability one of the sitting's item, paired."""
    dual = AssessmentSitting.objects.filter(status=SittingStatus.CLOSED).exclude(
        second_certificate_kind="")
    assert dual.exists()
    for s in dual:
        for c in s.candidates.filter(passed=True):
            first = Certificate.objects.get(candidate=c, kind=CertificateKind.SKILL_LEVEL)
            second = Certificate.objects.get(candidate=c, kind=s.second_certificate_kind)
            assert first.paired_with == second and second.paired_with == first
            assert second.special_ability_item == s.special_ability_item
            assert numbering.validate_number(second.kind, second.number) is None


def test_outside_certificates_are_recorded_with_valid_numbers(province, db):
    outside = Certificate.objects.exclude(origin=CertificateOrigin.ISSUED)
    assert set(outside.values_list("origin", flat=True)) == {
        CertificateOrigin.OTHER_PROVINCE, CertificateOrigin.NATIONAL,
        CertificateOrigin.OTHER_AUTHORITY, CertificateOrigin.LEGACY}
    for c in outside:
        assert numbering.validate_number(c.kind, c.number, legacy_ok=True) is None, c.number
        assert not c.signature and c.fingerprint


def test_the_assessor_login_has_sittings_to_run_and_staff_have_some_to_review(province, db):
    assessor = user(assessment_demo.ASSESSOR_USERNAME)
    today = timezone.localdate()
    mine = selectors.sitting_list(actor=assessor)
    assert mine.exists()
    assert not mine.exclude(evaluator=assessor.organization).exists()
    awaiting_results = mine.filter(status=SittingStatus.APPROVED, sitting_date__lte=today)
    assert awaiting_results.exists()
    for s in awaiting_results:
        assert selectors.results_candidates(actor=assessor, sitting=s).exists()
    assert mine.filter(status=SittingStatus.DECLARED).exists()
    assert mine.filter(status=SittingStatus.RETURNED).exists()
    assert mine.filter(status=SittingStatus.CLOSED).exists()
    for name in ("county", "city", "province"):
        assert selectors.sittings_awaiting_review(actor=user(name)).exists(), name

