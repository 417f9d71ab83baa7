"""Choice lists of the catalogs. `TrainingType` is shared: the training and subsidy apps use it
for classes and claims, so a class and the standard that pays for it speak the same words."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogKind(models.TextChoices):
    """The catalogs of 目录清单管理 (Hunan (四)): 两目录一系统 plus qualifications and demand."""

    SUBSIDY_STANDARD = "subsidy_standard", _("Subsidy standards catalog")
    TRAINING_INSTITUTION = "training_institution", _("Training institutions catalog")
    EVALUATION_INSTITUTION = "evaluation_institution", _("Evaluation institutions catalog")
    QUALIFICATION = "qualification", _("Vocational qualifications catalog")
    URGENT_OCCUPATION = "urgent_occupation", _(
        "Urgently-needed occupations and demand forecast catalog")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")
    REJECTED = "rejected", _("Rejected")


# Versions whose content the public may read and computations may cite.
PUBLIC_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)


class TrainingType(models.TextChoices):
    """Forms of subsidized training named by the seed policies."""

    EMPLOYMENT = "employment", _("Employment skills training")
    UPSKILLING = "upskilling", _("On-the-job skills upgrading training")
    ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship training")
    APPRENTICESHIP = "apprenticeship", _("New-type enterprise apprenticeship")
    HIGH_SKILLED = "high_skilled", _("High-skilled talent training")
    PRE_JOB = "pre_job", _("Pre-job training")
    JOB_TRANSFER = "job_transfer", _("Job-transfer training")
    SPECIAL_OPERATION = "special_operation", _("Special-operation safety skills training")


class QualificationCategory(models.TextChoices):
    ACCESS = "access", _("Access qualification")  # 准入类
    LEVEL = "level", _("Level-evaluation qualification")  # 水平评价类


class Urgency(models.TextChoices):
    CRITICAL = "critical", _("Critically short")  # 紧缺
    SHORT = "short", _("Short")  # 较紧缺
    WATCH = "watch", _("Balanced, watched")  # 一般
