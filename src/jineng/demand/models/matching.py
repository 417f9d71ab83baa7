"""Matching, each explained: wishes → classes, demands → institutions (order classes),
finished trainees → enterprises' demands (培训就业直通车)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.history import StatusHistoryEntry
from jineng.core.scoping import Scope, ScopedQuerySet, any_of, region_q
from jineng.demand.choices import ProposalStatus, ReferralStatus


class WishMatchQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if not scope.sees_persons:
            return None
        return region_q("wish__region", scope)


class WishMatch(models.Model):
    """A class proposed to a wish, with the reasons (distance, time, level, subsidy)."""

    wish = models.ForeignKey("demand.TrainingWish", verbose_name=_("wish"),
                             on_delete=models.CASCADE, related_name="matches")
    training_class = models.ForeignKey("training.TrainingClass", verbose_name=_("class"),
                                       on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=3)
    distance_km = models.DecimalField(_("distance (km)"), max_digits=7, decimal_places=1,
                                      null=True, blank=True)
    reasons = models.JSONField(_("why this class"), default=list)
    matched_at = models.DateTimeField(_("matched"), auto_now_add=True)
    notified_at = models.DateTimeField(_("worker told"), null=True, blank=True)

    objects = WishMatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("wish match")
        verbose_name_plural = _("wish matches")
        ordering = ["wish", "-score"]
        constraints = [models.UniqueConstraint(fields=["wish", "training_class"],
                                               name="wish_match_once")]

    def __str__(self) -> str:
        return f"{self.wish_id} → {self.training_class_id}"


class ProposalQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return any_of(region_q("demand_line__demand_list__region", scope),
                      Q(demand_line__demand_list__organization_id=scope.organization_id)
                      | Q(institution_id=scope.organization_id)
                      if scope.organization_id else None)


class OrderClassProposal(models.Model):
    """An order class (订单班) for an enterprise's demand line with a listed institution near it:
    proposed with the reasons, agreed by both, then declared as a class by the institution."""

    demand_line = models.ForeignKey("demand.DemandLine", verbose_name=_("demand line"),
                                    on_delete=models.PROTECT, related_name="proposals")
    institution = models.ForeignKey("registry.Organization", verbose_name=_("institution"),
                                    on_delete=models.PROTECT, related_name="+")
    distance_km = models.DecimalField(_("distance (km)"), max_digits=7, decimal_places=1,
                                      null=True, blank=True)
    reasons = models.JSONField(_("why this institution"), default=list)
    planned_size = models.PositiveIntegerField(_("planned size"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ProposalStatus.choices,
                              default=ProposalStatus.PROPOSED)
    enterprise_agreed_at = models.DateTimeField(_("enterprise agreed"), null=True, blank=True)
    institution_agreed_at = models.DateTimeField(_("institution agreed"), null=True, blank=True)
    training_class = models.ForeignKey("training.TrainingClass", verbose_name=_("class"),
                                       null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("order class proposal")
        verbose_name_plural = _("order class proposals")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["demand_line", "institution"],
                                               name="order_proposal_once")]

    def __str__(self) -> str:
        return f"{self.demand_line} ↔ {self.institution}"

    @property
    def audit_organization_id(self) -> int:
        return self.institution_id


class ReferralQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        by_region = (region_q("demand_line__demand_list__region", scope)
                     if scope.sees_persons else None)
        return any_of(by_region,
                      Q(demand_line__demand_list__organization_id=scope.organization_id)
                      if scope.organization_id else None)


class Referral(models.Model):
    """培训就业直通车: a finished trainee referred, with consent, to an open demand line; the hire
    is reported by the enterprise and confirmed later from social-insurance records."""

    person = models.ForeignKey("registry.Person", verbose_name=_("person"),
                               on_delete=models.PROTECT, related_name="+")
    enrollment_id = models.BigIntegerField(_("enrollment"), null=True, blank=True)
    demand_line = models.ForeignKey("demand.DemandLine", verbose_name=_("demand line"),
                                    on_delete=models.PROTECT, related_name="referrals")
    reasons = models.JSONField(_("why this person"), default=list)
    consent_at = models.DateTimeField(_("consent given"))
    status = models.CharField(_("status"), max_length=12, choices=ReferralStatus.choices,
                              default=ReferralStatus.REFERRED)
    status_changed_at = models.DateTimeField(_("status since"), auto_now_add=True)
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("referred"), auto_now_add=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["person", "demand_line"],
                                               name="referral_once")]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.demand_line_id}"


class ReferralStatusChangeQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        by_region = (region_q("referral__demand_line__demand_list__region", scope)
                     if scope.sees_persons else None)
        return any_of(by_region,
                      Q(referral__demand_line__demand_list__organization_id=scope.organization_id)
                      if scope.organization_id else None)


class ReferralStatusChange(StatusHistoryEntry):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE,
                                 related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=12, blank=True,
                                   choices=ReferralStatus.choices)
    to_status = models.CharField(_("status"), max_length=12, choices=ReferralStatus.choices)

    objects = ReferralStatusChangeQuerySet.as_manager()

    class Meta(StatusHistoryEntry.Meta):
        verbose_name = _("referral status change")
        verbose_name_plural = _("referral status changes")
