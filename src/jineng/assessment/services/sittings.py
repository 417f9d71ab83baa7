"""Declaring and reviewing assessment sittings (技能评价), their candidates and examiners.

A sitting is declared by an evaluator listed in the evaluation catalog for its occupation and
level (or special-ability item) on the sitting date (catalog_selectors.evaluator_listed_as_of;
the listing's version is kept), reviewed by HRSS staff of its region (rules.sitting_lifecycle),
and fills with candidates, each admitted by a route to the level (rules.routes) and checked for
考培分离 (rules.separation), and examiners (registered persons, by keyed hash). Every write is
one transaction with the sitting locked (select_for_update: what the checks read — the
sitting's state, its candidates and examiners — cannot change under them) and its audit
event(s); status steps are kept in SittingStatusChange (core.history).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.assessment import access
from jineng.assessment.choices import AssessmentRoute, CertificateKind, CertificateStatus
from jineng.assessment.models import (
    AssessmentSitting,
    Candidate,
    Certificate,
    SittingExaminer,
    SittingStatusChange,
)
from jineng.assessment.rules import routes as route_rules
from jineng.assessment.rules import separation as sep_rules
from jineng.assessment.rules import sitting_lifecycle as lc
from jineng.assessment.rules.scores import ScoreInvalid, parse_score
from jineng.assessment.selectors import sittings as selectors
from jineng.assessment.services import class_step, dual
from jineng.catalog import selectors as catalog_selectors
from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.history import record_transition
from jineng.core.models import AuditAction
from jineng.registry.models import Occupation, Organization, Person, Region, SkillLevel
from jineng.training import selectors as training_selectors
from jineng.training.choices import ClassStatus
from jineng.training.models import Enrollment, TrainingClass

__all__ = [
    "DEFAULT_PASS_MARK",
    "FromClassReport",
    "SittingInput",
    "candidate_add",
    "candidate_remove",
    "candidates_add_from_class",
    "direct_recognition_approve",
    "examiner_add",
    "examiner_remove",
    "explain_route",
    "sitting_declare",
    "sitting_declare_once",
    "sitting_step",
    "sitting_transition",
]

# 《国家职业技能标准》: 理论知识考试和操作技能考核均实行百分制，成绩皆达60分（含）以上者为合格.
DEFAULT_PASS_MARK = Decimal("60")
PLACE_MAX, ITEM_MAX, WORK_TYPE_MAX, REF_MAX, REASON_MAX = 200, 100, 100, 100, 2000
JUSTIFICATION_MAX = 2000
YEARS_MAX = Decimal("70")
# The states of a class whose trainees may be assessed (planned before it ends; assessed
# again after a first sitting).
ASSESSABLE_CLASS_STATES = frozenset({ClassStatus.APPROVED, ClassStatus.OPEN,
                                     ClassStatus.FINISHED, ClassStatus.ASSESSED})
FINISHED_CLASS_STATES = frozenset({ClassStatus.FINISHED, ClassStatus.ASSESSED,
                                   ClassStatus.SETTLED})


def _username(actor) -> str:
    return getattr(actor, "username", "") or "system"


# --- declaring --------------------------------------------------------------------------------

@dataclass(frozen=True)
class SittingInput:
    place: str
    sitting_date: dt.date
    occupation: Occupation | None = None
    level: SkillLevel | None = None
    special_ability_item: str = ""
    work_type: str = ""
    route: str = AssessmentRoute.CLASS_COMPLETED
    training_class_id: int | None = None
    region: Region | None = None  # default: the class's region, else the evaluator's
    theory_pass_mark: Decimal | None = DEFAULT_PASS_MARK  # None: the part is not examined
    practical_pass_mark: Decimal | None = DEFAULT_PASS_MARK
    second_certificate_kind: str = ""
    client_ref: str = ""


LISTING_FIELDS = {"level_not_listed": "level", "not_listed": "occupation"}


def _listing(org: Organization, occupation, level, day: dt.date, item: str):
    listing = catalog_selectors.evaluator_listed_as_of(org, occupation, level, day,
                                                       special_ability_item=item)
    if not listing:
        fld = LISTING_FIELDS.get(listing.reason, "evaluator")
        if fld == "occupation" and item:
            fld = "special_ability_item"
        raise DomainError(
            _("The evaluator is not listed in the evaluation catalog for this on %(day)s: "
              "%(why)s") % {"day": day.isoformat(), "why": listing.message},
            field=fld, code=f"evaluator_{listing.reason}")
    return listing


def _pass_mark(value, fld: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return parse_score(value)
    except ScoreInvalid:
        raise DomainError(_("A pass mark is a number from 0 to 100 with at most two decimal "
                            "places."), field=fld, code="pass_mark_invalid") from None


def _clean(data: SittingInput) -> SittingInput:
    """Trimmed and checked input, field by field (nothing read from the database)."""
    data = replace(data, place=data.place.strip(),
                   special_ability_item=data.special_ability_item.strip(),
                   work_type=data.work_type.strip(), client_ref=data.client_ref.strip())
    if not data.place:
        raise DomainError(_("Give the place of the sitting."), field="place", code="required")
    for fld, limit in (("place", PLACE_MAX), ("special_ability_item", ITEM_MAX),
                       ("work_type", WORK_TYPE_MAX), ("client_ref", REF_MAX)):
        if len(getattr(data, fld)) > limit:
            raise DomainError(_("At most %(n)s characters.") % {"n": limit}, field=fld,
                              code="too_long")
    if data.occupation is None and not data.special_ability_item:
        raise DomainError(_("Give the occupation, or the special-ability item, assessed."),
                          field="occupation", code="required")
    if data.occupation is not None and data.special_ability_item \
            and data.second_certificate_kind != CertificateKind.SPECIAL_ABILITY:
        # An occupation's sitting names an item only as its second certificate (一试双证).
        raise DomainError(_("A sitting assesses an occupation or a special-ability item; it "
                            "names both only to issue a special-ability certificate as its "
                            "second certificate (一试双证)."), field="special_ability_item",
                          code="both")
    if data.occupation is not None and data.level is None:
        raise DomainError(_("Give the skill level assessed."), field="level", code="required")
    if data.route not in AssessmentRoute.values:
        raise DomainError(_("Unknown route."), field="route", code="invalid")
    if data.second_certificate_kind and (
            data.second_certificate_kind not in CertificateKind.values
            or data.second_certificate_kind in (CertificateKind.SPECIAL_OPERATION,
                                                CertificateKind.QUALIFICATION)):
        raise DomainError(_("Not a certificate this sitting can issue."),
                          field="second_certificate_kind", code="invalid")
    theory = _pass_mark(data.theory_pass_mark, "theory_pass_mark")
    practical = _pass_mark(data.practical_pass_mark, "practical_pass_mark")
    if theory is None and practical is None:
        raise DomainError(_("A sitting examines the theory part, the practical part or both: "
                          "give at least one pass mark."), field="theory_pass_mark",
                          code="no_part")
    return replace(data, theory_pass_mark=theory, practical_pass_mark=practical)


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def declaration_fingerprint(data: SittingInput) -> str:
    """SHA-256 of a declaration as sent (after trimming): the same content, the same print."""
    canonical = {
        "place": data.place, "date": data.sitting_date.isoformat(),
        "occupation": data.occupation.pk if data.occupation else None,
        "level": data.level.pk if data.level else None,
        "item": data.special_ability_item, "work_type": data.work_type, "route": data.route,
        "class": data.training_class_id,
        "region": data.region.pk if data.region else None,
        "theory": _number(data.theory_pass_mark),
        "practical": _number(data.practical_pass_mark),
        "second": data.second_certificate_kind,
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def _declared_before(org: Organization, ref: str, fingerprint: str) -> AssessmentSitting | None:
    if not ref:
        return None
    found = AssessmentSitting.objects.filter(evaluator=org, client_ref=ref).first()
    if found is not None and found.client_fingerprint != fingerprint:
        raise Conflict(_("Another sitting was already declared with this reference: a "
                         "repeated declaration must be identical."), field="client_ref",
                       code="client_ref_reused")
    return found


def _check_route_fits(data: SittingInput, entry) -> None:
    """The sitting's route (its candidates' usual route) fits the evaluator's listing."""
    rank = data.level.rank if data.level else None
    if data.route in (AssessmentRoute.SELF_EVALUATION, AssessmentRoute.DIRECT_RECOGNITION) \
            and not entry.self_evaluation:
        raise DomainError(_("The evaluator is not listed for enterprise self-evaluation."),
                          field="route", code="not_self_evaluating")
    if data.route == AssessmentRoute.TOP_APPOINTMENT:
        if rank not in route_rules.TOP_LEVELS:
            raise DomainError(_("特级技师/首席技师 appointment is for those two levels."),
                              field="level", code="level_not_top")
        if not entry.top_filing_number:
            raise DomainError(_("The enterprise has no 特级技师/首席技师 filing in the evaluation "
                                "catalog."), field="route", code="no_top_filing")
    elif rank in route_rules.TOP_LEVELS:
        raise DomainError(_("特级技师 and 首席技师 are appointed by filed enterprises: use the "
                            "appointment route."), field="route", code="top_needs_appointment")


