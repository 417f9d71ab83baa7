"""A person's skill record (电子档案) for staff and organizations that may read the person:
every class, assessment and certificate, and the level over time. A person out of scope
answers 404 like a missing one. The ID number is masked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Router, Schema

from jineng.assessment import selectors
from jineng.core.api import error_responses

router = Router(tags=["assessment"])


class RecordPersonOut(Schema):
    id: int
    name: str
    id_masked: str
    region_code: str


class RecordClassOut(Schema):
    enrollment_id: int
    class_id: int
    class_name: str
    institution: str
    occupation: str
    level: str
    start_date: dt.date
    end_date: dt.date
    status: str = Field(description="enrolled or withdrawn")
    required_hours: Decimal
    attended_hours: Decimal | None = Field(description="frozen when the class finished")
    completed: bool | None = Field(description="null until the class finished")


class RecordAssessmentOut(Schema):
    candidate_id: int
    sitting_id: int
    sitting_date: dt.date
    sitting_status: str
    evaluator: str
    occupation: str | None
    special_ability_item: str
    level: str | None
    route: str
    theory_score: Decimal | None
    practical_score: Decimal | None
    absent: bool
    passed: bool | None = Field(description="null until the result is entered")


class RecordCertificateOut(Schema):
    id: int
    number: str
    kind: str
    origin: str
    verified: bool
    occupation: str | None
    work_type: str
    level: str | None
    special_ability_item: str
    title: str
    issuer_name: str
    issued_on: dt.date
    status: str
    revoked_on: dt.date | None
    revocation_reason: str


class LevelStepOut(Schema):
    on: dt.date
    level: str
    rank: int
    certificate_number: str


class OccupationLevelsOut(Schema):
    occupation: str
    highest_level: str
    since: dt.date
    steps: list[LevelStepOut]


class SkillRecordOut(Schema):
    person: RecordPersonOut
    highest_level: str | None
    highest_occupation: str
    levels: list[OccupationLevelsOut]
    certificates: list[RecordCertificateOut]
    assessments: list[RecordAssessmentOut]
    classes: list[RecordClassOut]


def _name(obj) -> str | None:
    return obj.name if obj is not None else None


def record_out(record: selectors.SkillRecord) -> dict:
    p = record.person
    return {
        "person": {"id": p.pk, "name": p.name, "id_masked": p.id_masked,
                   "region_code": p.region.code},
        "highest_level": record.highest.level_name if record.highest else None,
        "highest_occupation": record.highest_occupation,
        "levels": [{"occupation": o.occupation_name, "highest_level": o.highest.level_name,
                    "since": o.highest.on,
                    "steps": [{"on": s.on, "level": s.level_name, "rank": s.rank,
                               "certificate_number": s.number} for s in o.steps]}
                   for o in record.levels],
        "certificates": [{
            "id": c.pk, "number": c.number, "kind": c.kind, "origin": c.origin,
            "verified": c.verified, "occupation": _name(c.occupation), "work_type": c.work_type,
            "level": _name(c.level), "special_ability_item": c.special_ability_item,
            "title": c.title, "issuer_name": c.issuer_name, "issued_on": c.issued_on,
            "status": c.status, "revoked_on": c.revoked_on,
            "revocation_reason": c.revocation_reason} for c in record.certificates],
        "assessments": [{
            "candidate_id": c.pk, "sitting_id": c.sitting_id,
            "sitting_date": c.sitting.sitting_date, "sitting_status": c.sitting.status,
            "evaluator": c.sitting.evaluator.name, "occupation": _name(c.sitting.occupation),
            "special_ability_item": c.sitting.special_ability_item,
            "level": _name(c.sitting.level), "route": c.route,
            "theory_score": c.theory_score, "practical_score": c.practical_score,
            "absent": c.absent, "passed": c.passed} for c in record.assessments],
        "classes": [{
            "enrollment_id": e.pk, "class_id": e.training_class_id,
            "class_name": e.training_class.name,
            "institution": e.training_class.institution.name,
            "occupation": e.training_class.occupation.name,
            "level": e.training_class.level.name, "start_date": e.training_class.start_date,
            "end_date": e.training_class.end_date, "status": e.status,
            "required_hours": e.training_class.required_hours,
            "attended_hours": e.attended_hours,
            "completed": e.completed if e.completed is None else e.has_completed}
            for e in record.classes],
    }


@router.get("/persons/{person_id}/skill-record",
            response={200: SkillRecordOut, **error_responses(404)},
            operation_id="assessment_skill_record_get")
def skill_record_get(request, person_id: int):
    """The person's skill record: levels over time, certificates (issued here and recorded
    from outside), assessments and classes, oldest first within each list."""
    return record_out(selectors.skill_record(actor=request.auth, person=person_id))
