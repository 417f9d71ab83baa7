"""Enterprise demand lists (企业需求清单, quarterly) and their lines."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.history import StatusHistoryEntry
from jineng.core.scoping import Scope, ScopedQuerySet, any_of, region_q
from jineng.demand.choices import DemandListStatus


class DemandListQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        by_region = region_q("region", scope)
        if by_region is not None and scope.sector and not scope.sees_persons:
            by_region &= Q(sector=scope.sector)  # industry departments: their sector
        return any_of(by_region,
                      Q(organization_id=scope.organization_id)
                      if scope.organization_id else None)


class DemandList(models.Model):
    """One enterprise's (or alliance's) list for one quarter. The filer is an organization of
    kind enterprise; for an alliance (就业培训联盟) `alliance_name` names it and the filer is its
    lead enterprise."""

    organization = models.ForeignKey("registry.Organization", verbose_name=_("enterprise"),
                                     on_delete=models.PROTECT, related_name="+")
    alliance_name = models.CharField(_("alliance"), max_length=100, blank=True)
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(_("sector"), max_length=30, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    status = models.CharField(_("status"), max_length=12, choices=DemandListStatus.choices,
                              default=DemandListStatus.DRAFT)
    status_changed_at = models.DateTimeField(_("status since"), auto_now_add=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DemandListQuerySet.as_manager()

    class Meta:
        verbose_name = _("demand list")
        verbose_name_plural = _("demand lists")
        ordering = ["-year", "-quarter", "organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "quarter"],
                                    name="demand_list_one_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4),
                                   name="demand_list_quarter_range"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}Q{self.quarter}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code

    @property
    def audit_organization_id(self) -> int:
        return self.organization_id


class DemandLine(models.Model):
    """One occupation × level the enterprise needs: how many, by when, at what wage, and
    whether it would take an order class (订单班)."""

    demand_list = models.ForeignKey(DemandList, verbose_name=_("demand list"),
                                    on_delete=models.CASCADE, related_name="lines")
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"),
                                   on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey("registry.SkillLevel", verbose_name=_("skill level"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    headcount = models.PositiveIntegerField(
        _("people needed"), validators=[MinValueValidator(1), MaxValueValidator(100000)])
    needed_by = models.DateField(_("needed by"))
    order_class_wanted = models.BooleanField(_("would take an order class"), default=False)
    wage_min = models.PositiveIntegerField(_("monthly wage from (yuan)"), null=True, blank=True)
    wage_max = models.PositiveIntegerField(_("monthly wage to (yuan)"), null=True, blank=True)
    filled = models.PositiveIntegerField(_("filled"), default=0)

    class Meta:
        verbose_name = _("demand line")
        verbose_name_plural = _("demand lines")
        ordering = ["demand_list", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(wage_min__isnull=True) | Q(wage_max__isnull=True)
                | Q(wage_min__lte=models.F("wage_max")),
                name="demand_line_wage_range"),
        ]

    def __str__(self) -> str:
        return f"{self.occupation} × {self.headcount}"


class DemandListStatusChangeQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return any_of(region_q("demand_list__region", scope),
                      Q(demand_list__organization_id=scope.organization_id)
                      if scope.organization_id else None)


class DemandListStatusChange(StatusHistoryEntry):
    demand_list = models.ForeignKey(DemandList, on_delete=models.CASCADE,
                                    related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=12, blank=True,
                                   choices=DemandListStatus.choices)
    to_status = models.CharField(_("status"), max_length=12, choices=DemandListStatus.choices)

    objects = DemandListStatusChangeQuerySet.as_manager()

    class Meta(StatusHistoryEntry.Meta):
        verbose_name = _("demand list status change")
        verbose_name_plural = _("demand list status changes")
