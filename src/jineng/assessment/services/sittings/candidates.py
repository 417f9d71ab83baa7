"""Candidates: admitted by a route to the level (rules.routes) and checked for 考培分离
(rules.separation); from a class; removal; direct recognition."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.assessment import access
from jineng.assessment.choices import AssessmentRoute, CertificateStatus
from jineng.assessment.models import (
    AssessmentSitting,
    Candidate,
    Certificate,
    SittingExaminer,
)
from jineng.assessment.rules import routes as route_rules
from jineng.assessment.rules import separation as sep_rules
from jineng.assessment.selectors import sittings as selectors
from jineng.assessment.services.sittings.declaring import (
    FINISHED_CLASS_STATES,
    JUSTIFICATION_MAX,
    REASON_MAX,
    YEARS_MAX,
    _entry,
    _primary_item,
    _username,
)
from jineng.assessment.services.sittings.lifecycle import (
    _lock,
)
from jineng.core import audit
from jineng.core.errors import Conflict, DomainError
from jineng.core.models import AuditAction
from jineng.registry.models import Occupation, Organization, Person
from jineng.training import selectors as training_selectors
from jineng.training.models import Enrollment

# --- candidates ------------------------------------------------------------------------------

def _related_occupations(occupation: Occupation | None) -> frozenset[int]:
    """本职业或相关职业: the occupation's parent and its 工种."""
    if occupation is None:
        return frozenset()
    ids = set(Occupation.objects.filter(parent_id=occupation.pk).values_list("pk", flat=True))
    if occupation.parent_id:
        ids.add(occupation.parent_id)
    return frozenset(ids)


def _sitting_facts(sitting: AssessmentSitting, entry) -> route_rules.SittingFacts:
    return route_rules.SittingFacts(
        evaluator_id=sitting.evaluator_id,
        level=sitting.level.rank if sitting.level_id else None,
        occupation_id=sitting.occupation_id,
        special_ability_item=_primary_item(sitting),
        region_code=sitting.region.code, sitting_date=sitting.sitting_date,
        self_evaluation=entry.self_evaluation, top_filing_number=entry.top_filing_number,
        related_occupation_ids=_related_occupations(sitting.occupation))


def _class_facts(enrollment: Enrollment | None) -> route_rules.ClassFacts | None:
    if enrollment is None:
        return None
    cls = enrollment.training_class
    return route_rules.ClassFacts(
        enrollment_id=enrollment.pk,
        completed=enrollment.has_completed and cls.status in FINISHED_CLASS_STATES,
        occupation_id=cls.occupation_id, level=cls.level.rank,
        institution_id=cls.institution_id, training_type=cls.training_type,
        required_hours=cls.required_hours)


def _held(person: Person) -> tuple[route_rules.HeldCertificate, ...]:
    """The person's valid, verified certificates (issued here or recorded from elsewhere)."""
    rows = (Certificate.objects.filter(person=person, status=CertificateStatus.VALID,
                                       verified=True)
            .select_related("level").order_by("issued_on", "pk"))
    return tuple(route_rules.HeldCertificate(
        kind=c.kind, level=c.level.rank if c.level_id else None, occupation_id=c.occupation_id,
        issued_on=c.issued_on, number=c.number) for c in rows)


def _candidate_sides(sitting: AssessmentSitting, people: list[tuple[int, Enrollment | None,
                                                                      int | None]],
                     ) -> dict[int, sep_rules.CandidateSide]:
    """考培分离 facts of each (person id, enrollment, employer id): the classes of the sitting's
    occupation they attended (and their named enrollment's class), with those classes'
    institutions and teachers."""
    occupations = {sitting.occupation_id, *_related_occupations(sitting.occupation)} \
        if sitting.occupation_id else set()
    attended = training_selectors.classes_attended([p for p, _e, _m in people],
                                                   occupation_ids=occupations)
    for person_id, enrollment, _employer in people:
        if enrollment is not None:
            attended[person_id].append((enrollment.training_class_id,
                                        enrollment.training_class.institution_id))
    class_ids = {c for rows in attended.values() for c, _i in rows}
    teachers = training_selectors.class_teacher_hashes(class_ids)
    out = {}
    for person_id, _enrollment, employer_id in people:
        rows = attended[person_id]
        out[person_id] = sep_rules.CandidateSide(
            trained_by=frozenset(i for _c, i in rows),
            teacher_hashes=frozenset(h for c, _i in rows for h in teachers.get(c, ())),
            employer_id=employer_id)
    return out