def _check_second(org: Organization, occupation, level, item: str, day: dt.date,
                  kind: str) -> None:
    """一试双证: the second certificate is one the sitting can issue and the evaluation catalog
    lists the evaluator for it on the sitting date (services.dual; refusals name the field)."""
    dual.check_second_certificate(evaluator=org, occupation=occupation, level=level,
                                  item=item, day=day, kind=kind)


def _check_class(cls: TrainingClass | None, data: SittingInput, org: Organization,
                 self_evaluation: bool) -> None:
    if cls is None:
        raise DomainError(_("No such class."), field="training_class_id", code="not_found")
    if cls.status not in ASSESSABLE_CLASS_STATES:
        raise DomainError(_("The class is %(status)s: only an approved, open or finished class "
                            "is assessed.") % {"status": cls.get_status_display()},
                          field="training_class_id", code="class_not_assessable")
    if data.occupation is None or cls.occupation_id != data.occupation.pk \
            or cls.level_id != data.level.pk:
        raise DomainError(_("The class trains another occupation or level than the sitting "
                            "assesses."), field="training_class_id", code="class_mismatch")
    if cls.institution_id == org.pk and not self_evaluation:
        raise DomainError(_("考培分离: an institution may not assess the trainees of its own "
                            "class."), field="training_class_id",
                          code=sep_rules.TRAINED_BY_EVALUATOR)


