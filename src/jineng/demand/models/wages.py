"""Wage guidance (工资指导价位): P10 / P50 / P90 contribution wages by occupation × level × city
and year, from social-insurance records when the outcomes app holds them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet, any_of, region_q


class WageGuidanceQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        # Published figures for everyone (suppressed cells carry no numbers); staff also see
        # their region's cells before publication.
        return any_of(Q(published_at__isnull=False), region_q("city", scope))


class WageGuidance(models.Model):
    """One cell: occupation × level (or all levels) × city × year, its people and P10/P50/P90
    monthly contribution wages; a cell below the suppression threshold keeps only its count.
    Cells are computed (unpublished) and then published per year."""

    year = models.PositiveSmallIntegerField(_("year"))
    city = models.ForeignKey("registry.Region", verbose_name=_("city"), on_delete=models.PROTECT,
                             related_name="+")
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"),
                                   on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey("registry.SkillLevel", verbose_name=_("skill level"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    people = models.PositiveIntegerField(_("people"))
    suppressed = models.BooleanField(_("suppressed (too few people)"), default=False)
    p10 = models.PositiveIntegerField(_("P10 (yuan/month)"), null=True, blank=True)
    p50 = models.PositiveIntegerField(_("P50 (yuan/month)"), null=True, blank=True)
    p90 = models.PositiveIntegerField(_("P90 (yuan/month)"), null=True, blank=True)
    min_people = models.PositiveSmallIntegerField(_("suppression threshold (people)"),
                                                  default=10)
    source = models.CharField(_("source"), max_length=200)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    objects = WageGuidanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("wage guidance")
        verbose_name_plural = _("wage guidance")
        ordering = ["-year", "city__code", "occupation__name"]
        constraints = [
            models.UniqueConstraint(fields=["year", "city", "occupation", "level"],
                                    name="wage_guidance_cell"),
            models.CheckConstraint(
                condition=Q(suppressed=True, p10__isnull=True, p50__isnull=True,
                            p90__isnull=True) | Q(suppressed=False),
                name="wage_guidance_suppressed_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.city} {self.occupation}"

    @property
    def audit_region_code(self) -> str:
        return self.city.code
