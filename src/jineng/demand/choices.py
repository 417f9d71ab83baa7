"""Choices of the demand app (published: other apps may import this module)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PosterPlace(models.TextChoices):
    """Where a training-wish QR poster hangs (Guizhou (十三))."""

    SITE = "site", _("Training site")
    VILLAGE = "village", _("Village")
    COMMUNITY = "community", _("Community")
    GIG_MARKET = "gig_market", _("Gig labour market")
    SERVICE_CENTER = "service_center", _("Public employment service center")
    OTHER = "other", _("Other place")


class PreferredTime(models.TextChoices):
    WEEKDAY_DAYTIME = "weekday_day", _("Weekday daytime")
    WEEKDAY_EVENING = "weekday_evening", _("Weekday evenings")
    WEEKEND = "weekend", _("Weekends")
    ANY = "any", _("Any time")


class WishStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MATCHED = "matched", _("Classes proposed")
    ENROLLED = "enrolled", _("Enrolled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DemandListStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    ACCEPTED = "accepted", _("Accepted")


class ForecastStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review by industry departments")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published to the catalog")
    REJECTED = "rejected", _("Rejected")


class ProposalStatus(models.TextChoices):
    """An order class (订单班) proposed between an enterprise and an institution."""

    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed by both")
    DECLINED = "declined", _("Declined")
    DECLARED = "declared", _("Declared as a class")


class ReferralStatus(models.TextChoices):
    """培训就业直通车: a finished trainee referred to an enterprise's open demand."""

    REFERRED = "referred", _("Referred")
    INTERVIEWED = "interviewed", _("Interviewed")
    HIRED = "hired", _("Hired (reported)")
    CONFIRMED = "confirmed", _("Hire confirmed by insurance records")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")
