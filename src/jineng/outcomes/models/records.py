"""Social-insurance contribution records (参保缴费记录) and the imports that bring them.

One record per person × employer × month: the person by the keyed hash of their ID number (so a
record waits for a person who registers later), the employer by its unified social credit code
and region, the insurance kinds paid and the contribution wage base. A correction replaces the
record's values and keeps the old ones as a revision."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet, region_q
from jineng.outcomes.choices import ImportKind, ImportSource, ImportStatus


class InsuranceImportQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return region_q("region", scope) if scope.sees_persons else None


class InsuranceImport(models.Model):
    """One file or API batch from the social-insurance (or market-regulation) system: what it
    held, what it changed and every bad row. The same content sent twice is the same import
    (`content_sha256`), so nothing counts twice."""

    kind = models.CharField(_("kind"), max_length=12, choices=ImportKind.choices)
    source = models.CharField(_("source"), max_length=8, choices=ImportSource.choices)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_sha256 = models.CharField(_("content SHA-256"), max_length=64)
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("imported by"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.RUNNING)
    job_id = models.BigIntegerField(_("background job"), null=True, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    corrected = models.PositiveIntegerField(_("corrected"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    unlinked = models.PositiveIntegerField(_("left for linkage"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    # Rows repeating an earlier row of the same file exactly: counted once, reported here.
    duplicates = models.PositiveIntegerField(_("duplicate rows"), default=0)
    # The first errors (row, field, message); the count above is the whole number.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)

    objects = InsuranceImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("social-insurance import")
        verbose_name_plural = _("social-insurance imports")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "content_sha256"],
                                    condition=~Q(status="failed") & ~Q(status="rejected"),
                                    name="insurance_import_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename or self.pk}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code


class InsuranceRecordQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if not scope.sees_persons:
            return None
        return region_q("employer_region", scope)


class InsuranceRecord(models.Model):
    """One contribution month of one person with one employer (参保缴费记录)."""

    id_hash = models.CharField(_("ID number keyed hash"), max_length=64)
    # No database foreign keys and no index per foreign key on this table (ADR 0007): it is
    # the largest in the system (a province's every insured month), and each costs the import
    # a check or an index write per row. Every value comes from a checked set (the importer's
    # regions, the import itself, persons joined by keyed hash); deletes still go through
    # Django's PROTECT. The indexes kept are the record key, (person, month) of the records
    # with a person for the measures (most insured people never train: their records have no
    # person, and an index entry each would be most of a month's import), and the few linked
    # records.
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+",
                               db_constraint=False, db_index=False)
    employer_code = models.CharField(_("employer credit code"), max_length=18)
    employer_region = models.ForeignKey("registry.Region", verbose_name=_("employer region"),
                                        on_delete=models.PROTECT, related_name="+",
                                        db_constraint=False, db_index=False)
    month = models.DateField(_("month"), help_text=_("The first day of the month paid for."))
    pension = models.BooleanField(_("pension insurance"), default=False)
    unemployment = models.BooleanField(_("unemployment insurance"), default=False)
    injury = models.BooleanField(_("work-injury insurance"), default=False)
    wage_base = models.DecimalField(_("contribution wage base (yuan)"), max_digits=10,
                                    decimal_places=2)
    source_import = models.ForeignKey(InsuranceImport, verbose_name=_("import"),
                                      on_delete=models.PROTECT, related_name="+",
                                      db_constraint=False, db_index=False)
    # Set when the record came from linkage (no valid ID number): the link that placed it.
    link = models.ForeignKey("outcomes.RecordLink", verbose_name=_("linked by"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+",
                             db_constraint=False, db_index=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = InsuranceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("social-insurance record")
        verbose_name_plural = _("social-insurance records")
        ordering = ["month", "id"]
        constraints = [
            models.UniqueConstraint(fields=["id_hash", "employer_code", "month"],
                                    name="insurance_record_once"),
            models.CheckConstraint(condition=Q(wage_base__gte=0),
                                   name="insurance_record_wage_not_negative"),
            models.CheckConstraint(condition=Q(pension=True) | Q(unemployment=True)
                                   | Q(injury=True), name="insurance_record_some_kind"),
        ]
        indexes = [models.Index(fields=["person", "month"], name="insurance_person_month",
                                condition=Q(person__isnull=False)),
                   models.Index(fields=["link"], condition=Q(link__isnull=False),
                                name="insurance_record_linked")]

    def __str__(self) -> str:
        return f"{self.employer_code} {self.month:%Y-%m}"

    @property
    def audit_region_code(self) -> str:
        return self.employer_region.code


class InsuranceRecordRevision(models.Model):
    """The values a correction replaced: the record as it was before the import named."""

    # Written only by the database's trigger (migration 0003) from the record row itself, so,
    # as on the records (ADR 0007), no database foreign keys: the import that corrects 5 % of
    # a million records would otherwise spend seconds at commit on four deferred checks per
    # revision. Django's collector still applies CASCADE and PROTECT; the indexes stay.
    record = models.ForeignKey(InsuranceRecord, verbose_name=_("record"),
                               on_delete=models.CASCADE, related_name="revisions",
                               db_constraint=False)
    employer_region = models.ForeignKey("registry.Region", verbose_name=_("employer region"),
                                        on_delete=models.PROTECT, related_name="+",
                                        db_constraint=False)
    pension = models.BooleanField(_("pension insurance"))
    unemployment = models.BooleanField(_("unemployment insurance"))
    injury = models.BooleanField(_("work-injury insurance"))
    wage_base = models.DecimalField(_("contribution wage base (yuan)"), max_digits=10,
                                    decimal_places=2)
    previous_import = models.ForeignKey(InsuranceImport, verbose_name=_("imported by"),
                                        on_delete=models.PROTECT, related_name="+",
                                        db_constraint=False)
    replaced_by = models.ForeignKey(InsuranceImport, verbose_name=_("replaced by"),
                                    on_delete=models.PROTECT, related_name="+",
                                    db_constraint=False)
    replaced_at = models.DateTimeField(_("replaced"), auto_now_add=True)

    objects = InsuranceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("social-insurance record revision")
        verbose_name_plural = _("social-insurance record revisions")
        ordering = ["record", "replaced_at", "id"]

    def __str__(self) -> str:
        return f"{self.record_id} {self.replaced_at:%Y-%m-%d}"

    @property
    def audit_region_code(self) -> str:
        return self.employer_region.code

