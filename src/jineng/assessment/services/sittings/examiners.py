"""Examiners: registered persons (by keyed hash), checked for 考培分离."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jineng.assessment import access
from jineng.assessment.models import (
    AssessmentSitting,
    Candidate,
    SittingExaminer,
)
from jineng.assessment.rules import separation as sep_rules
from jineng.assessment.selectors import sittings as selectors
from jineng.assessment.services.sittings.candidates import (
    _candidate_sides,
    _entry,
)
from jineng.assessment.services.sittings.lifecycle import (
    _lock,
)
from jineng.core import audit
from jineng.core.errors import Conflict, DomainError
from jineng.core.models import AuditAction
from jineng.registry.models import Person

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
