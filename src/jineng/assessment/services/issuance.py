"""Issuing certificates: numbered without gaps, signed, counted in the plans, and the steps they
complete (the sitting closed, the class assessed).

- `certificates_issue_for_sitting(*, actor, sitting)`: for a sitting whose results are recorded,
  one skill-level certificate (or special-ability certificate, for a special-ability sitting)
  per passed candidate; 一试双证: a second certificate of `sitting.second_certificate_kind`
  where the evaluation catalog lists the evaluator for it on the sitting day, the two paired
  (`paired_with`, set on both). Then the sitting is closed, the plans facts written and, when
  it was the last open assessment of a finished class, the class is assessed
  (`training.services.class_mark_assessed`). One transaction.
- `training_certificates_issue(*, actor, training_class)`: 培训合格证书 (or
  entrepreneurship-training certificates, for an entrepreneurship class) for the trainees who
  completed a finished class; issuing again adds nothing.

Numbering (`rules.numbering`): a skill-level number's prefix (positions 1–16: the evaluator's
letter and codes from its `EvaluatorCode`, the province, the year, the level) names a
`CertificateSequence` row, locked (select_for_update) while its numbers are taken in the issuing
transaction: two sittings issuing at once wait for each other on a shared prefix, and a
rollback gives the numbers back (no gaps). Special-ability, training and entrepreneurship
numbers follow the province's pattern (`settings.JINENG_CERTIFICATE_NUMBER_PATTERNS`,
{province: {kind: pattern}}, else the rules' defaults); the sequence key is the pattern with
every value but the sequence. Locks are always taken in one order (the class, the sitting, the
number sequences sorted by prefix, then the signing area's status list) so issuers never
deadlock. Each certificate is signed by the signing area (`certificates_sign_bulk`), which also
gives it its place in the status list. A certificate's issue is its own record (`issued_on`,
`recorded_by`, the sitting's closing step and the audit event); its status history
(`CertificateStatusChange`) starts with its first change (a revocation): a history row per
certificate issued would double the rows a 10,000-candidate sitting writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.assessment import access, plan_facts
from jineng.assessment.choices import (
    CertificateKind,
    CertificateOrigin,
    CertificateStatus,
    EvaluatorFiledWith,
)
from jineng.assessment.models import (
    AssessmentSitting,
    Candidate,
    Certificate,
    CertificateSequence,
    EvaluatorCode,
    SittingStatusChange,
)
from jineng.assessment.rules import numbering, routes
from jineng.assessment.rules import sitting_lifecycle as lc
from jineng.assessment.services import class_step, dual
from jineng.assessment.services.dual import SECOND_CERTIFICATE_KINDS
from jineng.assessment.services.signing import certificates_sign_bulk
from jineng.core import audit
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.history import record_transition
from jineng.core.models import AuditAction
from jineng.training import selectors as training_selectors
from jineng.training import services as training_services
from jineng.training.choices import ClassStatus, TrainingType
from jineng.training.models import TrainingClass

__all__ = [
    "SECOND_CERTIFICATE_KINDS",
    "appointment_only",
    "certificates_issue_for_sitting",
    "number_patterns",
    "second_certificate_listing",
    "training_certificates_issue",
]

TRAINING_CERTIFICATE_STATES = (ClassStatus.FINISHED, ClassStatus.ASSESSED, ClassStatus.SETTLED)
BULK = 1000


def _username(actor) -> str:
    return getattr(actor, "username", "") or "system"


def number_patterns() -> dict:
    """The provinces' configured number patterns: {province code: {kind: pattern}}."""
    return getattr(settings, "JINENG_CERTIFICATE_NUMBER_PATTERNS", {}) or {}


# --- numbers ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Numbering:
    """How the numbers of one kind of certificate of one issue are made: `key` names the
    sequence; `make(seq)` is the number."""

    key: str
    head: str  # the number's text before the sequence
    tail: str  # and after it
    width: int
    pattern: numbering.NumberPattern | None = None
    values: tuple[tuple[str, str | int], ...] = ()

    def make(self, seq: int) -> str:
        if self.pattern is None:
            return numbering.skill_level_number(self.key, seq)
        return self.pattern.build(dict(self.values), seq)


