"""Choice lists of the training app. Training types are the catalog's (`catalog.choices`), so a
class and the subsidy standard that pays for it speak the same words."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jineng.catalog.choices import TrainingType
from jineng.training.rules import lifecycle

__all__ = ["AttendanceMethod", "ClassStatus", "EventKind", "FundingSource", "OrderForm",
           "Sector", "TrainingType"]


class ClassStatus(models.TextChoices):
    DECLARED = lifecycle.DECLARED, pgettext_lazy("class status", "Declared")
    RETURNED = lifecycle.RETURNED, pgettext_lazy("class status", "Returned for correction")
    APPROVED = lifecycle.APPROVED, pgettext_lazy("class status", "Approved")
    REJECTED = lifecycle.REJECTED, pgettext_lazy("class status", "Rejected")
    OPEN = lifecycle.OPEN, pgettext_lazy("class status", "Open")
    FINISHED = lifecycle.FINISHED, pgettext_lazy("class status", "Finished")
    ASSESSED = lifecycle.ASSESSED, pgettext_lazy("class status", "Assessed")
    SETTLED = lifecycle.SETTLED, pgettext_lazy("class status", "Settled")
    CANCELLED = lifecycle.CANCELLED, pgettext_lazy("class status", "Cancelled")
    SUSPENDED = lifecycle.SUSPENDED, pgettext_lazy("class status", "Suspended")


class ClassAction(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    RETURN = "return", _("Return for correction")
    RESUBMIT = "resubmit", _("Resubmit")
    OPEN = "open", _("Open the class")
    FINISH = "finish", _("Finish the class")
    ASSESS = "assess", _("Mark assessed")
    SETTLE = "settle", _("Mark settled")
    CANCEL = "cancel", _("Cancel")
    SUSPEND = "suspend", _("Suspend")
    RESUME = "resume", _("Resume")


class Sector(models.TextChoices):
    """领域 named by the seed policies; the codes are the plans app's (its fact table)."""

    ADVANCED_MANUFACTURING = "advanced_manufacturing", _("Advanced manufacturing")
    ELDERLY_CHILD_CARE = "elderly_child_care", _("Elderly and child care")
    RURAL = "rural", _("Rural revitalization")
    CULTURE_TOURISM = "culture_tourism", _("Culture and tourism")
    DIGITAL_ECONOMY = "digital_economy", _("Digital economy")
    TRANSPORT = "transport", _("Transport")
    LOW_ALTITUDE = "low_altitude", _("Low-altitude economy")
    CONSTRUCTION = "construction", _("Construction")
    SPECIAL_OPERATIONS = "special_operations", _("Special operations")
    MODERN_SERVICES = "modern_services", _("Modern services")
    WATER_CONSERVANCY = "water_conservancy", _("Water conservancy")


class OrderForm(models.TextChoices):
    """订单班 / 定岗班 / 冠名班: a class trained for a named employer's jobs."""

    NONE = "", _("Open to the labour market")
    ORDER = "order", _("Order class")
    FIXED_POST = "fixed_post", _("Fixed-post class")
    NAMED = "named", _("Named class")


class FundingSource(models.TextChoices):
    """Fund channels the seeds list (Guizhou (二十))."""

    EMPLOYMENT_SUBSIDY = "employment_subsidy", _("Employment subsidy fund")
    SKILLS_ACCOUNT = "skills_account", _("Vocational skills upgrading special account")
    EAST_WEST = "east_west", _("East-West cooperation fund")
    RURAL_REVITALIZATION = "rural_revitalization", _("Rural revitalization fund")
    INDUSTRY = "industry", _("Industry development and talent fund")
    ENTERPRISE = "enterprise", _("Enterprise staff education fund")


class EventKind(models.IntegerChoices):
    CHECK_IN = 1, _("Check-in")
    CHECK_OUT = 2, _("Check-out")
    ONLINE = 3, _("Online learning")
    # An xAPI interaction (answered, interacted, attempted, commented, responded): no learning
    # time, never hours; the risk scan's R17D counts them against the hours learned.
    INTERACTION = 4, _("Online interaction")


class AttendanceMethod(models.IntegerChoices):
    TERMINAL = 1, _("On-site terminal")
    MOBILE = 2, _("Mobile with location")
    QR = 3, _("QR code at the site")
    ONLINE = 4, _("Online learning record")
    MANUAL = 5, _("Paper sheet entered by hand")


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class FemaleRetirementBasis(models.IntegerChoices):
    WORKER = 50, _("50 (women workers)")
    CADRE = 55, _("55 (women cadres)")


class RetirementScheme(models.TextChoices):
    FIXED_1978 = "fixed_1978", _("Fixed ages (1978): men 60, women 55 / 50")
    GRADUAL_2025 = "gradual_2025", _("Gradual increase from 2025 (2024 NPCSC decision)")
