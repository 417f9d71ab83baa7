"""What the demo generator made, so that `jineng demo-data --reset` removes exactly that.

The generator gives the rows it inserts explicit primary keys from a block it allocates, and
records each block here; a reset deletes those blocks and nothing else. Demo users are marked
once and kept across resets (they are updated in place, never deleted: their logins are in the
append-only audit trail).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoBuild(models.Model):
    """One run of the demo generator: its tier, seed and what it counted."""

    scale = models.CharField(_("tier"), max_length=4)
    seed = models.IntegerField(_("seed"))
    persons = models.PositiveIntegerField(_("persons asked for"))
    reference_date = models.DateField(_("reference date"))
    counts = models.JSONField(_("counts"), default=dict)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    seconds = models.FloatField(_("seconds taken"), null=True, blank=True)

    class Meta:
        verbose_name = _("demo build")
        verbose_name_plural = _("demo builds")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"demo {self.scale} seed {self.seed} ({self.started_at:%Y-%m-%d %H:%M})"


class DemoRows(models.Model):
    """A block of primary keys [first_pk, last_pk] of one model, inserted by a demo build."""

    build = models.ForeignKey(DemoBuild, verbose_name=_("demo build"), on_delete=models.CASCADE,
                              related_name="rows")
    model = models.CharField(_("model"), max_length=100)  # app_label.model_name
    first_pk = models.BigIntegerField(_("first id"))
    last_pk = models.BigIntegerField(_("last id"))

    class Meta:
        verbose_name = _("demo rows")
        verbose_name_plural = _("demo rows")
        ordering = ["build", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(last_pk__gte=models.F("first_pk")),
                                   name="demorows_range_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.first_pk}–{self.last_pk}"


class DemoUser(models.Model):
    """A login the demo made (one per role, with the public demo password)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                                on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("demo login")
        verbose_name_plural = _("demo logins")

    def __str__(self) -> str:
        return str(self.user_id)