def _evaluator_side(sitting: AssessmentSitting, entry, extra_hash: str = "",
                    ) -> sep_rules.EvaluatorSide:
    hashes = set(SittingExaminer.objects.filter(sitting=sitting)
                 .values_list("id_hash", flat=True))
    if extra_hash:
        hashes.add(extra_hash)
    return sep_rules.EvaluatorSide(evaluator_id=sitting.evaluator_id,
                                   self_evaluation=entry.self_evaluation,
                                   examiner_hashes=frozenset(hashes))


ROUTE_FIELDS = {"certificates": "person", "employer": "employer_id",
                "enrollment": "enrollment_id"}


def explain_route(answer: route_rules.RouteAnswer | dict) -> str:
    """One sentence for a route's answer, with its figures."""
    a = answer.as_dict() if isinstance(answer, route_rules.RouteAnswer) else answer
    p, code = a.get("params", {}), a.get("code", "")
    texts = {
        "completed_class": _("Completed a class of this occupation and level."),
        "enrollment_required": _("Name the class enrollment this route rests on."),
        "other_occupation": _("The class trained another occupation than the sitting "
                              "assesses."),
        "other_level": _("The class trained another level than the sitting assesses."),
        "not_completed": _("The candidate did not complete the class."),
        "condition_met": _("Meets the standard's condition: %(text)s.") % {
            "text": p.get("text", "")},
        "conditions_not_met": _("Meets none of the standard's conditions for this level "
                                "(years of work in the occupation, a previous "
                                "certificate)."),
        "level_not_open": _("This level is not open to this route."),
        "not_self_evaluating": _("The evaluator is not listed for enterprise "
                                 "self-evaluation."),
        "employer_required": _("Name the candidate's employer."),
        "not_own_employee": _("The candidate is not an employee of the assessing "
                              "enterprise."),
        "own_employee": _("An employee assessed by their own enterprise (企业自主评价)."),
        "level_below_senior": _("Direct recognition is for 高级工 and above."),
        "justification_required": _("Direct recognition needs a recorded justification."),
        "awaiting_approval": _("Direct recognition, waiting for the HRSS office's approval."),
        "approved": _("Direct recognition, approved by the HRSS office."),
        "level_not_top": _("Appointment is for 特级技师 and 首席技师."),
        "no_top_filing": _("The enterprise has no 特级技师/首席技师 filing."),
        "prerequisite_missing": _("The candidate holds no 高级技师 certificate of the "
                                  "occupation."),
        "filed_enterprise": _("Appointed by an enterprise with a filing (%(filing)s).") % {
            "filing": p.get("filing", "")},
        "not_guizhou": _("This route applies in Guizhou only."),
        "not_intermediate": _("This route leads to 中级工 only."),
        "no_junior_certificate": _("The candidate holds no 初级工 or special-operation "
                                   "certificate."),
        "not_long_term": _("The class is not long-term employment training (at least "
                           "%(min_hours)s hours).") % {"min_hours": p.get("min_hours", "")},
        "junior_holder_trained": _("Holds a 初级工 (or special-operation) certificate and "
                                   "completed long-term 中级工 training."),
        "unknown_route": _("Unknown route."),
    }
    return str(texts.get(code, code))


def _separation_error(answer: sep_rules.SeparationAnswer) -> DomainError:
    if answer.code == sep_rules.TRAINED_BY_EVALUATOR:
        message = _("考培分离: the evaluator trained this candidate and may not assess them.")
    else:
        message = _("考培分离: an examiner of this sitting taught the candidate's class.")
    return DomainError(message, field=answer.field, code=answer.code)


def _check_candidate_input(years: Decimal, justification: str) -> None:
    if years < 0 or years > YEARS_MAX:
        raise DomainError(_("Years of work are from 0 to %(n)s.") % {"n": YEARS_MAX},
                          field="years_in_occupation", code="out_of_range")
    if len(justification) > JUSTIFICATION_MAX:
        raise DomainError(_("At most %(n)s characters.") % {"n": JUSTIFICATION_MAX},
                          field="justification", code="too_long")


