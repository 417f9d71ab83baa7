"""The demand forecast catalog (需求预测目录 / 急需紧缺职业), built each quarter."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
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
    history = models.JSONField(_("past quarters"), default=list, blank=True)
    predicted = models.DecimalField(_("forecast demand (people)"), max_digits=10,
                                    decimal_places=1)
    supply = models.DecimalField(_("expected supply (people)"), max_digits=10, decimal_places=1,
                                 default=0)
    gap = models.DecimalField(_("gap (people)"), max_digits=10, decimal_places=1, default=0)
    urgent = models.BooleanField(_("urgently needed"), default=False)
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
