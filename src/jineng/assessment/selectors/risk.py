"""Set-based, unscoped reads for the supervision risk scan (issue 13): candidates with their
sitting's date, evaluator, theory score and pass mark; examiners by keyed ID hash; valid
certificates an assessment issued, tied to a class. values_list querysets, streamed by the
caller."""

from __future__ import annotations

from django.db.models import QuerySet

from jineng.assessment.choices import CertificateKind, CertificateStatus
from jineng.assessment.models import Candidate, Certificate, SittingExaminer


def risk_snapshot() -> dict[str, QuerySet]:
    return {
        "candidates": Candidate.objects.filter(absent=False).order_by().values_list(
            "pk", "sitting_id", "person_id", "sitting__training_class_id",
            "enrollment__training_class_id", "sitting__evaluator_id", "sitting__sitting_date",
            "theory_score", "sitting__theory_pass_mark", "passed", "sitting__occupation_id",
            "sitting__level_id"),
        "examiners": SittingExaminer.objects.exclude(id_hash="").order_by().values_list(
            "sitting_id", "id_hash"),
        # Certificates an assessment issues: a training (or entrepreneurship-training)
        # certificate is the institution's, rightly dated at the class's end, before any sitting.
        "certificates": Certificate.objects.filter(
            status=CertificateStatus.VALID, person__isnull=False,
            training_class__isnull=False).exclude(
            kind__in=[CertificateKind.TRAINING, CertificateKind.ENTREPRENEURSHIP]).order_by()
        .values_list(
            "pk", "person_id", "training_class_id", "issued_on"),
    }
