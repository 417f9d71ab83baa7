"""Choice lists of the subsidy app that other apps may use."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FundSource(models.TextChoices):
    """The fund sources a subsidy is charged to (Guizhou (二十); 失业保险基金 for upskilling).
    The first six share their values with training.choices.FundingSource (a class's funding)."""

    EMPLOYMENT_SUBSIDY = "employment_subsidy", _("Employment subsidy fund")
    UNEMPLOYMENT_INSURANCE = "unemployment_insurance", _("Unemployment insurance fund")
    SKILLS_ACCOUNT = "skills_account", _("Vocational skills upgrading special account")
    EAST_WEST = "east_west", _("East-West cooperation fund")
    RURAL_REVITALIZATION = "rural_revitalization", _("Rural revitalization fund")
    INDUSTRY = "industry", _("Industry development and talent fund")
    ENTERPRISE = "enterprise", _("Enterprise staff education fund")


class EntryKind(models.TextChoices):
    """A movement of a budget's ledger. Amounts are positive; the kind says the direction."""

    COMMIT = "commit", _("Commitment (approval)")
    SPEND = "spend", _("Spending (payment)")
    RELEASE = "release", _("Release (refusal or failure)")
    RECOVER = "recover", _("Recovery")


class ClaimKind(models.TextChoices):
    TRAINING = "training", _("Vocational training subsidy")
    CERTIFICATE = "certificate", _("Certificate subsidy")
    UPSKILLING = "upskilling", _("Unemployment-insurance upskilling subsidy")
    APPRENTICESHIP = "apprenticeship", _("New apprenticeship subsidy")
    EVALUATION = "evaluation", _("Skill evaluation subsidy")
    LIVING_ALLOWANCE = "living_allowance", _("Living allowance")
    EMPLOYMENT_UPLIFT = "employment_uplift", _("Employment uplift")


class PayeeKind(models.TextChoices):
    PERSON = "person", _("The person")
    INSTITUTION = "institution", _("The training institution")
    ENTERPRISE = "enterprise", _("The enterprise")


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting county review")
    CITY_REVIEW = "city_review", _("Awaiting city review")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved")
    IN_PAYMENT = "in_payment", _("In payment")
    PAID = "paid", _("Paid")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REFUSED = "refused", _("Refused")
    RECOVERED = "recovered", _("Recovered")


class ParameterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


class BatchStatus(models.TextChoices):
    OPEN = "open", _("Open")
    EXPORTED = "exported", _("Exported to the bank")
    CLOSED = "closed", _("Closed (bank results imported)")


class ItemResult(models.TextChoices):
    PENDING = "pending", _("Awaiting the bank")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
