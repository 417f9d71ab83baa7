"""Classes, sessions, teachers, enrollments and attendance: the records 实名制管理 and
凡补必进、不进不补 rest on."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from jineng.core.history import StatusHistoryEntry
from jineng.core.scoping import Scope, ScopedQuerySet, any_of, region_q
from jineng.training.choices import (
    AttendanceMethod,
    ClassStatus,
    EnrollmentStatus,
    EventKind,
    FemaleRetirementBasis,
    FundingSource,
    OrderForm,
    RetirementScheme,
    Sector,
    TrainingType,
)

PUBLIC_CLASS_STATES = (ClassStatus.APPROVED, ClassStatus.OPEN)


class TeacherQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if scope.public:
            return None
        return any_of(
            region_q("organization__region", scope),
            Q(organization_id=scope.organization_id) if scope.organization_id else None,
        )


class Teacher(models.Model):
    """A teacher of a training institution. The same person teaching for two institutions is
    recognised by the keyed hash of the ID number, so a double booking is seen across them."""

    organization = models.ForeignKey("registry.Organization", verbose_name=_("institution"),
                                     on_delete=models.PROTECT, related_name="teachers")
    name = models.CharField(_("name"), max_length=50)
    id_hash = models.CharField(_("ID number keyed hash"), max_length=64, blank=True,
                               db_index=True, editable=False)
    id_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    qualification = models.CharField(_("qualification"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = TeacherQuerySet.as_manager()

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        ordering = ["organization", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "id_hash"],
                                    condition=~Q(id_hash=""), name="teacher_unique_per_org"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.organization.region.code

    @property
    def audit_organization_id(self) -> int:
        return self.organization_id


class TrainingClassQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if scope.public:
            return Q(status__in=PUBLIC_CLASS_STATES)
        by_region = region_q("region", scope)
        if by_region is not None and scope.sector:
            by_region &= Q(sector=scope.sector)
        return any_of(
            by_region,
            Q(institution_id=scope.organization_id) if scope.organization_id else None,
            Q(employer_id=scope.organization_id) if scope.organization_id else None,
        )


class TrainingClass(models.Model):
    """A declared class (开班申报): who trains what, for whom, where, when and for how many
    hours. `required_hours` and `min_attendance_share` are copied from the subsidy-standard
    catalog entry in force on the start date (`standard_version_id` says which version), so
    completion never changes when the catalog does. `region` is the site's region: its HRSS
    office reviews the class."""

    name = models.CharField(_("name"), max_length=200)
    institution = models.ForeignKey("registry.Organization", verbose_name=_("institution"),
                                    on_delete=models.PROTECT, related_name="training_classes")
    site = models.ForeignKey("registry.TrainingSite", verbose_name=_("training site"),
                             on_delete=models.PROTECT, related_name="training_classes")
    region = models.ForeignKey("registry.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="training_classes")
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"),
                                   on_delete=models.PROTECT, related_name="training_classes")
    level = models.ForeignKey("registry.SkillLevel", verbose_name=_("skill level"),
                              on_delete=models.PROTECT, related_name="training_classes")
    training_type = models.CharField(_("training type"), max_length=24,
                                     choices=TrainingType.choices)
    order_form = models.CharField(_("order form"), max_length=12, choices=OrderForm.choices,
                                  blank=True, default="")
    employer = models.ForeignKey(
        "registry.Organization", verbose_name=_("employer (order classes)"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="ordered_classes",
    )
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    target_group = models.CharField(_("target key group"), max_length=24, blank=True,
                                    help_text=_("Empty: open to every eligible worker."))
    planned_size = models.PositiveIntegerField(_("planned size"))
    funding_source = models.CharField(_("funding source"), max_length=24,
                                      choices=FundingSource.choices)
    online_share = models.DecimalField(
        _("online share of hours (at most)"), max_digits=3, decimal_places=2, default=0,
        help_text=_("0 = entirely on site; hours learned online count up to this share."))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    required_hours = models.DecimalField(_("required hours"), max_digits=6, decimal_places=1)
    min_attendance_share = models.DecimalField(_("minimum attendance share"), max_digits=4,
                                               decimal_places=3)
    scheduled_hours = models.DecimalField(_("scheduled hours on site"), max_digits=6,
                                          decimal_places=1, default=0)
    standard_version_id = models.BigIntegerField(_("subsidy standard catalog version"),
                                                 null=True, blank=True)
    standard_entry_id = models.BigIntegerField(_("subsidy standard entry"), null=True,
                                               blank=True)
    checkin_radius_m = models.PositiveIntegerField(_("check-in radius (m)"), default=500)
    teachers = models.ManyToManyField(Teacher, verbose_name=_("teachers"), blank=True,
                                      related_name="classes")
    status = models.CharField(_("status"), max_length=12, choices=ClassStatus.choices,
                              default=ClassStatus.DECLARED, db_index=True)
    status_before_suspension = models.CharField(max_length=12, blank=True, editable=False)
    status_changed_at = models.DateTimeField(_("status since"), auto_now_add=True)
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True)
    declared_by = models.CharField(_("declared by"), max_length=150, blank=True)
    # The institution's own id for the class, sent by its system through the API: a repeated
    # declaration with the same reference answers the class already declared (idempotence).
    # A database default too: the demo loads classes with plain INSERTs naming its columns.
    client_ref = models.CharField(_("institution's reference"), max_length=100, blank=True,
                                  default="", db_default="")
    # SHA-256 of the declaration as sent under `client_ref`: a repeat with another body is
    # refused (409) instead of being mistaken for a replay.
    client_fingerprint = models.CharField(max_length=64, blank=True, default="",
                                          db_default="", editable=False)
    # Why a class is declared after its first session (shown to the reviewers); empty for a
    # declaration made in time.
    late_reason = models.TextField(_("reason for declaring late"), blank=True, default="",
                                   db_default="")

    objects = TrainingClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("training class")
        verbose_name_plural = _("training classes")
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["region", "status"]),
                   models.Index(fields=["institution", "status"]),
                   # The public training map: open or upcoming classes (portal.selectors.site).
                   models.Index(fields=["status", "end_date", "start_date"],
                                name="class_public_map_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(planned_size__gt=0),
                                   name="class_planned_size_positive"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")),
                                   name="class_end_after_start"),
            models.CheckConstraint(condition=Q(online_share__gte=0, online_share__lte=1),
                                   name="class_online_share_range"),
            models.CheckConstraint(
                condition=Q(min_attendance_share__gt=0, min_attendance_share__lte=1),
                name="class_min_share_range"),
            models.CheckConstraint(condition=Q(order_form="") | Q(employer__isnull=False),
                                   name="class_order_needs_employer"),
            models.UniqueConstraint(fields=["institution", "client_ref"],
                                    condition=~Q(client_ref=""),
                                    name="class_client_ref_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.region.code

    @property
    def audit_organization_id(self) -> int:
        return self.institution_id

    @property
    def delivery(self) -> str:
        if self.online_share <= 0:
            return str(_("On site"))
        if self.online_share >= 1:
            return str(_("Online"))
        return str(_("Blended"))

    @property
    def target_group_label(self) -> str:
        from jineng.registry.choices import KeyGroup

        return str(KeyGroup(self.target_group).label) if self.target_group in KeyGroup.values \
            else self.target_group

    @property
    def threshold_hours(self) -> Decimal:
        return (self.required_hours * self.min_attendance_share).quantize(Decimal("0.01"))


def _class_scope_via(scope: Scope, path: str) -> Q | None:
    """TrainingClass's scope reached through `path` from another model."""
    condition = TrainingClassQuerySet().scope_filter(scope)
    if condition is None:
        return None
    return _prefix_q(condition, path)