def _numbering_error(problem: numbering.NumberProblem) -> DomainError:
    if problem.part == numbering.LEVEL:
        return DomainError(_("Skill-level certificates are numbered for 初级工 to 高级技师 and "
                             "特级技师 only; this level has no number layout."),
                           field="level", code="level_not_numbered")
    if problem.part == numbering.SEQUENCE:
        return DomainError(_("The certificate numbers of this evaluator, level and year are "
                             "used up."), field="number", code="numbers_used_up")
    if problem.part == numbering.PATTERN:
        return DomainError(_("The province's certificate number pattern is malformed; ask "
                             "the administrator to correct it."), field="number",
                           code="bad_pattern")
    return DomainError(_("The evaluator's certificate codes do not make a valid number "
                         "(%(part)s); correct the evaluator code.") % {"part": problem.part},
                       field="evaluator", code="bad_evaluator_code")


def _skill_level_numbering(code: EvaluatorCode, province: str, level_code: str,
                           day: dt.date) -> _Numbering:
    ministry = code.ministry_code if code.filed_with == EvaluatorFiledWith.MINISTRY else ""
    try:
        prefix = numbering.skill_level_prefix(
            category=code.letter, evaluator_code=ministry, province=province,
            site_code=code.site_code, year=day.year, level_code=level_code)
    except numbering.NumberingError as bad:
        raise _numbering_error(bad.problem) from None
    return _Numbering(key=prefix, head=prefix, tail="", width=numbering.SEQUENCE_DIGITS)


def _pattern_numbering(kind: str, region_code: str, day: dt.date,
                       site: int | str | None) -> _Numbering:
    province = region_code[:2]
    try:
        pattern = numbering.pattern_for(kind, province, number_patterns())
        values: dict[str, str | int] = {"province": province, "region": region_code[:6],
                                        "year": day.year, "year4": day.year}
        if site is not None:
            values["site"] = site
        key = pattern.sequence_key(values)
    except numbering.NumberingError as bad:
        raise _numbering_error(bad.problem) from None
    head, tail = key.split("{seq}")
    width = int(dict(pattern.parts)["seq"])
    return _Numbering(key=f"{kind}:{key}", head=head, tail=tail, width=width, pattern=pattern,
                      values=tuple(sorted(values.items())))


def _highest_used(n: _Numbering) -> int:
    """The highest sequence already present among stored numbers of this layout (a
    certificate recorded from a previous system may hold one the sequence row never gave)."""
    length = len(n.head) + n.width + len(n.tail)
    stored = Certificate.objects.filter(number__startswith=n.head)
    if n.tail:
        stored = stored.filter(number__endswith=n.tail)
    numbers = (stored.annotate(length=Length("number")).filter(length=length)
               .order_by("-number").values_list("number", flat=True)[:1])
    best = 0
    for number in numbers:
        digits = number[len(n.head):len(n.head) + n.width]
        if digits.isdigit():
            best = int(digits)
    return best


def _take(numberings: Sequence[tuple[_Numbering, int]]) -> dict[str, list[str]]:
    """`count` consecutive numbers for each numbering, their sequence rows locked until the
    caller's transaction ends (taken in prefix order: no deadlock between issuers)."""
    out: dict[str, list[str]] = {}
    for n, count in sorted(numberings, key=lambda nc: nc[0].key):
        if count <= 0:
            out[n.key] = []
            continue
        CertificateSequence.objects.get_or_create(prefix=n.key)
        row = CertificateSequence.objects.select_for_update().get(prefix=n.key)
        first = max(row.last, _highest_used(n)) + 1
        try:
            out[n.key] = [n.make(seq) for seq in range(first, first + count)]
        except numbering.NumberingError as bad:
            raise _numbering_error(bad.problem) from None
        row.last = first + count - 1
        row.save(update_fields=["last"])
    return out


# --- issuing for a sitting -------------------------------------------------------------------

def _primary_kind(sitting: AssessmentSitting) -> str:
    return dual.primary_kind(sitting.occupation if sitting.occupation_id else None,
                             sitting.level if sitting.level_id else None)