def _admit(sitting: AssessmentSitting, entry, person: Person, route: str,
           enrollment: Enrollment | None, employer: Organization | None, years: Decimal,
           justification: str) -> dict:
    """The route and 考培分离 answers for one candidate, as the route_basis to keep; raises
    the refusal naming its field."""
    facts = route_rules.CandidateFacts(
        enrollment=_class_facts(enrollment), employer_id=employer.pk if employer else None,
        years_in_occupation=years, certificates=_held(person), justification=justification)
    answer = route_rules.check_route(route, _sitting_facts(sitting, entry), facts)
    if not answer.allowed:
        raise DomainError(explain_route(answer), field=ROUTE_FIELDS.get(answer.field,
                                                                        answer.field),
                          code=answer.code)
    side = _candidate_sides(sitting, [(person.pk, enrollment, facts.employer_id)])[person.pk]
    separation = sep_rules.check(_evaluator_side(sitting, entry), side,
                                 examiner_field="person", candidate_field="person")
    if not separation.allowed:
        raise _separation_error(separation)
    return {"route": answer.as_dict(), "explanation": explain_route(answer),
            "separation": separation.as_dict(),
            "facts": {"employer_id": facts.employer_id, "years_in_occupation": str(years),
                      "certificates": [c.number for c in facts.certificates],
                      "listing_entry_id": entry.pk}}


def candidate_add(*, actor, sitting: AssessmentSitting, person: Person, route: str,
                  enrollment: Enrollment | None = None, justification: str = "",
                  employer: Organization | None = None,
                  years_in_occupation: Decimal = Decimal("0")) -> Candidate:
    """Admit a candidate by a route to the level: the route's rule and 考培分离 are checked
    (a refusal names the field at fault) and the answers kept with the candidate."""
    visible = selectors.sitting_get(actor=actor, pk=sitting.pk)
    justification = justification.strip()
    years = Decimal(years_in_occupation)
    _check_candidate_input(years, justification)
    if enrollment is not None and enrollment.person_id != person.pk:
        raise DomainError(_("This enrollment is another person's."), field="enrollment_id",
                          code="other_person")
    with transaction.atomic():
        locked = _lock(visible.pk)
        access.ensure_roster(actor, locked)
        if Candidate.objects.filter(sitting=locked, person=person).exists():
            raise Conflict(_("This person is already a candidate of the sitting."),
                           field="person", code="already_candidate")
        if SittingExaminer.objects.filter(sitting=locked, person=person).exists():
            raise DomainError(_("An examiner of the sitting cannot sit it."), field="person",
                              code="examiner_candidate")
        basis = _admit(locked, _entry(locked), person, route, enrollment, employer, years,
                       justification)
        row = Candidate.objects.create(sitting=locked, person=person, enrollment=enrollment,
                                       route=route, route_basis=basis,
                                       justification=justification)
        audit.record(actor=actor, action=AuditAction.CREATE, instance=row,
                     after={"sitting": locked.pk, "person": person.pk, "route": route,
                            "enrollment": enrollment.pk if enrollment else None,
                            "code": basis["route"]["code"]})
    return row


@dataclass
class FromClassReport:
    added: list[Candidate]
    already: int  # trainees already candidates of the sitting
    skipped: list[dict]  # {"enrollment_id", "person_id", "name", "code", "message"}


