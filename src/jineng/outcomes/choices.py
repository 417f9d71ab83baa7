"""Choices of the outcomes app, shared with other apps."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    RECORDS = "records", _("social-insurance records")
    BUSINESSES = "businesses", _("business registrations")


class ImportSource(models.TextChoices):
    FILE = "file", _("file")
    API = "api", _("API")


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("imported")
    REJECTED = "rejected", _("rejected (errors, nothing written)")
    FAILED = "failed", _("failed")


class BusinessKind(models.TextChoices):
    INDIVIDUAL = "individual", _("individual business (个体工商户)")
    ENTERPRISE = "enterprise", _("enterprise")


class LinkReason(models.TextChoices):
    MISSING = "missing", _("ID number missing")
    INVALID = "invalid", _("ID number fails its check")


class LinkStatus(models.TextChoices):
    PENDING = "pending", _("awaiting confirmation")
    LINKED = "linked", _("linked automatically")
    CONFIRMED = "confirmed", _("confirmed by staff")
    REJECTED = "rejected", _("rejected by staff")
    UNMATCHED = "unmatched", _("no candidate")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class Dimension(models.TextChoices):
    PROVINCE = "all", _("whole province")
    INSTITUTION = "institution", _("training institution")
    PROGRAM = "program", _("training type")
    OCCUPATION = "occupation", _("occupation")
    LEVEL = "level", _("skill level")
    REGION = "region", _("region (city)")


class Indicator(models.TextChoices):
    """Henan 三(三)'s five measures of training quality, and the weighted composite."""

    DEMAND_MATCH = "demand_match", _("demand match (需求匹配度)")
    PASS_RATE = "pass_rate", _("pass rate (培训合格率)")
    LEVEL_UP = "level_up", _("level-up rate (等级提升率)")
    EMPLOYMENT = "employment", _("employment and entrepreneurship rate (就业创业率)")
    WAGE_GROWTH = "wage_growth", _("wage growth rate (薪资增长率)")
    COMPOSITE = "composite", _("composite score")