def sitting_declare(*, actor, data: SittingInput) -> AssessmentSitting:
    """An evaluator declares a sitting (see sitting_declare_once)."""
    return sitting_declare_once(actor=actor, data=data)[0]


def sitting_declare_once(*, actor, data: SittingInput) -> tuple[AssessmentSitting, bool]:
    """Declare a sitting, idempotent under `data.client_ref`: the same evaluator sending the same
    declaration again gets the sitting already declared (`created` False); another content
    under the same reference is a Conflict."""
    access.ensure_declare(actor)
    org = actor.organization
    data = _clean(data)
    fingerprint = declaration_fingerprint(data) if data.client_ref else ""
    existing = _declared_before(org, data.client_ref, fingerprint)
    if existing is not None:
        return existing, False
    listing = _listing(org, data.occupation, data.level, data.sitting_date,
                       dual.primary_item(data.occupation, data.special_ability_item))
    entry = listing.answer.entry
    _check_route_fits(data, entry)
    _check_second(org, data.occupation, data.level, data.special_ability_item,
                  data.sitting_date, data.second_certificate_kind)
    try:
        with transaction.atomic():
            cls = None
            if data.training_class_id is not None:
                cls = training_selectors.class_for_assessment(data.training_class_id)
                _check_class(cls, data, org, entry.self_evaluation)
                cls = training_selectors.class_lock(cls.pk)
            region = data.region or (cls.region if cls else org.region)
            existing = _declared_before(org, data.client_ref, fingerprint)
            if existing is not None:
                return existing, False
            sitting = AssessmentSitting.objects.create(
                evaluator=org, occupation=data.occupation, level=data.level,
                special_ability_item=data.special_ability_item, work_type=data.work_type,
                route=data.route, training_class=cls, region=region, place=data.place,
                sitting_date=data.sitting_date, theory_pass_mark=data.theory_pass_mark,
                practical_pass_mark=data.practical_pass_mark,
                second_certificate_kind=data.second_certificate_kind,
                listing_version_id=listing.version_id, status=lc.DECLARED,
                declared_by=_username(actor), client_ref=data.client_ref,
                client_fingerprint=fingerprint)
            record_transition(SittingStatusChange, subject_field="sitting", subject=sitting,
                              actor=actor, action="declare", from_status="",
                              to_status=sitting.status,
                              note={"listing_version_id": listing.version_id})
            audit.record(actor=actor, action=AuditAction.CREATE, instance=sitting,
                         after=audit.snapshot(sitting))
    except IntegrityError:
        existing = _declared_before(org, data.client_ref, fingerprint)
        if existing is None:
            raise
        return existing, False
    return sitting, True


