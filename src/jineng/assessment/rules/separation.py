"""考培分离 (separating training from assessment). Pure.

The institution that trained a candidate may not assess the same candidate, and an examiner may
not be a teacher of the candidate's class (examiners and teachers are compared by the keyed hash
of their ID numbers: SittingExaminer.id_hash and training's Teacher.id_hash) — issue 10, after
Guizhou (九): 按照“考培分离”推动“一培双考”. The exception: an enterprise approved for
self-evaluation (its evaluation catalog entry says so) assessing its own employees, where
training and assessment in the workshop are the point ("车间+考场", Lianyungang (三)2;
Guizhou (十七)).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

GUIZHOU_9 = ("黔就劳发〔2025〕3号 (九)特种作业领域：按照“考培分离”推动“一培双考”")
EXCEPTION = ("企业自主评价: 连云港市 (三)2. 支持企业推行“车间+考场”互动评价模式；"
             "黔就劳发〔2025〕3号 (十七) 将符合条件的联盟企业纳入企业技能人才自主评价范围")

ALLOWED = "separate"
SELF_EVALUATION_EXCEPTION = "self_evaluation_exception"
TRAINED_BY_EVALUATOR = "trained_by_evaluator"
EXAMINER_TAUGHT = "examiner_taught_class"


@dataclass(frozen=True)
class CandidateSide:
    """What 考培分离 reads of one candidate: the institutions that trained them for this
    assessment (their classes' institutions), the ID hashes of those classes' teachers, and
    their employer."""

    trained_by: frozenset[int] = frozenset()
    teacher_hashes: frozenset[str] = frozenset()
    employer_id: int | None = None


@dataclass(frozen=True)
class EvaluatorSide:
    evaluator_id: int
    self_evaluation: bool = False  # listed for self-evaluation for this sitting
    examiner_hashes: frozenset[str] = frozenset()
    chain_employer_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class SeparationAnswer:
    allowed: bool
    code: str
    field: str = ""
    params: dict = dataclasses.field(default_factory=dict)
    citation: str = GUIZHOU_9

    def as_dict(self) -> dict:
        return {"allowed": self.allowed, "code": self.code, "field": self.field,
                "params": dict(self.params), "citation": self.citation}


def is_exception(evaluator: EvaluatorSide, candidate: CandidateSide) -> bool:
    """An approved self-evaluating enterprise assessing its own employee (or its chain's)."""
    return evaluator.self_evaluation and candidate.employer_id is not None and (
        candidate.employer_id == evaluator.evaluator_id
        or candidate.employer_id in evaluator.chain_employer_ids)


def check(evaluator: EvaluatorSide, candidate: CandidateSide, *,
          examiner_field: str = "examiners", candidate_field: str = "person",
          ) -> SeparationAnswer:
    """May this evaluator, with these examiners, assess this candidate? `*_field` name the
    input to blame (adding a candidate blames the candidate, adding an examiner the
    examiner)."""
    if is_exception(evaluator, candidate):
        return SeparationAnswer(True, SELF_EVALUATION_EXCEPTION,
                                params={"employer": candidate.employer_id},
                                citation=EXCEPTION)
    if evaluator.evaluator_id in candidate.trained_by:
        return SeparationAnswer(False, TRAINED_BY_EVALUATOR, field=candidate_field,
                                params={"evaluator": evaluator.evaluator_id})
    shared = sorted(evaluator.examiner_hashes & candidate.teacher_hashes)
    if shared:
        # The hashes themselves are not shown; how many examiners taught the class is.
        return SeparationAnswer(False, EXAMINER_TAUGHT, field=examiner_field,
                                params={"examiners": len(shared)})
    return SeparationAnswer(True, ALLOWED)


def conflicts(evaluator: EvaluatorSide, candidates: Iterable[tuple[int, CandidateSide]], *,
              examiner_field: str = "examiners", candidate_field: str = "person",
              ) -> list[tuple[int, SeparationAnswer]]:
    """The refused (key, answer) pairs among keyed candidates (e.g. a new examiner against
    every candidate already on the sitting)."""
    out = []
    for key, side in candidates:
        answer = check(evaluator, side, examiner_field=examiner_field,
                       candidate_field=candidate_field)
        if not answer.allowed:
            out.append((key, answer))
    return out
