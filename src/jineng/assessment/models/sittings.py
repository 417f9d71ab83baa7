"""Assessment sittings (技能评价): who assesses what, when and where; candidates and their
scores; examiners. An evaluator's code for certificate numbers lives here too."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.assessment.choices import (
    AssessmentRoute,
    EvaluatorFiledWith,
    SittingOrigin,
    SittingStatus,
)
from jineng.core.history import StatusHistoryEntry
from jineng.core.scoping import Scope, ScopedQuerySet, any_of, region_q

SCORE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class EvaluatorCodeQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return any_of(region_q("organization__region", scope),
                      Q(organization_id=scope.organization_id)
                      if scope.organization_id else None)


class EvaluatorCode(models.Model):
    """The codes an evaluator's skill-level certificate numbers carry (人社鉴发〔2019〕2号):
    the letter (Y an employer, S a social evaluation body), the 4-digit code of an evaluator
    filed with the Ministry (a fixed value for one filed with a province) and the 6-digit code
    the province assigns."""

    organization = models.OneToOneField("registry.Organization", on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("evaluator"))
    letter = models.CharField(_("letter"), max_length=1,
                              choices=[("Y", _("Y (employer)")), ("S", _("S (social body)"))])
    filed_with = models.CharField(_("filed with"), max_length=10,
                                  choices=EvaluatorFiledWith.choices)
    ministry_code = models.CharField(_("ministry code"), max_length=4, blank=True,
                                     validators=[RegexValidator(r"^\d{4}$")])
    site_code = models.CharField(_("province-assigned code"), max_length=6,
                                 validators=[RegexValidator(r"^\d{6}$")])

    objects = EvaluatorCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluator code")
        verbose_name_plural = _("evaluator codes")

    def __str__(self) -> str:
        return f"{self.letter}{self.ministry_code or '----'}/{self.site_code}"


class SittingQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if scope.public:
            return None
        return any_of(
            region_q("region", scope),
            Q(evaluator_id=scope.organization_id) if scope.organization_id else None,
            Q(training_class__institution_id=scope.organization_id)
            if scope.organization_id else None,
        )


class AssessmentSitting(models.Model):
    """One assessment (一场考试/评价) of an occupation (or special-ability item) at a level, by
    an evaluator listed for it in the evaluation catalog on the sitting date."""

    evaluator = models.ForeignKey("registry.Organization", on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("evaluator"))
    occupation = models.ForeignKey("registry.Occupation", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("occupation"))
    work_type = models.CharField(_("work type or direction"), max_length=100, blank=True)
    level = models.ForeignKey("registry.SkillLevel", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("skill level"))
    special_ability_item = models.CharField(_("special ability item"), max_length=100,
                                            blank=True)
    route = models.CharField(_("route"), max_length=24, choices=AssessmentRoute.choices,
                             default=AssessmentRoute.CLASS_COMPLETED)
    training_class = models.ForeignKey("training.TrainingClass", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("class"))
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    place = models.CharField(_("place"), max_length=200)
    sitting_date = models.DateField(_("sitting date"))
    # A pass mark left empty means the part is not examined at this sitting (the standard
    # has only a theory or only a practical part, e.g. some special-ability items).
    theory_pass_mark = models.DecimalField(_("theory pass mark"), max_digits=5,
                                           decimal_places=2, default=Decimal("60"),
                                           null=True, blank=True,
                                           validators=SCORE_VALIDATORS)
    practical_pass_mark = models.DecimalField(_("practical pass mark"), max_digits=5,
                                              decimal_places=2, default=Decimal("60"),
                                              null=True, blank=True,
                                              validators=SCORE_VALIDATORS)
    # 一试双证: a second certificate kind issued by the same assessment, where allowed.
    second_certificate_kind = models.CharField(_("second certificate"), max_length=20,
                                               blank=True)
    listing_version_id = models.PositiveIntegerField(_("evaluation catalog version"),
                                                     null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=SittingStatus.choices,
                              default=SittingStatus.DECLARED)
    # A sitting brought over from a previous system (services/outside.history_import): closed,
    # with its candidates' results and certificates as the old system held them.
    origin = models.CharField(_("origin"), max_length=8, choices=SittingOrigin.choices,
                              default=SittingOrigin.HERE)
    declared_by = models.CharField(_("declared by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("declared"), auto_now_add=True)
    client_ref = models.CharField(_("evaluator's reference"), max_length=100, blank=True)
    client_fingerprint = models.CharField(max_length=64, blank=True, default="",
                                          editable=False)

    objects = SittingQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment sitting")
        verbose_name_plural = _("assessment sittings")
        ordering = ["-sitting_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(occupation__isnull=False) | ~Q(special_ability_item=""),
                name="sitting_occupation_or_item"),
            models.UniqueConstraint(fields=["evaluator", "client_ref"],
                                    condition=~Q(client_ref=""),
                                    name="sitting_client_ref_once"),
            models.CheckConstraint(
                condition=Q(theory_pass_mark__isnull=False)
                | Q(practical_pass_mark__isnull=False),
                name="sitting_examines_a_part"),
        ]

    def __str__(self) -> str:
        what = self.occupation.name if self.occupation_id else self.special_ability_item
        return f"{what} · {self.sitting_date}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code

    @property
    def audit_organization_id(self) -> int:
        return self.evaluator_id


class SittingStatusChangeQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if scope.public:
            return None
        return any_of(
            region_q("sitting__region", scope),
            Q(sitting__evaluator_id=scope.organization_id) if scope.organization_id else None,
        )


class SittingStatusChange(StatusHistoryEntry):
    """One step of a sitting through its states (core's history shape)."""

    sitting = models.ForeignKey(AssessmentSitting, on_delete=models.CASCADE,
                                related_name="status_history", verbose_name=_("sitting"))
    objects = SittingStatusChangeQuerySet.as_manager()

    class Meta(StatusHistoryEntry.Meta):
        verbose_name = _("sitting status change")
        verbose_name_plural = _("sitting status changes")
        ordering = ["sitting", "at", "id"]


class ExaminerQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if not scope.sees_persons:
            return None
        return any_of(region_q("sitting__region", scope),
                      Q(sitting__evaluator_id=scope.organization_id)
                      if scope.organization_id else None)


class SittingExaminer(models.Model):
    """An examiner (考评员) of a sitting: a registered person; `id_hash` is the person's keyed
    hash, compared with the class teachers' for 考培分离."""

    sitting = models.ForeignKey(AssessmentSitting, on_delete=models.CASCADE,
                                related_name="examiners", verbose_name=_("sitting"))
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("examiner"))
    id_hash = models.CharField(_("ID number keyed hash"), max_length=64, db_index=True)
    is_chief = models.BooleanField(_("chief examiner"), default=False)

    objects = ExaminerQuerySet.as_manager()

    class Meta:
        verbose_name = _("examiner")
        verbose_name_plural = _("examiners")
        constraints = [models.UniqueConstraint(fields=["sitting", "person"],
                                               name="examiner_once_per_sitting")]

    def __str__(self) -> str:
        return f"{self.sitting_id}: {self.person_id}"


class CandidateQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if not scope.sees_persons:
            return None
        # A training institution sees the results of its own trainees (the candidate's
        # enrollment), not of everyone who sat its class's sitting with them: a social
        # candidate of that sitting is none of its business.
        return any_of(
            region_q("sitting__region", scope),
            Q(sitting__evaluator_id=scope.organization_id) if scope.organization_id else None,
            Q(enrollment__training_class__institution_id=scope.organization_id)
            if scope.organization_id else None,
        )


class Candidate(models.Model):
    """A person sitting an assessment, with the route that admitted them (and its explanation),
    scores and result. Direct recognition keeps its justification and approval."""

    sitting = models.ForeignKey(AssessmentSitting, on_delete=models.CASCADE,
                                related_name="candidates", verbose_name=_("sitting"))
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("candidate"))
    enrollment = models.ForeignKey("training.Enrollment", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("enrollment"))
    route = models.CharField(_("route"), max_length=24, choices=AssessmentRoute.choices)
    route_basis = models.JSONField(_("why admitted"), default=dict, blank=True)
    justification = models.TextField(_("justification"), blank=True)
    approved_by = models.CharField(_("approved by"), max_length=150, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    theory_score = models.DecimalField(_("theory score"), max_digits=5, decimal_places=2,
                                       null=True, blank=True, validators=SCORE_VALIDATORS)
    practical_score = models.DecimalField(_("practical score"), max_digits=5,
                                          decimal_places=2, null=True, blank=True,
                                          validators=SCORE_VALIDATORS)
    absent = models.BooleanField(_("absent"), default=False)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    result_entered_at = models.DateTimeField(_("result entered"), null=True, blank=True)
    result_entered_by = models.CharField(_("result entered by"), max_length=150, blank=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["sitting", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sitting", "person"],
                                    name="candidate_once_per_sitting"),
            models.CheckConstraint(
                condition=(Q(theory_score__isnull=True) | Q(theory_score__gte=0)
                           & Q(theory_score__lte=100))
                & (Q(practical_score__isnull=True) | Q(practical_score__gte=0)
                   & Q(practical_score__lte=100)),
                name="candidate_scores_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.sitting_id}: {self.person_id}"

    @property
    def audit_region_code(self) -> str:
        return self.sitting.region.code

    @property
    def audit_organization_id(self) -> int:
        return self.sitting.evaluator_id