def candidates_add_from_class(*, actor, sitting: AssessmentSitting) -> FromClassReport:
    """Add every trainee who completed the sitting's class (training's COMPLETED_FIELDS) by
    the class_completed route. A trainee refused by 考培分离 is listed in the report with
    the reason, not added; nothing is written when no trainee can be added."""
    visible = selectors.sitting_get(actor=actor, pk=sitting.pk)
    if visible.training_class_id is None:
        raise DomainError(_("This sitting names no class."), field="training_class_id",
                          code="no_class")
    with transaction.atomic():
        locked = _lock(visible.pk)
        access.ensure_roster(actor, locked)
        cls = training_selectors.class_lock(locked.training_class_id)
        if cls.status not in FINISHED_CLASS_STATES:
            raise DomainError(_("The class has not finished: completion is known when it "
                                "finishes."), field="training_class_id", code="class_not_finished")
        entry = _entry(locked)
        present = set(Candidate.objects.filter(sitting=locked).values_list("person_id",
                                                                           flat=True))
        examiners = set(SittingExaminer.objects.filter(sitting=locked)
                        .values_list("person_id", flat=True))
        every = list(training_selectors.completed_enrollments(cls))
        completed = [e for e in every if e.person_id not in present]
        already = len(every) - len(completed)
        for e in completed:
            e.training_class = cls  # the locked row, with its joins
        sides = _candidate_sides(locked, [(e.person_id, e, None) for e in completed])
        evaluator = _evaluator_side(locked, entry)
        facts = _sitting_facts(locked, entry)
        added, skipped, rows = [], [], []
        for e in completed:
            def skip(code: str, message: str, e=e) -> None:
                skipped.append({"enrollment_id": e.pk, "person_id": e.person_id,
                                "name": e.person.name, "code": code, "message": message})
            if e.person_id in examiners:
                skip("examiner_candidate", _("An examiner of the sitting cannot sit it."))
                continue
            answer = route_rules.class_completed(
                facts, route_rules.CandidateFacts(enrollment=_class_facts(e)))
            if not answer.allowed:
                skip(answer.code, explain_route(answer))
                continue
            separation = sep_rules.check(evaluator, sides[e.person_id])
            if not separation.allowed:
                skip(separation.code, _separation_error(separation).message)
                continue
            rows.append(Candidate(
                sitting=locked, person_id=e.person_id, enrollment=e,
                route=AssessmentRoute.CLASS_COMPLETED, route_basis={
                    "route": answer.as_dict(), "explanation": explain_route(answer),
                    "separation": separation.as_dict(),
                    "facts": {"listing_entry_id": entry.pk}}))
        if not rows and not already:
            raise DomainError(_("No trainee of the class can be added: %(n)s completed it.")
                              % {"n": len(completed)}, field="training_class_id",
                              code="nobody_to_add")
        for row in rows:
            row.save()
            added.append(row)
            audit.record(actor=actor, action=AuditAction.CREATE, instance=row,
                         after={"sitting": locked.pk, "person": row.person_id,
                                "route": row.route, "enrollment": row.enrollment_id,
                                "from_class": cls.pk})
    return FromClassReport(added=added, already=already, skipped=skipped)


def candidate_remove(*, actor, candidate: Candidate, reason: str = "") -> None:
    """Take a candidate off a sitting before results are recorded; one with a result or a
    score is not removed."""
    visible = selectors.candidate_get(actor=actor, pk=candidate.pk)
    with transaction.atomic():
        locked = _lock(visible.sitting_id)
        access.ensure_roster(actor, locked)
        row = Candidate.objects.select_for_update().get(pk=visible.pk)
        if row.result_entered_at or row.theory_score is not None \
                or row.practical_score is not None or row.passed is not None:
            raise DomainError(_("This candidate has a result and cannot be removed."),
                              field="candidate", code="has_result")
        before = {"sitting": locked.pk, "person": row.person_id, "route": row.route}
        audit.record(actor=actor, action=AuditAction.DELETE, instance=row, before=before,
                     reason=reason.strip()[:REASON_MAX])
        row.delete()


def direct_recognition_approve(*, actor, candidate: Candidate) -> Candidate:
    """HRSS staff of the sitting's region approve a direct recognition (Zhejiang (七)): the
    justification was recorded when the candidate was added."""
    visible = selectors.candidate_get(actor=actor, pk=candidate.pk)
    with transaction.atomic():
        locked = _lock(visible.sitting_id)
        access.ensure_approve_direct_recognition(actor, locked)
        row = Candidate.objects.select_for_update().get(pk=visible.pk)
        if row.route != AssessmentRoute.DIRECT_RECOGNITION:
            raise DomainError(_("This candidate is not admitted by direct recognition."),
                              field="candidate", code="not_direct_recognition")
        if row.approved_at is not None:
            raise Conflict(_("This direct recognition is already approved."),
                           field="candidate", code="already_approved")
        row.approved_by = _username(actor)
        row.approved_at = timezone.now()
        basis = dict(row.route_basis or {})
        route = dict(basis.get("route") or {})
        route.update({"code": "approved", "pending_approval": False})
        basis["route"] = route
        basis["explanation"] = explain_route(route)
        row.route_basis = basis
        row.save(update_fields=["approved_by", "approved_at", "route_basis"])
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=row,
                     before={"approved_by": ""},
                     after={"approved_by": row.approved_by,
                            "approved_at": row.approved_at.isoformat()})
    return row
