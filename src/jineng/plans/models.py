"""Plans and targets: policy plans loaded from packs, targets decomposed down the region tree,
the fact table progress is computed from, and quarterly reports.

Scope: staff see a plan when their region and the plan's region are on one branch of the tree
(a province plan is seen by its cities' and counties' staff; a city plan by its province's
staff). Below the plan's region each level sees its own allocations and those under it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet, any_of, region_q
from jineng.plans.choices import (
    ChecklistStatus,
    Comparator,
    DecompositionMethod,
    ReportStatus,
)

PREFIX_LENGTHS = (2, 4, 6, 9, 12)
# Every figure column is numeric(14, 2): below 10^12 either way.
FIGURE_LIMIT = 10 ** 12


def _prefixes_of(prefix: str) -> list[str]:
    """Every ancestor prefix of a scope prefix: "520102" → ["52", "5201", "520102"]."""
    return [prefix[:n] for n in PREFIX_LENGTHS if n <= len(prefix)]


def plan_scope_q(scope: Scope, path: str = "") -> Q | None:
    """Plans on the actor's branch of the region tree (above or below the actor's region)."""
    if scope.public or scope.region_prefix is None:
        return None
    return Q(**{f"{path}region_prefix__startswith": scope.region_prefix}) | Q(
        **{f"{path}region_prefix__in": _prefixes_of(scope.region_prefix)})


class PlanQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return plan_scope_q(scope)


class Plan(models.Model):
    """One policy plan, loaded from a policy pack (packs/*.yaml). The pack's text is kept as
    loaded (`pack_text`, `pack_sha256`), so every target can show the clause it comes from."""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    pack_key = models.CharField(_("pack"), max_length=80)
    title = models.CharField(_("title"), max_length=300)
    short_title = models.CharField(_("short title"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=80, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    source = models.CharField(_("source text"), max_length=200, blank=True)
    status_note = models.CharField(_("status"), max_length=200, blank=True)
    decomposition_note = models.TextField(_("decomposition note"), blank=True)
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    region_prefix = models.CharField(_("region prefix"), max_length=12, editable=False)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), null=True, blank=True)
    programs = models.JSONField(_("programs"), default=dict, blank=True,
                                help_text=_("Program key → {name, parent}."))
    reporting_frequency = models.CharField(_("reporting"), max_length=20, blank=True)
    pack_text = models.TextField(_("pack as loaded"))
    pack_sha256 = models.CharField(_("pack checksum"), max_length=64)
    is_demo = models.BooleanField(_("demo plan"), default=False)
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("loaded by"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-period_start", "key"]

    def __str__(self) -> str:
        return self.short_title

    def save(self, *args, **kwargs) -> None:
        self.region_prefix = self.region.scope_prefix
        super().save(*args, **kwargs)

    @property
    def program_names(self) -> dict[str, str]:
        return {key: p["name"] for key, p in self.programs.items()}

    def program_family(self, key: str) -> tuple[str, ...]:
        """A program and every program below it (facts are tagged with the finest one)."""
        family = [key]
        for candidate, p in self.programs.items():
            parent = p.get("parent", "")
            while parent:
                if parent == key:
                    family.append(candidate)
                    break
                parent = self.programs.get(parent, {}).get("parent", "")
        return tuple(family)

    @property
    def audit_region_code(self) -> str:
        return self.region.code


class TargetQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return plan_scope_q(scope, "plan__")


class Target(models.Model):
    """A numeric target of a plan for the plan's whole region, exactly as the pack states it
    (metric, value, dimensions, clause and quote). Regions below get TargetAllocations."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE,
                             related_name="targets")
    key = models.CharField(_("key"), max_length=80)
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=300)
    metric = models.CharField(_("metric"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10)
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    comparator = models.CharField(_("comparator"), max_length=10, choices=Comparator.choices,
                                  default=Comparator.AT_LEAST)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    region = models.ForeignKey("registry.Region", verbose_name=_("region"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    each = models.CharField(_("for each"), max_length=10, blank=True)
    sector = models.CharField(_("sector"), max_length=40, blank=True)
    key_group = models.CharField(_("key group"), max_length=40, blank=True)
    training_type = models.CharField(_("training type"), max_length=40, blank=True)
    program = models.CharField(_("program"), max_length=80, blank=True)
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    part_of = models.CharField(_("part of"), max_length=80, blank=True)
    of_which = models.CharField(_("of which"), max_length=80, blank=True)
    parts = models.CharField(_("parts"), max_length=12, blank=True)
    clause = models.CharField(_("clause"), max_length=80)
    quote = models.TextField(_("quote"))
    departments = models.JSONField(_("responsible departments"), default=list, blank=True)
    brands = models.JSONField(_("skill brands"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    line = models.PositiveIntegerField(_("line in pack"), null=True, blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"],
                                               name="plans_target_unique_key")]

    def __str__(self) -> str:
        return f"{self.plan.short_title} · {self.title}"

    @property
    def audit_region_code(self) -> str:
        return self.plan.region.code

    @property
    def is_decomposable(self) -> bool:
        return self.kind == "count" and not self.each

    @property
    def cut_labels(self) -> list[str]:
        """The sector, key group, training type, program and carrier, in the policies' terms."""
        from jineng.plans.rules import vocabulary as v

        out = [words.get(getattr(self, name), getattr(self, name))
               for name, words in (("sector", v.SECTORS), ("key_group", v.KEY_GROUPS),
                                   ("training_type", v.TRAINING_TYPES),
                                   ("carrier", v.CARRIERS))
               if getattr(self, name)]
        if self.program:
            out.append(self.plan.program_names.get(self.program, self.program))
        return out


class AllocationQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if scope.public:
            return None
        return region_q("region", scope)


class TargetAllocation(models.Model):
    """A target's share for one region below the plan's region, set by decomposition. The
    shares of one parent's children add up exactly to the parent's value (checked by the
    decomposition service when they are written)."""

    target = models.ForeignKey(Target, verbose_name=_("target"), on_delete=models.CASCADE,
                               related_name="allocations")
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    parent_region = models.ForeignKey("registry.Region", verbose_name=_("split from"),
                                      on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    method = models.CharField(_("method"), max_length=12, choices=DecompositionMethod.choices)
    base = models.CharField(_("base"), max_length=30, blank=True)
    weight = models.DecimalField(_("base value"), max_digits=18, decimal_places=2, null=True,
                                 blank=True)
    decided_at = models.DateTimeField(_("decided"), auto_now=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = AllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("target allocation")
        verbose_name_plural = _("target allocations")
        ordering = ["target", "region__code"]
        constraints = [models.UniqueConstraint(fields=["target", "region"],
                                               name="plans_allocation_unique_region")]

    def __str__(self) -> str:
        return f"{self.target.title} · {self.region.name}: {self.value}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code


class ChecklistQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return plan_scope_q(scope, "plan__")


class ChecklistItem(models.Model):
    """A qualitative measure of a plan (a mechanism to put in place), with its clause and the
    province's record of where it stands."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE,
                             related_name="checklist")
    key = models.CharField(_("key"), max_length=80)
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=400)
    clause = models.CharField(_("clause"), max_length=80)
    quote = models.TextField(_("quote"))
    value = models.DecimalField(_("number stated"), max_digits=14, decimal_places=2, null=True,
                                blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    departments = models.JSONField(_("responsible departments"), default=list, blank=True)
    brands = models.JSONField(_("skill brands"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ChecklistStatus.choices,
                              default=ChecklistStatus.OPEN)
    status_note = models.TextField(_("status note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ChecklistQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"],
                                               name="plans_checklist_unique_key")]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_region_code(self) -> str:
        return self.plan.region.code


class FactQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if scope.public:
            return None
        return any_of(
            Q(region_code__startswith=scope.region_prefix) if scope.region_prefix else None,
            Q(organization_id=scope.organization_id) if scope.organization_id else None,
        )


class ActualFact(models.Model):
    """One contribution to an actual: `value` units of `metric` on `day` in a region (county
    or below), optionally for an institution and cut by sector, key group (the trainee's one
    primary group, so sums do not double count), training type and program.

    Written by the services that own the records (training, assessment, subsidy, outcomes)
    through plans.services.actual_fact_add / actual_facts_add_many; a `source_ref` makes a
    fact count once however often it is sent. Corrections are new facts with negative values.
    The demo writes facts with source "demo.synthetic"."""

    metric = models.CharField(_("metric"), max_length=40)
    day = models.DateField(_("day"))
    region_code = models.CharField(_("region code"), max_length=12)
    county_code = models.CharField(_("county code"), max_length=6, editable=False,
                                   help_text=_("The first six digits of the region code."))
    organization = models.ForeignKey("registry.Organization", verbose_name=_("institution"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    sector = models.CharField(_("sector"), max_length=40, blank=True, default="")
    key_group = models.CharField(_("key group"), max_length=40, blank=True, default="")
    training_type = models.CharField(_("training type"), max_length=40, blank=True, default="")
    program = models.CharField(_("program"), max_length=80, blank=True, default="")
    value = models.BigIntegerField(_("value"), default=1)
    source = models.CharField(_("source"), max_length=40)
    source_ref = models.CharField(_("source reference"), max_length=120, null=True, blank=True,
                                  unique=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = FactQuerySet.as_manager()

    class Meta:
        verbose_name = _("actual fact")
        verbose_name_plural = _("actual facts")
        indexes = [
            models.Index(fields=["county_code", "metric", "day"], name="plans_fact_county"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.day} {self.region_code} +{self.value}"

    def save(self, *args, **kwargs) -> None:
        self.county_code = self.region_code[:6]
        super().save(*args, **kwargs)


class RollupQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if scope.public or scope.region_prefix is None:
            return None
        return Q(region_code__startswith=scope.region_prefix) | Q(
            region_code__in=[p.ljust(6, "0") for p in _prefixes_of(scope.region_prefix)])


class ActualRollup(models.Model):
    """Pre-aggregated facts for the dashboards: the day's total of a metric for one province,
    city or county, overall (dimension "") or by one dimension value; for province and city
    also by each combination of cuts a plan's target asks for (dimension "cut", value: its
    key, see actuals.cut_key). County rows are kept overall only. Maintained by
    plans.services (incrementally on each fact, or rebuilt for a window of days, set-based);
    never written by hand."""

    metric = models.CharField(_("metric"), max_length=40)
    day = models.DateField(_("day"))
    level = models.CharField(_("level"), max_length=10)
    region_code = models.CharField(_("region code"), max_length=12)
    parent_code = models.CharField(_("parent region code"), max_length=12, blank=True)
    dimension = models.CharField(_("dimension"), max_length=20, blank=True)
    dimension_value = models.CharField(_("dimension value"), max_length=80, blank=True)
    value = models.BigIntegerField(_("value"), default=0)

    objects = RollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("actual rollup")
        verbose_name_plural = _("actual rollups")
        constraints = [models.UniqueConstraint(
            fields=["metric", "day", "region_code", "dimension", "dimension_value"],
            name="plans_rollup_unique")]
        # Covering indexes: the dashboards' sums are answered from the index alone.
        indexes = [
            models.Index(fields=["region_code", "metric", "day", "dimension",
                                 "dimension_value", "value"], name="plans_rollup_region"),
            models.Index(fields=["parent_code", "dimension", "metric", "day", "region_code",
                                 "value"], name="plans_rollup_children"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.day} {self.region_code} {self.dimension}={self.value}"


class ReportQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if scope.public:
            return None
        return region_q("region", scope)


class QuarterlyReport(models.Model):
    """A region's (or a department's) quarterly progress report on a plan (按季度报送):
    drafted pre-filled from jineng, submitted, then reviewed or returned by the level above."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE,
                             related_name="reports")
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    department = models.CharField(_("department"), max_length=100, blank=True,
                                  help_text=_("Empty for the region's HRSS department."))
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices,
                              default=ReportStatus.DRAFT)
    summary = models.TextField(_("summary"), blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("prepared by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("quarterly report")
        verbose_name_plural = _("quarterly reports")
        ordering = ["-year", "-quarter", "region__code", "department"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "region", "department", "year", "quarter"],
                                    name="plans_report_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4),
                                   name="plans_report_quarter_range"),
        ]

    def __str__(self) -> str:
        who = self.department or self.region.name
        return f"{self.plan.short_title} · {who} · {self.year}Q{self.quarter}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code

    @property
    def is_editable(self) -> bool:
        return self.status in {ReportStatus.DRAFT, ReportStatus.RETURNED}


class QuarterlyReportLine(models.Model):
    """One target's figures in a quarterly report: what jineng counted for the quarter and
    cumulatively (pre-filled), and what the region reports, with its comment."""

    report = models.ForeignKey(QuarterlyReport, verbose_name=_("report"),
                               on_delete=models.CASCADE, related_name="lines")
    target = models.ForeignKey(Target, verbose_name=_("target"), on_delete=models.CASCADE,
                               related_name="+")
    target_value = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True,
                                       blank=True)
    prefilled_quarter = models.DecimalField(_("jineng, this quarter"), max_digits=14,
                                            decimal_places=2, null=True, blank=True)
    prefilled_cumulative = models.DecimalField(_("jineng, cumulative"), max_digits=14,
                                               decimal_places=2, null=True, blank=True)
    reported_quarter = models.DecimalField(_("reported, this quarter"), max_digits=14,
                                           decimal_places=2, null=True, blank=True)
    reported_cumulative = models.DecimalField(_("reported, cumulative"), max_digits=14,
                                              decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("report line")
        verbose_name_plural = _("report lines")
        ordering = ["report", "target__position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "target"], name="plans_report_line_unique"),
            # A figure outside numeric(14, 2) made the record unreadable (SQLite kept it).
            *(models.CheckConstraint(
                condition=models.Q(**{f"{name}__isnull": True})
                | models.Q(**{f"{name}__gt": -FIGURE_LIMIT, f"{name}__lt": FIGURE_LIMIT}),
                name=f"plans_report_line_{name}_range")
              for name in ("reported_quarter", "reported_cumulative")),
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.target.title}"
