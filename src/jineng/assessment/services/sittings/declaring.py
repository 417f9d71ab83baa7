"""Declaring a sitting: the evaluator's listing, the route's fit, the pass marks, the class;
idempotent by the evaluator's reference (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jineng.assessment import access
from jineng.assessment.choices import AssessmentRoute, CertificateKind
from jineng.assessment.models import (
    AssessmentSitting,
    SittingStatusChange,
)
from jineng.assessment.rules import routes as route_rules
from jineng.assessment.rules import separation as sep_rules
from jineng.assessment.rules import sitting_lifecycle as lc
from jineng.assessment.rules.scores import ScoreInvalid, parse_score
from jineng.assessment.services import dual
from jineng.catalog import selectors as catalog_selectors
from jineng.core import audit
from jineng.core.errors import Conflict, DomainError
from jineng.core.history import record_transition
from jineng.core.models import AuditAction
from jineng.registry.models import Occupation, Organization, Region, SkillLevel
from jineng.training import selectors as training_selectors
from jineng.training.choices import ClassStatus
from jineng.training.models import TrainingClass

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