# --- the lifecycle ---------------------------------------------------------------------------

def _lock(pk: int) -> AssessmentSitting:
    return (AssessmentSitting.objects.select_for_update(of=("self",))
            .select_related("region", "evaluator", "occupation", "level", "training_class")
            .get(pk=pk))


def _transition_error(refused: lc.TransitionRefused, sitting: AssessmentSitting) -> DomainError:
    if refused.code == "not_permitted":
        return Forbidden(_("You may not take this step on this sitting."))
    if refused.code == "reason_required":
        return DomainError(_("Give a reason."), field="reason", code="reason_required")
    if refused.code == "unknown_action":
        return DomainError(_("Unknown action."), field="action", code="unknown_action")
    return DomainError(_("This step cannot be taken while the sitting is %(status)s.")
                       % {"status": sitting.get_status_display()}, field="status",
                       code="not_allowed_from")


def sitting_step(sitting: AssessmentSitting, action: str, *, kinds: Iterable[str], user,
                 reason: str = "", note: dict | None = None) -> str:
    """Apply one lifecycle step to a sitting the caller has LOCKED, inside the caller's
    transaction: plan it (rules.sitting_lifecycle), save the status and keep the history
    entry. No audit event: the caller writes its own (the results area's `record_results`,
    issuance's `close`). Raises the DomainError of a refused step. Returns the new status."""
    try:
        target = lc.plan_transition(action, sitting.status, frozenset(kinds), reason)
    except lc.TransitionRefused as refused:
        raise _transition_error(refused, sitting) from None
    before = sitting.status
    sitting.status = target
    sitting.save(update_fields=["status"])
    record_transition(SittingStatusChange, subject_field="sitting", subject=sitting,
                      actor=user, action=action, from_status=before, to_status=target,
                      reason=reason, note=note)
    return target


def sitting_transition(*, actor, sitting: AssessmentSitting, action: str,
                       reason: str = "") -> AssessmentSitting:
    """Take a manual step: approve, return (with a reason), resubmit, cancel (with a reason;
    HRSS staff alone once the results are in: cancel_results).
    Approving and resubmitting check again that the evaluator is listed on the sitting date.
    `record_results` and `close` are the results' and issuance's steps, not buttons."""
    visible = selectors.sitting_get(actor=actor, pk=sitting.pk)
    if action not in lc.MANUAL_ACTIONS:
        if action in lc.TRANSITIONS:
            raise DomainError(_("This step is taken by the app when results are recorded or "
                                "certificates issued."), field="action", code="not_by_hand")
        raise DomainError(_("Unknown action."), field="action", code="unknown_action")
    if len(reason) > REASON_MAX:
        raise DomainError(_("At most %(n)s characters.") % {"n": REASON_MAX}, field="reason",
                          code="too_long")
    cancelling = lc.TRANSITIONS[action].target == lc.CANCELLED
    with transaction.atomic():
        if cancelling and visible.training_class_id:
            # Lock order of the class step: the class, then the sitting.
            training_selectors.class_lock(visible.training_class_id)
        locked = _lock(visible.pk)
        kinds = access.sitting_kinds(actor, locked)
        before = locked.status
        try:
            lc.plan_transition(action, locked.status, kinds, reason)
        except lc.TransitionRefused as refused:
            raise _transition_error(refused, locked) from None
        note = None
        if action in ("approve", "resubmit"):
            listing = _listing(locked.evaluator, locked.occupation, locked.level,
                               locked.sitting_date, _primary_item(locked))
            _check_second(locked.evaluator, locked.occupation, locked.level,
                          locked.special_ability_item, locked.sitting_date,
                          locked.second_certificate_kind)
            if listing.version_id != locked.listing_version_id:
                locked.listing_version_id = listing.version_id
                locked.save(update_fields=["listing_version_id"])
            note = {"listing_version_id": listing.version_id}
        target = sitting_step(locked, action, kinds=kinds, user=actor, reason=reason.strip(),
                              note=note)
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=locked,
                     before={"status": before}, after={"status": target, "action": action},
                     reason=reason.strip())
        if cancelling:
            # The cancelled sitting may have been the class's last open one: the class is
            # assessed by its closed sittings, never by this one (services.class_step).
            class_step.assess_class_if_done(actor, locked.training_class_id)
    return locked