def second_certificate_listing(sitting: AssessmentSitting) -> str | None:
    """The kind of a sitting's second certificate (一试双证) if it may issue one, None if it
    asks for none; a DomainError (naming `second_certificate_kind`) when it asks for one the
    sitting or the evaluation catalog does not allow (services.dual)."""
    return dual.check_second_certificate(
        evaluator=sitting.evaluator,
        occupation=sitting.occupation if sitting.occupation_id else None,
        level=sitting.level if sitting.level_id else None,
        item=sitting.special_ability_item, day=sitting.sitting_date,
        kind=sitting.second_certificate_kind)


def _evaluator_code(sitting: AssessmentSitting) -> EvaluatorCode:
    code = EvaluatorCode.objects.filter(organization_id=sitting.evaluator_id).first()
    if code is None:
        raise DomainError(
            _("%(evaluator)s has no evaluator code (letter, ministry and province codes): "
              "skill-level certificate numbers cannot be made. Record the code first.")
            % {"evaluator": sitting.evaluator.name}, field="evaluator",
            code="no_evaluator_code")
    return code


def _certificate(sitting: AssessmentSitting, candidate: Candidate, kind: str, day: dt.date,
                 who: str) -> Certificate:
    skill = kind == CertificateKind.SKILL_LEVEL
    # The class a certificate names is the one its holder trained in (that institution then
    # reads the certificate): a candidate who sat the class's sitting without being one of its
    # trainees names none.
    trained_in = candidate.enrollment.training_class_id if candidate.enrollment_id else None
    return Certificate(
        kind=kind, origin=CertificateOrigin.ISSUED, verified=True, person=candidate.person,
        holder_name=candidate.person.name, occupation=sitting.occupation,
        work_type=sitting.work_type, level=sitting.level if skill else None,
        special_ability_item="" if skill else sitting.special_ability_item,
        training_class_id=trained_in, issuer=sitting.evaluator,
        issuer_name=sitting.evaluator.name, region=sitting.region, issued_on=day,
        candidate=candidate, status=CertificateStatus.VALID, recorded_by=who)


def _numbering_for(kind: str, sitting: AssessmentSitting, code: EvaluatorCode | None,
                   day: dt.date) -> _Numbering:
    if kind == CertificateKind.SKILL_LEVEL:
        assert code is not None
        return _skill_level_numbering(code, sitting.evaluator.region.code[:2],
                                      sitting.level.code, day)
    return _pattern_numbering(kind, sitting.region.code, day,
                              code.site_code if code is not None else sitting.evaluator_id)


def _save_signed(certificates: list[Certificate]) -> list[Certificate]:
    """Sign (status-list index, payload, key, signature) and insert."""
    certificates_sign_bulk(certificates, save=False)
    return Certificate.objects.bulk_create(certificates, batch_size=BULK)


def _class_facts(training_class: TrainingClass | None) -> dict:
    if training_class is None:
        return {}
    return {"sector": training_class.sector, "key_group": training_class.target_group}


def _visible_sitting(actor, sitting: AssessmentSitting) -> AssessmentSitting:
    found = (AssessmentSitting.objects.visible_to(actor)
             .select_related("region", "evaluator", "evaluator__region", "occupation", "level")
             .filter(pk=sitting.pk).first())
    if found is None:
        raise NotFound()
    return found


def certificates_issue_for_sitting(*, actor, sitting: AssessmentSitting) -> list[Certificate]:
    """Issue the certificates of a sitting whose results are recorded: one per passed
    candidate (refused while a direct recognition waits for approval), and a paired second one where
    一试双证 is allowed; numbered, signed. Close the sitting; write the plans facts; assess its
    class when this closed the class's last open assessment. The sitting's evaluator issues
    (Forbidden for others; NotFound out of scope). Returns the certificates issued, first
    certificates before second ones."""
    visible = _visible_sitting(actor, sitting)
    access.ensure_issue(actor, visible)
    with transaction.atomic():
        # Lock order: the class, the sitting, the number sequences, the status list.
        if visible.training_class_id:
            training_selectors.class_lock(visible.training_class_id)
        locked = (AssessmentSitting.objects.select_for_update(of=("self",))
                  .select_related("region", "evaluator", "evaluator__region", "occupation",
                                  "level", "training_class")
                  .get(pk=visible.pk))
        access.ensure_issue(actor, locked)  # again under the lock: issued meanwhile?
        appointed: list[Candidate] = []
        if appointment_only(locked):
            appointed = _appoint(actor, locked)
            certificates: list[Certificate] = []
        else:
            certificates = _issue(actor, locked)
        _close(actor, locked, len(certificates), appointed=len(appointed))
        day = certificates[0].issued_on if certificates else timezone.localdate()
        plan_facts.record_issued(actor=actor, sitting=locked, certificates=certificates,
                                 day=day, appointed=appointed,
                                 **_class_facts(locked.training_class))
        class_step.assess_class_if_done(actor, locked.training_class_id)
    return certificates


