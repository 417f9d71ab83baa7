"""Choices of the supervision app (the states mirror rules.alerts)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.supervision.rules import alerts as lifecycle
from jineng.supervision.rules import catalog


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class RunMode(models.TextChoices):
    FULL = "full", _("Full scan")
    INCREMENTAL = "incremental", _("Incremental scan (events since)")


class AlertStatus(models.TextChoices):
    OPEN = lifecycle.OPEN, _("Open")
    ACKNOWLEDGED = lifecycle.ACKNOWLEDGED, _("Under investigation")
    CONFIRMED = lifecycle.CONFIRMED, _("Confirmed")
    DISMISSED = lifecycle.DISMISSED, _("Dismissed")


class Severity(models.TextChoices):
    HIGH = catalog.HIGH, _("High")
    MEDIUM = catalog.MEDIUM, _("Medium")
    LOW = catalog.LOW, _("Low")


class SubjectKind(models.TextChoices):
    PERSON = catalog.PERSON, _("Person")
    CLASS = catalog.CLASS, _("Class")
    INSTITUTION = catalog.INSTITUTION, _("Institution")
    TEACHER = catalog.TEACHER, _("Teacher")
    DEVICE = catalog.DEVICE, _("Device")
    SITE = catalog.SITE, _("Training site")
