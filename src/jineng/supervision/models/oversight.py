"""After the alerts: sanctions (suspend or remove an institution or evaluation institution,
bar a person from subsidies), spot checks (a reproducible stratified random sample with its
published seed) and inspections (巡查, on site or online, with findings and files)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet, region_q
from jineng.supervision.rules import inspections as insp
from jineng.supervision.rules import sanctions as sanc


class RegionStaffQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        # Inspectors and HRSS staff of the region subtree; never institutions or the public.
        if scope.region_prefix is None or not scope.sees_persons:
            return None
        return region_q("region", scope)


class SanctionKind(models.TextChoices):
    SUSPEND = sanc.SUSPEND, _("Suspend from the catalog")
    REMOVE = sanc.REMOVE, _("Remove from the catalog")
    BAR = sanc.BAR, _("Bar from subsidies")


class SanctionStatus(models.TextChoices):
    ACTIVE = sanc.ACTIVE, _("In force")
    LIFTED = sanc.LIFTED, _("Lifted")


class Sanction(models.Model):
    kind = models.CharField(_("sanction"), max_length=10, choices=SanctionKind.choices)
    organization = models.ForeignKey("registry.Organization", verbose_name=_("organization"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    alert = models.ForeignKey("supervision.RiskAlert", verbose_name=_("alert"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="sanctions")
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=8, choices=SanctionStatus.choices,
                              default=SanctionStatus.ACTIVE)
    imposed_by = models.CharField(_("imposed by"), max_length=150)
    imposed_at = models.DateTimeField(_("imposed"), auto_now_add=True)
    lifted_by = models.CharField(_("lifted by"), max_length=150, blank=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lift_reason = models.TextField(_("reason for lifting"), blank=True)

    objects = RegionStaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        ordering = ["-imposed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.organization_id or self.person_id}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code


class SpotCheck(models.Model):
    POPULATIONS = (("class", _("Classes")), ("claim", _("Subsidy claims")))

    population = models.CharField(_("population"), max_length=8, choices=POPULATIONS)
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    seed = models.CharField(_("seed"), max_length=64)
    confidence = models.FloatField(_("confidence"))
    margin = models.FloatField(_("margin of error"))
    parameters = models.JSONField(_("parameters"), default=dict)
    population_size = models.PositiveIntegerField(_("population size"))
    sample_size = models.PositiveIntegerField(_("sample size"))
    strata = models.JSONField(_("strata (population, drawn)"), default=dict)
    items = models.JSONField(_("drawn items"), default=list)
    created_by = models.CharField(_("drawn by"), max_length=150)
    created_at = models.DateTimeField(_("drawn"), auto_now_add=True)

    objects = RegionStaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pk} {self.seed}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code


class InspectionStatus(models.TextChoices):
    PLANNED = insp.PLANNED, _("Planned")
    DONE = insp.DONE, _("Done")
    CLOSED = insp.CLOSED, _("Closed")


class InspectionMode(models.TextChoices):
    ONSITE = insp.ONSITE, _("On site")
    ONLINE = insp.ONLINE, _("Online")


class Inspection(models.Model):
    mode = models.CharField(_("mode"), max_length=8, choices=InspectionMode.choices)
    status = models.CharField(_("status"), max_length=8, choices=InspectionStatus.choices,
                              default=InspectionStatus.PLANNED)
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    alert = models.ForeignKey("supervision.RiskAlert", verbose_name=_("alert"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="inspections")
    spot_check = models.ForeignKey(SpotCheck, verbose_name=_("spot check"), null=True,
                                   blank=True, on_delete=models.PROTECT,
                                   related_name="inspections")
    item_id = models.BigIntegerField(_("sampled item"), null=True, blank=True)
    planned_for = models.DateField(_("planned for"))
    findings = models.TextField(_("findings"), blank=True)
    inspector = models.CharField(_("inspector"), max_length=150)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = RegionStaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-planned_for", "-id"]

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code


class InspectionFile(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="files",
                                   verbose_name=_("inspection"))
    kind = models.CharField(_("kind"), max_length=10)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField(_("content"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection file")
        verbose_name_plural = _("inspection files")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "sha256"],
                                               name="inspection_file_once")]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.inspection.region.code