def appointment_only(sitting: AssessmentSitting) -> bool:
    """A 首席技师 sitting: its passed candidates are appointed, with no numbered certificate
    (rules.numbering.UNNUMBERED_LEVEL_CODES)."""
    return (_primary_kind(sitting) == CertificateKind.SKILL_LEVEL
            and sitting.level.code in numbering.UNNUMBERED_LEVEL_CODES)


def _appoint(actor, sitting: AssessmentSitting) -> list[Candidate]:
    """Record the 首席技师 appointments of a sitting: its passed candidates (every direct
    recognition approved first), kept as they are; one audit event names them."""
    passed = list(Candidate.objects.filter(sitting=sitting, passed=True)
                  .select_related("person").order_by("pk"))
    _ensure_no_pending_approval(passed)
    if passed:
        audit.record(
            actor=actor, action=AuditAction.CREATE, entity_type="assessment.appointment",
            label=_("%(count)s 首席技师 appointments of sitting %(sitting)s")
            % {"count": len(passed), "sitting": sitting.pk},
            region_code=sitting.region.code, organization_id=sitting.evaluator_id,
            after={"sitting": sitting.pk, "level": sitting.level.code,
                   "candidates": [c.pk for c in passed]})
    return passed


def _issue(actor, sitting: AssessmentSitting) -> list[Certificate]:
    primary = _primary_kind(sitting)
    second = second_certificate_listing(sitting)
    kinds = [primary] + ([second] if second else [])
    code = (_evaluator_code(sitting) if CertificateKind.SKILL_LEVEL in kinds
            else EvaluatorCode.objects.filter(organization_id=sitting.evaluator_id).first())
    passed = list(Candidate.objects.filter(sitting=sitting, passed=True)
                  .exclude(certificates__kind__in=kinds)
                  .select_related("person", "enrollment").order_by("pk"))
    _ensure_no_pending_approval(passed)
    if not passed:
        return []
    day = timezone.localdate()
    who = _username(actor)
    numberings = {kind: _numbering_for(kind, sitting, code, day) for kind in kinds}
    numbers = _take([(n, len(passed)) for n in numberings.values()])
    issued: dict[str, list[Certificate]] = {}
    for kind in kinds:
        made = []
        for candidate, number in zip(passed, numbers[numberings[kind].key], strict=True):
            c = _certificate(sitting, candidate, kind, day, who)
            c.number = number
            made.append(c)
        issued[kind] = made
    firsts = _save_signed(issued[primary])
    seconds: list[Certificate] = []
    if second:
        for one, other in zip(firsts, issued[second], strict=True):
            other.paired_with = one
        seconds = _save_signed(issued[second])
        for one, other in zip(firsts, seconds, strict=True):
            one.paired_with = other
        Certificate.objects.bulk_update(firsts, ["paired_with"], batch_size=BULK)
    everything = firsts + seconds
    audit.record(
        actor=actor, action=AuditAction.CREATE, entity_type="assessment.certificate",
        label=_("%(count)s certificates of sitting %(sitting)s")
        % {"count": len(everything), "sitting": sitting.pk},
        region_code=sitting.region.code, organization_id=sitting.evaluator_id,
        after={"sitting": sitting.pk, "count": len(everything),
               "numbers": {kind: [issued_now[0].number, issued_now[-1].number]
                           for kind, issued_now in (("first", firsts), ("second", seconds))
                           if issued_now}})
    return everything


