"""考培分离 (rules/separation.py), table-driven, with the self-evaluation exception."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jineng.assessment.rules import separation as sep

EVAL, OTHER_INST, EMPLOYER, CHAIN = 1, 2, 3, 4
T1, T2, X = "a" * 64, "b" * 64, "c" * 64


def ev(**kw) -> sep.EvaluatorSide:
    return sep.EvaluatorSide(**{"evaluator_id": EVAL, **kw})


def cand(**kw) -> sep.CandidateSide:
    return sep.CandidateSide(**kw)


# evaluator, candidate, allowed, code, field
CASES = [
    (ev(), cand(), True, "separate", ""),
    (ev(examiner_hashes=frozenset({X})), cand(trained_by=frozenset({OTHER_INST}),
                                              teacher_hashes=frozenset({T1})),
     True, "separate", ""),
    (ev(), cand(trained_by=frozenset({EVAL})), False, "trained_by_evaluator", "person"),
    (ev(), cand(trained_by=frozenset({OTHER_INST, EVAL})), False, "trained_by_evaluator",
     "person"),
    (ev(examiner_hashes=frozenset({T1, X})), cand(teacher_hashes=frozenset({T1, T2})), False,
     "examiner_taught_class", "examiners"),
    # the exception: an approved self-evaluating enterprise assessing its own employees
    (ev(self_evaluation=True, examiner_hashes=frozenset({T1})),
     cand(trained_by=frozenset({EVAL}), teacher_hashes=frozenset({T1}), employer_id=EVAL),
     True, "self_evaluation_exception", ""),
    (ev(self_evaluation=True, chain_employer_ids=frozenset({CHAIN})),
     cand(trained_by=frozenset({EVAL}), employer_id=CHAIN), True,
     "self_evaluation_exception", ""),
    # not its own employee: no exception
    (ev(self_evaluation=True), cand(trained_by=frozenset({EVAL}), employer_id=EMPLOYER),
     False, "trained_by_evaluator", "person"),
    # its own employee, but not listed for self-evaluation: no exception
    (ev(examiner_hashes=frozenset({T1})), cand(teacher_hashes=frozenset({T1}),
                                               employer_id=EVAL),
     False, "examiner_taught_class", "examiners"),
]


@pytest.mark.parametrize(("e", "c", "allowed", "code", "field"), CASES)
def test_separation(e, c, allowed, code, field):
    answer = sep.check(e, c)
    assert (answer.allowed, answer.code, answer.field) == (allowed, code, field)
    assert answer.citation == (sep.EXCEPTION if code == "self_evaluation_exception"
                               else sep.GUIZHOU_9)
    assert "考培分离" in sep.GUIZHOU_9 and "(九)" in sep.GUIZHOU_9


def test_the_field_blamed_is_the_callers():
    answer = sep.check(ev(examiner_hashes=frozenset({T1})), cand(teacher_hashes=frozenset({T1})),
                       examiner_field="person")
    assert answer.field == "person"
    assert answer.params == {"examiners": 1}  # no hash leaks into the message


def test_conflicts_lists_each_refused_candidate():
    e = ev(examiner_hashes=frozenset({T1}))
    found = sep.conflicts(e, [(10, cand(teacher_hashes=frozenset({T1}))),
                              (11, cand(teacher_hashes=frozenset({T2}))),
                              (12, cand(trained_by=frozenset({EVAL})))])
    assert [(k, a.code) for k, a in found] == [(10, "examiner_taught_class"),
                                               (12, "trained_by_evaluator")]


hashes = st.frozensets(st.sampled_from([T1, T2, X]), max_size=3)
orgs = st.frozensets(st.sampled_from([EVAL, OTHER_INST, EMPLOYER]), max_size=3)


@given(examiners=hashes, teachers=hashes, trained_by=orgs, self_eval=st.booleans(),
       employer=st.sampled_from([None, EVAL, EMPLOYER]))
def test_refused_exactly_when_shared_or_trained_without_exception(
        examiners, teachers, trained_by, self_eval, employer):
    answer = sep.check(ev(self_evaluation=self_eval, examiner_hashes=examiners),
                       cand(trained_by=trained_by, teacher_hashes=teachers,
                            employer_id=employer))
    exception = self_eval and employer == EVAL
    clash = EVAL in trained_by or bool(examiners & teachers)
    assert answer.allowed is (exception or not clash)
