"""Choice lists of the assessment app (other apps may use them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SittingStatus(models.TextChoices):
    DECLARED = "declared", pgettext_lazy("sitting status", "Declared")
    RETURNED = "returned", pgettext_lazy("sitting status", "Returned for correction")
    APPROVED = "approved", pgettext_lazy("sitting status", "Approved")
    RESULTS = "results", pgettext_lazy("sitting status", "Results entered")
    CLOSED = "closed", pgettext_lazy("sitting status", "Closed, certificates issued")
    CANCELLED = "cancelled", pgettext_lazy("sitting status", "Cancelled")


class AssessmentRoute(models.TextChoices):
    """The routes to a level (rules/routes.py has each rule with its citation)."""

    CLASS_COMPLETED = "class_completed", _("Completed a class")
    SOCIAL = "social", _("Social candidate meeting the standard's conditions")
    SELF_EVALUATION = "self_evaluation", _("Enterprise self-evaluation")
    DIRECT_RECOGNITION = "direct_recognition", _("Direct recognition")
    TOP_APPOINTMENT = "top_appointment", _("特级技师/首席技师 appointment")
    GUIZHOU_INTERMEDIATE = "guizhou_intermediate", _(
        "初级 holder after long-term 中级 training (Guizhou (十七))")


class CertificateKind(models.TextChoices):
    SKILL_LEVEL = "skill_level", _("Vocational skill-level certificate")
    SPECIAL_ABILITY = "special_ability", _("Special-ability certificate")
    TRAINING = "training", _("Training certificate")
    ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship-training certificate")
    SPECIAL_OPERATION = "special_operation", _("Special-operation certificate")
    QUALIFICATION = "qualification", _("Vocational qualification certificate (legacy)")


class CertificateOrigin(models.TextChoices):
    ISSUED = "issued", _("Issued here")
    OTHER_PROVINCE = "other_province", _("Issued by another province")
    NATIONAL = "national", _("National platform")
    OTHER_AUTHORITY = "other_authority", _("Issued by another authority")
    LEGACY = "legacy", _("Previous system")


class SittingOrigin(models.TextChoices):
    HERE = "here", _("Run here")
    LEGACY = "legacy", _("Previous system")


class CertificateStatus(models.TextChoices):
    VALID = "valid", pgettext_lazy("certificate status", "Valid")
    REVOKED = "revoked", pgettext_lazy("certificate status", "Revoked")


class RevocationReason(models.TextChoices):
    FRAUD = "fraud", _("Fraud")
    ERROR = "error", _("Issued in error")


class EvaluatorFiledWith(models.TextChoices):
    MINISTRY = "ministry", _("Filed with the Ministry")
    PROVINCE = "province", _("Filed with the province")


class VerificationResult(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    TAMPERED = "tampered", _("Tampered")
    UNKNOWN_KEY = "unknown_key", _("Signed by an unknown key")
    UNKNOWN = "unknown", _("Unknown certificate")
