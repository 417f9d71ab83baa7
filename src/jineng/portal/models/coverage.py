"""The 30-minute circle's data: populated areas and their population by year and source, imported
travel-time matrices, coverage runs with their stored results, and site-placement proposals.

Zhejiang 二(二): 合理布局建设“30分钟职业技能培训圈” … 实现“县城—中心镇—重点村”发展轴培训基地、
站点全覆盖 (seeds/004_6a6ba3748db00ceb.txt). Definitions and formulas: docs/portal.md, Coverage.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet, region_q


class AreaKind(models.TextChoices):
    TOWN = "town", _("Town (乡镇街道)")
    VILLAGE = "village", _("Village (村社区)")
    GRID = "grid", _("Grid cell")


class Terrain(models.TextChoices):
    PLAIN = "plain", _("Plain")
    HILL = "hill", _("Hills")
    MOUNTAIN = "mountain", _("Mountains")


class Designation(models.TextChoices):
    """The places of Zhejiang's development axis “县城—中心镇—重点村”."""

    NONE = "", _("None")
    COUNTY_SEAT = "county_seat", _("County seat (县城)")
    CENTRAL_TOWN = "central_town", _("Central town (中心镇)")
    KEY_VILLAGE = "key_village", _("Key village (重点村)")


class PopulationSource(models.TextChoices):
    CENSUS = "census", _("Census (人口普查)")
    GRID = "grid", _("Gridded population (网格人口)")
    REGISTER = "register", _("Household register (户籍)")
    SYNTHETIC = "synthetic", _("Synthetic (demo, not real)")


class TravelMode(models.TextChoices):
    DRIVE = "drive", _("Car")
    BUS = "bus", _("Bus")
    EBIKE = "ebike", _("Electric bicycle")
    WALK = "walk", _("On foot")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class StaffAreaQuerySet(ScopedQuerySet):
    """Staff of a region see the areas of its counties; nobody else."""

    path = "county"

    def scope_filter(self, scope: Scope) -> Q | None:
        if scope.public:
            return None
        return region_q(self.path, scope)


class PopulationCountQuerySet(StaffAreaQuerySet):
    path = "area__county"


class TravelTimeQuerySet(StaffAreaQuerySet):
    path = "area__county"