# --- candidates ------------------------------------------------------------------------------

def _entry(sitting: AssessmentSitting):
    """The evaluator's catalog entry for the sitting, on its date (still listed)."""
    listing = _listing(sitting.evaluator, sitting.occupation, sitting.level,
                       sitting.sitting_date, _primary_item(sitting))
    return listing.answer.entry


def _primary_item(sitting: AssessmentSitting) -> str:
    """The item of a sitting of a special-ability item alone ("" for an occupation's sitting,
    whose item is its second certificate's)."""
    return dual.primary_item(sitting.occupation if sitting.occupation_id else None,
                             sitting.special_ability_item)


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


# --- examiners -------------------------------------------------------------------------------

def examiner_add(*, actor, sitting: AssessmentSitting, person: Person,
                 is_chief: bool = False) -> SittingExaminer:
    """Add an examiner (考评员), a registered person: refused when they taught a class of one
    of the sitting's candidates (考培分离, by keyed hash), unless that candidate is assessed
    by their own self-evaluating enterprise."""
    visible = selectors.sitting_get(actor=actor, pk=sitting.pk)
    with transaction.atomic():
        locked = _lock(visible.pk)
        access.ensure_roster(actor, locked)
        if SittingExaminer.objects.filter(sitting=locked, person=person).exists():
            raise Conflict(_("This person is already an examiner of the sitting."),
                           field="person", code="already_examiner")
        if Candidate.objects.filter(sitting=locked, person=person).exists():
            raise DomainError(_("A candidate of the sitting cannot examine it."),
                              field="person", code="examiner_candidate")
        if is_chief and SittingExaminer.objects.filter(sitting=locked, is_chief=True).exists():
            raise DomainError(_("The sitting already has a chief examiner."), field="is_chief",
                              code="chief_taken")
        candidates = list(Candidate.objects.filter(sitting=locked)
                          .select_related("enrollment__training_class"))
        if candidates:
            entry = _entry(locked)
            sides = _candidate_sides(locked, [
                (c.person_id, c.enrollment,
                 (c.route_basis or {}).get("facts", {}).get("employer_id"))
                for c in candidates])
            evaluator = sep_rules.EvaluatorSide(
                evaluator_id=locked.evaluator_id, self_evaluation=entry.self_evaluation,
                examiner_hashes=frozenset({person.id_hash}))
            clashes = sep_rules.conflicts(evaluator, sides.items(), examiner_field="person")
            clashes = [(k, a) for k, a in clashes if a.code == sep_rules.EXAMINER_TAUGHT]
            if clashes:
                raise DomainError(
                    _("考培分离: this person taught the class of %(n)s candidate(s) of the "
                      "sitting and may not examine it.") % {"n": len(clashes)},
                    field="person", code=sep_rules.EXAMINER_TAUGHT)
        row = SittingExaminer.objects.create(sitting=locked, person=person,
                                             id_hash=person.id_hash, is_chief=is_chief)
        audit.record(actor=actor, action=AuditAction.CREATE, instance=row,
                     after={"sitting": locked.pk, "person": person.pk, "is_chief": is_chief},
                     region_code=locked.region.code, organization_id=locked.evaluator_id)
    return row


def examiner_remove(*, actor, examiner: SittingExaminer) -> None:
    visible = selectors.examiner_get(actor=actor, pk=examiner.pk)
    with transaction.atomic():
        locked = _lock(visible.sitting_id)
        access.ensure_roster(actor, locked)
        row = SittingExaminer.objects.get(pk=visible.pk)
        audit.record(actor=actor, action=AuditAction.DELETE, instance=row,
                     before={"sitting": locked.pk, "person": row.person_id,
                             "is_chief": row.is_chief},
                     region_code=locked.region.code, organization_id=locked.evaluator_id)
        row.delete()
