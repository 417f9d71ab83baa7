"""The plans app's actual facts of the demo, and each candidate's route basis (explained once
per kind of answer)."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

from django.utils import translation

from jineng.assessment import plan_facts
from jineng.assessment.choices import (
    CertificateOrigin,
    SittingStatus,
)
from jineng.assessment.demo.certificates import _Cert
from jineng.assessment.demo.params import PLAN_FACTS_SOURCE, TZ, Sitting
from jineng.assessment.models import (
    AssessmentSitting,
)
from jineng.assessment.rules import routes as route_rules
from jineng.assessment.rules import separation as sep_rules
from jineng.assessment.services.sittings import explain_route
from jineng.plans import services as plans_services
from jineng.registry.models import (
    Region,
)
from jineng.training.models import TrainingClass


def _plan_facts(sittings: list[Sitting], certificates: list[_Cert], classes: list[tuple],
                region_codes: dict[int, str]) -> int:
    """What issuing these certificates adds to the plans' progress: the facts
    `plan_facts.record_issued` writes for a sitting (built by its own `issued_facts` and
    `self_evaluation_facts`, per closed sitting), written in one set-based call under the
    demo's source (so that removing the demo removes exactly them)."""
    from types import SimpleNamespace

    by_class = {c[0]: c for c in classes}
    sector_of = dict(TrainingClass.objects.filter(pk__in=list(by_class)).values_list(
        "pk", "sector"))
    group_of = dict(TrainingClass.objects.filter(pk__in=list(by_class)).values_list(
        "pk", "target_group"))
    regions = {r.pk: r for r in Region.objects.filter(pk__in={s.region for s in sittings})}
    issued: dict[int, list] = defaultdict(list)
    for cert in certificates:
        if cert.sitting and cert.origin == CertificateOrigin.ISSUED:
            issued[cert.sitting].append(SimpleNamespace(
                pk=cert.pk, kind=cert.kind, person_id=cert.person, level_id=cert.level,
                issued_on=cert.day))
    facts = []
    for sitting in sittings:
        if sitting.status != SittingStatus.CLOSED:
            continue
        model = AssessmentSitting(pk=sitting.pk, evaluator_id=sitting.evaluator,
                                  region=regions[sitting.region], route=sitting.route)
        extra = {"sector": sector_of.get(sitting.training_class, ""),
                 "key_group": group_of.get(sitting.training_class, "")}
        day = sitting.steps["closed"].astimezone(TZ).date()
        facts += plan_facts.issued_facts(model, issued.get(sitting.pk, []), **extra)
        facts += plan_facts.self_evaluation_facts(model, day, **extra)
    if not facts:
        return 0
    return plans_services.actual_facts_add_many(actor=None, source=PLAN_FACTS_SOURCE,
                                                facts=facts)


_EXPLAINED: dict[str, str] = {}


def _basis(route: str, sitting: route_rules.SittingFacts, evaluator: sep_rules.EvaluatorSide,
           given: dict, enrollment: int | None, justification: str, entry: int,
           ranks: dict[str, int]) -> dict:
    """A candidate's route_basis as `services.sittings` keeps it: the route's answer and
    考培分离's, from the pure rules (a demo candidate the rules refuse is a demo bug)."""
    employer = given.get("employer")
    enrolled = None
    if enrollment is not None:
        _class, institution, occupation, level, training_type = given["class"]
        enrolled = route_rules.ClassFacts(
            enrollment_id=enrollment, completed=True, occupation_id=occupation,
            level=ranks[level], institution_id=institution, training_type=training_type)
    facts = route_rules.CandidateFacts(
        enrollment=enrolled, employer_id=employer,
        years_in_occupation=given.get("years", Decimal(0)), justification=justification,
        direct_recognition_approved="approved_at" in given)
    answer = route_rules.check_route(route, sitting, facts)
    if not answer.allowed:
        raise ValueError(f"demo candidate refused by the {route} rule: {answer.code}")
    side = sep_rules.CandidateSide(
        trained_by=frozenset({enrolled.institution_id}) if enrolled else frozenset(),
        employer_id=employer)
    separation = sep_rules.check(evaluator, side)
    if not separation.allowed:
        raise ValueError(f"demo candidate refused by 考培分离: {separation.code}")
    route_answer = answer.as_dict()
    # One sentence per kind of answer (an enrollment's id is not part of it): explaining costs
    # thirty translations a call, and classes have thousands of candidates.
    key = json.dumps({**route_answer, "params": {k: v for k, v in route_answer["params"].items()
                                                 if k != "enrollment"}},
                     sort_keys=True, default=str) + (translation.get_language() or "")
    explanation = _EXPLAINED.get(key)
    if explanation is None:
        explanation = _EXPLAINED[key] = explain_route(answer)
    return {"route": route_answer, "explanation": explanation,
            "separation": separation.as_dict(),
            "facts": {"employer_id": employer,
                      "years_in_occupation": str(facts.years_in_occupation),
                      "certificates": [], "listing_entry_id": entry}}
