"""The world of the results tests: an approved sitting of one evaluator with three
candidates, its operator, another evaluator's operator and the governing HRSS staff."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jineng.accounts.models import Role
from jineng.assessment import services
from jineng.assessment.models import AssessmentSitting, Candidate
from tests import factories as f
from tests.assessment import factories as af


@dataclass
class ResultsWorld:
    sitting: AssessmentSitting
    candidates: list[Candidate]
    operator: object  # the sitting's evaluator
    other_operator: object  # another evaluator's
    county_staff: object
    training_operator: object


def results_world(*, candidates: int = 3, **sitting_kw) -> ResultsWorld:
    sitting = af.SittingFactory(**sitting_kw)
    people = [af.CandidateFactory(sitting=sitting) for _ in range(candidates)]
    other = af.EvaluatorFactory()
    return ResultsWorld(
        sitting=sitting, candidates=people,
        operator=f.operator(sitting.evaluator),
        other_operator=f.operator(other),
        county_staff=f.staff(Role.COUNTY_STAFF, f.COUNTY),
        training_operator=f.operator(f.OrganizationFactory()),
    )


def row(candidate: Candidate, theory="", practical="", absent: bool = False,
        **kw) -> services.ResultInput:
    return services.ResultInput(candidate_id=candidate.pk, theory_score=theory,
                                practical_score=practical, absent=absent, **kw)


def reload(candidate: Candidate) -> Candidate:
    return Candidate.objects.get(pk=candidate.pk)


D = Decimal