class PopulationArea(models.Model):
    """A populated place — a town or village by its 9/12-digit statistical code, or a cell of a
    population grid — with the coordinates of its centre, its county (the smallest region of
    the registry it lies in), its terrain (for the travel model) and, where it is one, its
    place on the “县城—中心镇—重点村” axis. Not a registry region: towns and villages are not
    all loaded there, and grid cells never are."""

    code = models.CharField(_("area code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=AreaKind.choices)
    county = models.ForeignKey("registry.Region", verbose_name=_("county"),
                               on_delete=models.PROTECT, related_name="population_areas")
    town_code = models.CharField(_("town code"), max_length=20)
    town_name = models.CharField(_("town name"), max_length=100, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    terrain = models.CharField(_("terrain"), max_length=10, choices=Terrain.choices,
                               default=Terrain.HILL)
    designation = models.CharField(_("axis designation"), max_length=15, blank=True,
                                   choices=Designation.choices, default="")

    objects = StaffAreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("population area")
        verbose_name_plural = _("population areas")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(longitude__gte=73, longitude__lte=136),
                                   name="population_area_longitude_in_china"),
            models.CheckConstraint(condition=Q(latitude__gte=3, latitude__lte=54),
                                   name="population_area_latitude_in_china"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def audit_region_code(self) -> str:
        return self.county.code


class PopulationFile(models.Model):
    """One imported file (population or travel-time matrix), by the SHA-256 of its bytes: the
    same file sent twice counts once."""

    kind = models.CharField(_("kind"), max_length=20)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    filename = models.CharField(_("file name"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"))
    region_code = models.CharField(_("region"), max_length=12)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("imported by"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("population or travel-time file")
        verbose_name_plural = _("population and travel-time files")
        constraints = [models.UniqueConstraint(fields=["kind", "sha256"],
                                               name="population_file_once")]

    def __str__(self) -> str:
        return self.filename

    @property
    def audit_region_code(self) -> str:
        return self.region_code


class PopulationCount(models.Model):
    """The resident population of an area in a year, from a named source. One count per area
    and year: a different count for the same area and year is a conflict unless sent as a
    correction (which replaces it, audited with the old value)."""

    area = models.ForeignKey(PopulationArea, verbose_name=_("area"), on_delete=models.CASCADE,
                             related_name="counts")
    year = models.PositiveSmallIntegerField(_("year"))
    population = models.PositiveIntegerField(_("population"))
    source_kind = models.CharField(_("source kind"), max_length=10,
                                   choices=PopulationSource.choices)
    source = models.CharField(_("source"), max_length=200)
    file = models.ForeignKey(PopulationFile, verbose_name=_("file"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    corrected = models.BooleanField(_("corrected"), default=False)

    objects = PopulationCountQuerySet.as_manager()

    class Meta:
        verbose_name = _("population count")
        verbose_name_plural = _("population counts")
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="population_count_once"),
            models.CheckConstraint(condition=Q(year__gte=1950, year__lte=2100),
                                   name="population_count_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.year}: {self.population}"


class TravelTime(models.Model):
    """Minutes from an area to a training site, from a routing engine's matrix. Where an area
    has rows, they replace the straight-line model for it."""

    area = models.ForeignKey(PopulationArea, verbose_name=_("area"), on_delete=models.CASCADE,
                             related_name="travel_times")
    site = models.ForeignKey("registry.TrainingSite", verbose_name=_("training site"),
                             on_delete=models.CASCADE, related_name="+")
    minutes = models.DecimalField(_("minutes"), max_digits=6, decimal_places=1)
    mode = models.CharField(_("travel mode"), max_length=10, choices=TravelMode.choices)
    source = models.CharField(_("source"), max_length=200)
    file = models.ForeignKey(PopulationFile, verbose_name=_("file"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")

    objects = TravelTimeQuerySet.as_manager()

    class Meta:
        verbose_name = _("travel time")
        verbose_name_plural = _("travel times")
        constraints = [
            models.UniqueConstraint(fields=["area", "site", "mode"], name="travel_time_once"),
            models.CheckConstraint(condition=Q(minutes__gte=0, minutes__lte=1440),
                                   name="travel_time_minutes_range"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} → {self.site_id}: {self.minutes}"


class TravelSettingsQuerySet(ScopedQuerySet):
    """Staff read every region's travel parameters (they are not personal); the public none."""

    def scope_filter(self, scope: Scope) -> Q | None:
        if scope.public:
            return None
        return Q()


class TravelSettings(models.Model):
    """A dated set of the travel model's parameters for a province, city or county: the detour
    factor per terrain and the speed per travel mode and terrain (rules/travel.py). A coverage
    run reads, for each county, the most specific set in force on the run's day (the county's,
    else its city's, else its province's, else the built-in defaults) and records it. A
    recorded row never changes: a change is a new row from a later day."""

    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("valid from"))
    detour = models.JSONField(_("detour factor per terrain"), default=dict)
    speed_kmh = models.JSONField(_("speed (km/h) per travel mode and terrain"), default=dict)
    source = models.TextField(_("source of the figures"), blank=True)
    reason = models.TextField(_("reason"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = TravelSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = _("travel parameters")
        verbose_name_plural = _("travel parameters")
        ordering = ["region__code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["region", "valid_from"],
                                    name="travel_settings_unique_date"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.valid_from}"

    @property
    def version(self) -> str:
        """What a coverage run records as the parameters' version."""
        return f"{self.region.code} {self.valid_from.isoformat()} #{self.pk}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code


class RunQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if scope.public:  # the public summary: finished runs' shares per county
            return Q(status=RunStatus.SUCCEEDED)
        return region_q("region", scope)


class CoverageRun(models.Model):
    """One computation of the 30-minute circle for a region: its inputs (year, threshold, mode,
    the travel parameters' version and values) and its results — shares per county and town,
    the gaps and the axis check — stored as computed at `finished_at`."""

    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("population year"))
    threshold_minutes = models.PositiveSmallIntegerField(_("threshold (minutes)"), default=30)
    mode = models.CharField(_("travel mode"), max_length=10, choices=TravelMode.choices,
                            default=TravelMode.DRIVE)
    parameters = models.JSONField(_("travel parameters"), default=dict)
    travel_settings = models.ForeignKey(
        TravelSettings, verbose_name=_("travel parameters used"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="runs",
        help_text=_("the set in force for the run's region on its day; empty: the built-in "
                    "defaults"))
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices,
                              default=RunStatus.RUNNING)
    job_id = models.PositiveIntegerField(_("job"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    areas = models.PositiveIntegerField(_("areas"), default=0)
    sites = models.PositiveIntegerField(_("sites"), default=0)
    population = models.PositiveBigIntegerField(_("population"), default=0)
    covered = models.PositiveBigIntegerField(_("population covered"), default=0)
    synthetic = models.BooleanField(_("synthetic population"), default=False)
    sources = models.JSONField(_("population sources"), default=list)
    counties = models.JSONField(_("shares per county"), default=list)
    towns = models.JSONField(_("shares per town"), default=list)
    gaps = models.JSONField(_("gaps"), default=list)
    axis = models.JSONField(_("axis check"), default=list)
    error = models.CharField(_("error"), max_length=300, blank=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        verbose_name = _("coverage run")
        verbose_name_plural = _("coverage runs")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(threshold_minutes__gte=5,
                                               threshold_minutes__lte=180),
                                   name="coverage_run_threshold_range"),
            models.CheckConstraint(condition=Q(covered__lte=models.F("population")),
                                   name="coverage_run_covered_le_population"),
        ]

    def __str__(self) -> str:
        return f"coverage {self.region_id} {self.year} #{self.pk}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code

    @property
    def share(self) -> float | None:
        return round(self.covered / self.population, 4) if self.population else None


class ProposalQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if scope.public:
            return None
        return region_q("run__region", scope)


class PlacementProposal(models.Model):
    """k new sites chosen among candidate places to cover the most population a coverage run
    left uncovered (maximal covering location problem), each with its gain."""

    run = models.ForeignKey(CoverageRun, verbose_name=_("coverage run"),
                            on_delete=models.CASCADE, related_name="proposals")
    k = models.PositiveSmallIntegerField(_("new sites"))
    candidate_source = models.CharField(_("candidates"), max_length=200)
    candidates = models.PositiveIntegerField(_("number of candidates"))
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices,
                              default=RunStatus.RUNNING)
    solver_status = models.CharField(_("solver status"), max_length=20, blank=True)
    uncovered_before = models.PositiveBigIntegerField(_("uncovered population before"),
                                                      default=0)
    newly_covered = models.PositiveBigIntegerField(_("population newly covered"), default=0)
    choices = models.JSONField(_("chosen places"), default=list)
    job_id = models.PositiveIntegerField(_("job"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    created_at = models.DateTimeField(_("created at"))
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("placement proposal")
        verbose_name_plural = _("placement proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(k__gte=1, k__lte=500),
                                   name="placement_k_range"),
        ]

    def __str__(self) -> str:
        return f"placement {self.k} for run #{self.run_id}"

    @property
    def audit_region_code(self) -> str:
        return self.run.region.code
