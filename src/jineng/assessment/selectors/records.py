"""A person's skill record (电子档案): every class, assessment and certificate, and the
person's level over time in each occupation.

The gate is the person: whoever may read the person (registry's person scope: staff of the
person's region, the institution that registered or trained them, the evaluator that assessed
them) reads the whole record; anyone else gets NotFound, like a missing person. The worker's
own record (public site) is read by `own_skill_record` after the identity check, never by id
from a request. Four queries, whatever the history's length.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy

from jineng.assessment.choices import CertificateKind, CertificateStatus, SittingStatus
from jineng.assessment.models import Candidate, Certificate
from jineng.assessment.rules import numbering
from jineng.assessment.rules import records as rules
from jineng.core.errors import NotFound
from jineng.registry import selectors as registry_selectors
from jineng.registry.models import Person
from jineng.training import selectors as training_selectors
from jineng.training.models import Enrollment

__all__ = ["LEVEL_KINDS", "SkillRecord", "own_skill_record", "skill_record"]

# The "number" of a level reached by appointment (首席技师: no numbered certificate).
APPOINTED = gettext_lazy("appointed (no certificate number)")
# Certificates that carry a level on the ladder.
LEVEL_KINDS = (CertificateKind.SKILL_LEVEL, CertificateKind.QUALIFICATION)


@dataclass(frozen=True)
class SkillRecord:
    person: Person
    classes: list[Enrollment]  # oldest first; class, institution, occupation, level joined
    assessments: list[Candidate]  # oldest first; sitting, evaluator, occupation, level joined
    certificates: list[Certificate]  # oldest first; issued here and recorded from outside
    levels: list[rules.OccupationLevels]  # per occupation, highest level first

    @property
    def highest(self) -> rules.LevelStep | None:
        """The highest level the person holds in any occupation (the earliest reached)."""
        return self.levels[0].highest if self.levels else None

    @property
    def highest_occupation(self) -> str:
        return self.levels[0].occupation_name if self.levels else ""


def skill_record(*, actor, person: Person | int) -> SkillRecord:
    """The record of a person (or person id) the actor may read; NotFound otherwise."""
    visible = registry_selectors.person_get(actor=actor, pk=getattr(person, "pk", person))
    return _record(visible)


def own_skill_record(*, verified_person_id: int) -> SkillRecord:
    """The worker's own record, for the id the identity check put in their session (never an
    id from the request). NotFound if the person is gone or was merged away."""
    person = (Person.objects.select_related("region").filter(pk=verified_person_id,
                                                             merged_into__isnull=True).first())
    if person is None:
        raise NotFound()
    return _record(person)


def _record(person: Person) -> SkillRecord:
    classes = list(training_selectors.person_enrollments_unscoped(person.pk))
    assessments = list(
        Candidate.objects.filter(person_id=person.pk)
        .exclude(sitting__status=SittingStatus.CANCELLED)
        .select_related("sitting", "sitting__evaluator", "sitting__occupation",
                        "sitting__level")
        .order_by("sitting__sitting_date", "id"))
    certificates = list(
        Certificate.objects.filter(person_id=person.pk)
        .select_related("occupation", "level", "issuer")
        .defer("signed_payload", "signature")
        .order_by("issued_on", "id"))
    return SkillRecord(person=person, classes=classes, assessments=assessments,
                       certificates=certificates,
                       levels=level_history(certificates, appointments(assessments)))


def appointments(assessments: list[Candidate]) -> list[Candidate]:
    """The person's 首席技师 appointments: passed in a closed sitting of a level that carries no
    numbered certificate (rules.numbering.UNNUMBERED_LEVEL_CODES)."""
    return [c for c in assessments
            if c.passed and c.sitting.status == SittingStatus.CLOSED and c.sitting.level_id
            and c.sitting.level.code in numbering.UNNUMBERED_LEVEL_CODES]


def level_history(certificates: list[Certificate],
                  appointed: Sequence[Candidate] = ()) -> list[rules.OccupationLevels]:
    """The person's level over time from their certificates (rules.level_history): valid
    skill-level and qualification certificates with a level; a certificate recorded from
    outside counts once verified; and 首席技师 appointments (no number; dated the sitting's)."""
    holdings = [
        rules.Holding(occupation_key=c.occupation_id or c.work_type or c.number,
                      occupation_name=(c.occupation.name if c.occupation_id else c.work_type),
                      rank=c.level.rank, level_name=str(c.level), on=c.issued_on,
                      number=c.number)
        for c in certificates
        if c.kind in LEVEL_KINDS and c.level_id and c.status == CertificateStatus.VALID
        and c.verified]
    holdings += [
        rules.Holding(occupation_key=a.sitting.occupation_id,
                      occupation_name=a.sitting.occupation.name, rank=a.sitting.level.rank,
                      level_name=str(a.sitting.level), on=a.sitting.sitting_date,
                      number=str(APPOINTED))
        for a in appointed if a.sitting.occupation_id]
    return rules.level_history(holdings)


def certificates_for_outcomes():
    """Valid skill-level and special-ability certificates for the outcomes job (issue 11):
    tuples (person_id, training_class_id or None, level rank or None, issued_on). Unscoped
    values, set-based: the caller streams them with `.iterator()`."""
    return (Certificate.objects
            .filter(kind__in=[CertificateKind.SKILL_LEVEL, CertificateKind.SPECIAL_ABILITY],
                    status=CertificateStatus.VALID, person__isnull=False)
            .order_by().values_list("person_id", "training_class_id", "level__rank",
                                    "issued_on"))


def latest_occupation_certificates(as_of=None) -> QuerySet:
    """Each person's latest valid skill-level certificate (or legacy qualification) naming an
    occupation, issued on or before `as_of` when given: values rows (person_id, occupation_id,
    level_id), one per person (the latest by issue date, then id). Set-based (a window
    function); unscoped, for the outcomes app's labour-market reads, which embed it."""
    qs = Certificate.objects.filter(status=CertificateStatus.VALID, kind__in=LEVEL_KINDS,
                                    occupation__isnull=False, person__isnull=False)
    if as_of is not None:
        qs = qs.filter(issued_on__lte=as_of)
    return (qs.annotate(rn=Window(RowNumber(), partition_by=[F("person_id")],
                                  order_by=[F("issued_on").desc(), F("id").desc()]))
            .filter(rn=1).order_by().values("person_id", "occupation_id", "level_id"))


# The session key under which the identity check of the worker's own-record pages keeps the
# verified person ({"id": person id, "until": epoch seconds}); other apps read it through
# `verified_person_id`, never by the key.
VERIFIED_PERSON_KEY = "assessment.records.person"


def verified_person_id(session) -> int | None:
    """The person the identity check verified in this session while it holds, else None."""
    held = session.get(VERIFIED_PERSON_KEY) if session is not None else None
    if not isinstance(held, dict) or not isinstance(held.get("id"), int):
        return None
    if float(held.get("until", 0)) <= time.time():
        return None
    return held["id"]