def _ensure_no_pending_approval(passed: list[Candidate]) -> None:
    """A direct recognition counts once the HRSS office approved it (Zhejiang (七)): while one
    of the passed candidates still waits for that approval, nothing is issued and the sitting
    stays open (closing it would leave the candidate without a certificate for good). The
    refusal names the candidates; HRSS staff approve them on the sitting's page (possible
    until the certificates are issued), then the evaluator issues."""
    waiting = [c for c in passed
               if routes.awaiting_approval(c.route, c.approved_at is not None)]
    if waiting:
        raise DomainError(
            _("Direct recognition of %(names)s waits for the HRSS office's approval: the "
              "sitting's certificates are issued once every direct recognition is approved.")
            % {"names": "、".join(f"{c.person.name} (#{c.pk})" for c in waiting)},
            field="candidates", code="direct_recognition_pending")


def _close(actor, sitting: AssessmentSitting, count: int, *, appointed: int = 0) -> None:
    kinds = access.sitting_kinds(actor, sitting) | {lc.SYSTEM}
    try:
        target = lc.plan_transition("close", sitting.status, kinds)
    except lc.TransitionRefused:
        raise DomainError(_("Certificates are issued only once the sitting's results are "
                            "recorded."), field="status", code="no_results") from None
    before = sitting.status
    sitting.status = target
    sitting.save(update_fields=["status"])
    record_transition(SittingStatusChange, subject_field="sitting", subject=sitting,
                      actor=actor, action="close", from_status=before, to_status=target,
                      note={"certificates": count, **({"appointed": appointed}
                                                       if appointed else {})})
    audit.record(actor=actor, action=AuditAction.TRANSITION, instance=sitting,
                 before={"status": before},
                 after={"status": target, "action": "close", "certificates": count,
                        **({"appointed": appointed} if appointed else {})})


# --- training and entrepreneurship certificates ----------------------------------------------

def _ensure_class_issuer(actor, training_class: TrainingClass) -> None:
    kinds = training_services.actor_kinds(actor, training_class)
    if not kinds & {"institution", "hrss"}:
        raise Forbidden(_("Only the class's institution or the HRSS office governing it "
                          "issues its training certificates."))


def training_certificates_issue(*, actor, training_class: TrainingClass) -> list[Certificate]:
    """培训合格证书 for the trainees who completed a finished class (the institution issues,
    the project is the class, with its dates), or entrepreneurship-training certificates for
    an entrepreneurship class. Numbered by the province's pattern, signed. Idempotent: a
    trainee who holds the class's certificate gets no second one (issuing again returns [])."""
    visible = training_selectors.class_get(actor=actor, pk=training_class.pk)
    _ensure_class_issuer(actor, visible)
    with transaction.atomic():
        cls = training_selectors.class_lock(visible.pk)
        if cls.status not in TRAINING_CERTIFICATE_STATES:
            raise DomainError(_("Training certificates are issued once the class is "
                                "finished."), field="status", code="not_finished")
        kind = (CertificateKind.ENTREPRENEURSHIP
                if cls.training_type == TrainingType.ENTREPRENEURSHIP
                else CertificateKind.TRAINING)
        holders = set(Certificate.objects.filter(training_class=cls, kind=kind)
                      .values_list("person_id", flat=True))
        trainees = [e for e in training_selectors.completed_enrollments(cls)
                    if e.person_id not in holders]
        if not trainees:
            return []
        day = timezone.localdate()
        n = _pattern_numbering(kind, cls.region.code, day, cls.institution_id)
        numbers = _take([(n, len(trainees))])[n.key]
        who = _username(actor)
        made = [Certificate(
            kind=kind, number=number, origin=CertificateOrigin.ISSUED, verified=True,
            person=e.person, holder_name=e.person.name, occupation=cls.occupation,
            title=cls.name, training_class=cls, training_start=cls.start_date,
            training_end=cls.end_date, issuer=cls.institution,
            issuer_name=cls.institution.name, region=cls.region, issued_on=day,
            status=CertificateStatus.VALID, recorded_by=who)
            for e, number in zip(trainees, numbers, strict=True)]
        saved = _save_signed(made)
        audit.record(
            actor=actor, action=AuditAction.CREATE, entity_type="assessment.certificate",
            label=_("%(count)s training certificates of class %(name)s")
            % {"count": len(saved), "name": cls.name},
            region_code=cls.region.code, organization_id=cls.institution_id,
            after={"training_class": cls.pk, "kind": kind, "count": len(saved),
                   "numbers": [saved[0].number, saved[-1].number]})
    return saved
