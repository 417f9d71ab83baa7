"""rules/scores.py: parsing a score, a candidate's outcome and the checks of an entered row,
table by table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jineng.assessment.rules import scores as s

D = Decimal


@pytest.mark.parametrize(("raw", "expected"), [
    (None, None),
    ("", None),
    ("   ", None),
    ("0", D("0.00")),
    ("-0", D("0.00")),
    ("100", D("100.00")),
    ("59.99", D("59.99")),
    ("85.5", D("85.50")),
    ("85.50", D("85.50")),
    (" 72 ", D("72.00")),
    ("60，5", D("60.50")),
    (85.5, D("85.50")),
    (60.1, D("60.10")),  # a spreadsheet's float, taken by its shortest text
    (90, D("90.00")),
    (D("77.25"), D("77.25")),
    ("1E2", D("100.00")),
])
def test_parse_score_accepts(raw, expected):
    value = s.parse_score(raw)
    assert value == expected
    if value is not None:
        assert value.as_tuple().exponent == -2
        assert not value.is_signed()


@pytest.mark.parametrize(("raw", "code"), [
    ("abc", s.NOT_A_NUMBER),
    ("八十", s.NOT_A_NUMBER),
    ("NaN", s.NOT_A_NUMBER),
    ("Infinity", s.NOT_A_NUMBER),
    (True, s.NOT_A_NUMBER),
    ("120", s.OUT_OF_RANGE),
    ("100.01", s.OUT_OF_RANGE),
    ("-1", s.OUT_OF_RANGE),
    ("-0.01", s.OUT_OF_RANGE),
    ("85.555", s.TOO_MANY_PLACES),
    ("60.001", s.TOO_MANY_PLACES),
    (60.125, s.TOO_MANY_PLACES),
])
def test_parse_score_refuses(raw, code):
    with pytest.raises(s.ScoreInvalid) as refused:
        s.parse_score(raw)
    assert refused.value.code == code


SIXTY = D("60")
BOTH = {"theory_mark": SIXTY, "practical_mark": SIXTY}
THEORY_ONLY = {"theory_mark": SIXTY, "practical_mark": None}
PRACTICAL_ONLY = {"theory_mark": None, "practical_mark": D("70")}


@pytest.mark.parametrize(("marks", "theory", "practical", "absent", "passed", "reasons"), [
    # both parts examined
    (BOTH, D("60"), D("60"), False, True, (s.REACHED, s.REACHED)),
    (BOTH, D("100"), D("85.5"), False, True, (s.REACHED, s.REACHED)),
    (BOTH, D("59.99"), D("90"), False, False, (s.BELOW, s.REACHED)),
    (BOTH, D("90"), D("59.99"), False, False, (s.REACHED, s.BELOW)),
    (BOTH, D("0"), D("0"), False, False, (s.BELOW, s.BELOW)),
    (BOTH, D("75"), None, False, None, (s.REACHED, s.MISSING)),
    (BOTH, None, None, False, None, (s.MISSING, s.MISSING)),
    (BOTH, None, None, True, False, (s.ABSENT,)),
    (BOTH, D("90"), D("90"), True, False, (s.ABSENT,)),  # absent wins (check_row refuses)
    # one part only
    (THEORY_ONLY, D("60"), None, False, True, (s.REACHED,)),
    (THEORY_ONLY, D("59"), None, False, False, (s.BELOW,)),
    (THEORY_ONLY, None, None, False, None, (s.MISSING,)),
    (THEORY_ONLY, D("80"), D("10"), False, True, (s.REACHED,)),  # not examined: ignored
    (PRACTICAL_ONLY, None, D("70"), False, True, (s.REACHED,)),
    (PRACTICAL_ONLY, None, D("69.99"), False, False, (s.BELOW,)),
    (PRACTICAL_ONLY, None, None, True, False, (s.ABSENT,)),
    # other pass marks
    ({"theory_mark": D("80"), "practical_mark": D("75.5")}, D("80"), D("75.49"), False,
     False, (s.REACHED, s.BELOW)),
    ({"theory_mark": D("0"), "practical_mark": D("100")}, D("0"), D("100"), False,
     True, (s.REACHED, s.REACHED)),
])
def test_evaluate(marks, theory, practical, absent, passed, reasons):
    outcome = s.evaluate(theory=theory, practical=practical, absent=absent, **marks)
    assert outcome.passed is passed
    assert outcome.reasons == reasons
    assert outcome.complete is (passed is not None)
    assert outcome.absent is absent


def test_evaluate_names_each_part_with_its_mark():
    outcome = s.evaluate(theory=D("59"), practical=D("88"), absent=False,
                         theory_mark=D("60"), practical_mark=D("65"))
    assert [(p.part, p.score, p.pass_mark) for p in outcome.parts] == [
        (s.THEORY, D("59"), D("60")), (s.PRACTICAL, D("88"), D("65"))]


def test_a_sitting_examines_some_part():
    with pytest.raises(ValueError):
        s.evaluate(theory=None, practical=None, absent=False, theory_mark=None,
                   practical_mark=None)


@pytest.mark.parametrize(("marks", "theory", "practical", "absent", "problems"), [
    (BOTH, D("60"), D("70"), False, []),
    (BOTH, None, None, True, []),
    (BOTH, None, D("70"), False, [(s.THEORY, s.REQUIRED)]),
    (BOTH, None, None, False, [(s.THEORY, s.REQUIRED), (s.PRACTICAL, s.REQUIRED)]),
    (BOTH, D("60"), None, True, [(s.THEORY, s.ABSENT_WITH_SCORE)]),
    (BOTH, D("60"), D("0"), True, [(s.THEORY, s.ABSENT_WITH_SCORE),
                                   (s.PRACTICAL, s.ABSENT_WITH_SCORE)]),
    (THEORY_ONLY, D("60"), None, False, []),
    (THEORY_ONLY, D("60"), D("60"), False, [(s.PRACTICAL, s.NOT_EXAMINED)]),
    (THEORY_ONLY, None, None, False, [(s.THEORY, s.REQUIRED)]),
    (PRACTICAL_ONLY, D("1"), D("80"), False, [(s.THEORY, s.NOT_EXAMINED)]),
    (PRACTICAL_ONLY, None, None, True, []),
])
def test_check_row(marks, theory, practical, absent, problems):
    assert s.check_row(theory=theory, practical=practical, absent=absent, **marks) == problems


@pytest.mark.parametrize(("marks", "parts"), [
    (BOTH, (s.THEORY, s.PRACTICAL)),
    (THEORY_ONLY, (s.THEORY,)),
    (PRACTICAL_ONLY, (s.PRACTICAL,)),
])
def test_examined_parts(marks, parts):
    assert s.examined_parts(marks["theory_mark"], marks["practical_mark"]) == parts


def test_pass_rate_counts_only_decided():
    assert s.pass_rate([True, False, None, True]) == (2, 3)
    assert s.pass_rate([]) == (0, 0)
