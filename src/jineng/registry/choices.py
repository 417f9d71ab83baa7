"""Choice lists of the registries, used by every other app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village")


class OccupationRank(models.TextChoices):
    """Levels of the 2022 classification: 大类 → 中类 → 小类 → 细类 (occupation) → 工种."""

    MAJOR = "major", _("Major group")
    MIDDLE = "middle", _("Middle group")
    MINOR = "minor", _("Minor group")
    OCCUPATION = "occupation", _("Occupation")
    WORK_TYPE = "work_type", _("Work type")


class OrganizationKind(models.TextChoices):
    TRAINING = "training", _("Training institution")
    EVALUATION = "evaluation", _("Evaluation institution")
    ENTERPRISE = "enterprise", _("Enterprise")


class InstitutionType(models.TextChoices):
    TECHNICIAN_COLLEGE = "technician_college", _("Technician college")
    VOCATIONAL_SCHOOL = "vocational_school", _("Vocational school or college")
    PRIVATE_TRAINING = "private_training", _("Private training institution")
    ENTERPRISE_CENTER = "enterprise_center", _("Enterprise training center")
    PUBLIC_BASE = "public_base", _("Public training base")


class OrganizationStatus(models.TextChoices):
    LISTED = "listed", _("Listed")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class KeyGroup(models.TextChoices):
    """Key groups named by the seed policies (DESIGN.md, Person)."""

    GRADUATE = "graduate", _("College graduate")
    MIGRANT_WORKER = "migrant_worker", _("Migrant worker")
    UNEMPLOYED = "unemployed", _("Unemployed person")
    HARD_TO_EMPLOY = "hard_to_employ", _("Person with employment difficulty")
    VETERAN = "veteran", _("Veteran")
    DISABLED = "disabled", _("Person with disability")
    POVERTY_MONITORED = "poverty_monitored", _("Monitored for relapse into poverty")
    RELOCATED = "relocated", _("Relocated resident")
    LEFT_BEHIND_WOMAN = "left_behind_woman", _("Left-behind woman")
    ENTERPRISE_EMPLOYEE = "enterprise_employee", _("Enterprise employee")
