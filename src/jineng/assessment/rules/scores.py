"""Scores of an assessment and whether a candidate passed. Pure (no Django).

A score is a Decimal from 0 to 100 with at most two decimal places (百分制). A sitting examines
a theory part (理论知识考试), a practical part (操作技能考核), or both; a part whose pass mark
is None is not examined at that sitting (a standard with one part, e.g. some special-ability
items), and a score given for it is an error. A candidate passes when every examined part
reaches its pass mark (《国家职业技能标准》编制技术规程: 理论知识考试和操作技能考核均实行百分制，
成绩皆达60分（含）以上者为合格; the marks come from the sitting, which takes them from the
catalog or the standard). An absent candidate (缺考) has no scores and does not pass.

The functions answer with codes; the services turn them into messages in the reader's
language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

THEORY = "theory"
PRACTICAL = "practical"
PARTS = (THEORY, PRACTICAL)

LOWEST = Decimal("0")
HIGHEST = Decimal("100")
PLACES = 2

# Codes of a bad score (ScoreInvalid.code) and of a bad row (check_row).
NOT_A_NUMBER = "not_a_number"
OUT_OF_RANGE = "out_of_range"
TOO_MANY_PLACES = "too_many_places"
REQUIRED = "required"  # an examined part without a score (and the candidate not absent)
NOT_EXAMINED = "not_examined"  # a score for a part the sitting does not examine
ABSENT_WITH_SCORE = "absent_with_score"  # absent, yet a score is given

# Reasons of an outcome (Outcome.reasons).
REACHED = "reached"  # the part's score reaches its pass mark
BELOW = "below"  # the part's score is under its pass mark
MISSING = "missing"  # no score yet for an examined part: no result
ABSENT = "absent"


class ScoreInvalid(ValueError):
    """A score that cannot be taken: `code` is NOT_A_NUMBER, OUT_OF_RANGE or
    TOO_MANY_PLACES."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_score(raw: object) -> Decimal | None:
    """A score from what a person or a file gives: None for nothing (None, "", spaces), else a
    Decimal in [0, 100] with at most two decimal places. Floats are taken by their shortest
    text (a spreadsheet's 85.5 is 85.5, not 85.4999…); booleans are not numbers."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ScoreInvalid(NOT_A_NUMBER)
    if isinstance(raw, float):
        raw = repr(raw)
    text = str(raw).strip().replace("，", ".").replace("．", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ScoreInvalid(NOT_A_NUMBER) from None
    if not value.is_finite():
        raise ScoreInvalid(NOT_A_NUMBER)
    if not LOWEST <= value <= HIGHEST:
        raise ScoreInvalid(OUT_OF_RANGE)
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -PLACES:
        raise ScoreInvalid(TOO_MANY_PLACES)
    if value == 0:
        value = LOWEST  # "-0" is 0
    return value.quantize(Decimal(1).scaleb(-PLACES))


@dataclass(frozen=True)
class PartOutcome:
    part: str  # THEORY or PRACTICAL
    reason: str  # REACHED, BELOW, MISSING
    score: Decimal | None
    pass_mark: Decimal


@dataclass(frozen=True)
class Outcome:
    """Whether a candidate passed (None: no result yet) and why, part by part."""

    passed: bool | None
    absent: bool
    parts: tuple[PartOutcome, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        if self.absent:
            return (ABSENT,)
        return tuple(p.reason for p in self.parts)

    @property
    def complete(self) -> bool:
        return self.passed is not None


def examined_parts(theory_mark: Decimal | None, practical_mark: Decimal | None,
                   ) -> tuple[str, ...]:
    return tuple(part for part, mark in ((THEORY, theory_mark), (PRACTICAL, practical_mark))
                 if mark is not None)


def evaluate(*, theory: Decimal | None, practical: Decimal | None, absent: bool,
             theory_mark: Decimal | None, practical_mark: Decimal | None) -> Outcome:
    """The outcome of one candidate: absent → not passed; an examined part without a score →
    no result (passed None); otherwise passed when every examined part reaches its mark.
    Scores of parts that are not examined are ignored here (check_row refuses them)."""
    if theory_mark is None and practical_mark is None:
        raise ValueError("a sitting examines at least one part")
    if absent:
        return Outcome(passed=False, absent=True, parts=())
    parts = []
    for part, score, mark in ((THEORY, theory, theory_mark),
                              (PRACTICAL, practical, practical_mark)):
        if mark is None:
            continue
        reason = MISSING if score is None else (REACHED if score >= mark else BELOW)
        parts.append(PartOutcome(part=part, reason=reason, score=score, pass_mark=mark))
    reasons = {p.reason for p in parts}
    passed = None if MISSING in reasons else reasons == {REACHED}
    return Outcome(passed=passed, absent=False, parts=tuple(parts))


def check_row(*, theory: Decimal | None, practical: Decimal | None, absent: bool,
              theory_mark: Decimal | None, practical_mark: Decimal | None,
              ) -> list[tuple[str, str]]:
    """The problems of one entered result, as (part, code): an absent candidate has no score;
    a present one has a score for every examined part and none for a part not examined."""
    problems: list[tuple[str, str]] = []
    for part, score, mark in ((THEORY, theory, theory_mark),
                              (PRACTICAL, practical, practical_mark)):
        if absent:
            if score is not None:
                problems.append((part, ABSENT_WITH_SCORE))
        elif mark is None:
            if score is not None:
                problems.append((part, NOT_EXAMINED))
        elif score is None:
            problems.append((part, REQUIRED))
    return problems


def pass_rate(outcomes: Sequence[bool | None]) -> tuple[int, int]:
    """(passed, with a result) over the candidates' `passed` values."""
    decided = [o for o in outcomes if o is not None]
    return sum(1 for o in decided if o), len(decided)
