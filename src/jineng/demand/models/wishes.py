"""Training wishes (培训意愿) registered from QR posters, with no login."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet, region_q
from jineng.demand.choices import PosterPlace, PreferredTime, WishStatus


class PosterQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return region_q("region", scope)


class WishPoster(models.Model):
    """One printed QR code: the code carries where it hangs, so every wish knows its place."""

    token = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    place_kind = models.CharField(_("kind of place"), max_length=16, choices=PosterPlace.choices)
    place_name = models.CharField(_("place"), max_length=100)
    site = models.ForeignKey("registry.TrainingSite", verbose_name=_("training site"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+")
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True,
                                    blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True,
                                   blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_by = models.CharField(_("created by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PosterQuerySet.as_manager()

    class Meta:
        verbose_name = _("wish poster")
        verbose_name_plural = _("wish posters")
        ordering = ["region__code", "place_name"]

    def __str__(self) -> str:
        return self.place_name

    @property
    def audit_region_code(self) -> str:
        return self.region.code


class WishQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        # Real-name data: HRSS staff of the region only (industry staff see aggregates).
        if not scope.sees_persons:
            return None
        return region_q("region", scope)


class TrainingWish(models.Model):
    """A worker's wish to be trained. One per person (keyed hash of the ID number): a repeat
    wish updates the earlier one. The ID number is kept encrypted; it is never answered back."""

    poster = models.ForeignKey(WishPoster, verbose_name=_("poster"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="wishes")
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    id_hash = models.CharField(_("ID number keyed hash"), max_length=64, unique=True,
                               editable=False)
    id_encrypted = models.TextField(_("ID number (encrypted)"), editable=False)
    id_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=11)
    occupations = models.ManyToManyField("registry.Occupation", verbose_name=_("occupations"),
                                         related_name="+")
    level = models.ForeignKey("registry.SkillLevel", verbose_name=_("skill level"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    preferred_time = models.CharField(_("preferred time"), max_length=16,
                                      choices=PreferredTime.choices, default=PreferredTime.ANY)
    preferred_place = models.CharField(_("preferred place"), max_length=100, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True,
                                    blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True,
                                   blank=True)
    max_distance_km = models.PositiveSmallIntegerField(_("farthest I can travel (km)"),
                                                       default=20)
    key_groups = models.JSONField(_("key groups (self-declared)"), default=list, blank=True)
    consent_at = models.DateTimeField(_("consent given"))
    consent_version = models.CharField(_("consent text version"), max_length=20)
    status = models.CharField(_("status"), max_length=12, choices=WishStatus.choices,
                              default=WishStatus.OPEN)
    times_submitted = models.PositiveIntegerField(_("times submitted"), default=1)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    notified_at = models.DateTimeField(_("last told of classes"), null=True, blank=True)

    objects = WishQuerySet.as_manager()

    class Meta:
        verbose_name = _("training wish")
        verbose_name_plural = _("training wishes")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["region", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_masked})"

    @property
    def audit_region_code(self) -> str:
        return self.region.code


class WishChallenge(models.Model):
    """A one-time code sent to a phone when the wish form asks for a challenge (after repeated
    submissions). Kept as a keyed hash of phone and code; expires; a few tries."""

    phone_hash = models.CharField(_("phone keyed hash"), max_length=64, db_index=True,
                                  editable=False)
    code_hash = models.CharField(_("code hash"), max_length=64, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("wish challenge")
        verbose_name_plural = _("wish challenges")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"challenge {self.pk}"
