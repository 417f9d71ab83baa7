"""Computed results: runs of the outcomes job, outcome measures per trainee, indicator values,
and the dated parameters (composite weights, small-cell threshold, linkage thresholds).

Measures and indicators are computed off the request path over a columnar snapshot (DuckDB
through Ibis, `outcomes.analytics`) and stored here by the run that computed them; pages show
the latest successful run and its time."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet, any_of, region_q
from jineng.outcomes.choices import Dimension, Indicator, RunStatus


class OutcomeRunQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        # A run covers the whole province; its record (times, counts) is for staff.
        return Q() if scope.region_prefix is not None else None


class OutcomeRun(models.Model):
    """One computation of every measure and indicator: when, over what, how long each step took."""

    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices,
                              default=RunStatus.QUEUED)
    engine = models.CharField(_("engine"), max_length=16, default="duckdb")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    job_id = models.BigIntegerField(_("background job"), null=True, blank=True)
    # Records are complete up to this month (inclusive); later quarters are "not yet known".
    data_through = models.DateField(_("records complete through"), null=True, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    snapshot_seconds = models.FloatField(_("snapshot seconds"), null=True, blank=True)
    compute_seconds = models.FloatField(_("compute seconds"), null=True, blank=True)
    store_seconds = models.FloatField(_("store seconds"), null=True, blank=True)
    trainees = models.PositiveIntegerField(_("trainees"), default=0)
    records = models.PositiveBigIntegerField(_("records"), default=0)
    indicator_values = models.PositiveIntegerField(_("indicator values"), default=0)
    error = models.TextField(_("error"), blank=True)

    objects = OutcomeRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("outcomes run")
        verbose_name_plural = _("outcomes runs")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One run at a time: a second request while one is queued or running is that run.
            models.UniqueConstraint(fields=["status"], condition=Q(status__in=["queued",
                                                                               "running"]),
                                    name="outcome_run_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.get_status_display()}"

    @property
    def audit_region_code(self) -> str:
        return ""


class OutcomeMeasureQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return any_of(
            region_q("region", scope) if scope.sees_persons else None,
            Q(institution_id=scope.organization_id) if scope.organization_id else None,
        )


class OutcomeMeasure(models.Model):
    """The outcomes of one trainee's exit (one enrollment; exit = the class's end date), as
    defined in docs/outcomes.md. A measure whose window has not yet passed `data_through` is
    empty (not known), never false."""

    run = models.ForeignKey(OutcomeRun, verbose_name=_("run"), on_delete=models.CASCADE,
                            related_name="measures")
    enrollment = models.OneToOneField("training.Enrollment", verbose_name=_("enrollment"),
                                      on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("registry.Person", verbose_name=_("trainee"),
                               on_delete=models.PROTECT, related_name="+")
    training_class = models.ForeignKey("training.TrainingClass", verbose_name=_("class"),
                                       on_delete=models.CASCADE, related_name="+")
    institution = models.ForeignKey("registry.Organization", verbose_name=_("institution"),
                                    on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    exit_date = models.DateField(_("exit (class end)"))
    completed = models.BooleanField(_("completed"), default=False)
    certified = models.BooleanField(_("certified"), default=False)
    level_up = models.BooleanField(_("reached a higher level"), default=False)
    demand_matched = models.BooleanField(_("in a needed occupation or order class"),
                                         default=False)
    employed_q2 = models.BooleanField(_("employed in the 2nd quarter after exit"), null=True)
    employed_q4 = models.BooleanField(_("employed in the 4th quarter after exit"), null=True)
    employed_3m = models.BooleanField(_("employed or self-employed within 3 months"),
                                      null=True)
    employed_6m = models.BooleanField(_("employed or self-employed within 6 months"),
                                      null=True)
    employed_12m = models.BooleanField(_("employed or self-employed within 12 months"),
                                       null=True)
    self_employed_12m = models.BooleanField(_("self-employed within 12 months"), null=True)
    stable_employment = models.BooleanField(_("stable employment (6 continuous months)"),
                                            null=True)
    wage_before = models.DecimalField(_("median wage base, 4 quarters before (yuan)"),
                                      max_digits=10, decimal_places=2, null=True)
    wage_after = models.DecimalField(_("median wage base, 4 quarters after (yuan)"),
                                     max_digits=10, decimal_places=2, null=True)
    wage_growth = models.FloatField(_("wage growth"), null=True)
    same_employer = models.BooleanField(_("same employer retained"), null=True)
    order_employer = models.BooleanField(_("employed by the order class's employer"),
                                         null=True)

    objects = OutcomeMeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("outcome measure")
        verbose_name_plural = _("outcome measures")
        ordering = ["exit_date", "id"]
        indexes = [models.Index(fields=["institution", "exit_date"], name="outcome_inst_exit"),
                   models.Index(fields=["person"], name="outcome_person")]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.exit_date}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code

    @property
    def audit_organization_id(self) -> int | None:
        return self.institution_id


class IndicatorValueQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        # Aggregates: readable by everyone; public pages ask the selectors, which suppress cells
        # below the threshold.
        return Q()


class IndicatorValue(models.Model):
    """One indicator for one cell: dimension (institution, training type, occupation, level,
    city, or the whole province) × key × exit period, with numerator, denominator and cell size
    (trainees) so every figure can be traced to its count."""

    run = models.ForeignKey(OutcomeRun, verbose_name=_("run"), on_delete=models.CASCADE,
                            related_name="indicators")
    indicator = models.CharField(_("indicator"), max_length=16, choices=Indicator.choices)
    dimension = models.CharField(_("dimension"), max_length=12, choices=Dimension.choices)
    key = models.CharField(_("key"), max_length=40, blank=True)
    label = models.CharField(_("label"), max_length=200, blank=True)
    period = models.CharField(_("exit period"), max_length=8,
                              help_text=_("A year (2025), a quarter (2025Q3) or “all”."))
    numerator = models.FloatField(_("numerator"), null=True)
    denominator = models.FloatField(_("denominator"), null=True)
    value = models.FloatField(_("value"), null=True)
    trainees = models.PositiveIntegerField(_("trainees"))

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "dimension", "key", "period"]
        constraints = [
            models.UniqueConstraint(fields=["run", "indicator", "dimension", "key", "period"],
                                    name="indicator_value_cell"),
        ]
        indexes = [models.Index(fields=["run", "dimension", "indicator", "period"],
                                name="indicator_lookup")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.dimension}:{self.key} {self.period}"

    @property
    def audit_region_code(self) -> str:
        return ""


class IndicatorSettingsQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return Q()


def _share() -> list:
    return [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]


class IndicatorSettings(models.Model):
    """The province's dated parameters: the composite's weights (summing to 1), the smallest
    cell shown on public pages, and the linker's thresholds. The row with the latest
    `valid_from` not after the run's day applies."""

    region = models.ForeignKey("registry.Region", verbose_name=_("province"),
                               on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("valid from"))
    weight_demand_match = models.DecimalField(_("weight: demand match"), max_digits=4,
                                              decimal_places=3, default=Decimal("0.2"),
                                              validators=_share())
    weight_pass_rate = models.DecimalField(_("weight: pass rate"), max_digits=4,
                                           decimal_places=3, default=Decimal("0.2"),
                                           validators=_share())
    weight_level_up = models.DecimalField(_("weight: level-up rate"), max_digits=4,
                                          decimal_places=3, default=Decimal("0.2"),
                                          validators=_share())
    weight_employment = models.DecimalField(_("weight: employment rate"), max_digits=4,
                                            decimal_places=3, default=Decimal("0.2"),
                                            validators=_share())
    weight_wage_growth = models.DecimalField(_("weight: wage growth"), max_digits=4,
                                             decimal_places=3, default=Decimal("0.2"),
                                             validators=_share())
    min_cell = models.PositiveSmallIntegerField(
        _("smallest cell shown publicly (trainees)"), default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)])
    link_auto_probability = models.FloatField(
        _("link automatically at or above this match probability"), default=0.99,
        validators=[MinValueValidator(0.5), MaxValueValidator(1.0)])
    link_review_probability = models.FloatField(
        _("propose for confirmation at or above this match probability"), default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    reason = models.TextField(_("reason"), blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = IndicatorSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator settings")
        verbose_name_plural = _("indicator settings")
        ordering = ["region__code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["region", "valid_from"],
                                    name="indicator_settings_unique_date"),
            models.CheckConstraint(
                condition=Q(link_review_probability__lte=models.F("link_auto_probability")),
                name="indicator_settings_thresholds_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.valid_from}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code
