"""Eligibility checks, each with its figures, rule and explanation."""

import datetime as dt

import pytest

from jineng.training.messages import explain
from jineng.training.rules.eligibility import (
    AgeParameter,
    Clash,
    ClassFacts,
    PersonFacts,
    assess_eligibility,
    first_overlap,
)

D = dt.date
NATIONAL = AgeParameter(version="n", valid_from=D(2025, 1, 1), female_basis=55)
REGION_EXCEPTION = AgeParameter(version="gz", valid_from=D(2025, 1, 1), region_code="520000",
                                female_basis=55, over_age_without_pension=True,
                                source="regional rule")
START = D(2026, 3, 2)


def check(result, code):
    return next(c for c in result.checks if c.code == code)


@pytest.mark.parametrize(("birth", "gender", "param", "pension", "eligible", "code", "words"), [
    (D(2010, 3, 3), "M", NATIONAL, None, False, "minimum_age", "below the minimum age"),
    (D(2010, 3, 2), "M", NATIONAL, None, True, "minimum_age", "at least 16"),
    # a man born in Jan 1966 retires at 60y4m on 2026-05-10: still eligible on 2026-03-02
    (D(1966, 1, 10), "M", NATIONAL, None, True, "retirement_age", "not reached"),
    # born Sep 1965 (60y3m → 2025-12-xx): reached before the start
    (D(1965, 9, 10), "M", NATIONAL, None, False, "retirement_age", "was reached on 2025-12-10"),
    # the day of reaching it counts as reached
    (D(1965, 12, 2), "M", NATIONAL, None, False, "retirement_age", "2026-03-02"),
    (D(1965, 12, 3), "M", NATIONAL, None, True, "retirement_age", "2026-03-03"),
    # women (basis 55 by default): born Jan 1970 → 55y1m on 2025-02-xx
    (D(1970, 1, 5), "F", NATIONAL, None, False, "retirement_age", "55周岁1个月"),
    (D(1971, 6, 1), "F", NATIONAL, None, True, "retirement_age", "not reached"),
    # the regional exception: past it, draws no pension (declared) → admitted
    (D(1960, 1, 1), "M", REGION_EXCEPTION, False, True, "retirement_age_exception",
     "draws no pension"),
    (D(1960, 1, 1), "M", REGION_EXCEPTION, None, False, "retirement_age",
     "declare that the person draws none"),
    (D(1960, 1, 1), "M", REGION_EXCEPTION, True, False, "retirement_age", "was reached"),
    (D(1960, 1, 1), "M", NATIONAL, False, False, "retirement_age", "was reached"),
])
def test_age_checks(birth, gender, param, pension, eligible, code, words):
    result = assess_eligibility(PersonFacts(birth, gender, draws_pension=pension),
                                ClassFacts(START), param)
    assert result.eligible is eligible
    c = check(result, code)
    assert words in explain(c)
    assert c.params["parameter"] == param.version
    assert c.rule  # the source is always named


def test_retirement_rule_cites_the_2024_decision():
    result = assess_eligibility(PersonFacts(D(1990, 1, 1), "M"), ClassFacts(START), NATIONAL)
    assert "渐进式延迟法定退休年龄" in check(result, "retirement_age").rule


def test_key_group():
    person = PersonFacts(D(1990, 1, 1), "F", key_groups=frozenset({"graduate"}))
    ok = assess_eligibility(person, ClassFacts(START, "graduate"), NATIONAL)
    no = assess_eligibility(person, ClassFacts(START, "veteran"), NATIONAL)
    assert ok.eligible and not no.eligible
    assert "not registered in that group" in explain(check(no, "key_group"))
    assert "open to every" in explain(check(
        assess_eligibility(person, ClassFacts(START), NATIONAL), "key_group"))


def test_overlapping_class_blocks_and_is_named():
    clash = Clash(7, "焊工班", "2026-03-02T09:00:00+08:00")
    result = assess_eligibility(PersonFacts(D(1990, 1, 1), "M"), ClassFacts(START), NATIONAL,
                                clashes=[clash])
    assert not result.eligible
    assert "焊工班" in explain(check(result, "schedule_overlap"))


def test_subsidy_frequency_is_a_warning_only():
    result = assess_eligibility(PersonFacts(D(1990, 1, 1), "M"), ClassFacts(START), NATIONAL,
                                subsidy_warnings=["已于2026年享受同级别培训补贴"])
    assert result.eligible
    assert [c.code for c in result.warnings] == ["subsidy_frequency"]
    assert "已于2026年" in explain(result.warnings[0])


def test_checks_serialize_for_the_enrollment_record():
    result = assess_eligibility(PersonFacts(D(1990, 1, 1), "M"), ClassFacts(START), NATIONAL)
    stored = result.as_list()
    assert [c["code"] for c in stored] == ["minimum_age", "retirement_age", "key_group",
                                           "schedule_overlap"]
    assert all(explain(c) for c in stored)


def test_first_overlap():
    tz = dt.timezone(dt.timedelta(hours=8))
    a = [(dt.datetime(2026, 3, 2, 9, tzinfo=tz), dt.datetime(2026, 3, 2, 12, tzinfo=tz)),
         (dt.datetime(2026, 3, 3, 9, tzinfo=tz), dt.datetime(2026, 3, 3, 12, tzinfo=tz))]
    b = [(dt.datetime(2026, 3, 3, 11, tzinfo=tz), dt.datetime(2026, 3, 3, 13, tzinfo=tz))]
    c = [(dt.datetime(2026, 3, 2, 12, tzinfo=tz), dt.datetime(2026, 3, 2, 14, tzinfo=tz))]
    assert first_overlap(a, b) == a[1][0]
    assert first_overlap(a, c) is None  # touching ends do not overlap
