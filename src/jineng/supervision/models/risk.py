"""The risk engine's records: the rule catalog with dated parameters, the runs (what ran, on
which data, with which rule versions, how long) and the alerts they raised (one per rule,
subject and evidence pair across runs)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet, region_q
from jineng.supervision.choices import AlertStatus, RunMode, RunStatus, Severity, SubjectKind


class StaffOnlyQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        # The catalog and the runs cover the whole province: staff with a region read them.
        return Q() if scope.region_prefix is not None and scope.sees_persons else None


class RiskRule(models.Model):
    """A rule of the catalog (supervision.rules.catalog). `versions` lists the dated parameter
    sets: [{"valid_from": "YYYY-MM-DD", "parameters": {...}}]; a run uses the latest version
    in force on its day (the catalog's defaults where none)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    subject_kind = models.CharField(_("subject"), max_length=12, choices=SubjectKind.choices)
    description = models.CharField(_("description"), max_length=300)
    versions = models.JSONField(_("parameter versions"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def audit_region_code(self) -> str:
        return ""


class RiskRun(models.Model):
    """One scan: full, or incremental over the attendance events since a moment."""

    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices,
                              default=RunStatus.QUEUED)
    mode = models.CharField(_("mode"), max_length=12, choices=RunMode.choices,
                            default=RunMode.FULL)
    since = models.DateTimeField(_("events since"), null=True, blank=True)
    data_through = models.DateTimeField(_("data through"), null=True, blank=True)
    engine = models.CharField(_("engine"), max_length=16, default="duckdb")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    job_id = models.BigIntegerField(_("background job"), null=True, blank=True)
    rule_versions = models.JSONField(_("rule versions used"), default=dict, blank=True)
    timings = models.JSONField(_("seconds per step and rule"), default=dict, blank=True)
    counts = models.JSONField(_("rows read per table"), default=dict, blank=True)
    alerts_found = models.PositiveIntegerField(_("alert rows found"), default=0)
    alerts_new = models.PositiveIntegerField(_("new alerts"), default=0)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk scan")
        verbose_name_plural = _("risk scans")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status__in=["queued",
                                                                               "running"]),
                                    name="risk_run_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.get_status_display()}"

    @property
    def audit_region_code(self) -> str:
        return ""


class RiskAlertQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        # Staff and inspectors of the alert's region subtree; never the institution concerned
        # (issue 13: the queue is the inspectors'), never the public.
        if scope.region_prefix is None or not scope.sees_persons:
            return None
        return region_q("region", scope)


class RiskAlert(models.Model):
    """What a rule found about a subject, with the evidence naming the records involved.
    `dedup_key` (rule, subject, evidence pair) is unique: a rerun finding the same thing
    updates last-seen and its count, it never adds a second alert."""

    rule_code = models.CharField(_("rule"), max_length=8, db_index=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    subject_kind = models.CharField(_("subject"), max_length=12, choices=SubjectKind.choices)
    subject_ref = models.CharField(_("subject reference"), max_length=100)
    training_class = models.ForeignKey("training.TrainingClass", verbose_name=_("class"),
                                       null=True, blank=True, on_delete=models.DO_NOTHING,
                                       db_constraint=False, related_name="+")
    institution = models.ForeignKey("registry.Organization", verbose_name=_("institution"),
                                    null=True, blank=True, on_delete=models.DO_NOTHING,
                                    db_constraint=False, related_name="+")
    region = models.ForeignKey("registry.Region", verbose_name=_("region"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    evidence = models.JSONField(_("evidence"), default=dict)
    measure = models.FloatField(_("measure"), null=True, blank=True)
    dedup_key = models.CharField(max_length=200, unique=True)
    first_run = models.ForeignKey(RiskRun, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("first found by"))
    last_run = models.ForeignKey(RiskRun, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("last found by"))
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), auto_now_add=True)
    times_seen = models.PositiveIntegerField(_("times seen"), default=1)
    status = models.CharField(_("status"), max_length=12, choices=AlertStatus.choices,
                              default=AlertStatus.OPEN, db_index=True)
    reason = models.TextField(_("findings"), blank=True)
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = RiskAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk alert")
        verbose_name_plural = _("risk alerts")
        ordering = ["-last_seen_at", "-id"]
        indexes = [models.Index(fields=["status", "rule_code"])]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.subject_kind} {self.subject_ref}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code if self.region_id else ""