def _prefix_q(q: Q, path: str) -> Q:
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            out.children.append(_prefix_q(child, path))
        else:
            key, value = child
            out.children.append((f"{path}{key}", value))
    return out


class SessionQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return _class_scope_via(scope, "training_class__")


class ClassSession(models.Model):
    """One scheduled on-site session of a class: its window and the hours it counts for (the
    window may include a break, so `hours` can be shorter than the window)."""

    training_class = models.ForeignKey(TrainingClass, verbose_name=_("class"),
                                       on_delete=models.CASCADE, related_name="sessions")
    seq = models.PositiveSmallIntegerField(_("number"))
    date = models.DateField(_("date"), db_index=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    topic = models.CharField(_("topic"), max_length=200, blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["training_class", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["training_class", "seq"], name="session_seq_unique"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="session_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.training_class_id}#{self.seq} {self.date}"

    @property
    def seconds(self) -> int:
        return int(self.hours * 3600)


class ClassStatusChangeQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return _class_scope_via(scope, "training_class__")


class ClassStatusChange(StatusHistoryEntry):
    """One step of a class through its states: who, when, why (core's history shape; a
    migrated class's entry carries its real end as the effective date)."""

    training_class = models.ForeignKey(TrainingClass, on_delete=models.CASCADE,
                                       related_name="status_history",
                                       verbose_name=_("class"))
    from_status = models.CharField(_("from"), max_length=20, choices=ClassStatus.choices,
                                   blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=ClassStatus.choices)

    objects = ClassStatusChangeQuerySet.as_manager()

    class Meta(StatusHistoryEntry.Meta):
        verbose_name = _("class status change")
        verbose_name_plural = _("class status changes")
        ordering = ["training_class", "at", "id"]

    def __str__(self) -> str:
        return f"{self.training_class_id}: {self.from_status} → {self.to_status}"


# A trainee who completed a class, for every count (the class page, the API, the plans'
# progress): hours frozen at or above the threshold when the class finished, and still
# enrolled (a dropout never completes, whatever hours they had). The one definition: the
# Python predicate, the queryset filter and the SQL of plan_facts are built from it.
COMPLETED_FIELDS: tuple[tuple[str, object], ...] = (
    ("completed", True), ("status", EnrollmentStatus.ENROLLED))


def counts_as_completed(*, status: str, completed: bool | None) -> bool:
    """Whether an enrollment in `status` whose hours reach the threshold (`completed`) counts
    as completed."""
    values = {"completed": completed, "status": status}
    return all(values[name] == value for name, value in COMPLETED_FIELDS)


class EnrollmentQuerySet(ScopedQuerySet):
    def completed(self) -> EnrollmentQuerySet:
        """Trainees who completed (COMPLETED_FIELDS), once their class has finished."""
        return self.filter(**dict(COMPLETED_FIELDS))

    def enrolled(self) -> EnrollmentQuerySet:
        """Trainees still on the roster (not withdrawn)."""
        return self.filter(status=EnrollmentStatus.ENROLLED)

    def scope_filter(self, scope: Scope) -> Q | None:
        if not scope.sees_persons:
            return None
        return any_of(
            region_q("training_class__region", scope),
            Q(training_class__institution_id=scope.organization_id)
            if scope.organization_id else None,
        )


class Enrollment(models.Model):
    """A real-name trainee in a class. `eligibility` keeps the checks as they were made (with
    the rule and parameter version of each); `attended_hours` and `completed` are frozen when
    the class finishes."""

    training_class = models.ForeignKey(TrainingClass, verbose_name=_("class"),
                                       on_delete=models.PROTECT, related_name="enrollments")
    person = models.ForeignKey("registry.Person", verbose_name=_("trainee"),
                               on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(_("status"), max_length=10, choices=EnrollmentStatus.choices,
                              default=EnrollmentStatus.ENROLLED)
    enrolled_at = models.DateTimeField(_("enrolled"), auto_now_add=True)
    enrolled_by = models.CharField(_("enrolled by"), max_length=150, blank=True)
    late_reason = models.TextField(_("reason for joining late"), blank=True)
    draws_pension = models.BooleanField(_("draws a pension"), null=True, blank=True)
    eligibility = models.JSONField(_("eligibility checks"), default=list, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    attended_hours = models.DecimalField(_("attended hours"), max_digits=6, decimal_places=2,
                                         null=True, blank=True)
    completed = models.BooleanField(_("completed"), null=True, blank=True)
    completion_rule = models.TextField(_("completion rule"), blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["training_class", "id"]
        constraints = [
            models.UniqueConstraint(fields=["training_class", "person"],
                                    name="enrollment_once_per_class"),
        ]

    def __str__(self) -> str:
        return f"{self.training_class_id}/{self.person_id}"

    @property
    def has_completed(self) -> bool:
        """Counts as completed (COMPLETED_FIELDS), once the class has finished."""
        return counts_as_completed(status=self.status, completed=self.completed)

    @property
    def audit_region_code(self) -> str:
        return self.training_class.region.code

    @property
    def audit_organization_id(self) -> int:
        return self.training_class.institution_id


class AttendanceEventQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if not scope.sees_persons:
            return None
        return any_of(
            region_q("training_class__region", scope),
            Q(institution_id=scope.organization_id) if scope.organization_id else None,
        )


class AttendanceEvent(models.Model):
    """One check-in, check-out or online learning record, as an institution's terminal, a
    phone, a QR scan or a learning platform sent it. Never edited: a replay with the same
    idempotency key is the same event. Events outside the session window or too far from the
    site are kept with a flag and earn no hours."""

    # An append-only, high-volume log (~50 million rows a year in a large province): the
    # ingestion service validates institution, class, session and enrollment set-based for
    # each batch, so the table carries no foreign-key constraints (checking four per row
    # would cost a third of the insert time) and only the indexes its reads need.
    institution = models.ForeignKey("registry.Organization", on_delete=models.DO_NOTHING,
                                    related_name="+", db_index=False, db_constraint=False,
                                    verbose_name=_("institution"))
    training_class = models.ForeignKey(TrainingClass, on_delete=models.DO_NOTHING,
                                       related_name="attendance_events", db_index=False,
                                       db_constraint=False, verbose_name=_("class"))
    session = models.ForeignKey(ClassSession, null=True, blank=True,
                                on_delete=models.DO_NOTHING, related_name="attendance_events",
                                db_index=False, db_constraint=False, verbose_name=_("session"))
    enrollment = models.ForeignKey(Enrollment, on_delete=models.DO_NOTHING,
                                   related_name="attendance_events", db_index=False,
                                   db_constraint=False, verbose_name=_("enrollment"))
    kind = models.PositiveSmallIntegerField(_("kind"), choices=EventKind.choices)
    method = models.PositiveSmallIntegerField(_("method"), choices=AttendanceMethod.choices)
    occurred_at = models.DateTimeField(_("time"))
    received_at = models.DateTimeField(_("received"))
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    distance_m = models.IntegerField(_("distance from site (m)"), null=True, blank=True)
    online_seconds = models.IntegerField(_("online seconds"), default=0)
    outside_window = models.BooleanField(_("outside the session window"), default=False)
    too_far = models.BooleanField(_("too far from the site"), default=False)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    device = models.CharField(_("device"), max_length=64, blank=True)
    # Entered by hand from a paper sign-in sheet (the terminal failed, …): counted like any
    # event, shown apart in reports. Database defaults: the ingestion store inserts rows with
    # plain SQL naming only its own columns.
    manual = models.BooleanField(_("entered by hand"), default=False, db_default=False)
    manual_reason = models.TextField(_("reason for the manual entry"), blank=True, default="",
                                     db_default="")
    # A wrong event is voided by the HRSS office, never deleted: it stays, and earns no hours.
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  db_constraint=False, verbose_name=_("voided by"))
    void_reason = models.TextField(_("reason for voiding"), blank=True, default="",
                                   db_default="")

    objects = AttendanceEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance event")
        verbose_name_plural = _("attendance events")
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "idempotency_key"],
                                    name="attendance_idempotent"),
        ]
        indexes = [models.Index(fields=["training_class", "occurred_at"],
                                name="attendance_class_time"),
                   # The risk scan's incremental read: the events since its last run.
                   models.Index(fields=["occurred_at"], name="attendance_time"),
                   # The risk scan's online learning and interactions (full scans read every
                   # one of them): found without a pass over the check-ins.
                   models.Index(fields=["kind", "occurred_at"], name="attendance_online_time",
                                condition=Q(kind__in=[EventKind.ONLINE,
                                                        EventKind.INTERACTION]))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def flagged(self) -> bool:
        return self.outside_window or self.too_far

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    @property
    def audit_region_code(self) -> str:
        return self.training_class.region.code

    @property
    def audit_organization_id(self) -> int:
        return self.institution_id


class DeletedRow(models.Model):
    """A check-in/out or enrollment row that was deleted, recorded by a database trigger on
    PostgreSQL (migration 0011): a copy of the events kept outside the database — the risk
    scan's event cache — learns inserts and updates from the rows' transaction ids, but a
    deleted row leaves nothing behind to read. Kept DELETED_ROWS_KEPT_DAYS days (a copy older
    than that is read again whole)."""

    table = models.CharField(_("table"), max_length=20)  # "event" or "enrollment" (0011)
    row_id = models.BigIntegerField(_("row"))
    deleted_at = models.DateTimeField(_("deleted"), db_default=Now())

    class Meta:
        verbose_name = _("deleted row")
        verbose_name_plural = _("deleted rows")
        indexes = [models.Index(fields=["deleted_at"], name="deleted_row_time")]

    def __str__(self) -> str:
        return f"{self.table} {self.row_id}"


DELETED_ROWS_KEPT_DAYS = 30


class WrittenRows(models.Model):
    """Check-ins/outs (and other attendance events) inserted or updated, recorded by database
    triggers on PostgreSQL (migration 0012): one row per INSERT statement with the first and
    last id it inserted, one row per updated row. The risk scan's event cache reads the
    records written since its last scan and then only those events by primary key, instead of
    every event's transaction id (a pass over the whole table: 15–23 s at tier L). Kept
    DELETED_ROWS_KEPT_DAYS days, as the deleted rows."""

    table = models.CharField(_("table"), max_length=20)  # "event" (0012)
    first_id = models.BigIntegerField(_("first row"))
    last_id = models.BigIntegerField(_("last row"))
    written_at = models.DateTimeField(_("written"), db_default=Now())

    class Meta:
        verbose_name = _("written rows")
        verbose_name_plural = _("written rows")
        indexes = [models.Index(fields=["written_at"], name="written_rows_time")]

    def __str__(self) -> str:
        return f"{self.table} {self.first_id}–{self.last_id}"


class EligibilityParameterQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q:
        return Q()


class EligibilityParameter(models.Model):
    """The dated, regional parameter of the age checks: minimum age, which retirement-age
    scheme applies, the women's original age used when the category is not known, and the
    regional exception for workers past the retirement age who draw no pension. The row for a
    region (or its nearest ancestor, or the national row without a region) with the latest
    `valid_from` not after the class's start date applies."""

    region = models.ForeignKey("registry.Region", verbose_name=_("region"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+",
                               help_text=_("Empty: the national default."))
    valid_from = models.DateField(_("valid from"))
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), default=16)
    scheme = models.CharField(_("retirement-age scheme"), max_length=16,
                              choices=RetirementScheme.choices,
                              default=RetirementScheme.GRADUAL_2025)
    female_basis = models.PositiveSmallIntegerField(
        _("women's original retirement age"), choices=FemaleRetirementBasis.choices,
        default=FemaleRetirementBasis.CADRE)
    over_age_without_pension = models.BooleanField(
        _("admit workers past the retirement age who draw no pension"), default=False)
    source = models.CharField(_("source"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = EligibilityParameterQuerySet.as_manager()

    class Meta:
        verbose_name = _("eligibility parameter")
        verbose_name_plural = _("eligibility parameters")
        ordering = ["region__code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["region", "valid_from"],
                                    name="eligibility_param_unique_date"),
            models.UniqueConstraint(fields=["valid_from"], condition=Q(region__isnull=True),
                                    name="eligibility_param_unique_national_date"),
        ]

    def __str__(self) -> str:
        where = self.region.name if self.region_id else _("national")
        return f"{where} {self.valid_from}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code if self.region_id else ""
