"""Records that arrived without a usable ID number, and how each was linked to a person.

Nothing is guessed silently: a row whose ID number is missing or fails its check digit is kept
here with the name, birth date and region it carried; the probabilistic linker (Splink on DuckDB)
proposes the most likely registered person with its match weight and probability. Above the
province's threshold the link is made and marked automatic; below it a person confirms or
rejects it. A linked row becomes an InsuranceRecord (or fills a business registration's legal
person) that points back here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet, region_q
from jineng.outcomes.choices import ImportKind, LinkReason, LinkStatus


class RecordLinkQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return region_q("region", scope) if scope.sees_persons else None


class RecordLink(models.Model):
    """One incoming row without a valid ID number, its best candidate person and the decision."""

    kind = models.CharField(_("kind"), max_length=12, choices=ImportKind.choices,
                            default=ImportKind.RECORDS)
    source_import = models.ForeignKey("outcomes.InsuranceImport", verbose_name=_("import"),
                                      on_delete=models.PROTECT, related_name="links")
    row_number = models.PositiveIntegerField(_("row"))
    # Identity of the row (name, birth date, ID as given, employer, month): the same row sent
    # again finds this link instead of a second one.
    row_key = models.CharField(_("row key"), max_length=64, unique=True)
    reason = models.CharField(_("reason"), max_length=8, choices=LinkReason.choices)
    name = models.CharField(_("name"), max_length=50)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    id_given_masked = models.CharField(_("ID number as given"), max_length=18, blank=True)
    id_given_encrypted = models.TextField(_("ID number as given (encrypted)"), blank=True,
                                          editable=False)
    # The row's payload (employer, month, insurance kinds, wage base; or the business
    # registration's fields) to write once the person is known.
    payload = models.JSONField(_("row"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=LinkStatus.choices,
                              default=LinkStatus.PENDING)
    candidate = models.ForeignKey("registry.Person", verbose_name=_("candidate person"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    match_weight = models.FloatField(_("match weight"), null=True, blank=True)
    match_probability = models.FloatField(_("match probability"), null=True, blank=True)
    # Which fields agreed (name, birth date, region ...), for the reviewer.
    comparison = models.JSONField(_("comparison"), default=dict, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    objects = RecordLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("record link")
        verbose_name_plural = _("record links")
        ordering = ["status", "-match_probability", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["linked", "confirmed"]) | Q(candidate__isnull=False),
                name="record_link_linked_has_person"),
            models.CheckConstraint(
                condition=Q(match_probability__isnull=True)
                | Q(match_probability__gte=0, match_probability__lte=1),
                name="record_link_probability_range"),
        ]
        indexes = [models.Index(fields=["status", "region"], name="record_link_queue")]

    def __str__(self) -> str:
        return f"{self.name} {self.get_status_display()}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code
