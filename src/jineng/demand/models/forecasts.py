"""The demand forecast catalog (需求预测目录 / 急需紧缺职业), built each quarter."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jineng.core.history import StatusHistoryEntry
from jineng.core.scoping import Scope, ScopedQuerySet, region_q
from jineng.demand.choices import ForecastStatus


class ForecastQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        # Staff of the region (HRSS, industry departments, inspectors); published forecasts are
        # also read through the catalog's urgently-needed list.
        return region_q("region", scope)


class DemandForecast(models.Model):
    """One forecast run for a region and a target quarter: the method, its parameters, its
    error on past quarters (backtest), and the occupations it ranks."""

    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    method = models.CharField(_("method"), max_length=40)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    backtest = models.JSONField(_("error on past quarters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ForecastStatus.choices,
                              default=ForecastStatus.DRAFT)
    status_changed_at = models.DateTimeField(_("status since"), auto_now_add=True)
    catalog_version_id = models.BigIntegerField(_("catalog version published"), null=True,
                                                blank=True)
    built_at = models.DateTimeField(_("built"), auto_now_add=True)
    built_by = models.CharField(_("built by"), max_length=150, blank=True)

    objects = ForecastQuerySet.as_manager()

    class Meta:
        verbose_name = _("demand forecast")
        verbose_name_plural = _("demand forecasts")
        ordering = ["-year", "-quarter", "region__code"]
        constraints = [
            # One live forecast per region and quarter (a rejected one may be built again).
            models.UniqueConstraint(fields=["region", "year", "quarter"],
                                    condition=~Q(status=ForecastStatus.REJECTED),
                                    name="forecast_one_live_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4),
                                   name="forecast_quarter_range"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}Q{self.quarter}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code


class ForecastLine(models.Model):
    """One occupation in a forecast: the history it was built from, the forecast, and whether
    it is proposed as urgently needed, with the reasons."""

    forecast = models.ForeignKey(DemandForecast, verbose_name=_("forecast"),
                                 on_delete=models.CASCADE, related_name="lines")
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"),
                                   on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(_("sector"), max_length=30, blank=True)
    history = models.JSONField(_("past quarters"), default=list, blank=True)
    method = models.CharField(_("method"), max_length=40, blank=True)
    backtest = models.JSONField(_("error on past quarters"), default=dict, blank=True)
    filed = models.PositiveIntegerField(_("already filed for the quarter"), default=0)
    vacancies = models.PositiveIntegerField(_("open vacancies"), default=0)
    trainees = models.PositiveIntegerField(_("trainees finishing in the quarter"), default=0)
    wishes = models.PositiveIntegerField(_("training wishes"), default=0)
    predicted = models.DecimalField(_("forecast demand (people)"), max_digits=10,
                                    decimal_places=1)
    supply = models.DecimalField(_("expected supply (people)"), max_digits=10, decimal_places=1,
                                 default=0)
    gap = models.DecimalField(_("gap (people)"), max_digits=10, decimal_places=1, default=0)
    urgent = models.BooleanField(_("urgently needed"), default=False)
    urgency = models.CharField(_("urgency"), max_length=10, blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    reviewed_note = models.TextField(_("review note"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("forecast line")
        verbose_name_plural = _("forecast lines")
        ordering = ["forecast", "-gap", "id"]
        constraints = [models.UniqueConstraint(fields=["forecast", "occupation"],
                                               name="forecast_line_one_per_occupation")]

    def __str__(self) -> str:
        return f"{self.occupation} {self.predicted}"


class LineReviewQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return region_q("line__forecast__region", scope)


class ForecastLineReview(models.Model):
    """An industry department's word on one line while the forecast is in review: agreed, or
    a comment (with a proposed figure where it disagrees). The line's review history."""

    class Verdict(models.TextChoices):
        AGREE = "agree", _("Agreed")
        COMMENT = "comment", _("Comment")
        DISAGREE = "disagree", _("Disagreed")

    line = models.ForeignKey(ForecastLine, verbose_name=_("forecast line"),
                             on_delete=models.CASCADE, related_name="reviews")
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    proposed = models.PositiveIntegerField(_("proposed demand (people)"), null=True,
                                           blank=True)
    sector = models.CharField(_("sector"), max_length=50, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_username = models.CharField(_("by"), max_length=150, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    objects = LineReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("forecast line review")
        verbose_name_plural = _("forecast line reviews")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.line_id} {self.verdict}"


class ForecastStatusChangeQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return region_q("forecast__region", scope)


class ForecastStatusChange(StatusHistoryEntry):
    forecast = models.ForeignKey(DemandForecast, on_delete=models.CASCADE,
                                 related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=12, blank=True,
                                   choices=ForecastStatus.choices)
    to_status = models.CharField(_("status"), max_length=12, choices=ForecastStatus.choices)

    objects = ForecastStatusChangeQuerySet.as_manager()

    class Meta(StatusHistoryEntry.Meta):
        verbose_name = _("forecast status change")
        verbose_name_plural = _("forecast status changes")
