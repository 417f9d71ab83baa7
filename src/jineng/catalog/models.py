"""Catalogs: versioned, dated, published lists that decide what is subsidized, who may train and
who may assess (目录清单管理, 两目录一系统).

Catalog → CatalogVersion → entries of the catalog's kind. A province publishes the base catalog;
a city or county files a supplement (补充目录) whose `base` is the province's catalog; it takes
effect once the province approves it. Versions go draft → review → published; a published
version is never edited: a new version is issued, and publishing it cuts the previous one to
end the day before. The model refuses edits of published versions and of their entries, and
database triggers refuse them too (migration 0002).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from jineng.catalog.choices import (
    PUBLIC_STATUSES,
    CatalogKind,
    QualificationCategory,
    TrainingType,
    Urgency,
    VersionStatus,
)
from jineng.core.scoping import Scope, ScopedQuerySet

FROZEN_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)


class ImmutableVersion(Exception):
    """Raised when code tries to change a published version or its entries."""


# --- catalogs and versions --------------------------------------------------------------------

class CatalogQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        published = Q(Exists(CatalogVersion.objects.filter(
            catalog=OuterRef("pk"), status__in=PUBLIC_STATUSES)))
        if scope.region_prefix is not None:
            return published | Q(region__code__startswith=scope.region_prefix)
        return published


class Catalog(models.Model):
    """One catalog of one kind issued by one region: a province's base catalog, or a city's or
    county's supplement (`base` set) filed with the province."""

    kind = models.CharField(_("kind"), max_length=24, choices=CatalogKind.choices)
    region = models.ForeignKey("registry.Region", verbose_name=_("issuing region"),
                               on_delete=models.PROTECT, related_name="catalogs")
    title = models.CharField(_("title"), max_length=200)
    base = models.ForeignKey("self", verbose_name=_("base catalog"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="supplements",
                             help_text=_("Set for a supplement: the province's base catalog."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CatalogQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalog")
        verbose_name_plural = _("catalogs")
        ordering = ["kind", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "region"], name="catalog_one_per_kind_region"),
            models.CheckConstraint(condition=~Q(base=F("pk")), name="catalog_not_own_base"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_supplement(self) -> bool:
        return self.base_id is not None

    @property
    def audit_region_code(self) -> str:
        return self.region.code


class CatalogVersionQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return version_scope_q(scope)

    def public(self) -> CatalogVersionQuerySet:
        return self.filter(status__in=PUBLIC_STATUSES)


def version_scope_q(scope: Scope, path: str = "") -> Q:
    """Published versions for everyone; drafts and filings for staff governing the issuer."""
    published = Q(**{f"{path}status__in": PUBLIC_STATUSES})
    if scope.region_prefix is not None:
        return published | Q(**{f"{path}catalog__region__code__startswith": scope.region_prefix})
    return published


class CatalogVersion(models.Model):
    """One version of a catalog with its effective period. `effective_to` is the end now (cut
    when a successor took effect); `declared_effective_to` is the end as published, so the
    catalog "as known at" any past moment can be reconstructed."""

    catalog = models.ForeignKey(Catalog, verbose_name=_("catalog"), on_delete=models.PROTECT,
                                related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices,
                              default=VersionStatus.DRAFT)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    declared_effective_to = models.DateField(_("effective until (as published)"), null=True,
                                             blank=True)
    change_note = models.TextField(_("change note"), blank=True)
    based_on = models.ForeignKey("self", verbose_name=_("copied from"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    objects = CatalogVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalog version")
        verbose_name_plural = _("catalog versions")
        ordering = ["catalog", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["catalog", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["catalog"], condition=Q(status__in=["draft", "review"]),
                name="version_one_open_per_catalog"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="version_end_after_start"),
            models.CheckConstraint(
                condition=Q(declared_effective_to__isnull=True)
                | Q(declared_effective_to__gte=F("effective_from")),
                name="version_declared_end_after_start"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "review", "rejected"])
                | Q(published_at__isnull=False),
                name="version_published_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.catalog.title} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if getattr(self, "_loaded_status", None) in FROZEN_STATUSES:
            raise ImmutableVersion("A published catalog version cannot be changed; "
                                   "issue a new version.")
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def delete(self, *args, **kwargs):
        if self.status != VersionStatus.DRAFT:
            raise ImmutableVersion("Only a draft version can be discarded.")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def audit_region_code(self) -> str:
        return self.catalog.region.code


# --- entries ----------------------------------------------------------------------------------

class EntryQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return version_scope_q(scope, "version__")


class CatalogEntry(models.Model):
    """Fields every entry has: its version, an optional own period inside the version's (an
    institution listed for two years only, a temporary standard), and for supplements whether
    it deliberately overrides the base catalog (with the reason)."""

    valid_from = models.DateField(_("valid from"), null=True, blank=True,
                                  help_text=_("Empty: from the version's start."))
    valid_to = models.DateField(_("valid until"), null=True, blank=True,
                                help_text=_("Empty: until the version ends."))
    overrides_base = models.BooleanField(
        _("overrides the base catalog"), default=False,
        help_text=_("Supplements only: this entry deliberately differs from the base catalog."))
    override_reason = models.CharField(_("reason for overriding"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    source_row = models.PositiveIntegerField(_("row in imported file"), null=True, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        ensure_draft(self.version_id)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        ensure_draft(self.version_id)
        return super().delete(*args, **kwargs)

    @property
    def audit_region_code(self) -> str:
        return self.version.catalog.region.code


def ensure_draft(version_id: int | None) -> None:
    status = (CatalogVersion.objects.filter(pk=version_id).values_list("status", flat=True)
              .first())
    if status != VersionStatus.DRAFT:
        raise ImmutableVersion("Entries can be changed only in a draft version.")


def _period_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True)
        | Q(valid_to__gte=F("valid_from")),
        name=name)


class SubsidyStandardEntry(CatalogEntry):
    """职业技能培训补贴标准目录: occupation × skill level (or a special ability item, 专项职业能力)
    × region (its subtree) × training type → the standard amount per trainee in yuan, the class
    hours required, the minimum attendance share, the cost-share ratios (政府补一点、企业出一点、
    个人付一点), uplifts for urgently-needed occupations and key groups, and the material-cost
    part of the amount (实训耗材)."""

    version = models.ForeignKey(CatalogVersion, on_delete=models.PROTECT,
                                related_name="subsidy_entries", verbose_name=_("version"))
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    skill_level = models.ForeignKey("registry.SkillLevel", verbose_name=_("skill level"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    special_ability_item = models.CharField(
        _("special ability item"), max_length=100, blank=True,
        help_text=_("A 专项职业能力 item or a project without a skill level."))
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    training_type = models.CharField(_("training type"), max_length=20,
                                     choices=TrainingType.choices)
    amount = models.DecimalField(_("standard amount (yuan)"), max_digits=10, decimal_places=2)
    required_hours = models.PositiveIntegerField(_("required class hours"))
    min_attendance_share = models.DecimalField(_("minimum attendance share"), max_digits=4,
                                               decimal_places=3)
    government_share = models.DecimalField(_("government share"), max_digits=4,
                                           decimal_places=3, default=1)
    enterprise_share = models.DecimalField(_("enterprise share"), max_digits=4,
                                           decimal_places=3, default=0)
    individual_share = models.DecimalField(_("individual share"), max_digits=4,
                                           decimal_places=3, default=0)
    urgent_uplift = models.DecimalField(_("uplift for urgently-needed occupations"),
                                        max_digits=4, decimal_places=3, default=0)
    key_group_uplift = models.DecimalField(_("uplift for key groups"), max_digits=4,
                                           decimal_places=3, default=0)
    material_cost = models.DecimalField(_("material cost (yuan)"), max_digits=10,
                                        decimal_places=2, default=0)

    class Meta:
        verbose_name = _("subsidy standard")
        verbose_name_plural = _("subsidy standards")
        ordering = ["version", "occupation__code", "occupation__name", "skill_level__rank",
                    "special_ability_item", "region__code", "training_type", "valid_from", "id"]
        indexes = [models.Index(fields=["version", "occupation", "skill_level", "training_type"])]
        constraints = [
            _period_constraint("subsidy_period"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="subsidy_amount_positive"),
            models.CheckConstraint(condition=Q(material_cost__gte=0)
                                   & Q(material_cost__lte=F("amount")),
                                   name="subsidy_material_within_amount"),
            models.CheckConstraint(condition=Q(required_hours__gt=0),
                                   name="subsidy_hours_positive"),
            models.CheckConstraint(condition=Q(min_attendance_share__gt=0,
                                               min_attendance_share__lte=1),
                                   name="subsidy_attendance_share_range"),
            models.CheckConstraint(
                condition=Q(government_share__gte=0, government_share__lte=1,
                            enterprise_share__gte=0, enterprise_share__lte=1,
                            individual_share__gte=0, individual_share__lte=1),
                name="subsidy_shares_range"),
            models.CheckConstraint(
                condition=(Q(skill_level__isnull=False, occupation__isnull=False,
                             special_ability_item="")
                           | (Q(skill_level__isnull=True) & ~Q(special_ability_item=""))),
                name="subsidy_level_or_item"),
        ]

    def __str__(self) -> str:
        subject = self.special_ability_item or f"{self.occupation.name} {self.skill_level.name}"
        return f"{subject} · {self.get_training_type_display()} · {self.amount}"


class InstitutionCatalogEntry(CatalogEntry):
    """培训机构目录: a training institution may deliver subsidized training for an occupation
    (or special ability item) between two skill levels, at the listed sites (none listed: at
    every site it has registered), for the entry's period."""

    version = models.ForeignKey(CatalogVersion, on_delete=models.PROTECT,
                                related_name="institution_entries", verbose_name=_("version"))
    organization = models.ForeignKey("registry.Organization", verbose_name=_("institution"),
                                     on_delete=models.PROTECT, related_name="+")
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    special_ability_item = models.CharField(_("special ability item"), max_length=100,
                                            blank=True)
    min_level = models.ForeignKey("registry.SkillLevel", verbose_name=_("lowest level"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    max_level = models.ForeignKey("registry.SkillLevel", verbose_name=_("highest level"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    sites = models.ManyToManyField("registry.TrainingSite", verbose_name=_("training sites"),
                                   blank=True, related_name="+")

    class Meta:
        verbose_name = _("listed training institution")
        verbose_name_plural = _("listed training institutions")
        ordering = ["version", "organization__name", "occupation__name",
                    "special_ability_item", "valid_from", "id"]
        constraints = [
            _period_constraint("institution_period"),
            models.CheckConstraint(
                condition=Q(occupation__isnull=False) | ~Q(special_ability_item=""),
                name="institution_occupation_or_item"),
        ]

    def __str__(self) -> str:
        return f"{self.organization.name} · {self.occupation or self.special_ability_item}"


class EvaluationCatalogEntry(CatalogEntry):
    """评价机构目录: who may assess an occupation between two levels — an evaluation institution,
    or an enterprise approved for self-evaluation (企业自主评价) of its own or its chain's
    workers; assessing 特级技师/首席技师 needs the enterprise's filing (备案, Henan (二))."""

    version = models.ForeignKey(CatalogVersion, on_delete=models.PROTECT,
                                related_name="evaluation_entries", verbose_name=_("version"))
    organization = models.ForeignKey("registry.Organization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="+")
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    special_ability_item = models.CharField(_("special ability item"), max_length=100,
                                            blank=True)
    min_level = models.ForeignKey("registry.SkillLevel", verbose_name=_("lowest level"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    max_level = models.ForeignKey("registry.SkillLevel", verbose_name=_("highest level"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    self_evaluation = models.BooleanField(_("enterprise self-evaluation"), default=False)
    evaluation_scope = models.CharField(
        _("who may be assessed"), max_length=100, blank=True,
        help_text=_("For self-evaluation: e.g. the enterprise's own workers, or its skills "
                    "ecosystem chain."))
    top_filing_number = models.CharField(_("特级技师/首席技师 filing number"), max_length=60,
                                         blank=True)
    top_filing_date = models.DateField(_("filing date"), null=True, blank=True)

    class Meta:
        verbose_name = _("listed evaluation institution")
        verbose_name_plural = _("listed evaluation institutions")
        ordering = ["version", "organization__name", "occupation__name",
                    "special_ability_item", "valid_from", "id"]
        constraints = [
            _period_constraint("evaluation_period"),
            models.CheckConstraint(
                condition=Q(occupation__isnull=False) | ~Q(special_ability_item=""),
                name="evaluation_occupation_or_item"),
        ]

    def __str__(self) -> str:
        return f"{self.organization.name} · {self.occupation or self.special_ability_item}"


class QualificationEntry(CatalogEntry):
    """职业资格目录: a vocational qualification (access 准入类 or level-evaluation 水平评价类),
    the occupation it concerns, who administers it and on what legal basis."""

    version = models.ForeignKey(CatalogVersion, on_delete=models.PROTECT,
                                related_name="qualification_entries", verbose_name=_("version"))
    name = models.CharField(_("qualification"), max_length=150)
    category = models.CharField(_("category"), max_length=10,
                                choices=QualificationCategory.choices)
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    authority = models.CharField(_("administered by"), max_length=150, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("vocational qualification")
        verbose_name_plural = _("vocational qualifications")
        ordering = ["version", "category", "name", "valid_from", "id"]
        constraints = [_period_constraint("qualification_period")]

    def __str__(self) -> str:
        return self.name


class UrgentOccupationEntry(CatalogEntry):
    """急需紧缺职业(工种)目录 and 需求预测目录: an occupation short in a region (and sector), how
    short, and the forecast demand and shortfall for a year. Subsidy standards' urgent uplift
    applies to occupations listed here."""

    version = models.ForeignKey(CatalogVersion, on_delete=models.PROTECT,
                                related_name="urgent_entries", verbose_name=_("version"))
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"),
                                   on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(_("sector"), max_length=50, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    forecast_year = models.PositiveSmallIntegerField(_("forecast year"), null=True, blank=True)
    forecast_demand = models.PositiveIntegerField(_("forecast demand (persons)"), null=True,
                                                  blank=True)
    forecast_shortfall = models.PositiveIntegerField(_("forecast shortfall (persons)"),
                                                     null=True, blank=True)
    source_department = models.CharField(_("reported by"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("urgently-needed occupation")
        verbose_name_plural = _("urgently-needed occupations")
        ordering = ["version", "occupation__name", "region__code", "sector", "valid_from", "id"]
        constraints = [
            _period_constraint("urgent_period"),
            models.CheckConstraint(
                condition=Q(forecast_shortfall__isnull=True) | Q(forecast_demand__isnull=True)
                | Q(forecast_shortfall__lte=F("forecast_demand")),
                name="urgent_shortfall_within_demand"),
        ]

    def __str__(self) -> str:
        return f"{self.occupation.name} · {self.region.name}"
