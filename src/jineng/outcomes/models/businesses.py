"""Business registrations (个体工商户 and enterprises founded), so that 创业 counts as an
outcome."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet, region_q
from jineng.outcomes.choices import BusinessKind


class BusinessRegistrationQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return region_q("region", scope) if scope.sees_persons else None


class BusinessRegistration(models.Model):
    """A business founded, with its legal person (by the keyed hash of their ID number)."""

    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=BusinessKind.choices)
    name = models.CharField(_("business name"), max_length=200)
    legal_person_hash = models.CharField(_("legal person ID keyed hash"), max_length=64,
                                         db_index=True)
    person = models.ForeignKey("registry.Person", verbose_name=_("legal person"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    founded_on = models.DateField(_("founded"))
    closed_on = models.DateField(_("deregistered"), null=True, blank=True)
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    source_import = models.ForeignKey("outcomes.InsuranceImport", verbose_name=_("import"),
                                      on_delete=models.PROTECT, related_name="+")
    link = models.ForeignKey("outcomes.RecordLink", verbose_name=_("linked by"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+")
    # Earlier values replaced by corrections, newest last: [{"import": id, "at": iso, ...}].
    history = models.JSONField(_("history"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = BusinessRegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("business registration")
        verbose_name_plural = _("business registrations")
        ordering = ["founded_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(closed_on__isnull=True)
                                   | Q(closed_on__gte=F("founded_on")),
                                   name="business_closed_after_founded"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）"

    @property
    def audit_region_code(self) -> str:
        return self.region.code
