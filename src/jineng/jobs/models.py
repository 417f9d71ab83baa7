"""A background job: who asked, what for, how far it got, and what it produced.

The job row is the record of what ran; it is kept after the job ends (the task queue's own rows
may be pruned). Visibility is the owner's: a job's parameters and result are as private as the
export the owner asked for, so other users, staff included, get 404 for it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import ScopedQuerySet, scope_of
from jineng.jobs.choices import FINISHED, JobStatus


class JobQuerySet(ScopedQuerySet):
    def visible_to(self, actor) -> JobQuerySet:
        """Only the actor's own jobs, whatever their role (administrators use Django admin)."""
        if scope_of(actor).public:
            return self.none()
        return self.filter(requested_by_id=actor.pk)


class Job(models.Model):
    kind = models.CharField(_("kind"), max_length=80, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
        related_name="+",
    )
    # The requester's scope when they asked, for the audit trail and for staff browsing it.
    region_code = models.CharField(_("region code"), max_length=12, blank=True)
    organization_id = models.BigIntegerField(_("organization"), null=True, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices,
                              default=JobStatus.QUEUED, db_index=True)
    done = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True, db_index=True)
    result_path = models.CharField(_("result file"), max_length=255, blank=True)
    result_name = models.CharField(_("file name"), max_length=120, blank=True)
    result_content_type = models.CharField(_("content type"), max_length=120, blank=True)
    result_size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    row_count = models.PositiveBigIntegerField(_("rows"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="jobs_job_status_valid"),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(done__lte=models.F("total")),
                name="jobs_job_done_within_total"),
            # A finished job says when it finished; a result file only on success.
            models.CheckConstraint(
                condition=~Q(status__in=FINISHED) | Q(finished_at__isnull=False),
                name="jobs_job_finished_has_time"),
            models.CheckConstraint(
                condition=Q(result_path="") | Q(status=JobStatus.SUCCEEDED),
                name="jobs_job_result_only_on_success"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def audit_region_code(self) -> str:
        return self.region_code

    @property
    def audit_organization_id(self) -> int | None:
        return self.organization_id

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def has_result(self) -> bool:
        return self.status == JobStatus.SUCCEEDED and bool(self.result_path)

    @property
    def percent(self) -> int:
        """Whole percent done; a finished job is at 100, one without a total yet at 0."""
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)
